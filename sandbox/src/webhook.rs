//! Event delivery (platform notes §4.1–4.2): a small fixed pool of workers POSTs each end event
//! up to four times, immediately one after the other, until one attempt gets HTTP 200.

use std::sync::Arc;
use std::time::Duration;

use crate::inspect::WebhookAttempt;
use crate::sim::{lock, Job, Shared};

/// Number of delivery workers.
pub(crate) const WORKERS: usize = 4;
/// Attempts per event: the first and three retries.
pub(crate) const MAX_ATTEMPTS: u32 = 4;
/// The `User-Agent` the platform's HTTP client sends.
pub(crate) const USER_AGENT: &str = "Apache-HttpAsyncClient/4.1.1 (Java/1.8.0_121)";
/// The `Content-Type` of every event.
pub(crate) const CONTENT_TYPE: &str = "application/json;charset=utf-8";
/// The `accept` header of every event.
pub(crate) const ACCEPT: &str = "text/plain;charset=utf-8";
/// Most response body bytes read (and ignored) per attempt.
const MAX_RESPONSE_BODY: u64 = 1024 * 1024;

/// The HTTP agent shared by the workers: `timeout` for connecting and for each read, HTTPS
/// certificates not verified (as the platform does), no proxy, no redirects, statuses returned
/// as they are.
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

/// A worker's body: takes jobs until the sandbox stops.
pub(crate) fn run_worker(shared: &Shared, agent: &ureq::Agent) {
    loop {
        let job = {
            let mut outbox = lock(&shared.outbox);
            loop {
                if shared.is_stopping() {
                    return;
                }
                if let Some(job) = outbox.pop_front() {
                    break job;
                }
                outbox = shared
                    .outbox_ready
                    .wait(outbox)
                    .unwrap_or_else(|e| e.into_inner());
            }
        };
        if let Some(job) = shared.job_of(job) {
            deliver(shared, agent, &job);
        }
    }
}

fn deliver(shared: &Shared, agent: &ureq::Agent, job: &Job) {
    let mut delivered = false;
    for attempt in 1..=MAX_ATTEMPTS {
        let (status, error) = post(agent, &job.url, &job.body);
        if shared.settings.log {
            let outcome = match (status, &error) {
                (Some(s), _) => s.to_string(),
                (None, Some(e)) => format!("error: {e}"),
                (None, None) => "?".into(),
            };
            eprintln!(
                "webhook {} {} attempt {attempt} POST {} -> {outcome}",
                job.call_id, job.event, job.url
            );
        }
        shared.record_attempt(WebhookAttempt {
            call_id: job.call_id.to_string(),
            event: job.event.to_owned(),
            url: job.url.clone(),
            attempt,
            status,
            error,
            sim_time_ms: shared.clock.now_ms(),
            body: job.body.to_vec(),
            utf8: job.utf8,
        });
        if status == Some(200) {
            delivered = true;
            break;
        }
        if shared.is_stopping() {
            break;
        }
    }
    shared.settle_delivery(&job.call_id, job.event, delivered);
}

/// One POST; the status if a response came back, else the error.
fn post(agent: &ureq::Agent, url: &str, body: &Arc<[u8]>) -> (Option<u16>, Option<String>) {
    let result = agent
        .post(url)
        .header("Content-Type", CONTENT_TYPE)
        .send(&body[..]);
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            // The body is ignored, but reading it lets the connection be reused.
            match response
                .body_mut()
                .with_config()
                .limit(MAX_RESPONSE_BODY)
                .read_to_vec()
            {
                Ok(_) => (Some(status), None),
                Err(e) if status == 200 => (None, Some(format!("reading the response: {e}"))),
                Err(_) => (Some(status), None),
            }
        }
        Err(e) => (None, Some(e.to_string())),
    }
}
