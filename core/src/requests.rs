//! Request bodies, with the wire names of the platform, and the checks the server makes.
//!
//! Optional fields are left out of the JSON when they are `None`, never sent as `null`
//! (an explicit `null` would override the server's default). Every request is checked with
//! [`DuoCallback::validate`] (and friends) before it is sent; the client does this for you.

use crate::error::{Error, Result};
use serde::ser::SerializeTuple;
use serde::{Serialize, Serializer};

/// Place a voice callback (`call/duo_callback`): the platform calls `to1`, then `to2`, and
/// connects them.
///
/// ```
/// let req = yunhuni::DuoCallback::new("13800000001", "13800000002", 60).user_data("order-42");
/// assert!(req.validate().is_ok());
/// assert_eq!(
///     serde_json::to_string(&req).unwrap(),
///     r#"{"to1":"13800000001","to2":"13800000002","max_call_duration":60,"user_data":"order-42"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuoCallback {
    /// Party 1's number, called first. Required.
    pub to1: String,
    /// Party 2's number, called once party 1 answers. Required; must differ from `to1`.
    pub to2: String,
    /// Longest conversation in seconds, 1–21600. Required.
    pub max_call_duration: i64,
    /// Caller number shown to party 1 (a hint: the platform may choose another).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from1: Option<String>,
    /// Caller number shown to party 2 (a hint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from2: Option<String>,
    /// Uploaded voice file played to party 1 while party 2 is dialled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ring_tone: Option<String>,
    /// When the ring tone plays: 0, 2 or 3 (1 is rejected by the server). Server default 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ring_tone_mode: Option<i64>,
    /// Longest ringing per leg in seconds, 1–300. Server default 45.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_dial_duration: Option<i64>,
    /// Record the call (not available on the platform yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recording: Option<bool>,
    /// When recording starts, 0–3 (not available on the platform yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_mode: Option<i64>,
    /// Your data, at most 128 UTF-16 units, echoed in the end event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
}

macro_rules! setters {
    ($ty:ident { $($field:ident: $arg:ty => $conv:expr),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                #[must_use]
                pub fn $field(mut self, value: $arg) -> Self {
                    #[allow(clippy::redundant_closure_call)]
                    { self.$field = Some(($conv)(value)); }
                    self
                }
            )*
        }
    };
}

setters!(DuoCallback {
    from1: impl Into<String> => Into::into,
    from2: impl Into<String> => Into::into,
    ring_tone: impl Into<String> => Into::into,
    ring_tone_mode: i64 => |v| v,
    max_dial_duration: i64 => |v| v,
    recording: bool => |v| v,
    record_mode: i64 => |v| v,
    user_data: impl Into<String> => Into::into,
});

impl DuoCallback {
    /// A callback between `to1` and `to2` lasting at most `max_call_duration` seconds.
    pub fn new(to1: impl Into<String>, to2: impl Into<String>, max_call_duration: i64) -> Self {
        DuoCallback {
            to1: to1.into(),
            to2: to2.into(),
            max_call_duration,
            from1: None,
            from2: None,
            ring_tone: None,
            ring_tone_mode: None,
            max_dial_duration: None,
            recording: None,
            record_mode: None,
            user_data: None,
        }
    }

    /// Checks every rule the server enforces, in the server's order.
    pub fn validate(&self) -> Result<()> {
        not_blank("to1", &self.to1)?;
        not_blank("to2", &self.to2)?;
        in_range("max_call_duration", self.max_call_duration, 1, 21_600)?;
        opt_in_range("max_dial_duration", self.max_dial_duration, 1, 300)?;
        opt_in_range("ring_tone_mode", self.ring_tone_mode, 0, 3)?;
        opt_in_range("record_mode", self.record_mode, 0, 3)?;
        max_len("user_data", self.user_data.as_deref(), 128)?;
        if self.to1 == self.to2 {
            return Err(Error::validation(
                "to2",
                "must differ from to1 (the platform answers 030500)",
            ));
        }
        if self.ring_tone_mode == Some(1) {
            return Err(Error::validation(
                "ring_tone_mode",
                "1 is not supported by the platform; use 0, 2 or 3",
            ));
        }
        Ok(())
    }
}

/// Cancel a voice callback (`call/duo_callback_cancel`) before party 2 is connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CancelDuoCallback {
    /// The `call_id` returned when the callback was placed.
    #[serde(rename = "callId")]
    pub call_id: String,
}

impl CancelDuoCallback {
    /// Checks that the call id is not blank.
    pub fn validate(&self) -> Result<()> {
        not_blank("call_id", &self.call_id)
    }
}

