//! How a called number behaves, and the reserved numbers that need no setup.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::business::{code_from_json, BusinessCode};

/// What a called number does when it is dialled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Rings for this many milliseconds, then answers. If that is not before the call's
    /// `max_dial_duration`, the dial times out instead.
    After(u64),
    /// Rings for 1 s, then rejects the call.
    Busy,
    /// Rings until the call's `max_dial_duration` runs out.
    NoAnswer,
    /// Fails at once, without ringing.
    Unreachable,
    /// The call engine cannot even start the call: the whole call fails and its end event
    /// carries only `error` `调用失败` (see the platform's failure path).
    EngineFailure,
}

/// The behaviour of one called number.
///
/// As JSON (the admin endpoint `PUT /sandbox/numbers/{number}` takes and `GET` returns this):
///
/// ```json
/// {"answer":"after","ms":2000,"hangup_after_ms":5000}
/// {"answer":"after","ms":300}
/// {"answer":"busy"}
/// {"answer":"no_answer"}
/// {"answer":"unreachable"}
/// {"answer":"engine_failure"}
/// ```
///
/// `ms` is required with `"after"` and refused otherwise; `hangup_after_ms` is optional
/// (absent or `null`: never hangs up); `"bridge_error": true` (optional, default `false`) makes
/// the bridge of a callback fail once this leg is connected. In IVR calls, `"keys"` (optional, a
/// list of strings of keys) are pressed in the successive `<get>`s, each key
/// `"key_interval_ms"` (optional, default 1000) after the previous one:
/// `{"answer":"after","ms":1000,"keys":["1","2"]}`. `"code"` (optional, with an
/// optional `"msg"`) forces a code of the platform's table on every call to this number
/// (`{"code":"020001"}`; `answer` may then be left out). Unknown keys are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BehaviorJson", into = "BehaviorJson")]
pub struct Behavior {
    /// Whether and when the number answers.
    pub answer: Answer,
    /// Hangs up this many milliseconds after being connected: after the bridge for a
    /// `duo_callback` leg, after answering for `notify_call` and `verify_call`, after the
    /// answer for the caller of an IVR call (`ivr_call` or inbound), after the bridge for a
    /// `<dial>`ed number. `None` never
    /// hangs up (the call then ends by the other party, by `max_call_duration`, or, for
    /// notify/verify calls, when the content has been played).
    pub hangup_after_ms: Option<u64>,
    /// When this number is a leg of a `duo_callback`, the bridge fails as soon as both legs are
    /// connected: the call ends with `error` `connect error` and `hangup_by` `"0"`. Ignored by
    /// notify and verify calls.
    pub bridge_error: bool,
    /// A code of the platform's table that every call naming this number as a callee gets
    /// instead of being placed (where the server checks its red list: after validation,
    /// before every other business check). `None` by default.
    pub code: Option<BusinessCode>,
    /// In an IVR call, the keys this number presses: entry *n* is pressed during the *n*-th
    /// `<get>` of the call (an entry may hold several keys, finish key included, such as
    /// `"12#"`); once the entries run out, nothing is pressed (the `<get>` times out). Empty by
    /// default.
    pub keys: Vec<String>,
    /// In an IVR call, how long (simulated milliseconds) the number waits before each key it
    /// presses, counted from the start of the `<get>` for the first key and from the previous
    /// key after that. Default [`DEFAULT_KEY_INTERVAL_MS`].
    pub key_interval_ms: u64,
}

/// The default [`Behavior::key_interval_ms`]: one second between keys.
pub const DEFAULT_KEY_INTERVAL_MS: u64 = 1000;

impl Behavior {
    /// Answers after `ms` milliseconds of ringing and never hangs up.
    pub const fn answer_after(ms: u64) -> Self {
        Behavior {
            answer: Answer::After(ms),
            hangup_after_ms: None,
            bridge_error: false,
            code: None,
            keys: Vec::new(),
            key_interval_ms: DEFAULT_KEY_INTERVAL_MS,
        }
    }

    /// Rings for 1 s, then rejects.
    pub const fn busy() -> Self {
        Behavior {
            answer: Answer::Busy,
            hangup_after_ms: None,
            bridge_error: false,
            code: None,
            keys: Vec::new(),
            key_interval_ms: DEFAULT_KEY_INTERVAL_MS,
        }
    }

    /// Never answers: rings until `max_dial_duration`.
    pub const fn no_answer() -> Self {
        Behavior {
            answer: Answer::NoAnswer,
            hangup_after_ms: None,
            bridge_error: false,
            code: None,
            keys: Vec::new(),
            key_interval_ms: DEFAULT_KEY_INTERVAL_MS,
        }
    }

