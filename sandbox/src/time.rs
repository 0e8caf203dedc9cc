//! Calendar arithmetic and the simulated clock.
//!
//! Everything here is written against the proleptic Gregorian calendar with plain integer
//! arithmetic, so the sandbox needs no date library and never looks at the local time zone.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The platform's fixed time zone offset (UTC+8, no daylight saving), in seconds.
pub(crate) const UTC8_OFFSET_SECS: i64 = 8 * 3600;

/// Days since 1970-01-01 of a proleptic Gregorian date. `month` is 1..=12; `day` may be any
/// value (it is added as an offset from the first of the month).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Shift the year so that it starts in March: the leap day then falls at the end.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5; // days from March 1st to the first of month m
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468 + (day - 1)
}

/// The proleptic Gregorian date `(year, month, day)` of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Broken-down civil time of an epoch-seconds value shifted by `offset_secs`.
fn civil_time(epoch_secs: i64, offset_secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let local = epoch_secs + offset_secs;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    (
        y,
        mo,
        d,
        (secs / 3600) as u32,
        (secs / 60 % 60) as u32,
        (secs % 60) as u32,
    )
}

/// Formats epoch milliseconds as the platform's `yyyyMMddHHmmss` timestamp in UTC+8.
pub(crate) fn format_timestamp_utc8(epoch_ms: i64) -> String {
    let (y, mo, d, h, mi, s) = civil_time(epoch_ms.div_euclid(1000), UTC8_OFFSET_SECS);
    format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
}

/// Formats epoch seconds as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub(crate) fn http_date(epoch_secs: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s) = civil_time(epoch_secs, 0);
    let weekday = DAYS[epoch_secs.div_euclid(86_400).rem_euclid(7) as usize];
    format!(
        "{weekday}, {d:02} {} {y:04} {h:02}:{mi:02}:{s:02} GMT",
        MONTHS[(mo - 1) as usize]
    )
}

/// Parses a `Timestamp` header as the gateway does (commons-lang `DateUtils.parseDate` with the
/// pattern `yyyyMMddHHmmss`, that is a lenient `SimpleDateFormat`), in UTC+8, into epoch
/// milliseconds.
///
/// The six fields are read in turn. Before each one, spaces and tabs are skipped (reaching the
/// end there fails). The first five fields are bounded by the pattern's widths counted from
/// where the field started (4, 2, 2, 2, 2 characters, spaces included); the last field, the
/// seconds, takes every character that is left. So a 14-digit timestamp reads as expected, a
/// 13-digit one has a one-digit second, and a 15-digit one a three-digit second
/// (`201703011200100` is 12:01:40). Each field is a decimal number as `DecimalFormat` reads
/// it: an optional `-`, digits, and an optional exponent (`E`, an optional `-`, digits); a
/// value that is not a whole number or does not fit is converted to a 32-bit integer the way
/// Java does (wrapping for whole numbers up to 19 digits, saturating beyond). Every field may
/// be out of range: the calendar rolls it over (month 13 is January of the next year, second
/// 100 is 1 minute 40 seconds). The whole text must be consumed.
///
/// Dates before the Gregorian reform and the zone's historical offsets are not reproduced (the
/// server's JVM uses the Julian calendar before 1582 and Asia/Shanghai's old offsets); such
/// timestamps are decades or centuries in the past, so only the expiry check reads them.
pub(crate) fn parse_timestamp_utc8(text: &str) -> Option<i64> {
    let fields = match plain_timestamp_fields(text) {
        Some(fields) => fields,
        None => lenient_timestamp_fields(text)?,
    };
    let [year, month, day, hour, minute, second] = fields;
    // The month field is stored as `value - 1` in 32-bit arithmetic.
    let month0 = i64::from((month as i32).wrapping_sub(1));
    let year = year + month0.div_euclid(12);
    let month = month0.rem_euclid(12) + 1;
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - UTC8_OFFSET_SECS;
    Some(secs * 1000)
}

/// The fields of a timestamp of exactly 14 ASCII digits (what every client sends), read
/// without the general path's work; the lenient reading gives the same fields for such text.
fn plain_timestamp_fields(text: &str) -> Option<[i64; 6]> {
    let b: &[u8; 14] = text.as_bytes().try_into().ok()?;
    if !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'))
    };
    Some([
        number(0, 4),
        number(4, 6),
        number(6, 8),
        number(8, 10),
        number(10, 12),
        number(12, 14),
    ])
}

