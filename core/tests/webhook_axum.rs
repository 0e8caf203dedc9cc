//! The axum extractor in a real axum server on 127.0.0.1, receiving a sandbox run with a
//! Redis store (a real redis-server): a share of deliveries fails the first time (the handler
//! answers `hook.retry()`, the sandbox re-sends), another share is slower than the sandbox's
//! webhook timeout (the sandbox re-sends while it runs: a duplicate), and every event is handled
//! exactly once. Then the guard: no token (401), a wrong token (403), 100 MB declared (413,
//! unread), a body over the limit without a length (413), a body that is not an event (400).

mod redis_server;

use axum::extract::{FromRef, State};
use axum::routing::post;
use axum::Router;
use redis_server::RedisServer;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use yunhuni::webhook::axum::{Retry, Webhook};
use yunhuni::webhook::{Receiver, RedisStore};
use yunhuni::{Client, DuoCallback, Event};
use yunhuni_sandbox::Sandbox;

const TOKEN: &str = "tok/en+1";
const TOKEN_QUERY: &str = "token=tok%2Fen%2B1";

#[derive(Clone)]
struct App {
    receiver: Receiver,
    /// Call id -> times its event was handled to the end.
    handled: Arc<Mutex<HashMap<String, u32>>>,
    /// Keys whose first handling failed or was slow.
    failed: Arc<Mutex<HashSet<String>>>,
    slow: Arc<Mutex<HashSet<String>>>,
}

impl FromRef<App> for Receiver {
    fn from_ref(app: &App) -> Receiver {
        app.receiver.clone()
    }
}

/// Which share a delivery falls in, from its key (stable, so the re-send falls in the same).
fn share(key: &str) -> u32 {
    key.bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
        % 3
}

async fn on_event(State(app): State<App>, hook: Webhook) -> Result<Webhook, Retry> {
    match share(&hook.key) {
        0 if app.failed.lock().unwrap().insert(hook.key.clone()) => {
            return Err(hook.retry());
        }
        1 if app.slow.lock().unwrap().insert(hook.key.clone()) => {
            // Longer than the sandbox's webhook timeout: it gives up on this attempt (and the
            // server then drops this handler) and re-sends meanwhile, which is a duplicate.
            // Work that must finish runs in its own task, as the module docs say.
            let (app, event) = (app.clone(), hook.event.clone());
            let work = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(900)).await;
                record(&app, &event);
            });
            let _ = work.await;
            return Ok(hook);
        }
        _ => {}
    }
    record(&app, &hook.event);
    Ok(hook)
}

fn record(app: &App, event: &Event) {
    let Event::DuoCallbackEnd(end) = event else {
        panic!("unexpected {}", event.name());
    };
    *app.handled
        .lock()
        .unwrap()
        .entry(end.id.clone().unwrap_or_default())
        .or_default() += 1;
}