    /// Fails at once.
    pub const fn unreachable() -> Self {
        Behavior {
            answer: Answer::Unreachable,
            hangup_after_ms: None,
            bridge_error: false,
            code: None,
            keys: Vec::new(),
            key_interval_ms: DEFAULT_KEY_INTERVAL_MS,
        }
    }

    /// The call engine fails: the call ends with `调用失败`.
    pub const fn engine_failure() -> Self {
        Behavior {
            answer: Answer::EngineFailure,
            hangup_after_ms: None,
            bridge_error: false,
            code: None,
            keys: Vec::new(),
            key_interval_ms: DEFAULT_KEY_INTERVAL_MS,
        }
    }

    /// The same behaviour, hanging up `ms` milliseconds after being connected.
    pub const fn hangup_after(mut self, ms: u64) -> Self {
        self.hangup_after_ms = Some(ms);
        self
    }

    /// The same behaviour, making the bridge of a callback fail once connected.
    pub const fn with_bridge_error(mut self) -> Self {
        self.bridge_error = true;
        self
    }

    /// The same behaviour, with every call to this number refused with `code` (see
    /// [`Behavior::code`]).
    pub const fn with_code(mut self, code: BusinessCode) -> Self {
        self.code = Some(code);
        self
    }

    /// The same behaviour, pressing these keys in the IVR call's successive `<get>`s (see
    /// [`Behavior::keys`]): `.presses(["1", "2#"])`.
    pub fn presses<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// The same behaviour, waiting `ms` before each key it presses.
    pub const fn key_interval(mut self, ms: u64) -> Self {
        self.key_interval_ms = ms;
        self
    }

    /// The same behaviour, never hanging up.
    pub const fn never_hang_up(mut self) -> Self {
        self.hangup_after_ms = None;
        self
    }
}

impl Default for Behavior {
    /// Every number not scripted nor reserved: rings 2 s, answers, hangs up 5 s after being
    /// connected. When both legs of a callback would hang up at the same moment, party 2
    /// is the one that does.
    fn default() -> Self {
        Behavior::answer_after(2000).hangup_after(5000)
    }
}

/// The reserved numbers: common failures with no setup at all. A behaviour set for one of
/// these numbers replaces its reserved behaviour until it is cleared.
///
/// | Number | Behaviour |
/// | --- | --- |
/// | `13900000001` | busy: rejects after 1 s of ringing |
/// | `13900000002` | no answer: rings until `max_dial_duration` |
/// | `13900000003` | unreachable: fails at once |
/// | `13900000004` | answers after 2 s, hangs up 3 s after being connected |
/// | `13900000005` | answers after 2 s, never hangs up |
/// | `13900000009` | engine failure: the whole call fails with `调用失败` |
pub const RESERVED_NUMBERS: [(&str, Behavior); 6] = [
    ("13900000001", Behavior::busy()),
    ("13900000002", Behavior::no_answer()),
    ("13900000003", Behavior::unreachable()),
    (
        "13900000004",
        Behavior::answer_after(2000).hangup_after(3000),
    ),
    ("13900000005", Behavior::answer_after(2000)),
    ("13900000009", Behavior::engine_failure()),
];

/// The reserved behaviour of a number, if it is one of [`RESERVED_NUMBERS`].
pub fn reserved_behavior(number: &str) -> Option<Behavior> {
    RESERVED_NUMBERS
        .iter()
        .find(|(n, _)| *n == number)
        .map(|(_, b)| b.clone())
}

/// The JSON form of [`Behavior`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BehaviorJson {
    #[serde(default)]
    answer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ms: Option<u64>,
    #[serde(default)]
    hangup_after_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    bridge_error: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    msg: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_interval_ms: Option<u64>,
}

/// Why a behaviour's JSON was refused.
#[derive(Debug)]
struct BehaviorError(String);

impl fmt::Display for BehaviorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<BehaviorJson> for Behavior {
    type Error = BehaviorError;

