//! An IVR menu served over HTTP: three levels of `<get>`, a dial, a recording.
//!
//! ```text
//! cargo run -p yunhuni --example ivr_menu -- --port 8080   # give the platform http://HOST:8080/ivr
//! cargo run -p yunhuni --example ivr_menu                  # walk every branch in the sandbox
//! ```
//!
//! The platform POSTs `ivr_start` (and, when it is the same URL, the `ivr.*` events) to the URL,
//! then GETs each `<next>` URL with the results of the action that ran. The HTTP server here is
//! the standard library's `TcpListener`, to keep the example free of a framework: `handle` is
//! what a handler of axum, actix-web or hyper would call with the method, target and body.
//!
//! ```text
//! main menu   1 sales     1 orders   1 order status, then goodbye
//!                                    2 back to the main menu
//!                         2 a sales agent (dial), then goodbye
//!             2 support   1 opening hours (the call ends after it)
//!                         2 leave a message (record), then thanks
//!             anything else: goodbye
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use yunhuni::ivr::{parse_ivr_next, Dial, Get, IvrNext, Play, Record, Response};
use yunhuni::{Error, Event};

/// The number a caller reaches with "sales, 2".
pub const SALES_AGENT: &str = "13800000099";

fn menu(prompt: &str, next: String) -> Response {
    Response::new()
        .get(Get::new().max_keys(1).play(prompt))
        .next(next)
}

fn goodbye() -> Response {
    Response::new().play("goodbye.wav").end_call()
}

/// The document answering the `<next>` request to `path` (`next.keys`: the keys pressed).
pub fn step(base: &str, path: &str, next: &IvrNext) -> Response {
    let keys = next.keys.as_deref();
    match (path, keys) {
        ("/ivr/main", Some("1")) => menu("sales-menu.wav", format!("{base}/ivr/sales")),
        ("/ivr/main", Some("2")) => menu("support-menu.wav", format!("{base}/ivr/support")),
        ("/ivr/sales", Some("1")) => menu("orders-menu.wav", format!("{base}/ivr/orders")),
        ("/ivr/sales", Some("2")) => Response::new()
            .dial(
                Dial::new(SALES_AGENT)
                    .max_dial_duration(30)
                    .play("ringing.wav"),
            )
            .next(format!("{base}/ivr/goodbye")),
        ("/ivr/orders", Some("1")) => Response::new()
            .play("order-status.wav")
            .next(format!("{base}/ivr/goodbye")),
        ("/ivr/orders", Some("2")) => main_menu(base),
        ("/ivr/support", Some("1")) => Response::new().play("opening-hours.wav").end_call(),
        ("/ivr/support", Some("2")) => Response::new()
            .record(
                Record::new()
                    .max_duration(60)
                    .beeping(true)
                    .finish_keys("#"),
            )
            .next(format!("{base}/ivr/recorded")),
        ("/ivr/recorded", _) => Response::new().play(Play::new("thanks.wav")).end_call(),
        ("/ivr/main" | "/ivr/sales" | "/ivr/orders" | "/ivr/support" | "/ivr/goodbye", _) => {
            goodbye()
        }
        _ => Response::new().hangup(),
    }
}

pub fn main_menu(base: &str) -> Response {
    Response::new()
        .get(
            Get::new()
                .max_keys(1)
                .finish_keys("#")
                .play("main-menu.wav"),
        )
        .next(format!("{base}/ivr/main"))
}

/// One HTTP request of the platform: the status, content type and body to answer with.
/// `on_event` gets each webhook event, typed.
pub fn handle(
    base: &str,
    method: &str,
    target: &str,
    body: &[u8],
    on_event: &dyn Fn(Event),
) -> (u16, &'static str, String) {
    let xml = |doc: Response| match doc.to_xml() {
        Ok(xml) => (200, "text/xml; charset=utf-8", xml),
        // A document the platform would refuse: a bug of this app, said plainly.
        Err(e) => (500, "text/plain", e.to_string()),
    };
    let path = target.split('?').next().unwrap_or("");
    let outcome: Result<(u16, &'static str, String), Error> = (|| {
        if method == "POST" {
            return Ok(match Event::parse(body)? {
                Event::IvrStart(_) => xml(main_menu(base)),
                event => {
                    on_event(event);
                    (200, "text/plain", String::new())
                }
            });
        }
        if method == "GET" && path.starts_with("/ivr/") {
            let next = parse_ivr_next(target)?;
            return Ok(xml(step(base, path, &next)));
        }
        Ok((404, "text/plain", String::new()))
    })();
    outcome.unwrap_or_else(|e| (400, "text/plain", e.to_string()))
}

/// Serves `handle` on `listener`, a thread per connection, until the process ends.
pub fn serve(listener: TcpListener, on_event: Arc<dyn Fn(Event) + Send + Sync>) {
    for stream in listener.incoming().flatten() {
        let on_event = on_event.clone();
        std::thread::spawn(move || {
            let _ = answer(stream, &*on_event);
        });
    }
}

