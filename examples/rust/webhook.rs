//! Parse what the platform POSTs to your webhook: `cargo run -p yunhuni --example webhook < body.json`.
//! In a web framework, hand the request's query and raw body to `yunhuni::webhook::Receiver`
//! instead: it checks the URL token, parses, says whether the delivery was seen before and what to
//! answer (with axum, the `Webhook` extractor does it all: examples/rust/webhook_axum.rs).
use std::io::Read;
use yunhuni::Event;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body)?;
    match Event::parse(&body)? {
        Event::DuoCallbackEnd(end) => println!(
            "call {} ended: {} (talked {} s, hung up by {:?}, user_data {:?})",
            end.id.as_deref().unwrap_or("?"),
            end.outcome(),
            end.talk_seconds(),
            end.hangup_by,
            end.user_data
        ),
        other => println!("{} event: {}", other.name(), other.raw_json()),
    }
    Ok(())
}