/// One item of a voice notification's `play_content`: sent as `[content, type, options]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayItem {
    /// What to play: a file name, digits, a number, an amount, a date/time or a duration.
    pub content: String,
    /// 0 file, 1 digits, 2 number, 3 amount of money, 4 date/time, 5 duration.
    pub play_type: i64,
    /// Play options; unused by the platform, sent as `""`.
    pub options: String,
}

impl PlayItem {
    /// Play type: an uploaded voice file.
    pub const FILE: i64 = 0;
    /// Play type: a decimal integer read digit by digit.
    pub const DIGITS: i64 = 1;
    /// Play type: a decimal number read as a quantity.
    pub const NUMBER: i64 = 2;
    /// Play type: an amount of money.
    pub const AMOUNT: i64 = 3;
    /// Play type: a date and/or time such as `2020-05-09` or `2020-05-09 14:30`.
    pub const DATE_TIME: i64 = 4;
    /// Play type: a duration `HH:MM:SS` or `HH:MM`.
    pub const DURATION: i64 = 5;

    /// An item of `play_type` (one of the constants above) with empty options.
    pub fn new(content: impl Into<String>, play_type: i64) -> Self {
        PlayItem {
            content: content.into(),
            play_type,
            options: String::new(),
        }
    }

    pub(crate) fn validate(&self, index: usize) -> Result<()> {
        let field = format!("play_content[{index}]");
        let ok = match self.play_type {
            Self::FILE => true,
            Self::DIGITS => parses_as_java_int(&self.content),
            Self::NUMBER | Self::AMOUNT => self.content.trim().parse::<f64>().is_ok(),
            Self::DATE_TIME => DATE_TIME_SHAPES
                .iter()
                .any(|s| matches_shape(&self.content, s)),
            Self::DURATION => DURATION_SHAPES
                .iter()
                .any(|s| matches_shape(&self.content, s)),
            other => {
                return Err(Error::validation(
                    field,
                    format!("play type {other} is not one of 0-5"),
                ));
            }
        };
        if self.content.trim().is_empty() {
            return Err(Error::validation(
                field,
                "content is empty (the platform would drop this item)",
            ));
        }
        if !ok {
            let expected = match self.play_type {
                Self::DIGITS => "a 32-bit integer",
                Self::NUMBER | Self::AMOUNT => "a decimal number",
                Self::DATE_TIME => {
                    "yyyy-MM-dd HH:mm:ss, yyyy-MM-dd HH:mm, yyyy-MM-dd, yyyy-MM, HH:mm:ss or HH:mm"
                }
                _ => "HH:mm:ss or HH:mm",
            };
            return Err(Error::validation(
                field,
                format!("{:?} is not {expected}", self.content),
            ));
        }
        Ok(())
    }
}

impl Serialize for PlayItem {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut t = serializer.serialize_tuple(3)?;
        t.serialize_element(&self.content)?;
        t.serialize_element(&self.play_type)?;
        t.serialize_element(&self.options)?;
        t.end()
    }
}

/// Call a number and play a voice notification (`call/notify_call`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotifyCall {
    /// The number to call. Required.
    pub to: String,
    /// Caller number (a hint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Voice file name(s), several joined with `|`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub play_file: Option<String>,
    /// Dynamic content played after `play_file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub play_content: Option<Vec<PlayItem>>,
    /// Extra repetitions, 0–10 (server default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat: Option<i64>,
    /// Longest ringing in seconds, 1–300 (server default 45).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_dial_duration: Option<i64>,
    /// Your data, at most 128 UTF-16 units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
}

setters!(NotifyCall {
    from: impl Into<String> => Into::into,
    play_file: impl Into<String> => Into::into,
    play_content: Vec<PlayItem> => |v| v,
    repeat: i64 => |v| v,
    max_dial_duration: i64 => |v| v,
    user_data: impl Into<String> => Into::into,
});

impl NotifyCall {
    /// A notification to `to`; set `play_file` or `play_content` before sending.
    pub fn new(to: impl Into<String>) -> Self {
        NotifyCall {
            to: to.into(),
            from: None,
            play_file: None,
            play_content: None,
            repeat: None,
            max_dial_duration: None,
            user_data: None,
        }
    }

    /// Checks every rule the server enforces.
    pub fn validate(&self) -> Result<()> {
        not_blank("to", &self.to)?;
        opt_in_range("repeat", self.repeat, 0, 10)?;
        opt_in_range("max_dial_duration", self.max_dial_duration, 1, 300)?;
        max_len("user_data", self.user_data.as_deref(), 128)?;
        let items = self.play_content.as_deref().unwrap_or(&[]);
        for (i, item) in items.iter().enumerate() {
            item.validate(i)?;
        }
        if is_blank(self.play_file.as_deref()) && items.is_empty() {
            return Err(Error::validation(
                "play_content",
                "play_file and play_content must not both be empty",
            ));
        }
        Ok(())
    }
}

