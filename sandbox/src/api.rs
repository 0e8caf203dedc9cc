//! The platform's call endpoints (platform notes §2): routing, body binding, validation in the
//! server's order, and the response envelope.

use crate::events::json_string;
use crate::gateway::{self, Caller};
use crate::http::{Request, Response};
use crate::inspect::CallKind;
use crate::lenient::{self, is_blank, parse_object, platform_trim, BindError, Item, JsonObject};
use crate::sim::{CancelOutcome, NewCall, Plan, Shared};

/// The ring timeout the call engine uses when a request sets none (or sets `null`).
const ENGINE_DEFAULT_MAX_DIAL_SECS: i64 = 50;
/// Seconds of play per file or `play_content` row.
const PLAY_ITEM_MS: i64 = 2000;
/// Seconds of play per digit of a verification code.
const PLAY_DIGIT_MS: i64 = 1000;

/// A business outcome, returned with HTTP 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    Success,
    IllegalArgument,
    UnknownFail,
    CallNotExists,
    SameNumber,
}

impl Code {
    fn parts(self) -> (&'static str, &'static str) {
        match self {
            Code::Success => ("000000", "请求成功"),
            Code::IllegalArgument => ("000001", "参数错误"),
            Code::UnknownFail => ("000002", "未知错误"),
            Code::CallNotExists => ("020000", "呼叫不存在"),
            Code::SameNumber => ("030500", "双向回拔的号码不能是同一号码"),
        }
    }
}

impl From<BindError> for Code {
    fn from(e: BindError) -> Self {
        match e {
            BindError::Parse => Code::UnknownFail,
            BindError::Mapping => Code::IllegalArgument,
        }
    }
}

/// The envelope `{"code":..,"msg":..,"data":..}` with `data` already rendered as JSON.
fn envelope(code: Code, data: &str) -> Response {
    let (code, msg) = code.parts();
    let body = format!(
        "{{\"code\":\"{code}\",\"msg\":{},\"data\":{data}}}",
        json_string(msg)
    );
    Response::json(200, body.into_bytes())
}

/// The JSON error page of an unknown path or a wrong method.
pub(crate) fn error_page(status: u16, message: &str, path: &str) -> Response {
    let body = serde_json::json!({
        "timestamp": crate::time::wall_clock_ms(),
        "status": status,
        "error": crate::http::reason_phrase(status),
        "message": message,
        "path": path,
    });
    Response::json(status, body.to_string().into_bytes())
}

/// The call operations served under `/v1/account/{account_id}/call/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    DuoCallback,
    DuoCallbackCancel,
    NotifyCall,
    VerifyCall,
}

fn route(path: &str) -> Option<Operation> {
    let path = path.strip_suffix('/').unwrap_or(path);
    let mut segments = path.split('/');
    let (Some(""), Some("v1"), Some("account"), Some(account), Some("call"), Some(op), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return None;
    };
    if account.is_empty() {
        return None;
    }
    match op {
        "duo_callback" => Some(Operation::DuoCallback),
        "duo_callback_cancel" => Some(Operation::DuoCallbackCancel),
        "notify_call" => Some(Operation::NotifyCall),
        "verify_call" => Some(Operation::VerifyCall),
        _ => None,
    }
}

/// Whether a path is behind the gateway's signature filter (Ant pattern `/v*/**`).
pub(crate) fn is_gateway_path(path: &str) -> bool {
    path.strip_prefix('/')
        .is_some_and(|rest| rest.starts_with('v'))
}

/// Serves a request behind the gateway: authentication first, then routing and the endpoint.
pub(crate) fn handle(shared: &Shared, request: &Request) -> Response {
    let caller = match gateway::authenticate(
        &shared.credentials,
        request,
        shared.settings.expiry_minutes,
        crate::time::wall_clock_ms(),
    ) {
        Ok(caller) => caller,
        Err(failure) => return failure.response(),
    };
    let Some(operation) = route(&request.path) else {
        return error_page(404, "No message available", &request.path);
    };
    if request.method != "POST" {
        let message = format!("Request method '{}' not supported", request.method);
        return error_page(405, &message, &request.path).header("Allow", "POST");
    }
    let result = bind_body(request).and_then(|body| match operation {
        Operation::DuoCallback => duo_callback(shared, &caller, &body),
        Operation::DuoCallbackCancel => cancel(shared, &body),
        Operation::NotifyCall => notify_call(shared, &caller, &body),
        Operation::VerifyCall => verify_call(shared, &caller, &body),
    });
    match result {
        Ok(data) => envelope(Code::Success, &data),
        Err(code) => envelope(code, "null"),
    }
}