/// The six fields of a timestamp read as the gateway's `SimpleDateFormat` reads them.
fn lenient_timestamp_fields(text: &str) -> Option<[i64; 6]> {
    // Header values reach the server as ISO-8859-1, whose only decimal digits are ASCII.
    let chars: Vec<char> = text.chars().collect();
    const WIDTHS: [usize; 6] = [4, 2, 2, 2, 2, 0];
    let mut fields = [0i64; 6];
    let mut pos = 0;
    for (i, &width) in WIDTHS.iter().enumerate() {
        let start = pos;
        while pos < chars.len() && (chars[pos] == ' ' || chars[pos] == '\t') {
            pos += 1;
        }
        if pos >= chars.len() {
            return None;
        }
        let limit = if width == 0 {
            chars.len()
        } else {
            if start + width > chars.len() {
                return None;
            }
            start + width
        };
        let (value, end) = java_decimal_int(&chars[..limit], pos)?;
        fields[i] = i64::from(value);
        pos = end;
    }
    if pos != chars.len() {
        return None;
    }
    Some(fields)
}

/// Reads a number as Java's integer `DecimalFormat` does, from `pos` to at most the end of
/// `text`: an optional `-`, one or more ASCII digits, then an optional exponent (`E`, an
/// optional `-`, one or more digits; left unread when malformed). Returns the value as Java's
/// `Number.intValue()` gives it and the position after the number, or `None` without digits.
fn java_decimal_int(text: &[char], pos: usize) -> Option<(i32, usize)> {
    let mut i = pos;
    let negative = text.get(i) == Some(&'-');
    if negative {
        i += 1;
    }
    let digits_start = i;
    while i < text.len() && text[i].is_ascii_digit() {
        i += 1;
    }
    if i == digits_start {
        return None;
    }
    let mantissa: String = text[digits_start..i].iter().collect();
    let mut exponent: i64 = 0;
    if text.get(i) == Some(&'E') {
        let mut j = i + 1;
        let exp_negative = text.get(j) == Some(&'-');
        if exp_negative {
            j += 1;
        }
        let exp_start = j;
        while j < text.len() && text[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_start {
            let exp_text: String = text[exp_start..j].iter().collect();
            // An exponent that does not fit a long leaves the `E` unread.
            if let Ok(e) = exp_text.parse::<i64>() {
                exponent = if exp_negative { -e } else { e };
                i = j;
            }
        }
    }
    Some((java_int_value(negative, &mantissa, exponent), i))
}

/// `intValue()` of the number `±0.mantissa × 10^(len + exponent)` as `DecimalFormat` returns
/// it: a `Long` (then wrapped to 32 bits) when it is a whole number that fits, else a `Double`
/// (then truncated and saturated).
fn java_int_value(negative: bool, mantissa: &str, exponent: i64) -> i32 {
    let significant = mantissa.trim_start_matches('0');
    let integer_digits = significant.len() as i64;
    let digits = significant.trim_end_matches('0');
    if digits.is_empty() {
        return 0;
    }
    let decimal_at = integer_digits.saturating_add(exponent);
    let count = digits.len() as i64;
    if decimal_at >= count && decimal_at <= 19 {
        let mut text = digits.to_owned();
        text.extend(std::iter::repeat_n('0', (decimal_at - count) as usize));
        if let Ok(v) = text.parse::<i128>() {
            let v = if negative { -v } else { v };
            if let Ok(long) = i64::try_from(v) {
                return long as i32;
            }
        }
    }
    // A double: whole numbers beyond a long saturate; fractions truncate toward zero.
    let value: f64 = format!("{}0.{digits}e{decimal_at}", if negative { "-" } else { "" })
        .parse()
        .unwrap_or(0.0);
    value as i32
}

/// Milliseconds since the Unix epoch of the wall clock.
pub(crate) fn wall_clock_ms() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    }
}

/// The sandbox's simulated clock: simulated now = start wall clock + elapsed real time × scale.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SimClock {
    start_real: Instant,
    start_sim_ms: i64,
    scale: f64,
}

impl SimClock {
    /// A clock starting at the current wall-clock time and running `scale` times faster.
    pub(crate) fn new(scale: f64) -> Self {
        SimClock {
            start_real: Instant::now(),
            start_sim_ms: wall_clock_ms(),
            scale,
        }
    }

    /// The current simulated time in epoch milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        let elapsed = self.start_real.elapsed().as_secs_f64();
        self.start_sim_ms + (elapsed * self.scale * 1000.0) as i64
    }

    /// The real instant at which the simulated clock reaches `sim_ms`.
    pub(crate) fn real_instant(&self, sim_ms: i64) -> Instant {
        let ahead = (sim_ms - self.start_sim_ms).max(0) as f64 / 1000.0 / self.scale;
        self.start_real + Duration::from_secs_f64(ahead.min(1.0e9))
    }
}

