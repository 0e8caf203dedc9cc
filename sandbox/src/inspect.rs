//! What tests can see of the sandbox: calls, their timelines, and webhook deliveries.
//!
//! Every type here serialises to the JSON served by the admin endpoints (`/sandbox/...`).

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// Which API placed a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// `call/duo_callback`: two legs, bridged.
    DuoCallback,
    /// `call/notify_call`: one leg, plays content.
    NotifyCall,
    /// `call/verify_call`: one leg, plays a code.
    VerifyCall,
    /// `call/ivr_call`: one leg dialled by the platform, driven by the app's IVR documents.
    IvrCall,
    /// A simulated inbound call to the app, driven by its IVR documents.
    IvrIncoming,
}

impl CallKind {
    /// The API name (`duo_callback`, `notify_call`, `verify_call`).
    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::DuoCallback => "duo_callback",
            CallKind::NotifyCall => "notify_call",
            CallKind::VerifyCall => "verify_call",
            CallKind::IvrCall => "ivr_call",
            CallKind::IvrIncoming => "ivr_incoming",
        }
    }
}

/// Where a call is in its life.
///
/// A callback goes `dialing1` → `answered1` → `dialing2` → `connected` → `releasing` →
/// `closed`, leaving out what does not happen. Notify and verify calls have one leg:
/// `dialing1` → `answered1` (playing) → `releasing` → `closed`. An `ivr_call` goes
/// `dialing1` → `answered1` (its script runs; `connected` while a `<dial>` is bridged) →
/// `releasing` → `closed`; an inbound IVR call starts `incoming` (not yet answered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// An inbound IVR call not yet answered by the platform.
    Incoming,
    /// Leg 1 (or the only leg) is being dialled.
    Dialing1,
    /// Leg 1 answered (a ring tone may be playing to it); for notify/verify: playing.
    Answered1,
    /// Leg 2 is being dialled.
    Dialing2,
    /// Both legs are bridged.
    Connected,
    /// The call is over; the engine waits 1 s before reporting it released.
    Releasing,
    /// Released; the end event has been queued (or there is no callback URL).
    Closed,
}

impl CallState {
    /// The state's name as in the JSON (`dialing1`, `connected`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Incoming => "incoming",
            CallState::Dialing1 => "dialing1",
            CallState::Answered1 => "answered1",
            CallState::Dialing2 => "dialing2",
            CallState::Connected => "connected",
            CallState::Releasing => "releasing",
            CallState::Closed => "closed",
        }
    }
}

/// One step of a call's life, at its scheduled simulated time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// Simulated epoch milliseconds (exact, not rounded to seconds).
    pub sim_time_ms: i64,
    /// The state the call is in after this step.
    pub state: CallState,
    /// What happened, in words.
    pub what: String,
}

/// What became of a call's end event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndEventState {
    /// The call is still running, or its event is being delivered.
    Pending,
    /// An attempt got HTTP 200.
    Delivered,
    /// All four attempts failed.
    Failed,
    /// There was no callback URL, so no event was sent.
    NoCallbackUrl,
}

impl EndEventState {
    /// Whether nothing more will happen to the event.
    pub fn is_final(self) -> bool {
        self != EndEventState::Pending
    }
}

/// A snapshot of one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallInfo {
    /// The call id returned by the API (32 lowercase hex).
    pub id: String,
    /// Which API placed it.
    pub kind: CallKind,
    /// The current state.
    pub state: CallState,
    /// The application it was placed for.
    pub app_id: String,
    /// The sub-account that placed it, if any.
    pub subaccount_id: Option<String>,
    /// The called numbers: `[to1, to2]` for a callback, `[to]` otherwise.
    pub numbers: Vec<String>,
    /// The request's `user_data`.
    pub user_data: Option<String>,
    /// Where the end event goes (fixed when the call was placed); `None` when nowhere.
    pub callback_url: Option<String>,
    /// Every step so far, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// What became of the end event.
    pub end_event: EndEventState,
    /// Whether the end event has been delivered (an attempt got HTTP 200).
    pub end_event_delivered: bool,
}

/// One POST of an event to a webhook URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookAttempt {
    /// The call the event is about.
    pub call_id: String,
    /// The event name in the body (`duo_callback.end`, `notify_call.end`, `verify_call.end`).
    pub event: String,
    /// The URL posted to.
    pub url: String,
    /// 1 to 4.
    pub attempt: u32,
    /// The HTTP status received, if a response came back.
    pub status: Option<u16>,
    /// Why no response came back (connection refused, timeout, bad URL, ...).
    pub error: Option<String>,
    /// Simulated epoch milliseconds when the attempt was made.
    pub sim_time_ms: i64,
    /// The exact body bytes sent.
    pub body: Vec<u8>,
    /// Whether the body is UTF-8 (otherwise ISO-8859-1).
    pub utf8: bool,
}

impl WebhookAttempt {
    /// The body decoded with the charset it was encoded with.
    pub fn body_text(&self) -> String {
        crate::events::decode_body(&self.body, self.utf8)
    }

    /// Whether this attempt counted as delivered (HTTP 200 exactly).
    pub fn succeeded(&self) -> bool {
        self.status == Some(200)
    }
}

impl Serialize for WebhookAttempt {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("WebhookAttempt", 10)?;
        s.serialize_field("call_id", &self.call_id)?;
        s.serialize_field("event", &self.event)?;
        s.serialize_field("url", &self.url)?;
        s.serialize_field("attempt", &self.attempt)?;
        s.serialize_field("status", &self.status)?;
        s.serialize_field("error", &self.error)?;
        s.serialize_field("sim_time_ms", &self.sim_time_ms)?;
        s.serialize_field("charset", charset(self.utf8))?;
        s.serialize_field("body", &self.body_text())?;
        s.serialize_field("body_hex", &crate::signing::hex(&self.body))?;
        s.end()
    }
}

fn charset(utf8: bool) -> &'static str {
    if utf8 {
        "UTF-8"
    } else {
        "ISO-8859-1"
    }
}

/// The outcome of a call's end event: the body and every attempt to deliver it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The call the event is about.
    pub call_id: String,
    /// The event name in the body.
    pub event: String,
    /// The URL it was sent to; `None` when there was no callback URL (nothing was sent).
    pub url: Option<String>,
    /// The exact body bytes (also when nothing was sent).
    pub body: Vec<u8>,
    /// Whether the body is UTF-8 (otherwise ISO-8859-1).
    pub utf8: bool,
    /// Every attempt, in order (at most 4).
    pub attempts: Vec<WebhookAttempt>,
    /// Whether an attempt got HTTP 200.
    pub delivered: bool,
}

impl Delivery {
    /// The body decoded with the charset it was encoded with.
    pub fn body_text(&self) -> String {
        crate::events::decode_body(&self.body, self.utf8)
    }
}

impl Serialize for Delivery {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Delivery", 8)?;
        s.serialize_field("call_id", &self.call_id)?;
        s.serialize_field("event", &self.event)?;
        s.serialize_field("url", &self.url)?;
        s.serialize_field("delivered", &self.delivered)?;
        s.serialize_field("charset", charset(self.utf8))?;
        s.serialize_field("body", &self.body_text())?;
        s.serialize_field("body_hex", &crate::signing::hex(&self.body))?;
        s.serialize_field("attempts", &self.attempts)?;
        s.end()
    }
}
