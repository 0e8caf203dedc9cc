//! The calls of the first C API that the generated functions (`ops.rs`) do not give: the play
//! types and `yh_notify_call_add_play_item`, a `_free` per request type, and the cancel that
//! takes a call id. Kept by hand so that code written against that API builds and runs
//! unchanged; each is a few lines over the generic request.

use crate::boundary::{arg_ref, arg_str, guard};
use crate::client::yh_client;
use crate::error::{yh_error, yh_result};
use crate::ops::{yh_duo_callback, yh_notify_call, yh_verify_call};
use crate::request::{change, yh_request_free};
use serde_json::Value;
use std::ffi::c_char;
use yunhuni::{CallOptions, PlayItem, Request};

/// Play type of a notification item: an uploaded voice file.
pub const YH_PLAY_FILE: i64 = 0;
/// Play type of a notification item: an integer read digit by digit.
pub const YH_PLAY_DIGITS: i64 = 1;
/// Play type of a notification item: a number read as a quantity.
pub const YH_PLAY_NUMBER: i64 = 2;
/// Play type of a notification item: an amount of money.
pub const YH_PLAY_AMOUNT: i64 = 3;
/// Play type of a notification item: a date and/or time such as `2020-05-09 14:30`.
pub const YH_PLAY_DATE_TIME: i64 = 4;
/// Play type of a notification item: a duration `HH:MM:SS` or `HH:MM`.
pub const YH_PLAY_DURATION: i64 = 5;

/// Appends one item to `play_content` of a voice notification, played after the play file:
/// `content` read as `play_type`, one of the `YH_PLAY_*` values (0 file, 1 digits, 2 number,
/// 3 amount, 4 date/time, 5 duration). `yh_notify_call_set_play_content` sets the whole list
/// at once from JSON text instead.
#[no_mangle]
pub extern "C" fn yh_notify_call_add_play_item(
    request: *mut yh_notify_call,
    content: *const c_char,
    play_type: i64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    change(request, err_out, |r| {
        let content = arg_str(content, "content")?;
        let mut rows = match r.get("play_content") {
            Some(Value::Array(rows)) => rows.clone(),
            _ => Vec::new(),
        };
        rows.push(PlayItem::new(content, play_type).to_value());
        r.set("play_content", rows)?;
        Ok(())
    })
}

/// Frees a voice callback request; the same as `yh_request_free`. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_duo_callback_free(request: *mut yh_duo_callback) {
    yh_request_free(request);
}

/// Frees a voice notification request; the same as `yh_request_free`. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_notify_call_free(request: *mut yh_notify_call) {
    yh_request_free(request);
}

/// Frees a verification call request; the same as `yh_request_free`. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_verify_call_free(request: *mut yh_verify_call) {
    yh_request_free(request);
}

/// Cancels a voice callback (`call/duo_callback_cancel`) while party 2 is not yet connected;
/// an end event still follows. An unknown or finished call fails with `YH_ERR_API`, code
/// `020000`.
#[no_mangle]
pub extern "C" fn yh_client_cancel_duo_callback(
    client: *const yh_client,
    call_id: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let client = arg_ref(client, "client")?;
        let call_id = arg_str(call_id, "call_id")?;
        let request = Request::new("duo_callback_cancel")?.with("call_id", call_id)?;
        client.send(&request, &CallOptions::default())?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn play_types_match_core() {
        use yunhuni::PlayItem;
        assert_eq!(
            [
                super::YH_PLAY_FILE,
                super::YH_PLAY_DIGITS,
                super::YH_PLAY_NUMBER,
                super::YH_PLAY_AMOUNT
            ],
            [
                PlayItem::FILE,
                PlayItem::DIGITS,
                PlayItem::NUMBER,
                PlayItem::AMOUNT
            ]
        );
        assert_eq!(
            [super::YH_PLAY_DATE_TIME, super::YH_PLAY_DURATION],
            [PlayItem::DATE_TIME, PlayItem::DURATION]
        );
    }
}
