//! Place a voice callback. Against the sandbox: start `cargo run -p yunhuni-cli -- sandbox`,
//! export the variables it prints, then `cargo run -p yunhuni --example callback`.
use yunhuni::{Client, DuoCallback};

fn main() -> Result<(), yunhuni::Error> {
    let client = Client::from_env()?; // YUNHUNI_APP_ID, YUNHUNI_CERT_ID, YUNHUNI_SECRET_KEY, YUNHUNI_BASE_URL
    let request = DuoCallback::new("13800000001", "13800000002", 600).user_data("order-42");
    let call = client.duo_callback(&request)?;
    println!("placed voice callback {}", call.call_id);
    Ok(())
}
