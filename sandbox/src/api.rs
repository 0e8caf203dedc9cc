//! The platform's call endpoints (platform notes §2): routing, body binding, validation in the
//! server's order, the call service's business checks, and the response envelope.

use std::sync::Arc;

use crate::business::{BusinessCode, Service};
use crate::events::{json_string, push_json_string};
use crate::gateway::{self, Caller};
use crate::http::{Request, Response};
use crate::inspect::CallKind;
use crate::lenient::{self, is_blank, parse_object, BindError, Item, JsonObject, Kind, Schema};
use crate::negotiate;
use crate::sim::{CancelOutcome, NewCall, NewIvrCall, Plan, Shared};

/// The ring timeout the call engine uses when a request sets none (or sets `null`).
const ENGINE_DEFAULT_MAX_DIAL_SECS: i64 = 50;
/// Seconds of play per file or `play_content` row.
const PLAY_ITEM_MS: i64 = 2000;
/// Seconds of play per digit of a verification code.
const PLAY_DIGIT_MS: i64 = 1000;

/// A business outcome, returned with HTTP 200.
type Code = BusinessCode;

impl From<BindError> for Code {
    fn from(e: BindError) -> Self {
        match e {
            BindError::Parse => Code::UNKNOWN_FAIL,
            BindError::Mapping => Code::ILLEGAL_ARGUMENT,
        }
    }
}

/// The envelope `{"code":..,"msg":..,"data":..}` with `data` already rendered as JSON.
pub(crate) fn envelope(code: Code, data: &str) -> Response {
    let (code, msg) = (code.code(), code.msg());
    let mut body = String::with_capacity(32 + code.len() + 2 * msg.len() + data.len());
    body.push_str("{\"code\":\"");
    body.push_str(code);
    body.push_str("\",\"msg\":");
    push_json_string(&mut body, msg);
    body.push_str(",\"data\":");
    body.push_str(data);
    body.push('}');
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
    IvrCall,
}

/// The segments of a path as the server maps it: empty segments (`//`) dropped and every
/// `;parameter` removed.
pub(crate) fn mapped_segments(path: &str) -> impl Iterator<Item = &str> {
    Segments { rest: path }
}

/// The iterator of [`mapped_segments`]: a byte scan (every request's path is split several
/// times, and its segments are short).
struct Segments<'a> {
    /// What follows the last `/` read.
    rest: &'a str,
}

impl<'a> Iterator for Segments<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        while !self.rest.is_empty() {
            let bytes = self.rest.as_bytes();
            let end = bytes.iter().position(|&b| b == b'/');
            let segment = &self.rest[..end.unwrap_or(bytes.len())];
            self.rest = end.map_or("", |i| &self.rest[i + 1..]);
            let mapped = match segment.bytes().position(|b| b == b';') {
                Some(i) => &segment[..i],
                None => segment,
            };
            if !mapped.is_empty() {
                return Some(mapped);
            }
        }
        None
    }
}

/// The operation of a path. As the server's mapping does, a trailing `/` and any `.suffix` on
/// the last segment (`duo_callback.json`, `duo_callback.x.y`) still match, but not both.
fn route(path: &str) -> Option<Operation> {
    let mut segments = mapped_segments(path);
    let (Some("v1"), Some("account"), Some(_account), Some("call"), Some(last), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return None;
    };
    let op = match last.split_once('.') {
        Some(_) if path.ends_with('/') => return None,
        Some((op, _suffix)) => op,
        None => last,
    };
    match op {
        "duo_callback" => Some(Operation::DuoCallback),
        "duo_callback_cancel" => Some(Operation::DuoCallbackCancel),
        "notify_call" => Some(Operation::NotifyCall),
        "verify_call" => Some(Operation::VerifyCall),
        "ivr_call" => Some(Operation::IvrCall),
        _ => None,
    }
}

/// Whether a path is behind the gateway's signature filter (Ant pattern `/v*/**`).
pub(crate) fn is_gateway_path(path: &str) -> bool {
    path.starts_with('/')
        && mapped_segments(path)
            .next()
            .is_some_and(|s| s.starts_with('v'))
}

