//! `webhook::RedisStore` against a real redis-server: the key and its expiry as other languages
//! read them, two receivers (as two processes) sharing what they saw, concurrent claims,
//! release, and a Redis that is gone (503, not a hang).

mod redis_server;

use redis_server::RedisServer;
use std::sync::Arc;
use std::time::Duration;
use yunhuni::webhook::{Receiver, RedisStore, Store, DEFAULT_TTL, REDIS_KEY_PREFIX};
use yunhuni::ErrorKind;

const END: &[u8] = br#"{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001","answer_time2":1490930420000,"user_data":"order-42","event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}"#;

fn raw(server: &RedisServer) -> redis::Connection {
    redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap()
}

#[test]
fn claim_is_set_nx_px_under_the_shared_prefix() {
    let server = RedisServer::start();
    let store = RedisStore::open(&server.url()).unwrap();
    assert!(store.claim("k1").unwrap());
    assert!(!store.claim("k1").unwrap());
    let mut c = raw(&server);
    let value: String = redis::cmd("GET")
        .arg(format!("{REDIS_KEY_PREFIX}k1"))
        .query(&mut c)
        .unwrap();
    assert_eq!(value, "1");
    let pttl: i64 = redis::cmd("PTTL")
        .arg("yunhuni:webhook:k1")
        .query(&mut c)
        .unwrap();
    assert!(pttl > 0 && pttl <= DEFAULT_TTL.as_millis() as i64, "{pttl}");
    store.release("k1").unwrap();
    let exists: i64 = redis::cmd("EXISTS")
        .arg("yunhuni:webhook:k1")
        .query(&mut c)
        .unwrap();
    assert_eq!(exists, 0);
    assert!(store.claim("k1").unwrap());

    let short = RedisStore::open(&server.url())
        .unwrap()
        .ttl(Duration::from_secs(90))
        .unwrap();
    assert!(short.claim("k2").unwrap());
    let pttl: i64 = redis::cmd("PTTL")
        .arg("yunhuni:webhook:k2")
        .query(&mut c)
        .unwrap();
    assert!(pttl > 0 && pttl <= 90_000, "{pttl}");
    // A key set by another language's store (same command) is seen here.
    let _: () = redis::cmd("SET")
        .arg("yunhuni:webhook:from-elsewhere")
        .arg(1)
        .arg("NX")
        .arg("PX")
        .arg(60_000)
        .query(&mut c)
        .unwrap();
    assert!(!store.claim("from-elsewhere").unwrap());
}

#[test]
fn two_receivers_share_what_they_saw() {
    let server = RedisServer::start();
    let a = Receiver::builder()
        .store(RedisStore::open(&server.url()).unwrap())
        .build()
        .unwrap();
    let b = Receiver::builder()
        .store(RedisStore::open(&server.url()).unwrap())
        .build()
        .unwrap();
    let first = a.receive("", END).unwrap();
    assert!(!first.duplicate);
    let again = b.receive("", END).unwrap();
    assert!(again.duplicate);
    assert_eq!(again.key, first.key);
    // The handler in `a` failed: it releases, and `b` handles the re-send.
    a.release(&first.key).unwrap();
    assert!(!b.receive("", END).unwrap().duplicate);
    assert!(a.receive("", END).unwrap().duplicate);
}

#[test]
fn concurrent_claims_succeed_once_per_key() {
    let server = RedisServer::start();
    let store = Arc::new(RedisStore::open(&server.url()).unwrap());
    let wins: usize = (0..8)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                (0..100)
                    .filter(|i| store.claim(&format!("race{i}")).unwrap())
                    .count()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .sum();
    assert_eq!(wins, 100);
}

#[test]
fn a_redis_that_is_gone_is_a_503_not_a_hang() {
    let mut server = RedisServer::start();
    let receiver = Receiver::builder()
        .store(
            RedisStore::open(&server.url())
                .unwrap()
                .timeout(Duration::from_secs(2))
                .unwrap(),
        )
        .build()
        .unwrap();
    assert!(!receiver.receive("", END).unwrap().duplicate);
    server.stop();
    let e = receiver.receive("", END).unwrap_err();
    assert_eq!(e.status(), Some(503), "{e}");
    assert!(matches!(e.kind(), ErrorKind::Transport), "{e}");
    assert!(e.message().contains("dedup store"), "{e}");
    assert_eq!(receiver.release("k").unwrap_err().status(), Some(503));
}

