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

/// Parses a `yyyyMMddHHmmss` timestamp interpreted in UTC+8 into epoch milliseconds.
///
/// Exactly 14 ASCII digits are required. Out-of-range fields roll over into the next larger
/// field (month 13 is January of the next year, second 60 is the next minute, day 0 is the last
/// day of the previous month), as a lenient calendar does.
pub(crate) fn parse_timestamp_utc8(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 14 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let field = |from: usize, to: usize| -> i64 {
        bytes[from..to]
            .iter()
            .fold(0, |acc, b| acc * 10 + i64::from(b - b'0'))
    };
    let (year, month, day) = (field(0, 4), field(4, 6), field(6, 8));
    let (hour, minute, second) = (field(8, 10), field(10, 12), field(12, 14));
    // Month 0 is December of the previous year, month 13 January of the next.
    let month0 = month - 1;
    let year = year + month0.div_euclid(12);
    let month = month0.rem_euclid(12) + 1;
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - UTC8_OFFSET_SECS;
    Some(secs * 1000)
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

    #[test]
    fn malformed_timestamps_are_rejected() {
        for bad in [
            "",
            "2017030112000",
            "201703011200000",
            "2017-3-01120000",
            "2017030112000a",
            " 20170301120000",
            "２０１７０３０１１２００００",
        ] {
            assert_eq!(parse_timestamp_utc8(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn http_dates() {
        assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