/// Truncates epoch milliseconds to whole seconds, as the call engine reports its times.
pub(crate) fn floor_to_second(ms: i64) -> i64 {
    ms.div_euclid(1000) * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn timestamps_are_utc8() {
        // 2017-03-01 12:00:00 +08:00 = 2017-03-01 04:00:00 UTC.
        assert_eq!(
            parse_timestamp_utc8("20170301120000"),
            Some(1_488_340_800_000)
        );
        assert_eq!(format_timestamp_utc8(1_488_340_800_000), "20170301120000");
        assert_eq!(format_timestamp_utc8(1_488_340_800_999), "20170301120000");
    }

    #[test]
    fn lenient_fields_roll_over() {
        let base = parse_timestamp_utc8("20170101000000").unwrap();
        assert_eq!(parse_timestamp_utc8("20161301000000"), Some(base));
        assert_eq!(parse_timestamp_utc8("20161231235960"), Some(base));
        assert_eq!(
            parse_timestamp_utc8("20170100000000"),
            Some(base - 86_400_000)
        );
        assert_eq!(
            parse_timestamp_utc8("20170000000000").unwrap(),
            parse_timestamp_utc8("20161200000000").unwrap()
        );
        assert_eq!(
            parse_timestamp_utc8("20170101990000"),
            Some(base + 99 * 3_600_000)
        );
    }

    /// Every 14-digit text reads the same on the fast path as on the lenient one.
    #[test]
    fn plain_timestamps_read_as_the_lenient_path_reads_them() {
        // Digits that roll over (month 00 and 13, hour 99...) included.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..20_000u64 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let text = match i {
                0 => "00000000000000".to_owned(),
                1 => "99999999999999".to_owned(),
                _ => format!("{:014}", (x >> 8) % 100_000_000_000_000),
            };
            let plain = plain_timestamp_fields(&text);
            assert!(plain.is_some(), "{text}");
            assert_eq!(plain, lenient_timestamp_fields(&text), "{text}");
        }
        for other in [
            "2017030112000",
            "201703011200000",
            " 20170301120000",
            "2017030112000a",
        ] {
            assert_eq!(plain_timestamp_fields(other), None, "{other:?}");
        }
    }

    /// Expected values computed with the server's parser (a lenient `SimpleDateFormat` with
    /// the pattern `yyyyMMddHHmmss`, time zone Asia/Shanghai).
    #[test]
    fn timestamps_read_as_the_server_reads_them() {
        let cases: [(&str, Option<i64>); 30] = [
            ("20170301120000", Some(1_488_340_800_000)),
            ("2017030112000", Some(1_488_340_800_000)),
            ("2017030112005", Some(1_488_340_805_000)),
            ("201703011200000", Some(1_488_340_800_000)),
            ("201703011200059", Some(1_488_340_859_000)),
            ("201703011200100", Some(1_488_340_900_000)),
            ("2017030112000000000000", Some(1_488_340_800_000)),
            ("20170301120099999999", Some(1_588_340_799_000)),
            ("2017030112009999999999", Some(2_898_406_207_000)),
            ("20170301120099999999999999999999", Some(3_635_824_447_000)),
            ("201703011200001E2", Some(1_488_340_900_000)),
            ("2017030112001E99", Some(3_635_824_447_000)),
            ("2017030112005E-1", Some(1_488_340_800_000)),
            ("201703011200-5", Some(1_488_340_795_000)),
            ("2017030112-0100", Some(1_488_340_900_000)),
            ("201703011200-2147483648", Some(-659_142_848_000)),
            ("201703011200-9223372036854775808", Some(1_488_340_800_000)),
            ("2017-3-01120000", Some(1_472_613_600_000)),
            ("2017 30112000", Some(1_488_340_800_000)),
            ("2017 3 1 2 0 0", Some(1_488_304_800_000)),
            ("20170301 120000", Some(1_488_302_400_000)),
            ("20170301\t120000", Some(1_488_302_400_000)),
            ("99999999999999", Some(253_637_124_039_000)),
            ("20170301120", None),
            ("201703011200", None),
            ("20170301120000 ", None),
            ("2017030112000-5", None),
            ("2017030112001.5", None),
            ("2017030112001E", None),
            ("2017030112000a", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_timestamp_utc8(text), expected, "{text:?}");
        }
        for bad in [
            "",
            "2017-03-01 12:00",
            "abcdefghijklmn",
            " ",
            "+0170301120000",
            "２０１７０３０１１２００００",
        ] {
            assert_eq!(parse_timestamp_utc8(bad), None, "{bad:?}");
        }
        // Epoch milliseconds (13 digits) read as the year 1488: parsed, and long expired.
        let ms = parse_timestamp_utc8("1488340800000").unwrap();
        assert!(ms < -15_000_000_000_000, "{ms}");
    }

    #[test]
    fn http_dates() {
        assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