/// Serves a request behind the gateway: authentication first, then routing and the endpoint,
/// then the content negotiation of the answer.
pub(crate) fn handle(shared: &Shared, request: &Request) -> Response {
    let caller = match gateway::authenticate(
        &shared.credentials,
        &shared.mgmt,
        request,
        shared.settings.expiry_minutes,
        crate::time::wall_clock_ms(),
    ) {
        Ok(caller) => caller,
        Err(failure) => return failure.response(),
    };
    // The families of `/v1/account/{id}/{family}/...`: each handler checks its own paths
    // fully; only the one the fourth segment names can take the request.
    let family = mapped_segments(&request.path).nth(3).unwrap_or("");
    if family == "management" {
        if let Some(response) = crate::mgmt::handle(shared, &caller, request) {
            return response;
        }
    }
    if family == "msg" {
        if let Some(response) =
            crate::msg_api::handle(shared, &caller, subaccount_id(shared, &caller), request)
        {
            return response;
        }
    }
    if family == "callcenter" || family.starts_with("callcenter.") {
        if let Some(response) =
            crate::cc_api::handle(shared, &caller, subaccount_id(shared, &caller), request)
        {
            return response;
        }
    }
    let accept = request.header("Accept");
    // Only the conference and recording families are `conf_api`'s.
    let conf_route = match family {
        "conf" | "recording" => crate::conf_api::route(&request.path),
        _ => None,
    };
    if let Some((op, id)) = conf_route {
        let method = crate::conf_api::method_of(op);
        if request.method != method {
            let message = format!("Request method '{}' not supported", request.method);
            let page = error_page(405, &message, &request.path).header("Allow", method);
            return negotiate::error_page(accept, page);
        }
        let sub = subaccount_id(shared, &caller);
        let response = match crate::conf_api::serve(shared, &caller, sub, op, id, request) {
            Ok(data) => envelope(Code::SUCCESS, &data),
            Err(code) => envelope(code, "null"),
        };
        return negotiate::envelope(&request.path, accept, response);
    }
    let Some(operation) = route(&request.path) else {
        let page = error_page(404, "No message available", &request.path);
        return negotiate::error_page(accept, page);
    };
    if request.method != "POST" {
        let message = format!("Request method '{}' not supported", request.method);
        let page = error_page(405, &message, &request.path).header("Allow", "POST");
        return negotiate::error_page(accept, page);
    }
    let result = bind_body(request, operation).and_then(|body| match operation {
        Operation::DuoCallback => duo_callback(shared, &caller, &body),
        Operation::DuoCallbackCancel => cancel(shared, &caller, &body),
        Operation::NotifyCall => notify_call(shared, &caller, &body),
        Operation::VerifyCall => verify_call(shared, &caller, &body),
        Operation::IvrCall => ivr_call(shared, &caller, &body),
    });
    // The handler has run (a call may have been placed) before the answer is negotiated.
    let response = match result {
        Ok(data) => envelope(Code::SUCCESS, &data),
        Err(code) => envelope(code, "null"),
    };
    negotiate::envelope(&request.path, accept, response)
}

/// The fields of each operation's request, with their types.
fn schema(operation: Operation) -> Schema {
    use Kind::{Bool, Int, Rows, Text};
    match operation {
        Operation::DuoCallback => Some(&[
            ("from1", Text),
            ("to1", Text),
            ("from2", Text),
            ("to2", Text),
            ("ring_tone", Text),
            ("ring_tone_mode", Int),
            ("max_dial_duration", Int),
            ("max_call_duration", Int),
            ("recording", Bool),
            ("record_mode", Int),
            ("user_data", Text),
        ]),
        Operation::NotifyCall => Some(&[
            ("from", Text),
            ("to", Text),
            ("play_file", Text),
            ("play_content", Rows),
            ("repeat", Int),
            ("max_dial_duration", Int),
            ("user_data", Text),
        ]),
        Operation::VerifyCall => Some(&[
            ("from", Text),
            ("to", Text),
            ("max_dial_duration", Int),
            ("play_file", Text),
            ("verify_code", Text),
            ("repeat", Int),
            ("user_data", Text),
        ]),
        Operation::IvrCall => Some(&[
            ("from", Text),
            ("to", Text),
            ("max_call_duration", Int),
            ("max_dial_duration", Int),
            ("user_data", Text),
        ]),
        // An untyped map.
        Operation::DuoCallbackCancel => None,
    }
}

/// Reads the body as a JSON object: JSON content types only (`application/json` or
/// `application/*+json`), else `000002`.
fn bind_body(request: &Request, operation: Operation) -> Result<JsonObject, Code> {
    bind_json(request, schema(operation))
}

/// Reads a body as a JSON object with the given known fields: JSON content types only, else
/// `000002`; binding errors as [`BindError`] maps them.
pub(crate) fn bind_json(request: &Request, schema: Schema) -> Result<JsonObject, Code> {
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
        return Err(Code::UNKNOWN_FAIL);
    }
    Ok(parse_object(&request.body, schema)?)
}

