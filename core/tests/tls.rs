//! HTTPS certificates are verified: a server whose certificate no trusted authority signed is
//! refused before any byte of the request is sent.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use yunhuni::{Client, DuoCallback, ErrorKind};

#[test]
fn untrusted_certificate_is_refused() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let cert = CertificateDer::from_pem_file(format!("{dir}/untrusted-cert.pem")).unwrap();
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/untrusted-key.pem")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let got_request = Arc::new(AtomicBool::new(false));
    let seen = got_request.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut stream = stream;
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut tls = rustls::Stream::new(&mut conn, &mut stream);
            let mut buf = [0u8; 1024];
            // The handshake fails on the client's side, so no application data ever arrives.
            if matches!(tls.read(&mut buf), Ok(n) if n > 0) {
                seen.store(true, Ordering::SeqCst);
            }
        }
    });
    let client = Client::builder("app", "cert", "secret")
        .base_url(format!("https://127.0.0.1:{port}"))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = client
        .duo_callback(&DuoCallback::new("13800000001", "13800000002", 60))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(
        err.message().to_lowercase().contains("certificate"),
        "{err}"
    );
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        !got_request.load(Ordering::SeqCst),
        "the request reached an untrusted server"
    );
}
