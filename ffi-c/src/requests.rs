//! Request objects: one per API operation, with a setter per optional field.
//!
//! Setting a field means "given": it is sent. A field never set is left out of the request and
//! the platform's default applies. Every rule is checked by core when the request is sent.

use crate::error::{yh_error, yh_result};
use crate::util::{arg_mut, arg_out, arg_str, free_box, guard};
use std::ffi::c_char;
use yunhuni::{DuoCallback, NotifyCall, PlayItem, VerifyCall};

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

/// A voice callback request (`call/duo_callback`). Made by `yh_duo_callback_new`, filled by the
/// `yh_duo_callback_set_*` functions, sent by `yh_client_duo_callback` (as often as you like),
/// freed once by `yh_duo_callback_free`. Not to be changed while another thread uses it.
pub struct yh_duo_callback {
    pub(crate) inner: DuoCallback,
}

/// A voice notification request (`call/notify_call`). Made by `yh_notify_call_new`, filled by
/// the `yh_notify_call_set_*` and `yh_notify_call_add_play_item` functions, sent by
/// `yh_client_notify_call`, freed once by `yh_notify_call_free`.
pub struct yh_notify_call {
    pub(crate) inner: NotifyCall,
}

/// A verification call request (`call/verify_call`). Made by `yh_verify_call_new`, filled by the
/// `yh_verify_call_set_*` functions, sent by `yh_client_verify_call`, freed once by
/// `yh_verify_call_free`.
pub struct yh_verify_call {
    pub(crate) inner: VerifyCall,
}

/// Applies a string setter.
fn set_str<T>(
    err_out: *mut *mut yh_error,
    request: *mut T,
    value: *const c_char,
    name: &str,
    apply: impl FnOnce(&mut T, String),
) -> yh_result {
    guard(err_out, || {
        let request = arg_mut(request, "request")?;
        let value = arg_str(value, name)?;
        apply(request, value.to_owned());
        Ok(())
    })
}

/// Applies a number setter.
fn set_value<T, V>(
    err_out: *mut *mut yh_error,
    request: *mut T,
    value: V,
    apply: impl FnOnce(&mut T, V),
) -> yh_result {
    guard(err_out, || {
        apply(arg_mut(request, "request")?, value);
        Ok(())
    })
}

/// Starts a voice callback between `to1` (called first) and `to2` (called once `to1` answers)
/// lasting at most `max_call_duration` seconds (1-21600).
///
/// On success writes a new request to `*request_out` (free it with `yh_duo_callback_free`).
#[no_mangle]
pub extern "C" fn yh_duo_callback_new(
    to1: *const c_char,
    to2: *const c_char,
    max_call_duration: i64,
    request_out: *mut *mut yh_duo_callback,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let to1 = arg_str(to1, "to1")?;
        let to2 = arg_str(to2, "to2")?;
        let out = arg_out(request_out, "request_out")?;
        out.write_box(yh_duo_callback {
            inner: DuoCallback::new(to1, to2, max_call_duration),
        });
        Ok(())
    })
}

/// Sets `from1`, the caller number shown to party 1 (a hint: the platform may choose another).
#[no_mangle]
pub extern "C" fn yh_duo_callback_set_from1(
    request: *mut yh_duo_callback,
    from1: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_str(err_out, request, from1, "from1", |r, v| {
        r.inner.from1 = Some(v)
    })
}

/// Sets `from2`, the caller number shown to party 2 (a hint).
#[no_mangle]
pub extern "C" fn yh_duo_callback_set_from2(
    request: *mut yh_duo_callback,
    from2: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_str(err_out, request, from2, "from2", |r, v| {
        r.inner.from2 = Some(v)
    })
}

/// Sets `ring_tone`, an uploaded voice file played to party 1 while party 2 is dialled.
#[no_mangle]
pub extern "C" fn yh_duo_callback_set_ring_tone(
    request: *mut yh_duo_callback,
    ring_tone: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_str(err_out, request, ring_tone, "ring_tone", |r, v| {
        r.inner.ring_tone = Some(v)
    })
}

/// Sets `ring_tone_mode`, when the ring tone plays: 0, 2 or 3 (1 is refused by the platform).
#[no_mangle]
pub extern "C" fn yh_duo_callback_set_ring_tone_mode(
    request: *mut yh_duo_callback,
    ring_tone_mode: i64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_value(err_out, request, ring_tone_mode, |r, v| {
        r.inner.ring_tone_mode = Some(v)
    })
}

/// Sets `max_dial_duration`, the longest each party may ring, in seconds (1-300; platform
/// default 45).
#[no_mangle]
pub extern "C" fn yh_duo_callback_set_max_dial_duration(
    request: *mut yh_duo_callback,
    max_dial_duration: i64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_value(err_out, request, max_dial_duration, |r, v| {
        r.inner.max_dial_duration = Some(v)
    })
}

/// Sets `recording` (not yet available on the platform).
#[no_mangle]
pub extern "C" fn yh_duo_callback_set_recording(
    request: *mut yh_duo_callback,
    recording: bool,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_value(err_out, request, recording, |r, v| {
        r.inner.recording = Some(v)
    })
}

/// Sets `record_mode`, when recording starts, 0-3 (not yet available on the platform).
#[no_mangle]
pub extern "C" fn yh_duo_callback_set_record_mode(
    request: *mut yh_duo_callback,
    record_mode: i64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_value(err_out, request, record_mode, |r, v| {
        r.inner.record_mode = Some(v)
    })
}

/// Sets `user_data`, your data (at most 128 UTF-16 units), echoed back and sent in the end event.
#[no_mangle]
pub extern "C" fn yh_duo_callback_set_user_data(
    request: *mut yh_duo_callback,
    user_data: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_str(err_out, request, user_data, "user_data", |r, v| {
        r.inner.user_data = Some(v)
    })
}

