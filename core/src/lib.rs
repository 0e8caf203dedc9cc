//! # yunhuni
//!
//! A client for the Yunhuni (oneyun.com, 云呼你) cloud telephony REST API, centred on voice
//! callback (语音回拨): your application calls one endpoint, the platform calls party 1, then
//! party 2, connects them, and POSTs a `duo_callback.end` event to your webhook when it is over.
//!
//! - [`Client`]: signed requests for `duo_callback`, its cancel, `notify_call`, `verify_call`.
//! - [`sign`] and [`string_to_sign`]: the platform's request signature, as a pure function.
//! - [`Event::parse`]: the webhook bodies, as the real server sends them.
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

#![warn(missing_docs)]

mod client;
mod coalesce;
pub mod codes;
mod error;
pub mod event_decls;
pub mod events;
mod events_typed;
pub mod ops;
mod requests;
mod resolver;
mod sign;
mod typed;

pub use client::{CallCreated, Client, ClientBuilder, DEFAULT_BASE_URL};
pub use error::{Error, ErrorKind, Result};
pub use events::{
    DuoCallbackEnd, EndedBy, Event, HungUpBy, NotifyCallEnd, OtherEvent, Outcome, VerifyCallEnd,
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
