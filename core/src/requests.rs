//! `PlayItem`, one row of a voice notification's dynamic content, and the server's reading of
//! each play type. The typed requests themselves are generated from the declarations
//! (`crate::typed`, `crate::ops`).

use crate::error::{quote_text, Error, Result};
use serde::ser::SerializeTuple;
use serde::{Serialize, Serializer};
use serde_json::Value;

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
                format!("{} is not {expected}", quote_text(&self.content)),
            ));
        }
        Ok(())
    }
}

impl PlayItem {
    /// The row as a request holds it: `[content, play_type, options]`.
    pub fn to_value(&self) -> Value {
        Value::Array(vec![
            Value::from(self.content.clone()),
            Value::from(self.play_type),
            Value::from(self.options.clone()),
        ])
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

#[cfg(test)]
mod tests {
    use crate::{DuoCallback, NotifyCall, PlayItem, Request, VerifyCall};

    fn field_of(r: crate::Result<()>) -> String {
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

    fn body(request: Request) -> String {
        String::from_utf8(request.to_wire().unwrap().body.unwrap()).unwrap()
    }

    #[test]
    fn optional_fields_are_omitted() {
        let request = DuoCallback::new("a", "b", 5)
            .recording(false)
            .to_request()
            .unwrap();
        assert_eq!(
            body(request),
            r#"{"to1":"a","to2":"b","max_call_duration":5,"recording":false}"#
        );
        let request = NotifyCall::new("a")
            .play_content(vec![PlayItem::new("3.5", 3)])
            .to_request()
            .unwrap();
        assert_eq!(body(request), r#"{"to":"a","play_content":[["3.5",3,""]]}"#);
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