/// Call a number and read out a verification code (`call/verify_call`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyCall {
    /// The number to call. Required, at most 128 characters.
    pub to: String,
    /// Caller number (a hint), at most 128 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The code to read: 1–12 decimal digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify_code: Option<String>,
    /// Prompt file name(s) played first, several joined with `|`; at most 512 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub play_file: Option<String>,
    /// Extra repetitions, 0–10 (server default: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat: Option<i64>,
    /// Longest ringing in seconds, 1–300.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_dial_duration: Option<i64>,
    /// Your data, at most 128 UTF-16 units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
}

setters!(VerifyCall {
    from: impl Into<String> => Into::into,
    verify_code: impl Into<String> => Into::into,
    play_file: impl Into<String> => Into::into,
    repeat: i64 => |v| v,
    max_dial_duration: i64 => |v| v,
    user_data: impl Into<String> => Into::into,
});

impl VerifyCall {
    /// A verification call to `to`; set `verify_code` (or `play_file`) before sending.
    pub fn new(to: impl Into<String>) -> Self {
        VerifyCall {
            to: to.into(),
            from: None,
            verify_code: None,
            play_file: None,
            repeat: None,
            max_dial_duration: None,
            user_data: None,
        }
    }

    /// Checks every rule the server enforces.
    pub fn validate(&self) -> Result<()> {
        not_blank("to", &self.to)?;
        max_len("to", Some(&self.to), 128)?;
        max_len("from", self.from.as_deref(), 128)?;
        opt_in_range("max_dial_duration", self.max_dial_duration, 1, 300)?;
        max_len("play_file", self.play_file.as_deref(), 512)?;
        if let Some(code) = &self.verify_code {
            if !(code.is_empty() || (code.len() <= 12 && code.bytes().all(|b| b.is_ascii_digit())))
            {
                return Err(Error::validation(
                    "verify_code",
                    "must be 1-12 decimal digits",
                ));
            }
        }
        opt_in_range("repeat", self.repeat, 0, 10)?;
        max_len("user_data", self.user_data.as_deref(), 128)?;
        if is_blank(self.play_file.as_deref()) && is_blank(self.verify_code.as_deref()) {
            return Err(Error::validation(
                "verify_code",
                "verify_code and play_file must not both be empty",
            ));
        }
        Ok(())
    }
}

const DATE_TIME_SHAPES: [&str; 6] = ["d-d-d d:d:d", "d-d-d d:d", "d-d-d", "d-d", "d:d:d", "d:d"];
const DURATION_SHAPES: [&str; 2] = ["d:d:d", "d:d"];

/// True if `value` is `shape` with each `d` standing for one or more ASCII digits.
fn matches_shape(value: &str, shape: &str) -> bool {
    let mut v = value.as_bytes();
    for s in shape.bytes() {
        if s == b'd' {
            let n = v.iter().take_while(|b| b.is_ascii_digit()).count();
            if n == 0 {
                return false;
            }
            v = &v[n..];
        } else if v.first() == Some(&s) {
            v = &v[1..];
        } else {
            return false;
        }
    }
    v.is_empty()
}

fn parses_as_java_int(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && s.parse::<i32>().is_ok()
}

fn is_blank(value: Option<&str>) -> bool {
    value.is_none_or(|s| s.trim().is_empty())
}

fn not_blank(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::validation(
            field,
            "is required and must not be empty",
        ));
    }
    Ok(())
}

fn in_range(field: &str, value: i64, min: i64, max: i64) -> Result<()> {
    if !(min..=max).contains(&value) {
        return Err(Error::validation(
            field,
            format!("{value} is out of range {min}-{max}"),
        ));
    }
    Ok(())
}

fn opt_in_range(field: &str, value: Option<i64>, min: i64, max: i64) -> Result<()> {
    value.map_or(Ok(()), |v| in_range(field, v, min, max))
}

