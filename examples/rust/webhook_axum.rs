//! A webhook receiver with axum: each voice callback's end event updates its order, once.
//!
//! ```text
//! cargo run -p yunhuni --features axum,redis --example webhook_axum -- --port 8090 --token s3cret
//!     # give the platform http://HOST:8090/yunhuni/events?token=s3cret as the callback URL;
//!     # add --redis redis://127.0.0.1:6379/ when several processes receive
//! cargo run -p yunhuni --features axum,redis --example webhook_axum
//!     # three calls in the sandbox, their events received here
//! ```
//!
//! The `Webhook` extractor does the receiving (the URL token, the body limit, the typed event,
//! duplicates answered 200 without calling the handler). The handler only handles; when the
//! order cannot be saved it answers `hook.retry()`, which releases the delivery so that the
//! platform's re-send is handled.

use axum::extract::{FromRef, State};
use axum::routing::post;
use axum::Router;
use std::collections::HashMap;
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use yunhuni::webhook::axum::{Retry, Webhook};
use yunhuni::webhook::{Receiver, RedisStore};
use yunhuni::Event;

/// The application's state: the receiver, and its "database" of orders.
#[derive(Clone)]
pub struct App {
    pub receiver: Receiver,
    /// Order (the call's `user_data`) -> how its call ended.
    pub orders: Arc<Mutex<HashMap<String, String>>>,
}

impl FromRef<App> for Receiver {
    fn from_ref(app: &App) -> Receiver {
        app.receiver.clone()
    }
}

async fn on_event(State(app): State<App>, hook: Webhook) -> Result<Webhook, Retry> {
    if let Event::DuoCallbackEnd(end) = &hook.event {
        let order = end.user_data.clone().unwrap_or_default();
        let outcome = end.outcome().to_string();
        // Saving can fail (here: a lock poisoned by a crash elsewhere); then ask for a re-send.
        let mut orders = app.orders.lock().map_err(|_| hook.retry())?;
        println!(
            "order {order}: call {} {outcome}",
            end.id.as_deref().unwrap_or("?")
        );
        orders.insert(order, outcome);
    }
    Ok(hook) // 200 ok
}

/// The router: POST /yunhuni/events.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/yunhuni/events", post(on_event))
        .with_state(app)
}

/// Three voice callbacks in the sandbox, their end events received by this application on a
/// free port; gives the orders once all three are updated.
pub async fn run_against_sandbox() -> Result<HashMap<String, String>, Box<dyn std::error::Error>> {
    let app = App {
        receiver: Receiver::builder().token("s3cret").build()?,
        orders: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!(
        "http://{}/yunhuni/events?token=s3cret",
        listener.local_addr()?
    );
    let server = tokio::spawn(axum::serve(listener, router(app.clone())).into_future());
    let sandbox = tokio::task::spawn_blocking(move || -> Result<_, String> {
        let sb = yunhuni_sandbox::Sandbox::builder()
            .time_scale(200.0)
            .callback_url(url)
            .start()
            .map_err(|e| e.to_string())?;
        let client = yunhuni::Client::builder(sb.app_id(), sb.cert_id(), sb.secret_key())
            .base_url(sb.base_url())
            .build()
            .map_err(|e| e.to_string())?;
        // The third party 1 is busy (a number the sandbox reserves for that).
        let calls = [
            ("order-1", "13800000201"),
            ("order-2", "13800000202"),
            ("order-3", "13900000001"),
        ];
        for (i, (order, to1)) in calls.into_iter().enumerate() {
            let call =
                yunhuni::DuoCallback::new(to1, format!("1380000010{i}"), 60).user_data(order);
            client.duo_callback(&call).map_err(|e| e.to_string())?;
        }
        Ok(sb)
    })
    .await??;
    let mut waited = Duration::ZERO;
    while app.orders.lock().map_or(0, |o| o.len()) < 3 && waited < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
    server.abort();
    tokio::task::spawn_blocking(move || sandbox.shutdown()).await?;
    let orders = app.orders.lock().map_err(|_| "poisoned")?.clone();
    Ok(orders)
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(port) = arg("--port") else {
        let orders = run_against_sandbox().await?;
        println!("{} orders updated: {orders:?}", orders.len());
        return Ok(());
    };
    let mut receiver = Receiver::builder();
    if let Some(token) = arg("--token") {
        receiver = receiver.token(token);
    }
    if let Some(url) = arg("--redis") {
        receiver = receiver.store(RedisStore::open(&url)?);
    }
    let app = App {
        receiver: receiver.build()?,
        orders: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind(format!("0.0.0.0:{port}")).await?;
    println!(
        "receiving on http://{}/yunhuni/events",
        listener.local_addr()?
    );
    axum::serve(listener, router(app)).await?;
    Ok(())
}