/// Frees a voice callback request. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_duo_callback_free(request: *mut yh_duo_callback) {
    free_box(request);
}

/// Starts a voice notification to `to`. Set a play file or add play items before sending.
///
/// On success writes a new request to `*request_out` (free it with `yh_notify_call_free`).
#[no_mangle]
pub extern "C" fn yh_notify_call_new(
    to: *const c_char,
    request_out: *mut *mut yh_notify_call,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let to = arg_str(to, "to")?;
        let out = arg_out(request_out, "request_out")?;
        out.write_box(yh_notify_call {
            inner: NotifyCall::new(to),
        });
        Ok(())
    })
}

/// Sets `from`, the caller number (a hint).
#[no_mangle]
pub extern "C" fn yh_notify_call_set_from(
    request: *mut yh_notify_call,
    from: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_str(err_out, request, from, "from", |r, v| {
        r.inner.from = Some(v)
    })
}

/// Sets `play_file`, the voice file name(s) to play, several joined with `|`.
#[no_mangle]
pub extern "C" fn yh_notify_call_set_play_file(
    request: *mut yh_notify_call,
    play_file: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_str(err_out, request, play_file, "play_file", |r, v| {
        r.inner.play_file = Some(v)
    })
}

/// Appends one item to `play_content`, played after the play file: `content` read as
/// `play_type`, one of the `YH_PLAY_*` values (0 file, 1 digits, 2 number, 3 amount,
/// 4 date/time, 5 duration).
#[no_mangle]
pub extern "C" fn yh_notify_call_add_play_item(
    request: *mut yh_notify_call,
    content: *const c_char,
    play_type: i64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_str(err_out, request, content, "content", |r, v| {
        r.inner
            .play_content
            .get_or_insert_with(Vec::new)
            .push(PlayItem::new(v, play_type));
    })
}

/// Sets `repeat`, how many extra times the content is played, 0-10 (platform default 1).
#[no_mangle]
pub extern "C" fn yh_notify_call_set_repeat(
    request: *mut yh_notify_call,
    repeat: i64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_value(err_out, request, repeat, |r, v| r.inner.repeat = Some(v))
}

/// Sets `max_dial_duration`, the longest the number may ring, in seconds (1-300).
#[no_mangle]
pub extern "C" fn yh_notify_call_set_max_dial_duration(
    request: *mut yh_notify_call,
    max_dial_duration: i64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_value(err_out, request, max_dial_duration, |r, v| {
        r.inner.max_dial_duration = Some(v)
    })
}

/// Sets `user_data`, your data (at most 128 UTF-16 units), sent back in the end event.
#[no_mangle]
pub extern "C" fn yh_notify_call_set_user_data(
    request: *mut yh_notify_call,
    user_data: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_str(err_out, request, user_data, "user_data", |r, v| {
        r.inner.user_data = Some(v)
    })
}

/// Frees a voice notification request. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_notify_call_free(request: *mut yh_notify_call) {
    free_box(request);
}

/// Starts a verification call to `to`. Set a verify code (or a play file) before sending.
///
/// On success writes a new request to `*request_out` (free it with `yh_verify_call_free`).
#[no_mangle]
pub extern "C" fn yh_verify_call_new(
    to: *const c_char,
    request_out: *mut *mut yh_verify_call,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let to = arg_str(to, "to")?;
        let out = arg_out(request_out, "request_out")?;
        out.write_box(yh_verify_call {
            inner: VerifyCall::new(to),
        });
        Ok(())
    })
}

/// Sets `from`, the caller number (a hint).
#[no_mangle]
pub extern "C" fn yh_verify_call_set_from(
    request: *mut yh_verify_call,
    from: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_str(err_out, request, from, "from", |r, v| {
        r.inner.from = Some(v)
    })
}

/// Sets `verify_code`, the code to read out: 1-12 decimal digits.
#[no_mangle]
pub extern "C" fn yh_verify_call_set_verify_code(
    request: *mut yh_verify_call,
    verify_code: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_str(err_out, request, verify_code, "verify_code", |r, v| {
        r.inner.verify_code = Some(v)
    })
}

/// Sets `play_file`, prompt file name(s) played first, several joined with `|`.
#[no_mangle]
pub extern "C" fn yh_verify_call_set_play_file(
    request: *mut yh_verify_call,
    play_file: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_str(err_out, request, play_file, "play_file", |r, v| {
        r.inner.play_file = Some(v)
    })
}

/// Sets `repeat`, how many extra times the code is read, 0-10.
#[no_mangle]
pub extern "C" fn yh_verify_call_set_repeat(
    request: *mut yh_verify_call,
    repeat: i64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_value(err_out, request, repeat, |r, v| r.inner.repeat = Some(v))
}

/// Sets `max_dial_duration`, the longest the number may ring, in seconds (1-300).
#[no_mangle]
pub extern "C" fn yh_verify_call_set_max_dial_duration(
    request: *mut yh_verify_call,
    max_dial_duration: i64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_value(err_out, request, max_dial_duration, |r, v| {
        r.inner.max_dial_duration = Some(v)
    })
}

/// Sets `user_data`, your data (at most 128 UTF-16 units), sent back in the end event.
#[no_mangle]
pub extern "C" fn yh_verify_call_set_user_data(
    request: *mut yh_verify_call,
    user_data: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    set_str(err_out, request, user_data, "user_data", |r, v| {
        r.inner.user_data = Some(v)
    })
}

/// Frees a verification call request. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_verify_call_free(request: *mut yh_verify_call) {
    free_box(request);
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
