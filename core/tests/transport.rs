//! Transport faults against real loopback listeners: each ends with the right error kind,
//! within a loose bound of the configured timeout, and nothing is ever sent twice.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use yunhuni::{Client, DuoCallback, ErrorKind};

const SECRET: &str = "s3cr3t-never-printed-0123456789";

/// A listener that runs `reply` on each accepted connection and counts connections.
fn serve(reply: impl Fn(TcpStream) + Send + Sync + 'static) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let reply = Arc::new(reply);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            seen.fetch_add(1, Ordering::SeqCst);
            let reply = reply.clone();
            thread::spawn(move || reply(stream));
        }
    });
    (url, count)
}

/// Reads one request (headers and a Content-Length body).
fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            return buf;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse::<usize>().unwrap());
            if buf.len() >= end + 4 + len {
                return buf;
            }
        }
    }
}

fn respond(raw: &'static [u8]) -> impl Fn(TcpStream) + Send + Sync + 'static {
    move |mut s| {
        read_request(&mut s);
        let _ = s.write_all(raw);
        let _ = s.flush();
    }
}

fn client(url: &str, timeout: Duration) -> Client {
    Client::builder("app", "cert", SECRET)
        .base_url(url)
        .timeout(timeout)
        .connect_timeout(timeout)
        .connect_retries(3)
        .build()
        .unwrap()
}

fn place(url: &str, timeout: Duration) -> (yunhuni::Error, Duration) {
    let started = Instant::now();
    let err = client(url, timeout)
        .duo_callback(&DuoCallback::new("13800000001", "13800000002", 60))
        .unwrap_err();
    let elapsed = started.elapsed();
    for text in [
        err.to_string(),
        format!("{err:?}"),
        err.message().to_owned(),
    ] {
        assert!(!text.contains(SECRET), "secret leaked: {text}");
    }
    (err, elapsed)
}

#[test]
fn listener_that_never_answers_times_out() {
    let (url, count) = serve(|mut s| {
        read_request(&mut s);
        thread::sleep(Duration::from_secs(30));
    });
    let timeout = Duration::from_millis(500);
    let (err, elapsed) = place(&url, timeout);
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(
        elapsed >= timeout / 2 && elapsed < timeout * 3,
        "took {elapsed:?}"
    );
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "the request was sent again"
    );
}

#[test]
fn listener_that_accepts_and_reads_nothing_times_out() {
    let (url, _) = serve(|s| {
        thread::sleep(Duration::from_secs(30));
        drop(s);
    });
    let (err, elapsed) = place(&url, Duration::from_millis(400));
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(elapsed < Duration::from_millis(1200), "took {elapsed:?}");
}

#[test]
fn garbage_is_a_transport_error() {
    let (url, count) = serve(respond(b"this is not HTTP at all\r\n\r\n"));
    let (err, _) = place(&url, Duration::from_secs(2));
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "the request was sent again"
    );
}

#[test]
fn close_mid_response_is_a_transport_error() {
    let (url, count) =
        serve(respond(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"code\":\"00"));
    let (err, _) = place(&url, Duration::from_secs(2));
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn close_before_any_response_is_not_retried() {
    let (url, count) = serve(|mut s| {
        read_request(&mut s);
    });
    let (err, _) = place(&url, Duration::from_secs(2));
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "a request that reached the server was sent again"
    );
}

#[test]
fn http_401_is_auth_with_the_server_text() {
    let (url, _) = serve(respond(
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"Secure realm\"\r\nContent-Length: 34\r\n\r\nHTTP Status 401 - Bad credentials\n"
            .as_bytes(),
    ));
    let (err, _) = place(&url, Duration::from_secs(2));
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.status(), Some(401));
    assert!(err.message().contains("Bad credentials"), "{err}");
}

