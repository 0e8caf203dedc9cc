//! The sandbox's own endpoints under `/sandbox/` (they do not exist on the real platform and
//! need no signature): health, inspection of calls and webhook attempts, scripting of numbers
//! and of apps' business settings.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::behavior::{Behavior, RESERVED_NUMBERS};
use crate::business::AppSettings;
use crate::http::{Request, Response};
use crate::sim::{read, write, Shared};

/// Longest wait accepted by `GET /sandbox/calls/{id}/wait`.
const MAX_WAIT_MS: u64 = 10 * 60 * 1000;
/// Wait used when `timeout_ms` is not given.
const DEFAULT_WAIT_MS: u64 = 30_000;

fn json<T: Serialize + ?Sized>(status: u16, value: &T) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
    Response::json(status, body)
}

fn error(status: u16, message: &str) -> Response {
    json(status, &serde_json::json!({ "error": message }))
}

fn method_not_allowed(allow: &str) -> Response {
    error(405, "method not allowed").header("Allow", allow)
}

/// Decodes `%XX` escapes of a path segment (invalid escapes are kept as they are).
pub(crate) fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| char::from(b).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Serves `/sandbox` and everything under it.
pub(crate) fn handle(shared: &Shared, request: &Request) -> Response {
    let rest = request.path.strip_prefix("/sandbox").unwrap_or("");
    let segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let method = request.method.as_str();
    if let Some(response) = crate::msg_api::admin(shared, method, &segments, &request.body) {
        return response;
    }
    if let Some(response) = crate::cc_api::admin(shared, method, &segments) {
        return response;
    }
    match (method, segments.as_slice()) {
        ("GET", ["health"]) => json(200, &serde_json::json!({ "status": "ok" })),
        (_, ["health"]) => method_not_allowed("GET"),
        ("GET", ["info"]) => json(200, &info(shared)),
        (_, ["info"]) => method_not_allowed("GET"),
        ("GET", ["calls"]) => json(200, &shared.engine_now().call_infos()),
        (_, ["calls"]) => method_not_allowed("GET"),
        ("GET", ["calls", id]) => match shared.engine_now().call_info(id) {
            Some(call) => json(200, &call),
            None => error(404, "no such call"),
        },
        (_, ["calls", _]) => method_not_allowed("GET"),
        ("GET", ["calls", id, "wait"]) => wait(shared, request, id),
        ("GET", ["calls", id, "ivr"]) => match shared.engine_now().ivr_requests(id) {
            Some(requests) => json(200, &requests),
            None => error(404, "no such IVR call"),
        },
        (_, ["calls", _, "ivr"]) => method_not_allowed("GET"),
        ("POST", ["inbound_call"]) => inbound(shared, &request.body),
        (_, ["inbound_call"]) => method_not_allowed("POST"),
        ("GET", ["recordings"]) => json(200, &shared.engine_now().recordings()),
        (_, ["recordings"]) => method_not_allowed("GET"),
        ("GET", ["ivr_url"]) => json(200, &serde_json::json!({ "url": ivr_url(shared) })),
        ("PUT", ["ivr_url"]) => set_ivr_url(shared, &request.body),
        (_, ["ivr_url"]) => method_not_allowed("GET, PUT"),
        (_, ["calls", _, "wait"]) => method_not_allowed("GET"),
        ("GET", ["webhooks"]) => {
            let call_id = request.query_param("call_id").map(percent_decode);
            json(200, &shared.engine_now().attempts(call_id.as_deref()))
        }
        (_, ["webhooks"]) => method_not_allowed("GET"),
        ("GET", ["numbers"]) => json(200, &numbers(shared)),
        (_, ["numbers"]) => method_not_allowed("GET"),
        ("GET", ["numbers", number]) => json(200, &number_json(shared, number)),
        ("PUT", ["numbers", number]) => match serde_json::from_slice::<Behavior>(&request.body) {
            Ok(behavior) => {
                write(&shared.behaviors).insert((*number).to_owned(), behavior);
                json(200, &number_json(shared, number))
            }
            Err(e) => error(400, &format!("invalid behaviour: {e}")),
        },
        ("DELETE", ["numbers", number]) => {
            write(&shared.behaviors).remove(*number);
            json(200, &number_json(shared, number))
        }
        (_, ["numbers", _]) => method_not_allowed("GET, PUT, DELETE"),
        ("GET", ["callback_url"]) => json(200, &serde_json::json!({ "url": default_url(shared) })),
        ("PUT", ["callback_url"]) => set_callback_url(shared, &request.body),
        (_, ["callback_url"]) => method_not_allowed("GET, PUT"),
        ("GET", ["apps"]) => {
            let all: BTreeMap<String, AppSettings> = read(&shared.app_settings)
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            json(200, &all)
        }
        (_, ["apps"]) => method_not_allowed("GET"),
        ("GET", ["apps", app]) => match read(&shared.app_settings).get(*app) {
            Some(settings) => json(200, settings),
            None => error(404, "no such app"),
        },
        ("PUT", ["apps", app]) => {
            if shared.credentials.app(app).is_none() {
                return error(404, "no such app");
            }
            match serde_json::from_slice::<AppSettings>(&request.body) {
                Ok(settings) => {
                    write(&shared.app_settings).insert((*app).to_owned(), settings.clone());
                    json(200, &settings)
                }
                Err(e) => error(400, &format!("invalid app settings: {e}")),
            }
        }
        (_, ["apps", _]) => method_not_allowed("GET, PUT"),
        _ => error(404, "no such sandbox endpoint"),
    }
}

