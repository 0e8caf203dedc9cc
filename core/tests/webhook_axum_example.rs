//! examples/rust/webhook_axum.rs receiving a sandbox run: every order updated from its call's
//! end event.

#[allow(dead_code)]
#[path = "../../examples/rust/webhook_axum.rs"]
mod example;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_updates_every_order() {
    let orders = example::run_against_sandbox().await.unwrap();
    assert_eq!(orders.len(), 3, "{orders:?}");
    assert_eq!(orders["order-1"], "connected");
    assert_eq!(orders["order-2"], "connected");
    assert_eq!(orders["order-3"], "party1_not_reached");
}