/// Length as the server counts it: UTF-16 code units.
fn max_len(field: &str, value: Option<&str>, max: usize) -> Result<()> {
    let len = value.map_or(0, |s| s.encode_utf16().count());
    if len > max {
        return Err(Error::validation(
            field,
            format!("is {len} characters long; at most {max} allowed"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(r: Result<()>) -> String {
        r.unwrap_err().field().unwrap().to_owned()
    }

    #[test]
    fn duo_rules() {
        let ok = DuoCallback::new("1", "2", 60);
        assert!(ok.validate().is_ok());
        assert_eq!(field_of(DuoCallback::new("", "2", 60).validate()), "to1");
        assert_eq!(field_of(DuoCallback::new("1", " ", 60).validate()), "to2");
        assert_eq!(field_of(DuoCallback::new("1", "1", 60).validate()), "to2");
        assert_eq!(
            field_of(DuoCallback::new("1", "2", 0).validate()),
            "max_call_duration"
        );
        assert_eq!(
            field_of(DuoCallback::new("1", "2", 21_601).validate()),
            "max_call_duration"
        );
        assert!(DuoCallback::new("1", "2", 21_600).validate().is_ok());
        assert_eq!(
            field_of(ok.clone().max_dial_duration(301).validate()),
            "max_dial_duration"
        );
        assert_eq!(
            field_of(ok.clone().max_dial_duration(0).validate()),
            "max_dial_duration"
        );
        assert_eq!(
            field_of(ok.clone().ring_tone_mode(1).validate()),
            "ring_tone_mode"
        );
        assert_eq!(
            field_of(ok.clone().ring_tone_mode(4).validate()),
            "ring_tone_mode"
        );
        for mode in [0, 2, 3] {
            assert!(ok.clone().ring_tone_mode(mode).validate().is_ok());
        }
        assert_eq!(
            field_of(ok.clone().record_mode(-1).validate()),
            "record_mode"
        );
        assert!(ok.clone().record_mode(3).validate().is_ok());
        // 128 UTF-16 units: 64 emoji are 128 units, 65 are too many.
        assert!(ok.clone().user_data("😀".repeat(64)).validate().is_ok());
        assert_eq!(
            field_of(ok.clone().user_data("😀".repeat(65)).validate()),
            "user_data"
        );
        assert!(ok.clone().user_data("订".repeat(128)).validate().is_ok());
    }

    #[test]
    fn optional_fields_are_omitted() {
        let json = serde_json::to_string(&DuoCallback::new("a", "b", 5).recording(false)).unwrap();
        assert_eq!(
            json,
            r#"{"to1":"a","to2":"b","max_call_duration":5,"recording":false}"#
        );
        let json = serde_json::to_string(
            &NotifyCall::new("a").play_content(vec![PlayItem::new("3.5", 3)]),
        )
        .unwrap();
        assert_eq!(json, r#"{"to":"a","play_content":[["3.5",3,""]]}"#);
    }

    #[test]
    fn notify_rules() {
        let base = NotifyCall::new("13800000001");
        assert_eq!(field_of(base.validate()), "play_content");
        assert!(base.clone().play_file("a.wav").validate().is_ok());
        let item = |c: &str, t| {
            base.clone()
                .play_content(vec![PlayItem::new(c, t)])
                .validate()
        };
        assert!(item("hello.wav", 0).is_ok());
        assert!(item("123", 1).is_ok());
        assert!(item("12a", 1).is_err());
        assert!(item("99999999999", 1).is_err());
        assert!(item("3245.24", 3).is_ok());
        assert!(item("x", 2).is_err());
        for ok in [
            "2020-05-09",
            "2012-9-8 1:5:3",
            "2020-05",
            "14:30",
            "14:30:00",
            "2020-05-09 14:30",
        ] {
            assert!(item(ok, 4).is_ok(), "{ok}");
        }
        for bad in ["2020/05/09", "2020-05-09T14:30", "", "14"] {
            assert!(item(bad, 4).is_err(), "{bad}");
        }
        assert!(item("1:5:3", 5).is_ok());
        assert!(item("2020-05-09", 5).is_err());
        assert_eq!(field_of(item("x", 6)), "play_content[0]");
        assert_eq!(field_of(item("x", -1)), "play_content[0]");
        assert_eq!(
            field_of(base.clone().play_file("a").repeat(11).validate()),
            "repeat"
        );
        assert_eq!(
            field_of(NotifyCall::new("").play_file("a").validate()),
            "to"
        );
    }

    #[test]
    fn verify_rules() {
        let base = VerifyCall::new("13800000001");
        assert_eq!(field_of(base.validate()), "verify_code");
        assert!(base.clone().verify_code("759345").validate().is_ok());
        assert!(base.clone().play_file("prompt.wav").validate().is_ok());
        assert_eq!(
            field_of(base.clone().verify_code("1234567890123").validate()),
            "verify_code"
        );
        assert_eq!(
            field_of(base.clone().verify_code("12a").validate()),
            "verify_code"
        );
        assert_eq!(
            field_of(base.clone().verify_code("１２").validate()),
            "verify_code"
        );
        assert_eq!(
            field_of(VerifyCall::new("1".repeat(129)).verify_code("1").validate()),
            "to"
        );
        assert_eq!(
            field_of(
                base.clone()
                    .verify_code("1")
                    .from("2".repeat(129))
                    .validate()
            ),
            "from"
        );
        assert_eq!(
            field_of(base.clone().play_file("p".repeat(513)).validate()),
            "play_file"
        );
        assert_eq!(
            field_of(base.clone().verify_code("1").repeat(-1).validate()),
            "repeat"
        );
    }
}