#[test]
fn settings_are_checked_and_passwords_not_shown() {
    let e = RedisStore::open("http://example").unwrap_err();
    assert_eq!(e.field(), Some("url"));
    let store = RedisStore::open("redis://:hunter2secret@127.0.0.1:1/").unwrap();
    assert!(!format!("{store:?}").contains("hunter2secret"));
    let store = store.timeout(Duration::from_millis(500)).unwrap();
    let e = store.claim("k").unwrap_err();
    assert!(!e.message().contains("hunter2secret"), "{e}");
    let e = RedisStore::open("redis://127.0.0.1/")
        .unwrap()
        .ttl(Duration::ZERO)
        .unwrap_err();
    assert_eq!(e.field(), Some("ttl"));
    let e = RedisStore::open("redis://127.0.0.1/")
        .unwrap()
        .timeout(Duration::from_secs(600))
        .unwrap_err();
    assert_eq!(e.field(), Some("timeout"));
}

#[test]
fn leases_in_redis_use_cores_scripts() {
    use yunhuni::webhook::{new_owner, Claim, DONE_VALUE};
    let server = RedisServer::start();
    let store = RedisStore::open(&server.url()).unwrap();
    let mut c = raw(&server);
    let (a, b) = (new_owner(), new_owner());
    let lease = Duration::from_secs(2);
    assert_eq!(store.claim_lease("k", &a, lease).unwrap(), Claim::Claimed);
    let value: String = redis::cmd("GET")
        .arg("yunhuni:webhook:k")
        .query(&mut c)
        .unwrap();
    assert_eq!(value, a);
    let pttl: i64 = redis::cmd("PTTL")
        .arg("yunhuni:webhook:k")
        .query(&mut c)
        .unwrap();
    assert!(pttl > 0 && pttl <= 2000, "{pttl}");
    assert_eq!(store.claim_lease("k", &b, lease).unwrap(), Claim::Pending);
    assert!(!store.renew("k", &b, lease).unwrap());
    assert!(!store.release_owned("k", &b).unwrap());
    assert!(store.renew("k", &a, Duration::from_secs(9)).unwrap());
    let pttl: i64 = redis::cmd("PTTL")
        .arg("yunhuni:webhook:k")
        .query(&mut c)
        .unwrap();
    assert!(pttl > 2000 && pttl <= 9000, "{pttl}");
    assert!(!store.complete("k", &b).unwrap());
    assert!(store.complete("k", &a).unwrap());
    let value: String = redis::cmd("GET")
        .arg("yunhuni:webhook:k")
        .query(&mut c)
        .unwrap();
    assert_eq!(value, DONE_VALUE);
    let pttl: i64 = redis::cmd("PTTL")
        .arg("yunhuni:webhook:k")
        .query(&mut c)
        .unwrap();
    assert!(
        pttl > 9000 && pttl <= DEFAULT_TTL.as_millis() as i64,
        "{pttl}"
    );
    assert_eq!(store.claim_lease("k", &b, lease).unwrap(), Claim::Done);
    // Keys claimed the first way (value 1, any language, any version) are done.
    assert!(store.claim("old").unwrap());
    assert_eq!(store.claim_lease("old", &a, lease).unwrap(), Claim::Done);
    // Released by its owner: absent.
    assert_eq!(store.claim_lease("r", &a, lease).unwrap(), Claim::Claimed);
    assert!(store.release_owned("r", &a).unwrap());
    assert_eq!(store.claim_lease("r", &b, lease).unwrap(), Claim::Claimed);

    // Two receivers as two processes: the first's handler dies (never renews); the re-send to
    // the other waits for its short lease to run out, then handles it, once.
    let receiver = |wait_s| {
        Receiver::builder()
            .store(RedisStore::open(&server.url()).unwrap())
            .lease(Duration::from_millis(100))
            .wait(Duration::from_secs(wait_s))
            .poll(Duration::from_millis(10))
            .build()
            .unwrap()
    };
    let (one, two) = (receiver(30), receiver(30));
    let dead = one.begin("", END).unwrap();
    assert!(dead.owner.is_some());
    let again = two.begin("", END).unwrap();
    assert!(!again.duplicate);
    assert!(two
        .complete(&again.key, again.owner.as_ref().unwrap())
        .unwrap());
    assert!(one.begin("", END).unwrap().duplicate);
    assert!(!one
        .complete(&dead.key, dead.owner.as_ref().unwrap())
        .unwrap());
}