/// Reads the body as a JSON object: JSON content types only (`application/json` or
/// `application/*+json`), else `000002`.
fn bind_body(request: &Request) -> Result<JsonObject, Code> {
    let media = request.header("Content-Type").map(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    let is_json = media.is_some_and(|m| {
        m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
    });
    if !is_json {
        return Err(Code::UnknownFail);
    }
    Ok(parse_object(&request.body)?)
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn within(value: Option<i32>, min: i32, max: i32) -> bool {
    value.is_none_or(|v| (min..=max).contains(&v))
}

fn present(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| !is_blank(v))
}

fn max_len(value: &Option<String>, max: usize) -> bool {
    value.as_deref().is_none_or(|v| utf16_len(v) <= max)
}

fn seconds_to_ms(secs: Option<i32>) -> i64 {
    i64::from(secs.map_or(ENGINE_DEFAULT_MAX_DIAL_SECS as i32, |s| s)) * 1000
}

fn subaccount_id(shared: &Shared, caller: &Caller) -> Option<String> {
    caller
        .subaccount
        .map(|i| shared.credentials.sub_accounts[i].id.clone())
}

fn place(
    shared: &Shared,
    caller: &Caller,
    kind: CallKind,
    user_data: Option<String>,
    plan: Plan,
) -> String {
    shared.place_call(NewCall {
        kind,
        app_id: caller.app_id.clone(),
        subaccount_id: subaccount_id(shared, caller),
        callback_url: shared.callback_url_for(&caller.app_id, caller.subaccount),
        user_data,
        plan,
    })
}

fn id_and_user_data(id: &str, user_data: Option<&str>) -> String {
    format!(
        "{{\"callId\":{},\"user_data\":{}}}",
        json_string(id),
        user_data.map_or_else(|| "null".to_owned(), json_string)
    )
}

/// `call/duo_callback` (§2.2).
fn duo_callback(shared: &Shared, caller: &Caller, body: &JsonObject) -> Result<String, Code> {
    let _from1 = body.string("from1")?;
    let to1 = body.string("to1")?.value();
    let _from2 = body.string("from2")?;
    let to2 = body.string("to2")?.value();
    let ring_tone = body.string("ring_tone")?.value();
    let ring_tone_mode = body.int("ring_tone_mode")?.or_default(0);
    let max_dial = body.int("max_dial_duration")?.or_default(45);
    let max_call = body.int("max_call_duration")?.value();
    let _recording = body.boolean("recording")?;
    let record_mode = body.int("record_mode")?.or_default(0);
    let user_data = body.string("user_data")?.value();

    let valid = present(&to1)
        && present(&to2)
        && within(ring_tone_mode, 0, 3)
        && within(max_dial, 1, 300)
        && max_call.is_some()
        && within(max_call, 1, 21_600)
        && within(record_mode, 0, 3)
        && max_len(&user_data, 128);
    if !valid {
        return Err(Code::IllegalArgument);
    }
    let (Some(to1), Some(to2), Some(max_call)) = (to1, to2, max_call) else {
        return Err(Code::IllegalArgument);
    };
    if to1 == to2 {
        return Err(Code::SameNumber);
    }
    if ring_tone_mode == Some(1) {
        return Err(Code::IllegalArgument);
    }
    // With a ring tone, mode 3 (also the engine's default when the mode is null) plays it to
    // leg 1 before leg 2 is dialled. Without one, leg 2's ringback passes through.
    let ring_tone_ms = if present(&ring_tone) && ring_tone_mode.is_none_or(|m| m == 3) {
        crate::sim::RING_TONE_MS
    } else {
        0
    };
    let plan = Plan::Duo {
        to1,
        to2,
        ring_tone_ms,
        max_dial_ms: seconds_to_ms(max_dial),
        max_call_ms: i64::from(max_call) * 1000,
    };
    let id = place(
        shared,
        caller,
        CallKind::DuoCallback,
        user_data.clone(),
        plan,
    );
    Ok(id_and_user_data(&id, user_data.as_deref()))
}

/// `call/duo_callback_cancel` (§2.3).
fn cancel(shared: &Shared, body: &JsonObject) -> Result<String, Code> {
    // The body is an untyped map; `callId` is cast to a string (anything else fails).
    let call_id = match body.first_byte("callId") {
        None | Some(b'n') => None,
        Some(b'"') => body.string("callId")?.value(),
        Some(_) => return Err(Code::UnknownFail),
    };
    let Some(call_id) = call_id else {
        return Err(Code::CallNotExists);
    };
    match shared.cancel(&call_id) {
        CancelOutcome::Cancelled | CancelOutcome::Ignored => Ok("null".into()),
        CancelOutcome::NotExists => Err(Code::CallNotExists),
    }
}

/// Number of names in a `|`-separated file list.
fn file_count(play_file: &Option<String>) -> i64 {
    play_file
        .as_deref()
        .map_or(0, |f| f.split('|').filter(|n| !is_blank(n)).count() as i64)
}

const DATE_FORMATS: [&str; 6] = [
    "yyyy-MM-dd HH:mm:ss",
    "yyyy-MM-dd HH:mm",
    "yyyy-MM-dd",
    "yyyy-MM",
    "HH:mm:ss",
    "HH:mm",
];
const TIME_FORMATS: [&str; 2] = ["HH:mm:ss", "HH:mm"];

/// Checks one kept `play_content` row: its type (0–5) and its content for that type.
fn valid_row(content: &str, kind: &str) -> bool {
    match lenient::parse_int(platform_trim(kind)) {
        Some(0) => true,
        Some(1) => lenient::parse_int(content).is_some(),
        Some(2 | 3) => lenient::parse_double(content).is_some(),
        Some(4) => lenient::matches_date_patterns(content, &DATE_FORMATS),
        Some(5) => lenient::matches_date_patterns(content, &TIME_FORMATS),
        _ => false,
    }
}

/// `call/notify_call` (§2.4).
fn notify_call(shared: &Shared, caller: &Caller, body: &JsonObject) -> Result<String, Code> {
    let _from = body.string("from")?;
    let to = body.string("to")?.value();
    let play_file = body.string("play_file")?.value();
    let play_content = body.rows("play_content")?.value();
    let repeat = body.int("repeat")?.or_default(1);
    let max_dial = body.int("max_dial_duration")?.or_default(45);
    let user_data = body.string("user_data")?.value();

    let valid = present(&to)
        && within(repeat, 0, 10)
        && within(max_dial, 1, 300)
        && max_len(&user_data, 128);
    if !valid {
        return Err(Code::IllegalArgument);
    }
    // Rows with fewer than two items or a blank first or second item are dropped.
    let rows: Vec<(String, String)> = play_content
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .filter(|row| row.len() >= 2)
        .filter_map(|row| {
            let text = |i: &Item| i.text().filter(|t| !is_blank(t));
            Some((text(&row[0])?, text(&row[1])?))
        })
        .collect();
    if !present(&play_file) && rows.is_empty() {
        return Err(Code::IllegalArgument);
    }
    if !rows.iter().all(|(content, kind)| valid_row(content, kind)) {
        return Err(Code::IllegalArgument);
    }
    let items = rows.len() as i64 + file_count(&play_file);
    let play_ms = items * PLAY_ITEM_MS * (i64::from(repeat.unwrap_or(0)) + 1);
    let Some(to) = to else {
        return Err(Code::IllegalArgument);
    };
    let plan = Plan::Single {
        to,
        max_dial_ms: seconds_to_ms(max_dial),
        play_ms,
    };
    let id = place(
        shared,
        caller,
        CallKind::NotifyCall,
        user_data.clone(),
        plan,
    );
    Ok(id_and_user_data(&id, user_data.as_deref()))
}

/// `call/verify_call` (§2.5).
fn verify_call(shared: &Shared, caller: &Caller, body: &JsonObject) -> Result<String, Code> {
    let from = body.string("from")?.value();
    let to = body.string("to")?.value();
    let max_dial = body.int("max_dial_duration")?.value();
    let play_file = body.string("play_file")?.value();
    let verify_code = body.string("verify_code")?.value();
    let repeat = body.int("repeat")?.value();
    let user_data = body.string("user_data")?.value();

    let code_ok = verify_code
        .as_deref()
        .is_none_or(|c| c.len() <= 12 && c.bytes().all(|b| b.is_ascii_digit()));
    let valid = max_len(&from, 128)
        && present(&to)
        && max_len(&to, 128)
        && within(max_dial, 1, 300)
        && max_len(&play_file, 512)
        && code_ok
        && within(repeat, 0, 10)
        && max_len(&user_data, 128);
    if !valid || (!present(&play_file) && !present(&verify_code)) {
        return Err(Code::IllegalArgument);
    }
    let digits = verify_code.as_deref().map_or(0, str::len) as i64;
    let play_ms = (file_count(&play_file) * PLAY_ITEM_MS + digits * PLAY_DIGIT_MS)
        * (i64::from(repeat.unwrap_or(0)) + 1);
    let Some(to) = to else {
        return Err(Code::IllegalArgument);
    };
    let plan = Plan::Single {
        to,
        max_dial_ms: seconds_to_ms(max_dial),
        play_ms,
    };
    let id = place(shared, caller, CallKind::VerifyCall, user_data, plan);
    Ok(format!("{{\"callId\":{}}}", json_string(&id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(
            route("/v1/account/abc/call/duo_callback"),
            Some(Operation::DuoCallback)
        );
        assert_eq!(
            route("/v1/account/abc/call/duo_callback/"),
            Some(Operation::DuoCallback)
        );
        assert_eq!(
            route("/v1/account/abc/call/verify_call"),
            Some(Operation::VerifyCall)
        );
        assert_eq!(route("/v1/account//call/duo_callback"), None);
        assert_eq!(route("/v2/account/abc/call/duo_callback"), None);
        assert_eq!(route("/v1/account/abc/call/duo_callback/x"), None);
        assert!(is_gateway_path("/v1/x"));
        assert!(is_gateway_path("/vx"));
        assert!(!is_gateway_path("/sandbox/health"));
        assert!(!is_gateway_path("/"));
    }

    #[test]
    fn rows() {
        assert!(valid_row("hello", "0"));
        assert!(valid_row("12", "1"));
        assert!(!valid_row("1.5", "1"));
        assert!(valid_row("1.5", "2"));
        assert!(valid_row("2017-03-01 12:00", "4"));
        assert!(valid_row("12:00", "5"));
        assert!(!valid_row("2017-03-01", "5"));
        assert!(!valid_row("x", "6"));
        assert!(!valid_row("x", "a"));
    }
}