/// The call service's checks before it picks numbers and files: a callee with a forced code
/// (the red list's place), then the app's settings.
fn service_checks(
    shared: &Shared,
    caller: &Caller,
    service: Service,
    callees: &[&str],
) -> Result<crate::business::AppSettings, Code> {
    for number in callees {
        if let Some(code) = shared.behavior_of(number).code {
            return Err(code);
        }
    }
    let settings = shared.app_settings_for(&caller.app_id, caller.subaccount);
    settings.check_call(service, caller.subaccount.is_some(), callees)?;
    Ok(settings)
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
    caller.subaccount.and_then(|i| shared.mgmt.id_of(i))
}

fn place(
    shared: &Shared,
    caller: &Caller,
    kind: CallKind,
    user_data: Option<String>,
    plan: Plan,
) -> Arc<str> {
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
    let mut out = String::with_capacity(32 + id.len() + user_data.map_or(4, |u| 2 * u.len()));
    out.push_str("{\"callId\":");
    push_json_string(&mut out, id);
    out.push_str(",\"user_data\":");
    match user_data {
        Some(u) => push_json_string(&mut out, u),
        None => out.push_str("null"),
    }
    out.push('}');
    out
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
        return Err(Code::ILLEGAL_ARGUMENT);
    }
    let (Some(to1), Some(to2), Some(max_call)) = (to1, to2, max_call) else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    if to1 == to2 {
        return Err(Code::SAME_NUMBER);
    }
    if ring_tone_mode == Some(1) {
        return Err(Code::ILLEGAL_ARGUMENT);
    }
    let settings = service_checks(shared, caller, Service::DuoCallback, &[&to1, &to2])?;
    if let Some(ring_tone) = &ring_tone {
        settings.check_files(ring_tone)?;
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
fn cancel(shared: &Shared, caller: &Caller, body: &JsonObject) -> Result<String, Code> {
    // The body is an untyped map; `callId` is cast to a string (anything else fails).
    let call_id = match body.untyped_text("callId") {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(())) => return Err(Code::UNKNOWN_FAIL),
    };
    if let Some(code) = shared.app_settings_of(&caller.app_id).code {
        return Err(code);
    }
    let Some(call_id) = call_id else {
        return Err(Code::CALL_NOT_EXISTS);
    };
    match shared.cancel(&call_id) {
        CancelOutcome::Cancelled | CancelOutcome::Ignored => Ok("null".into()),
        CancelOutcome::Unconfirmed => Err(Code::SYSTEM_BUSY),
        CancelOutcome::NotExists => Err(Code::CALL_NOT_EXISTS),
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

/// A row's type as the call service reads it: the text of item 1 through Java's
/// `Integer.valueOf` (an optional sign and digits, nothing else: `" 4"` and `4.0` are not
/// types), then 0 to 5, or 7 (a file, the type the platform gives `play_file`).
fn row_type(kind: &Item) -> Option<i32> {
    let text = match kind {
        Item::Text(_) | Item::Integer(_) => kind.text()?,
        _ => return None,
    };
    lenient::parse_int(&text).filter(|t| (0..=5).contains(t) || *t == 7)
}

/// Checks one kept `play_content` row (content, type) in the service's order: the type, then
/// the content for that type (files must be audited: `010005`).
fn check_row(
    settings: &crate::business::AppSettings,
    content: &str,
    kind: &Item,
) -> Result<(), Code> {
    let valid = match row_type(kind).ok_or(Code::ILLEGAL_ARGUMENT)? {
        0 | 7 => return settings.check_files(content),
        1 => lenient::parse_int(content).is_some(),
        2 | 3 => lenient::parse_double(content).is_some(),
        4 => lenient::matches_date_patterns(content, &DATE_FORMATS),
        _ => lenient::matches_date_patterns(content, &TIME_FORMATS),
    };
    if valid {
        Ok(())
    } else {
        Err(Code::ILLEGAL_ARGUMENT)
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
        return Err(Code::ILLEGAL_ARGUMENT);
    }
    // The controller drops rows with fewer than two items or a null or empty ("") first or
    // second item; a null row fails it (000002).
    let empty = |i: &Item| matches!(i, Item::Null) || *i == Item::Text(String::new());
    let mut rows: Vec<Vec<Item>> = Vec::new();
    for row in play_content.unwrap_or_default() {
        let Some(row) = row else {
            return Err(Code::UNKNOWN_FAIL);
        };
        if row.len() >= 2 && !empty(&row[0]) && !empty(&row[1]) {
            rows.push(row);
        }
    }
    if !present(&play_file) && rows.is_empty() {
        return Err(Code::ILLEGAL_ARGUMENT);
    }
    let Some(to) = to else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    let settings = service_checks(shared, caller, Service::NotifyCall, &[&to])?;
    // The service checks `play_file` first, as a row of type 7, then each row in order.
    if let Some(files) = &play_file {
        settings.check_files(files)?;
    }
    for row in &rows {
        check_row(&settings, &row[0].text().unwrap_or_default(), &row[1])?;
    }
    let items = rows.len() as i64 + file_count(&play_file);
    let play_ms = items * PLAY_ITEM_MS * (i64::from(repeat.unwrap_or(0)) + 1);
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
        return Err(Code::ILLEGAL_ARGUMENT);
    }
    let Some(to) = to else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    let settings = service_checks(shared, caller, Service::VerifyCall, &[&to])?;
    if let Some(files) = &play_file {
        settings.check_files(files)?;
    }
    let digits = verify_code.as_deref().map_or(0, str::len) as i64;
    let play_ms = (file_count(&play_file) * PLAY_ITEM_MS + digits * PLAY_DIGIT_MS)
        * (i64::from(repeat.unwrap_or(0)) + 1);
    let plan = Plan::Single {
        to,
        max_dial_ms: seconds_to_ms(max_dial),
        play_ms,
    };
    let id = place(shared, caller, CallKind::VerifyCall, user_data, plan);
    Ok(format!("{{\"callId\":{}}}", json_string(&id)))
}

/// `call/ivr_call` (platform notes 2 §2.1): validation (`000001`), then a red-listed callee,
/// the service (`IvrService`), balance, quota and line; the answer is `{"callId": ...}` and
/// the call runs its IVR script once the callee answers.
fn ivr_call(shared: &Shared, caller: &Caller, body: &JsonObject) -> Result<String, Code> {
    let from = body.string("from")?.value();
    let to = body.string("to")?.value();
    let max_call = body.int("max_call_duration")?.value();
    let max_dial = body.int("max_dial_duration")?.value();
    let user_data = body.string("user_data")?.value();
    let valid = max_len(&from, 128)
        && to
            .as_deref()
            .is_some_and(|t| (1..=128).contains(&utf16_len(t)))
        && max_call.is_some()
        && within(max_call, 1, 21_600)
        && within(max_dial, 1, 300)
        && max_len(&user_data, 128);
    let (true, Some(to), Some(max_call)) = (valid, to, max_call) else {
        return Err(Code::ILLEGAL_ARGUMENT);
    };
    service_checks(shared, caller, Service::Ivr, &[&to])?;
    let (ivr_url, event_url) = shared.ivr_urls_for(&caller.app_id, caller.subaccount);
    let id = shared.place_ivr_call(NewIvrCall {
        kind: CallKind::IvrCall,
        app_id: caller.app_id.clone(),
        subaccount_id: subaccount_id(shared, caller),
        ivr_url,
        event_url,
        user_data,
        customer: to,
        called: None,
        max_call_ms: i64::from(max_call) * 1000,
        max_dial_ms: max_dial.map(|s| i64::from(s) * 1000),
    });
    Ok(format!("{{\"callId\":{}}}", json_string(&id)))
}

/// A simulated inbound call to the default app (platform notes 2 §2.2): the platform's checks
/// (service, balance, line, test numbers of an offline app) decide whether it is taken at all.
pub(crate) fn inbound_call(shared: &Shared, from: &str, to: &str) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind};
    if is_blank(from) || is_blank(to) {
        let which = if is_blank(from) { "from" } else { "to" };
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("inbound_call: {which} must be a phone number, not blank"),
        ));
    }
    let app_id = shared.credentials.apps[0].app_id.clone();
    // The sub-account the called number is bound to (management), which must exist and be
    // enabled; the call is then its call (events, URL, quota).
    let bound = shared.mgmt.subaccount_of_number(to);
    let sub = bound.as_deref().map(|id| shared.mgmt.live(id));
    let sub_index = sub.flatten().map(|(i, _)| i);
    let settings = shared.app_settings_for(&app_id, sub_index);
    let refusal = if settings.disabled_services.contains(&Service::Ivr) {
        Some("the app has the IVR service disabled")
    } else if matches!(sub, Some(None)) {
        Some("the number's sub-account does not exist")
    } else if matches!(sub, Some(Some((_, false)))) {
        Some("the number's sub-account is disabled")
    } else if settings.balance_exhausted {
        Some("the account's balance is exhausted")
    } else if sub_index.is_some() && settings.quota_exhausted {
        Some("the number's sub-account has used up its call quota")
    } else if settings.online && settings.no_line {
        Some("the app has no line")
    } else if !settings.online && !settings.test_numbers.iter().any(|n| n == from) {
        Some("the app is offline and the caller is not one of its test numbers")
    } else {
        None
    };
    if let Some(why) = refusal {
        return Err(Error::new(
            ErrorKind::PermissionDenied,
            format!("the platform ignores this inbound call: {why}"),
        ));
    }
    let (ivr_url, event_url) = shared.ivr_urls_for(&app_id, sub_index);
    Ok(shared.place_ivr_call(NewIvrCall {
        kind: CallKind::IvrIncoming,
        app_id,
        subaccount_id: sub_index.and(bound),
        ivr_url,
        event_url,
        user_data: None,
        customer: from.to_owned(),
        called: Some(to.to_owned()),
        max_call_ms: 21_600_000,
        max_dial_ms: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_the_split_paths_without_parameters_or_empty_parts() {
        let reference = |path: &str| -> Vec<String> {
            path.split('/')
                .map(|s| s.split(';').next().unwrap_or(""))
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let parts = [
            "", "/", "//", "v1", ";", ";x", "a;b", "é", "call", ".json", "/;/",
        ];
        for a in parts {
            for b in parts {
                for c in parts {
                    let path = format!("{a}/{b}{c}");
                    let ours: Vec<String> = mapped_segments(&path).map(str::to_owned).collect();
                    assert_eq!(ours, reference(&path), "{path:?}");
                    let path = format!("{a}{b}{c}");
                    let ours: Vec<String> = mapped_segments(&path).map(str::to_owned).collect();
                    assert_eq!(ours, reference(&path), "{path:?}");
                }
            }
        }
    }

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
    fn suffixes_and_slashes() {
        for path in [
            "/v1/account/abc/call/duo_callback.json",
            "/v1/account/abc/call/duo_callback.x.y",
            "/v1/account/abc/call/duo_callback.",
            "/v1/account/abc/call/duo_callback//",
            "/v1//account/abc/call/duo_callback",
            "/v1/account/abc/call/duo_callback;jsessionid=1.xml",
            "/v1/account/a.b/call/duo_callback",
        ] {
            assert_eq!(route(path), Some(Operation::DuoCallback), "{path}");
        }
        for path in [
            "/v1/account/abc/call/duo_callback.json/",
            "/v1/account/abc/call/duo_callback/.json",
            "/v1/account/abc/call/duo_callbackx",
            "/v1/account/abc/call/duo_callback_cancelx.json",
        ] {
            assert_eq!(route(path), None, "{path}");
        }
        assert_eq!(
            route("/v1/account/abc/call/duo_callback_cancel.json"),
            Some(Operation::DuoCallbackCancel)
        );
        assert!(is_gateway_path("//v1/account"));
    }

    #[test]
    fn rows() {
        let text = |s: &str| Item::Text(s.into());
        let int = |s: &str| Item::Integer(s.into());
        let settings = crate::business::AppSettings::default();
        let ok = |content: &str, kind: Item| check_row(&settings, content, &kind).is_ok();
        assert!(ok("hello", int("0")));
        assert!(ok("hello", text("0")));
        assert!(ok("hello", text("+0")));
        assert!(ok("a.wav", int("7")));
        assert!(ok("a.wav", text("7")));
        assert!(!ok("x", text(" 4")));
        assert!(!ok("x", text("4 ")));
        assert!(!ok("x", Item::Float(4.0)));
        assert!(!ok("x", Item::Bool(true)));
        assert!(!ok("x", int("6")));
        assert!(!ok("x", int("-1")));
        assert!(!ok("x", int("8")));
        assert!(!ok("x", int("99999999999")));
        assert!(ok("12", int("1")));
        assert!(!ok("1.5", int("1")));
        assert!(ok("1.5", int("2")));
        assert!(ok("2017-03-01 12:00", int("4")));
        assert!(ok("12:00", int("5")));
        assert!(!ok("2017-03-01", int("5")));
        assert!(!ok("x", text("a")));
        let audited = crate::business::AppSettings {
            audited_files: Some(vec!["a.wav".into()]),
            ..Default::default()
        };
        assert_eq!(check_row(&audited, "a.wav", &int("7")), Ok(()));
        assert_eq!(
            check_row(&audited, "b.wav", &int("0")),
            Err(Code::PLAY_FILE_NOT_EXISTS)
        );
        assert_eq!(
            check_row(&audited, "b.wav", &int("6")),
            Err(Code::ILLEGAL_ARGUMENT)
        );
    }
}