fn ivr_url(shared: &Shared) -> Option<String> {
    let app = &shared.credentials.apps[0].app_id;
    read(&shared.ivr_urls).get(app).cloned().flatten()
}

fn set_ivr_url(shared: &Shared, body: &[u8]) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        url: Option<String>,
    }
    match serde_json::from_slice::<Body>(body) {
        Ok(Body { url }) => {
            let app = shared.credentials.apps[0].app_id.clone();
            write(&shared.ivr_urls).insert(app, url);
            json(200, &serde_json::json!({ "url": ivr_url(shared) }))
        }
        Err(e) => error(
            400,
            &format!("expected {{\"url\": \"...\"}} or {{\"url\": null}}: {e}"),
        ),
    }
}

fn inbound(shared: &Shared, body: &[u8]) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        from: String,
        to: String,
    }
    match serde_json::from_slice::<Body>(body) {
        Ok(Body { from, to }) => match crate::api::inbound_call(shared, &from, &to) {
            Ok(id) => json(200, &serde_json::json!({ "call_id": id })),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                error(409, &e.to_string())
            }
            Err(e) => error(400, &e.to_string()),
        },
        Err(e) => error(
            400,
            &format!("expected {{\"from\": \"...\", \"to\": \"...\"}}: {e}"),
        ),
    }
}

fn default_url(shared: &Shared) -> Option<String> {
    let app = &shared.credentials.apps[0].app_id;
    read(&shared.app_urls).get(app).cloned().flatten()
}

fn set_callback_url(shared: &Shared, body: &[u8]) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        url: Option<String>,
    }
    match serde_json::from_slice::<Body>(body) {
        Ok(Body { url }) => {
            let app = shared.credentials.apps[0].app_id.clone();
            write(&shared.app_urls).insert(app, url);
            json(200, &serde_json::json!({ "url": default_url(shared) }))
        }
        Err(e) => error(
            400,
            &format!("expected {{\"url\": \"...\"}} or {{\"url\": null}}: {e}"),
        ),
    }
}

fn wait(shared: &Shared, request: &Request, id: &str) -> Response {
    let timeout_ms = match request.query_param("timeout_ms") {
        None => DEFAULT_WAIT_MS,
        Some(t) => match t.parse::<u64>() {
            Ok(t) => t.min(MAX_WAIT_MS),
            Err(_) => return error(400, "timeout_ms must be a whole number of milliseconds"),
        },
    };
    if !shared.engine_now().has_call(id) {
        return error(404, "no such call");
    }
    match shared.wait_for_end(id, Duration::from_millis(timeout_ms)) {
        Some(delivery) => json(200, &delivery),
        None => error(408, "the end event was not settled in time"),
    }
}

fn number_json(shared: &Shared, number: &str) -> serde_json::Value {
    let scripted = read(&shared.behaviors).get(number).cloned();
    let reserved = crate::behavior::reserved_behavior(number);
    let source = if scripted.is_some() {
        "scripted"
    } else if reserved.is_some() {
        "reserved"
    } else {
        "default"
    };
    serde_json::json!({
        "number": number,
        "source": source,
        "behavior": shared.behavior_of(number),
    })
}

fn numbers(shared: &Shared) -> serde_json::Value {
    let scripted: BTreeMap<String, Behavior> = read(&shared.behaviors)
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let reserved: BTreeMap<&str, Behavior> = RESERVED_NUMBERS.iter().cloned().collect();
    serde_json::json!({
        "default": Behavior::default(),
        "reserved": reserved,
        "scripted": scripted,
    })
}

fn info(shared: &Shared) -> serde_json::Value {
    let app = &shared.credentials.apps[0];
    let sub = &shared.credentials.sub_accounts[0];
    serde_json::json!({
        "base_url": shared.base_url.get(),
        "account_id": app.cert_id,
        "app_id": app.app_id,
        "cert_id": app.cert_id,
        "secret_key": app.secret_key,
        "sub_account": {
            "id": sub.id,
            "cert_id": sub.cert_id,
            "secret_key": sub.secret_key,
        },
        "callback_url": default_url(shared),
        "ivr_url": ivr_url(shared),
        "time_scale": shared.settings.time_scale,
        "sim_now_ms": shared.clock.now_ms(),
        "expiry_minutes": shared.settings.expiry_minutes,
        "confirm_delay_ms": shared.settings.confirm_delay_ms,
        "utf8_webhooks": shared.settings.utf8_webhooks,
        "running_calls": shared.engine_now().running(),
    })
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("%2B86138"), "+86138");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("a%zz"), "a%zz");
        assert_eq!(percent_decode("%e4%bd%a0"), "你");
    }
}