#[test]
fn http_500_with_html_is_http_with_the_body_head() {
    let (url, _) = serve(|mut s| {
        read_request(&mut s);
        let body = format!(
            "<html><body><h1>Internal Server Error</h1>{}</body></html>",
            "x".repeat(5000)
        );
        let head = format!("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n", body.len());
        let _ = s.write_all(head.as_bytes());
        let _ = s.write_all(body.as_bytes());
    });
    let (err, _) = place(&url, Duration::from_secs(2));
    assert_eq!(err.kind(), ErrorKind::Http);
    assert_eq!(err.status(), Some(500));
    assert!(err.message().contains("Internal Server Error"));
    assert!(
        err.message().len() < 1200,
        "carries more than 1 KiB of body: {}",
        err.message().len()
    );
}

#[test]
fn ok_status_with_a_body_that_is_not_the_envelope_is_decode() {
    for raw in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nnot json!"[..],
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nContent-Length: 41\r\n\r\n{\"code\":\"000000\",\"msg\":\"ok\",\"data\":null}\n",
    ] {
        let (url, _) = serve(respond(raw));
        let (err, _) = place(&url, Duration::from_secs(2));
        assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
        assert_eq!(err.status(), Some(200));
    }
}

#[test]
fn platform_code_is_api_with_code_and_meaning() {
    let body = "{\"code\":\"010001\",\"msg\":\"应用没上线\",\"data\":null}";
    let raw = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    let raw: &'static [u8] = Box::leak(raw.into_bytes().into_boxed_slice());
    let (url, _) = serve(respond(raw));
    let (err, _) = place(&url, Duration::from_secs(2));
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.code(), Some("010001"));
    assert!(
        err.message().contains("应用没上线") && err.message().contains("not online"),
        "{err}"
    );
    assert_eq!(err.platform_message(), Some("应用没上线"));
}

#[test]
fn refused_connection_is_transport_and_retried_only_then() {
    // Bind and drop to find a port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (err, elapsed) = place(&format!("http://127.0.0.1:{port}"), Duration::from_secs(2));
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(err.message().contains("could not connect"), "{err}");
    assert!(elapsed < Duration::from_secs(6));
}

#[test]
fn validation_errors_send_nothing() {
    let (url, count) = serve(respond(b"HTTP/1.1 500 X\r\nContent-Length: 0\r\n\r\n"));
    let c = client(&url, Duration::from_secs(2));
    let err = c
        .duo_callback(&DuoCallback::new("13800000001", "13800000001", 60))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::Validation, Some("to2"))
    );
    let err = c.cancel_duo_callback("").unwrap_err();
    assert_eq!(err.field(), Some("call_id"));
    assert_eq!(count.load(Ordering::SeqCst), 0);
}

