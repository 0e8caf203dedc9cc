//! # yunhuni
//!
//! A client for the Yunhuni (oneyun.com, 云呼你) cloud telephony REST API, centred on voice
//! callback (语音回拨): your application calls one endpoint, the platform calls party 1, then
//! party 2, connects them, and POSTs a `duo_callback.end` event to your webhook when it is over.
//!
//! - [`Client`]: a signed, typed method for each of the platform's 73 operations (simple calls,
//!   IVR, conference, call center, management, messaging, recordings), each with a request
//!   struct of the same name ([`DuoCallback`], [`ConfCreate`], ...), plus [`Client::send`] for a
//!   generic [`Request`] built by name.
//! - [`ops`]: the declarations of every operation (method, path, fields, rules, answer), readable
//!   by other code; [`event_decls`] likewise for every webhook event.
//! - [`sign`] and [`string_to_sign`]: the platform's request signature, as a pure function.
//! - [`Event::parse`]: the webhook bodies, as the real server sends them.
//! - [`webhook::Receiver`]: receiving webhooks (URL token, body limit, typed events, duplicate
//!   deliveries remembered in process or in Redis, the answer to send).
//! - [`Error`]: one error type with a stable [`ErrorKind`].
//!
//! ```no_run
//! use yunhuni::{Client, DuoCallback};
//!
//! let client = Client::from_env()?; // YUNHUNI_APP_ID, YUNHUNI_CERT_ID, YUNHUNI_SECRET_KEY
//! let call = client.duo_callback(&DuoCallback::new("13800000001", "13800000002", 600).user_data("order-42"))?;
//! println!("call id {}", call.call_id);
//! # Ok::<(), yunhuni::Error>(())
//! ```
//!
//! Every other operation works the same way, typed or by name:
//!
//! ```no_run
//! use yunhuni::{Client, ConfCreate, ConfInviteCall, Request};
//!
//! let client = Client::from_env()?;
//! let conf = client.conf_create(&ConfCreate::new(3600).max_parts(5).user_data("weekly"))?;
//! let conf_id = conf["confId"].as_str().unwrap_or_default();
//! let member = client.conf_invite_call(&ConfInviteCall::new(conf_id, "13800000003", 600))?;
//! println!("inviting {}", member.call_id);
//! let page = client.send(&Request::new("ext_list")?.with("page_size", 50)?)?;
//! println!("{} extensions", page["totalCount"]);
//! # Ok::<(), yunhuni::Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
mod coalesce;
pub mod codes;
mod error;
pub mod event_decls;
pub mod events;
mod events_typed;
pub mod ivr;
pub mod logging;
pub mod ops;
mod requests;
mod resolver;
mod sign;
mod transport;
mod typed;
pub mod webhook;

pub use client::{
    CallCreated, CallOptions, Client, ClientBuilder, RequestLog, RequestObserver, DEFAULT_BASE_URL,
    MAX_TIMEOUT,
};
pub use error::{escape_control, escape_text, is_unsafe_char, Error, ErrorKind, Result};
pub use events::{
    CallcenterAgentConversationChanged, CallcenterAgentStateChanged, CallcenterConversationBegin,
    CallcenterConversationEnd, CallcenterConversationPartsChanged, CallcenterQueueFail,
    CallcenterQueueSelect, CallcenterQueueSuccess, ConfCreateSucc, ConfEnd, ConfJoinFail,
    ConfJoined, ConfPlayEnd, ConfQuit, ConfRecordEnd, DuoCallbackEnd, EndedBy, Event, HungUpBy,
    IvrCallEnd, IvrConnectBegin, IvrConnectEnd, IvrDialEnd, IvrFormatError, IvrGetEnd, IvrPlayEnd,
    IvrPutEnd, IvrRecordEnd, MsgSendingComplete, MsgTemplateComplete, NotifyCallEnd, OtherEvent,
    Outcome, RecordingUrlGenerate, VerifyCallEnd,
};
pub use ops::{Casing, Request};
pub use requests::PlayItem;
pub use typed::*;

/// The request of `duo_callback_cancel` under the name it had before every operation was
/// declared.
pub type CancelDuoCallback = DuoCallbackCancel;
pub use sign::{
    content_md5, format_timestamp, sign, string_to_sign, timestamp_now, SignInput, CONTENT_TYPE,
};

/// The version of this library.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