fn post_raw(port: u16, head: &str, body: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn status_of(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_of_a_sandbox_run_is_handled_exactly_once() {
    let redis = RedisServer::start();
    let receiver = Receiver::builder()
        .token(TOKEN)
        .store(RedisStore::open(&redis.url()).unwrap())
        .build()
        .unwrap();
    let app = App {
        receiver,
        handled: Default::default(),
        failed: Default::default(),
        slow: Default::default(),
    };
    let router = Router::new()
        .route("/hook", post(on_event))
        .with_state(app.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let calls = 12;
    let (ids, sb) = tokio::task::spawn_blocking(move || {
        let sb = Sandbox::builder()
            .time_scale(200.0)
            .webhook_timeout(Duration::from_millis(300))
            .callback_url(format!("http://127.0.0.1:{port}/hook?{TOKEN_QUERY}"))
            .start()
            .unwrap();
        let client = Client::builder(sb.app_id(), sb.cert_id(), sb.secret_key())
            .base_url(sb.base_url())
            .build()
            .unwrap();
        let ids: Vec<String> = (0..calls)
            .map(|i| {
                client
                    .duo_callback(&DuoCallback::new(
                        format!("1380000{:04}", 2 * i),
                        format!("1380000{:04}", 2 * i + 1),
                        60,
                    ))
                    .unwrap()
                    .call_id
            })
            .collect();
        (ids, sb)
    })
    .await
    .unwrap();

    // Every call's end event handled, and every call's deliveries settled (a 200 last).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done = app.handled.lock().unwrap().len() == calls
            && ids.iter().all(|id| {
                sb.webhooks_for(id)
                    .last()
                    .is_some_and(|a| a.status == Some(200))
            });
        if done {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not every event handled: {:?}",
            app.handled.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The slow handlers finish after their re-send was answered.
    tokio::time::sleep(Duration::from_millis(1200)).await;

    let handled = app.handled.lock().unwrap().clone();
    let expected: HashSet<&String> = ids.iter().collect();
    assert_eq!(handled.keys().collect::<HashSet<_>>(), expected);
    assert!(handled.values().all(|&n| n == 1), "{handled:?}");

    let attempts = sb.webhooks();
    let failed_first = app.failed.lock().unwrap().len();
    let slow_first = app.slow.lock().unwrap().len();
    assert!(
        failed_first > 0 && slow_first > 0,
        "the shares: {failed_first} failed, {slow_first} slow"
    );
    // The sandbox saw the 500s and the timeouts, and re-sent: more attempts than events.
    let answered_500 = attempts.iter().filter(|a| a.status == Some(500)).count();
    let timed_out = attempts
        .iter()
        .filter(|a| a.status.is_none() && a.error.is_some())
        .count();
    assert_eq!(answered_500, failed_first, "{attempts:?}");
    assert!(timed_out >= slow_first, "{timed_out} timeouts");
    assert!(attempts.len() > calls);

    // The guard, over raw HTTP.
    let event = attempts[0].body.clone();
    let head = |query: &str, len: usize| {
        format!(
            "POST /hook{query} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
        )
    };
    let r = tokio::task::spawn_blocking(move || {
        let no_token = post_raw(port, &head("", event.len()), &event);
        let wrong = post_raw(port, &head("?token=tok", event.len()), &event);
        // 100 MB declared: refused after the headers, the body never sent.
        let huge = post_raw(port, &head(&format!("?{TOKEN_QUERY}"), 100_000_000), b"");
        let chunk = vec![b' '; 64 * 1024];
        let mut chunked = Vec::new();
        for _ in 0..32 {
            chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            chunked.extend_from_slice(&chunk);
            chunked.extend_from_slice(b"\r\n");
        }
        chunked.extend_from_slice(b"0\r\n\r\n");
        let unlimited = post_raw(
            port,
            &format!("POST /hook?{TOKEN_QUERY} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"),
            &chunked,
        );
        let not_event = post_raw(port, &head(&format!("?{TOKEN_QUERY}"), 5), b"[1,2]");
        let duplicate = post_raw(port, &head(&format!("?{TOKEN_QUERY}"), event.len()), &event);
        (no_token, wrong, huge, unlimited, not_event, duplicate)
    })
    .await
    .unwrap();
    assert_eq!(status_of(&r.0), 401, "{}", r.0);
    assert!(r.0.contains("token"), "{}", r.0);
    assert_eq!(status_of(&r.1), 403, "{}", r.1);
    assert_eq!(status_of(&r.2), 413, "{}", r.2);
    assert_eq!(status_of(&r.3), 413, "{}", r.3);
    assert_eq!(status_of(&r.4), 400, "{}", r.4);
    assert_eq!(status_of(&r.5), 200, "{}", r.5);
    assert!(r.5.ends_with("ok"), "{}", r.5);
    // None of them reached the handler.
    assert_eq!(
        app.handled.lock().unwrap().values().sum::<u32>(),
        calls as u32
    );

    server.abort();
    tokio::task::spawn_blocking(move || sb.shutdown())
        .await
        .unwrap();
}

/// Leases through the extractor: a delivery whose first handler died (its key claimed under a
/// lease nobody renews) is handled once the lease runs out; a re-send that comes while a slow
/// handler runs (its lease renewed by the extractor's task) waits, then is a duplicate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leases_a_dead_handler_and_a_slow_live_one() {
    use std::sync::atomic::{AtomicU32, Ordering};
    let receiver = Receiver::builder()
        .lease(Duration::from_millis(300))
        .wait(Duration::from_secs(30))
        .poll(Duration::from_millis(10))
        .build()
        .unwrap();
    let calls = Arc::new(AtomicU32::new(0));
    let (r, c) = (receiver.clone(), calls.clone());
    let router = Router::new()
        .route(
            "/hook",
            post(move |hook: Webhook| {
                let c = c.clone();
                async move {
                    c.fetch_add(1, Ordering::SeqCst);
                    if hook.key.contains(":slow-") {
                        // Several leases long: the extractor's task keeps renewing.
                        tokio::time::sleep(Duration::from_millis(1500)).await;
                    }
                    hook
                }
            }),
        )
        .with_state(r);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let post = move |body: Vec<u8>| {
        tokio::task::spawn_blocking(move || {
            let head = format!(
                "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            status_of(&post_raw(port, &head, &body))
        })
    };
    let body = |id: &str| {
        format!(
            r#"{{"action":"event_notify","id":"{id}","event":"duo_callback.end","hangup_by":"1"}}"#
        )
        .into_bytes()
    };

    // The dead handler's claim: never renewed, completed nor released.
    let dead = receiver.begin("", &body("dead-1")).unwrap();
    assert!(dead.owner.is_some());
    assert_eq!(post(body("dead-1")).await.unwrap(), 200);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "handled once its lease ran out"
    );
    assert_eq!(post(body("dead-1")).await.unwrap(), 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "then a duplicate");

    // The slow live handler and its re-send, sent while it runs.
    let first = post(body("slow-1"));
    while calls.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let resend = post(body("slow-1"));
    assert_eq!(first.await.unwrap(), 200);
    assert_eq!(resend.await.unwrap(), 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the slow one handled once");
    server.abort();
}
