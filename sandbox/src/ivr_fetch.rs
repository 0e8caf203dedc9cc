//! The platform's requests to an IVR application (platform notes 2 §2.3, §2.7): `ivr_start`
//! (POST) and the next requests (GET), made by a pool of workers outside the engine's lock.
//!
//! As the platform's HTTP client: headers `Content-Type: application/json;charset=utf-8` and
//! `accept: text/plain;charset=utf-8`, unsigned; connect and read timeouts of 5 s (the
//! sandbox's `ivr_timeout`); success is HTTP 200 exactly; up to 4 attempts with no delay;
//! the reply is decoded as UTF-8 whatever its content type. Redirects are followed as the
//! client's default strategy does: `303` always (as a GET), `301`, `302` and `307` for GET
//! only; at most 50, and a location seen before in the same attempt is a circular redirect
//! (the attempt fails). A reply body larger than [`MAX_REPLY`] fails the attempt (the platform
//! reads any size into memory; past its memory the read throws and the attempt is retried).
//! One difference: the platform's read timeout is between two packets, so a reply trickled
//! slowly can take longer than 5 s in all; here the whole body must arrive within the timeout.

use std::collections::HashSet;
use std::io::Read;
use std::time::Duration;

use crate::sim::{lock, IvrJob, IvrRequest, Shared};
use crate::webhook::{ACCEPT, CONTENT_TYPE, USER_AGENT};

/// Number of fetch workers.
pub(crate) const WORKERS: usize = 16;
/// Attempts per request: the first and three retries.
const MAX_ATTEMPTS: u32 = 4;
/// Most redirects followed in one attempt.
const MAX_REDIRECTS: usize = 50;
/// Largest reply body read.
pub(crate) const MAX_REPLY: u64 = 8 * 1024 * 1024;
/// Most reply characters kept for inspection.
const KEPT_REPLY: usize = 64 * 1024;

/// The HTTP agent of the workers: `timeout` for connecting and reading, certificates not
/// verified (as the platform), no proxy, redirects handled here.
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    let tls = ureq::tls::TlsConfig::builder()
        .disable_verification(true)
        .build();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(timeout))
        .timeout_send_request(Some(timeout))
        .timeout_send_body(Some(timeout))
        .timeout_recv_response(Some(timeout))
        .timeout_recv_body(Some(timeout))
        .user_agent(USER_AGENT)
        .accept(ACCEPT)
        .proxy(None)
        .max_redirects(0)
        .max_idle_connections_per_host(WORKERS)
        .tls_config(tls)
        .build()
        .new_agent()
}

/// A worker's body: takes requests until the sandbox stops.
pub(crate) fn run_worker(shared: &Shared, agent: &ureq::Agent) {
    loop {
        let job = {
            let mut outbox = lock(&shared.ivr_outbox);
            loop {
                if shared.is_stopping() {
                    return;
                }
                if let Some(job) = outbox.pop_front() {
                    break job;
                }
                outbox = shared
                    .ivr_ready
                    .wait(outbox)
                    .unwrap_or_else(|e| e.into_inner());
            }
        };
        let reply = fetch(shared, agent, &job);
        if shared.is_stopping() {
            return;
        }
        shared.ivr_reply(&job, reply);
    }
}

/// Up to four attempts; the reply body of the first one answered with HTTP 200.
fn fetch(shared: &Shared, agent: &ureq::Agent, job: &IvrJob) -> Option<Vec<u8>> {
    let method = if job.post_body.is_some() {
        "POST"
    } else {
        "GET"
    };
    for attempt in 1..=MAX_ATTEMPTS {
        let (last_url, result) = match &job.url {
            Ok(url) => one_attempt(agent, url, job.post_body.as_deref()),
            Err(why) => (String::new(), Err(why.clone())),
        };
        let (status, error, body) = match result {
            Ok((status, body)) => (Some(status), None, Some(body)),
            Err(e) => (None, Some(e), None),
        };
        let ok = status == Some(200);
        if shared.settings.log {
            let outcome = match (status, &error) {
                (Some(s), _) => s.to_string(),
                (None, Some(e)) => format!("error: {e}"),
                (None, None) => "?".into(),
            };
            eprintln!(
                "ivr {} attempt {attempt} {method} {} -> {outcome}",
                job.call_id,
                job.url.as_deref().unwrap_or("(none)")
            );
        }
        let reply_text = body.as_ref().filter(|_| ok).map(|b| {
            let text = String::from_utf8_lossy(b);
            text.chars().take(KEPT_REPLY).collect::<String>()
        });
        shared.record_ivr_request(IvrRequest {
            call_id: job.call_id.to_string(),
            method: method.into(),
            url: if last_url.is_empty() {
                job.url.clone().unwrap_or_default()
            } else {
                last_url
            },
            attempt,
            body: job
                .post_body
                .as_ref()
                .map(|b| crate::events::decode_body(b, shared.settings.utf8_webhooks)),
            status,
            error,
            reply: reply_text,
            sim_time_ms: shared.clock.now_ms(),
        });
        if ok {
            return body;
        }
        if shared.is_stopping() {
            return None;
        }
    }
    None
}

/// One attempt, following redirects: the last URL requested and its status and body.
fn one_attempt(
    agent: &ureq::Agent,
    url: &str,
    post_body: Option<&[u8]>,
) -> (String, Result<(u16, Vec<u8>), String>) {
    let mut url = url.to_owned();
    let mut post = post_body;
    let mut seen: HashSet<String> = HashSet::new();
    for _ in 0..=MAX_REDIRECTS {
        let result = match post {
            Some(body) => agent
                .post(&url)
                .header("Content-Type", CONTENT_TYPE)
                .send(body),
            None => agent.get(&url).header("Content-Type", CONTENT_TYPE).call(),
        };
        let mut response = match result {
            Ok(r) => r,
            Err(e) => return (url, Err(e.to_string())),
        };
        let status = response.status().as_u16();
        let redirected = match status {
            303 => true,
            301 | 302 | 307 => post.is_none(),
            _ => false,
        };
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if redirected {
            let Some(location) = location else {
                return (url, Err(format!("redirect {status} without a Location")));
            };
            let next = match crate::ivr_url::resolve(Some(&url), location.trim()) {
                Ok(n) => n,
                Err(e) => return (url, Err(format!("redirect to {location:?}: {e}"))),
            };
            if !seen.insert(next.clone()) {
                return (url, Err(format!("circular redirect to {next}")));
            }
            // Drain what is left of the redirect's body so the connection can be reused.
            let _ = response
                .body_mut()
                .with_config()
                .limit(64 * 1024)
                .read_to_vec();
            url = next;
            post = None;
            continue;
        }
        let mut body = Vec::new();
        let read = response
            .body_mut()
            .with_config()
            .limit(MAX_REPLY + 1)
            .reader()
            .take(MAX_REPLY + 1)
            .read_to_end(&mut body);
        return match read {
            Ok(_) if body.len() as u64 > MAX_REPLY => {
                (url, Err(format!("reply larger than {} bytes", MAX_REPLY)))
            }
            Ok(_) => (url, Ok((status, body))),
            Err(e) => (url, Err(format!("reading the reply: {e}"))),
        };
    }
    (url, Err(format!("more than {MAX_REDIRECTS} redirects")))
}