fn answer(stream: TcpStream, on_event: &dyn Fn(Event)) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or("").to_owned(),
        parts.next().unwrap_or("").to_owned(),
    );
    let (mut length, mut host) = (0usize, String::from("localhost"));
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "host" => host = value.trim().to_owned(),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length.min(1024 * 1024)];
    reader.read_exact(&mut body)?;
    let (status, content_type, reply) =
        handle(&format!("http://{host}"), &method, &target, &body, on_event);
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    )
}

/// A branch of the menu: the keys a caller presses, the `<next>` paths the platform then
/// requests, and the event that shows the branch was taken.
pub type Branch = (
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);

/// Every branch of the menu.
pub const BRANCHES: &[Branch] = &[
    (
        &["1", "1", "1"],
        &["/ivr/main", "/ivr/sales", "/ivr/orders", "/ivr/goodbye"],
        "ivr.play_end",
    ),
    (
        &["1", "1", "2", "9"],
        &["/ivr/main", "/ivr/sales", "/ivr/orders", "/ivr/main"],
        "ivr.get_end",
    ),
    (
        &["1", "1", "4"],
        &["/ivr/main", "/ivr/sales", "/ivr/orders"],
        "ivr.play_end",
    ),
    (
        &["1", "2"],
        &["/ivr/main", "/ivr/sales", "/ivr/goodbye"],
        "ivr.connect_end",
    ),
    (&["1", "7"], &["/ivr/main", "/ivr/sales"], "ivr.play_end"),
    (&["2", "1"], &["/ivr/main", "/ivr/support"], "ivr.play_end"),
    (
        &["2", "2"],
        &["/ivr/main", "/ivr/support", "/ivr/recorded"],
        "ivr.record_end",
    ),
    (&["2", "5"], &["/ivr/main", "/ivr/support"], "ivr.play_end"),
    (&["3"], &["/ivr/main"], "ivr.play_end"),
];

/// Walks every branch in the sandbox; an error names the branch that went astray.
pub fn walk_every_branch() -> Result<(), String> {
    use yunhuni_sandbox::{Behavior, Sandbox};
    let events: Arc<Mutex<Vec<Event>>> = Arc::default();
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let url = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let seen = events.clone();
    std::thread::spawn(move || serve(listener, Arc::new(move |e| seen.lock().unwrap().push(e))));
    let sb = Sandbox::builder()
        .callback_url(format!("{url}/events"))
        .ivr_url(format!("{url}/ivr"))
        .time_scale(200.0)
        .behavior(
            SALES_AGENT,
            Behavior::answer_after(2000).hangup_after(20_000),
        )
        .start()
        .map_err(|e| e.to_string())?;
    for (i, (keys, paths, shows)) in BRANCHES.iter().enumerate() {
        let caller = format!("1360000{i:04}");
        sb.set_behavior(
            &caller,
            Behavior::answer_after(0).presses(keys.iter().copied()),
        );
        let call_id = sb
            .inbound_call(&caller, "02088880000")
            .map_err(|e| e.to_string())?;
        sb.wait_for_end(&call_id, std::time::Duration::from_secs(30))
            .ok_or(format!("keys {keys:?}: the call did not end"))?;
        let requested: Vec<String> = sb
            .ivr_requests(&call_id)
            .unwrap_or_default()
            .iter()
            .skip(1)
            .map(|r| {
                r.url
                    .split('?')
                    .next()
                    .unwrap_or("")
                    .trim_start_matches(&url)
                    .to_owned()
            })
            .collect();
        if requested != *paths {
            return Err(format!(
                "keys {keys:?}: requested {requested:?}, not {paths:?}"
            ));
        }
        // Wait for the app to have received the call's ivr.call_end, then read its events.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let mine: Vec<Event> = loop {
            let mine: Vec<Event> = events
                .lock()
                .unwrap()
                .iter()
                .filter(|e| e.id() == Some(call_id.as_str()))
                .cloned()
                .collect();
            if mine.iter().any(|e| matches!(e, Event::IvrCallEnd(_))) {
                break mine;
            }
            if std::time::Instant::now() > deadline {
                return Err(format!("keys {keys:?}: no ivr.call_end reached the app"));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let pressed: Vec<String> = mine
            .iter()
            .filter_map(|e| match e {
                Event::IvrGetEnd(g) => Some(g.keys.clone().unwrap_or_default()),
                _ => None,
            })
            .collect();
        if pressed != *keys || !mine.iter().any(|e| e.name() == *shows) {
            let names: Vec<&str> = mine.iter().map(Event::name).collect();
            return Err(format!("keys {keys:?}: events {names:?}, keys {pressed:?}"));
        }
        let names: Vec<&str> = mine.iter().map(Event::name).collect();
        println!(
            "keys {:<16} -> {:<45} events {}",
            keys.join(" "),
            paths.join(" "),
            names.join(", ")
        );
    }
    Ok(())
}

#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--port") {
        let port = args.get(at + 1).cloned().unwrap_or_default();
        let listener = TcpListener::bind(format!("0.0.0.0:{port}")).expect("listen");
        println!(
            "IVR menu on http://{}/ivr",
            listener.local_addr().expect("address")
        );
        serve(
            listener,
            Arc::new(|e: Event| println!("event {}", e.to_value())),
        );
        return;
    }
    if let Err(e) = walk_every_branch() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