/// Head and body leave in one write: the first read on the server side holds the whole request.
#[test]
fn head_and_body_arrive_together() {
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let (url, _) = serve(move |mut s| {
        let mut first = vec![0u8; 64 * 1024];
        let n = s.read(&mut first).unwrap_or(0);
        tx.lock().unwrap().send(first[..n].to_vec()).unwrap();
        let body = r#"{"code":"000000","msg":"ok","data":{"callId":"0123456789abcdef0123456789abcdef","user_data":null}}"#;
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    client(&url, Duration::from_secs(2))
        .duo_callback(&DuoCallback::new("13800000001", "13800000002", 60))
        .unwrap();
    let first = rx.recv().unwrap();
    let text = String::from_utf8_lossy(&first);
    assert!(
        text.starts_with("POST ") && text.ends_with(r#""max_call_duration":60}"#),
        "first read: {text:?}"
    );
}

/// A body larger than what is held back, and larger than one transport buffer, arrives whole.
#[test]
fn large_bodies_arrive_whole() {
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let (url, _) = serve(move |mut s| {
        let request = read_request(&mut s);
        tx.lock().unwrap().send(request).unwrap();
        let body = r#"{"code":"000000","msg":"ok","data":7}"#;
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    let big = "x".repeat(300 * 1024);
    let data = client(&url, Duration::from_secs(5))
        .post("call/anything", &serde_json::json!({ "big": big }))
        .unwrap();
    assert_eq!(data, 7);
    let request = rx.recv().unwrap();
    let body_start = request.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(
        request.len() - body_start,
        big.len() + r#"{"big":""}"#.len()
    );
}

#[test]
fn timeouts_that_cannot_be_honoured_are_refused() {
    for (timeout, connect) in [
        (Duration::MAX, Duration::from_secs(1)),
        (Duration::from_secs(1), Duration::MAX),
        (Duration::from_secs(24 * 3600 + 1), Duration::from_secs(1)),
        (Duration::ZERO, Duration::from_secs(1)),
    ] {
        let err = Client::builder("app", "cert", SECRET)
            .timeout(timeout)
            .connect_timeout(connect)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        let want = if connect > Duration::from_secs(1) {
            "connect_timeout"
        } else {
            "timeout"
        };
        assert_eq!(err.field(), Some(want), "{err}");
    }
    assert!(Client::builder("app", "cert", SECRET)
        .timeout(yunhuni::MAX_TIMEOUT)
        .build()
        .is_ok());
}

#[test]
fn a_reset_after_the_request_was_written_says_it_may_have_been_sent() {
    let (url, count) = serve(respond(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"code\":\"00",
    ));
    let (err, _) = place(&url, Duration::from_secs(2));
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(err.maybe_sent(), "{err}");
    assert!(
        err.message().contains("may have reached the server"),
        "{err}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);

    // Nothing could be written to a port that refuses connections.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let (err, _) = place(&url, Duration::from_secs(2));
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(!err.maybe_sent(), "{err}");
}

#[test]
fn a_timeout_waiting_for_the_answer_may_have_been_sent_and_names_its_limit() {
    // Headers arrive, then the body never does.
    let (url, _) = serve(|mut s| {
        read_request(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{");
        thread::sleep(Duration::from_secs(3));
    });
    let (err, _) = place(&url, Duration::from_millis(400));
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.maybe_sent(), "{err}");
    assert!(!err.message().contains("0ns"), "{err}");
}

#[test]
fn server_text_is_escaped_in_messages() {
    let (url, _) = serve(respond(
        b"HTTP/1.1 500 X\r\nContent-Length: 16\r\n\r\n\x1b[2J\x1b]0;pwn\x07 boom",
    ));
    let (err, _) = place(&url, Duration::from_secs(2));
    assert_eq!(err.kind(), ErrorKind::Http, "{err}");
    assert!(!err.message().chars().any(char::is_control), "{err:?}");
    assert!(err.message().contains("\\u{1b}[2J"), "{err}");
    let raw: &'static [u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 51\r\n\r\n{\"code\":\"000002\",\"msg\":\"\\u001b[31mred\",\"data\":null}";
    let (url, _) = serve(respond(raw));
    let (err, _) = place(&url, Duration::from_secs(2));
    assert_eq!(err.kind(), ErrorKind::Api, "{err}");
    assert!(!err.message().chars().any(char::is_control), "{err:?}");
    assert_eq!(err.platform_message(), Some("\u{1b}[31mred"));
}

#[test]
fn base_url_messages_hide_passwords_and_stay_short() {
    let err = Client::builder("app", "cert", SECRET)
        .base_url("https://user:hunter2@api.example.com/x?y")
        .build()
        .unwrap_err();
    assert_eq!(err.field(), Some("base_url"));
    assert!(!err.message().contains("hunter2"), "{err}");
    assert!(err.message().contains("***@api.example.com"), "{err}");
    let huge = format!("https://{}", "a/".repeat(5_000_000));
    let err = Client::builder("app", "cert", SECRET)
        .base_url(format!("{huge}?q"))
        .build()
        .unwrap_err();
    assert!(err.message().len() < 1000, "{} bytes", err.message().len());
}

#[test]
fn a_server_that_closes_after_each_answer_never_gets_a_request_twice() {
    // The server answers without `Connection: close` and then closes. A pooled connection
    // found closed before the next request is written is replaced, and the request goes on a
    // new one; once the client has seen that, it asks for `Connection: close` and stops reusing
    // connections, so the race below stops. When the close comes after a request was written,
    // nobody can tell whether the server acted on it: that request fails with `maybe_sent` and
    // is never sent again.
    let received = Arc::new(AtomicUsize::new(0));
    let asked_to_close = Arc::new(AtomicUsize::new(0));
    let (seen, closing) = (received.clone(), asked_to_close.clone());
    let (url, _) = serve(move |mut s| {
        let raw = read_request(&mut s);
        seen.fetch_add(1, Ordering::SeqCst);
        if String::from_utf8_lossy(&raw)
            .to_ascii_lowercase()
            .contains("\r\nconnection: close\r\n")
        {
            closing.fetch_add(1, Ordering::SeqCst);
        }
        let body =
            br#"{"code":"000000","msg":"ok","data":{"callId":"0123456789abcdef0123456789abcdef"}}"#;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let _ = s.write_all(&[head.as_bytes(), body].concat());
    });
    let client = client(&url, Duration::from_secs(5));
    let request = DuoCallback::new("13800000001", "13800000002", 60);
    let (ok, failed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let place = || match client.duo_callback(&request) {
        Ok(_) => {
            ok.fetch_add(1, Ordering::SeqCst);
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
            assert!(e.maybe_sent(), "{e}");
            failed.fetch_add(1, Ordering::SeqCst);
        }
    };
    for _ in 0..100 {
        place();
        // A pause now and then lets the server's close arrive, as it does between most calls.
        thread::sleep(Duration::from_millis(1));
    }
    thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| (0..25).for_each(|_| place()));
        }
    });
    // Every request the server read was answered, and none was read twice.
    assert_eq!(received.load(Ordering::SeqCst), ok.load(Ordering::SeqCst));
    // The client noticed and stopped reusing connections: the race happened a few times at most.
    assert!(
        asked_to_close.load(Ordering::SeqCst) > 250,
        "{asked_to_close:?}"
    );
    assert!(failed.load(Ordering::SeqCst) < 20, "{failed:?}");
}

#[test]
fn a_call_can_have_its_own_timeout() {
    let (url, _) = serve(|mut s| {
        read_request(&mut s);
        thread::sleep(Duration::from_secs(5));
    });
    let client = client(&url, Duration::from_secs(30));
    let request = yunhuni::Request::new("ext_list").unwrap();
    let started = Instant::now();
    let err = client
        .send_with(
            &request,
            &yunhuni::CallOptions::timeout(Duration::from_millis(300)),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(err.message().contains("300ms"), "{err}");
    let err = client
        .send_with(&request, &yunhuni::CallOptions::timeout(Duration::MAX))
        .unwrap_err();
    assert_eq!(err.field(), Some("timeout"));
}

#[test]
fn requests_go_through_an_explicit_proxy() {
    let seen = Arc::new(std::sync::Mutex::new(String::new()));
    let record = seen.clone();
    let (proxy, _) = serve(move |mut s| {
        // The agent opens a tunnel, then sends the request through it.
        let connect = read_request(&mut s);
        let _ = s.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
        let raw = read_request(&mut s);
        *record.lock().unwrap() = format!(
            "{}{}",
            String::from_utf8_lossy(&connect),
            String::from_utf8_lossy(&raw)
        );
        let body = br#"{"code":"000000","msg":"ok","data":null}"#;
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
        let _ = s.write_all(&[head.as_bytes(), body].concat());
    });
    let client = Client::builder("app", "cert", SECRET)
        .base_url("http://api.invalid:8080")
        .proxy(proxy)
        .build()
        .unwrap();
    client.cancel_duo_callback("abc").unwrap();
    let raw = seen.lock().unwrap().clone();
    assert!(
        raw.starts_with("CONNECT api.invalid:8080 HTTP/1.1\r\n"),
        "{raw}"
    );
    assert!(
        raw.contains("\r\n\r\nPOST /v1/account/cert/call/duo_callback_cancel HTTP/1.1\r\n"),
        "{raw}"
    );
    let err = Client::builder("app", "cert", SECRET)
        .proxy("ftp://user:hunter2@x")
        .build()
        .unwrap_err();
    assert_eq!(err.field(), Some("proxy"), "{err}");
    assert!(!err.message().contains("hunter2"), "{err}");
    assert!(Client::builder("app", "cert", SECRET)
        .no_proxy()
        .build()
        .is_ok());
}

#[test]
fn every_request_is_reported_without_secrets() {
    let raw: &'static [u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 39\r\n\r\n{\"code\":\"010001\",\"msg\":\"x\",\"data\":null}";
    let (url, _) = serve(respond(raw));
    let logs = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = logs.clone();
    let client = Client::builder("app", "cert", SECRET)
        .base_url(&url)
        .on_request(move |log| sink.lock().unwrap().push(log.clone()))
        .build()
        .unwrap();
    let request = yunhuni::Request::new("ext_list")
        .unwrap()
        .with("page_no", 2)
        .unwrap();
    let err = client.send(&request).unwrap_err();
    assert_eq!(err.code(), Some("010001"));
    let logs = logs.lock().unwrap();
    assert_eq!(logs.len(), 1);
    let log = &logs[0];
    assert_eq!(log.method, "GET");
    assert_eq!(log.path, "callcenter/extension?pageNo=2");
    assert_eq!(log.status, Some(200));
    assert_eq!(log.code.as_deref(), Some("010001"));
    assert_eq!(log.error, Some(ErrorKind::Api));
    assert_eq!(log.attempts, 1);
    let text = format!("{log} {log:?}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(
        text.starts_with("GET callcenter/extension?pageNo=2 -> 200 010001 (api error)"),
        "{text}"
    );
}

#[test]
fn a_proxy_that_cannot_be_reached_is_named() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://user:hunter2@{}", listener.local_addr().unwrap());
    drop(listener);
    let client = Client::builder("app", "cert", SECRET)
        .base_url("http://api.invalid")
        .proxy(proxy)
        .build()
        .unwrap();
    let err = client.cancel_duo_callback("abc").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(
        err.message()
            .contains("through the proxy http://***@127.0.0.1"),
        "{err}"
    );
    assert!(!err.message().contains("hunter2"), "{err}");
    let err = Client::builder("app", "cert", SECRET)
        .base_url("http://u:pw@127.0.0.1:1/")
        .build()
        .unwrap_err();
    assert!(
        err.message().contains("must not carry user:password@"),
        "{err}"
    );
}

/// Requests in flight up to the client's idle-connection limit reuse their connections: after
/// the first round, no connection is opened again. Above the limit, the extra connections are
/// closed after their answers; with a limit of 0 every request has a connection of its own.
#[test]
fn connections_are_reused_up_to_the_idle_limit() {
    let answered = Arc::new(AtomicUsize::new(0));
    let seen = answered.clone();
    let (url, connections) = serve(move |mut s| loop {
        if read_request(&mut s).is_empty() {
            return;
        }
        seen.fetch_add(1, Ordering::SeqCst);
        let body =
            br#"{"code":"000000","msg":"ok","data":{"callId":"0123456789abcdef0123456789abcdef"}}"#;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        if s.write_all(&[head.as_bytes(), body].concat()).is_err() {
            return;
        }
    });
    let request = DuoCallback::new("13800000001", "13800000002", 60);
    let rounds = |client: &Client, threads: usize, each: usize| {
        let barrier = std::sync::Barrier::new(threads);
        thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    for _ in 0..each {
                        // All threads in flight together, round after round.
                        barrier.wait();
                        client.duo_callback(&request).unwrap();
                    }
                });
            }
        });
    };
    let client = Client::builder("app", "cert", SECRET)
        .base_url(&url)
        .max_idle_connections(16)
        .no_proxy()
        .build()
        .unwrap();
    rounds(&client, 16, 20);
    let opened = connections.load(Ordering::SeqCst);
    assert!(
        opened <= 16,
        "{opened} connections for 16 requests in flight"
    );
    assert_eq!(answered.load(Ordering::SeqCst), 16 * 20);

    let client = Client::builder("app", "cert", SECRET)
        .base_url(&url)
        .max_idle_connections(0)
        .no_proxy()
        .build()
        .unwrap();
    let before = connections.load(Ordering::SeqCst);
    rounds(&client, 2, 5);
    assert_eq!(connections.load(Ordering::SeqCst) - before, 10);

    let err = Client::builder("app", "cert", SECRET)
        .max_idle_connections(1 << 20)
        .build()
        .unwrap_err();
    assert_eq!(err.field(), Some("max_idle_connections"), "{err}");
}