    fn try_from(json: BehaviorJson) -> Result<Self, Self::Error> {
        let code = code_from_json(json.code.as_deref(), json.msg.as_deref())
            .map_err(|e| BehaviorError(e.to_string()))?;
        for keys in &json.keys {
            if let Some(bad) = keys.chars().find(|c| !"0123456789*#ABCD".contains(*c)) {
                return Err(BehaviorError(format!(
                    "\"keys\": {keys:?} has {bad:?}, not a key (0-9 * # A B C D)"
                )));
            }
        }
        let keys = json.keys;
        let key_interval_ms = json.key_interval_ms.unwrap_or(DEFAULT_KEY_INTERVAL_MS);
        let Some(answer) = json.answer else {
            if code.is_none() {
                return Err(BehaviorError("missing field `answer`".into()));
            }
            if json.ms.is_some() {
                return Err(BehaviorError(
                    "\"ms\" is only allowed with \"answer\":\"after\"".into(),
                ));
            }
            let default = Behavior::default();
            return Ok(Behavior {
                hangup_after_ms: json.hangup_after_ms.or(default.hangup_after_ms),
                bridge_error: json.bridge_error,
                code,
                keys,
                key_interval_ms,
                ..default
            });
        };
        let answer = match (answer.as_str(), json.ms) {
            ("after", Some(ms)) => Answer::After(ms),
            ("after", None) => return Err(BehaviorError("\"after\" needs \"ms\"".into())),
            (_, Some(_)) => {
                return Err(BehaviorError("\"ms\" is only allowed with \"answer\":\"after\"".into()))
            }
            ("busy", None) => Answer::Busy,
            ("no_answer", None) => Answer::NoAnswer,
            ("unreachable", None) => Answer::Unreachable,
            ("engine_failure", None) => Answer::EngineFailure,
            (other, None) => {
                return Err(BehaviorError(format!(
                    "unknown answer {other:?}: expected after, busy, no_answer, unreachable or engine_failure"
                )))
            }
        };
        Ok(Behavior {
            answer,
            hangup_after_ms: json.hangup_after_ms,
            bridge_error: json.bridge_error,
            code,
            keys,
            key_interval_ms,
        })
    }
}

impl From<Behavior> for BehaviorJson {
    fn from(b: Behavior) -> Self {
        let (answer, ms) = match b.answer {
            Answer::After(ms) => ("after", Some(ms)),
            Answer::Busy => ("busy", None),
            Answer::NoAnswer => ("no_answer", None),
            Answer::Unreachable => ("unreachable", None),
            Answer::EngineFailure => ("engine_failure", None),
        };
        BehaviorJson {
            answer: Some(answer.to_owned()),
            ms,
            hangup_after_ms: b.hangup_after_ms,
            bridge_error: b.bridge_error,
            code: b.code.map(|c| c.code().to_owned()),
            msg: b.code.map(|c| c.msg().to_owned()),
            keys: b.keys,
            key_interval_ms: (b.key_interval_ms != DEFAULT_KEY_INTERVAL_MS)
                .then_some(b.key_interval_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip() {
        let cases = [
            (
                r#"{"answer":"busy","hangup_after_ms":null}"#,
                Behavior::busy(),
            ),
            (
                r#"{"answer":"after","ms":2000,"hangup_after_ms":5000}"#,
                Behavior::default(),
            ),
            (
                r#"{"answer":"after","ms":300,"hangup_after_ms":null}"#,
                Behavior::answer_after(300),
            ),
            (
                r#"{"answer":"engine_failure","hangup_after_ms":null}"#,
                Behavior::engine_failure(),
            ),
        ];
        for (json, behavior) in cases {
            assert_eq!(serde_json::to_string(&behavior).unwrap(), json);
            assert_eq!(serde_json::from_str::<Behavior>(json).unwrap(), behavior);
        }
        assert_eq!(
            serde_json::from_str::<Behavior>(r#"{"answer":"no_answer"}"#).unwrap(),
            Behavior::no_answer()
        );
        let b = Behavior::answer_after(1).with_bridge_error();
        let json = r#"{"answer":"after","ms":1,"hangup_after_ms":null,"bridge_error":true}"#;
        assert_eq!(serde_json::to_string(&b).unwrap(), json);
        assert_eq!(serde_json::from_str::<Behavior>(json).unwrap(), b);
        for bad in [
            r#"{"answer":"after"}"#,
            r#"{"answer":"busy","ms":1}"#,
            r#"{"answer":"x"}"#,
            r#"{"answer":"busy","y":1}"#,
            r#"{}"#,
            r#"{"code":"000000"}"#,
            r#"{"code":"123456"}"#,
            r#"{"msg":"余额不足"}"#,
            r#"{"code":"020001","ms":5}"#,
        ] {
            assert!(serde_json::from_str::<Behavior>(bad).is_err(), "{bad}");
        }
        // A forced code, with or without an answer.
        let refused: Behavior = serde_json::from_str(r#"{"code":"020001"}"#).unwrap();
        let code = BusinessCode::new("020001").unwrap();
        assert_eq!(refused, Behavior::default().with_code(code));
        let json = r#"{"answer":"busy","hangup_after_ms":null,"code":"020002","msg":"用户号码没有可用线路"}"#;
        let b: Behavior = serde_json::from_str(json).unwrap();
        assert_eq!(b.code.unwrap().msg(), "用户号码没有可用线路");
        assert_eq!(serde_json::to_string(&b).unwrap(), json);
    }
}
