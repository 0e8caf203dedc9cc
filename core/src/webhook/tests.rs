use super::*;
use crate::ErrorKind;
use std::time::Instant;

const END: &[u8] = br#"{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001","answer_time2":1490930420000,"user_data":"order-42","event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}"#;

fn with_token() -> Receiver {
    Receiver::builder().token("t0k+en/é").build().unwrap()
}

#[test]
fn token_is_required_and_compared() {
    let r = with_token();
    let e = r.receive("", END).unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.field()),
        (ErrorKind::Auth, Some(401), Some("token"))
    );
    let e = r.receive("token=t0k", END).unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.field()),
        (ErrorKind::Auth, Some(403), Some("token"))
    );
    assert!(!e.message().contains("t0k"), "{}", e.message());
    // Percent-encoded as a URL carries it; other parameters around it.
    let d = r.receive("a=1&token=t0k%2Ben%2F%C3%A9&b", END).unwrap();
    assert!(!d.duplicate);
    // `+` in a query is a space, so the raw `+` does not match.
    assert_eq!(
        r.check_head("token=t0k+en/%C3%A9", None)
            .unwrap_err()
            .status(),
        Some(403)
    );
    // Only the first `token` counts.
    assert_eq!(
        r.check_head("token=x&token=t0k%2Ben%2F%C3%A9", None)
            .unwrap_err()
            .status(),
        Some(403)
    );
    // Broken escapes are kept as they are, never a panic.
    for q in [
        "%",
        "token=%",
        "token=%4",
        "token=%zz",
        "token=\u{1b}[2J",
        "&&&==",
    ] {
        assert!(r.check_head(q, None).is_err(), "{q}");
    }
    // The token is refused before the body is looked at.
    assert_eq!(
        r.receive("token=no", b"not json").unwrap_err().status(),
        Some(403)
    );
    assert!(!format!("{r:?}").contains("t0k"));
}

#[test]
fn no_token_configured_accepts_any_query() {
    let r = Receiver::builder().no_store().build().unwrap();
    assert!(r.receive("token=whatever", END).is_ok());
    assert!(r.receive("", END).is_ok());
    assert!(!r.has_token() && !r.has_store());
}

#[test]
fn without_a_store_the_caller_claims_events_only() {
    let r = Receiver::builder().no_store().build().unwrap();
    let d = r.receive("", END).unwrap();
    assert!(d.to_claim && !d.duplicate);
    assert!(r.receive("", END).unwrap().to_claim);
    let start = br#"{"action":"ivr_start","call_id":"c2","from":"1","to":"2"}"#;
    assert!(!r.receive("", start).unwrap().to_claim);
    // With a store the receiver claims itself.
    assert!(!Receiver::default().receive("", END).unwrap().to_claim);
}

#[test]
fn bad_settings_name_the_field() {
    let f = |b: ReceiverBuilder| b.build().unwrap_err().field().map(str::to_owned);
    assert_eq!(f(Receiver::builder().token("")).as_deref(), Some("token"));
    assert_eq!(
        f(Receiver::builder().token("x".repeat(257))).as_deref(),
        Some("token")
    );
    assert_eq!(
        f(Receiver::builder().token_param("")).as_deref(),
        Some("token_param")
    );
    assert_eq!(
        f(Receiver::builder().token_param("a b")).as_deref(),
        Some("token_param")
    );
    assert_eq!(
        f(Receiver::builder().max_body(0)).as_deref(),
        Some("max_body")
    );
    assert_eq!(
        f(Receiver::builder().max_body(DEFAULT_MAX_BODY + 1)).as_deref(),
        Some("max_body")
    );
    let e = MemoryStore::new(0, DEFAULT_TTL).unwrap_err();
    assert_eq!(e.field(), Some("capacity"));
    let e = MemoryStore::new(10, Duration::ZERO).unwrap_err();
    assert_eq!(e.field(), Some("ttl"));
    let e = MemoryStore::new(10, MAX_TTL + Duration::from_secs(1)).unwrap_err();
    assert_eq!(e.field(), Some("ttl"));
}

#[test]
fn size_is_checked_before_and_after_reading() {
    let r = Receiver::builder().max_body(100).build().unwrap();
    let e = r.check_head("", Some(100_000_000)).unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.field()),
        (ErrorKind::Decode, Some(413), Some("body"))
    );
    assert!(e.message().contains("100000000"), "{}", e.message());
    r.check_head("", Some(100)).unwrap();
    r.check_head("", None).unwrap();
    // A length header that lied: the body itself is measured.
    let e = r.receive("", &[b' '; 101]).unwrap_err();
    assert_eq!(e.status(), Some(413));
    let e = Receiver::default()
        .check_head("", Some(u64::MAX))
        .unwrap_err();
    assert_eq!(e.status(), Some(413));
}

#[test]
fn unparseable_bodies_are_400_naming_the_fault() {
    let r = Receiver::default();
    for (body, field) in [
        (&b""[..], None),
        (b"\xff\xfe\x00", None),
        (b"[1,2]", None),
        (br#"{"action":"event_notify"}"#, Some("event")),
        (
            br#"{"event":"duo_callback.end","hangup_by":true}"#,
            Some("hangup_by"),
        ),
    ] {
        let e = r.receive("", body).unwrap_err();
        assert_eq!(
            (e.kind(), e.status()),
            (ErrorKind::Decode, Some(400)),
            "{body:?}"
        );
        assert_eq!(e.field(), field, "{body:?}");
    }
}

#[test]
fn duplicates_release_and_every_event() {
    let r = Receiver::default();
    let first = r.receive("", END).unwrap();
    assert_eq!(
        (first.status, first.body, first.duplicate),
        (200, "ok", false)
    );
    let again = r.receive("", END).unwrap();
    assert!(again.duplicate);
    assert_eq!((again.status, again.body), (200, "ok"));
    r.release(&first.key).unwrap();
    assert!(!r.receive("", END).unwrap().duplicate);
    assert!(r.receive("", END).unwrap().duplicate);
    // Two play_end of one call: same id, different bodies, different keys.
    let a = br#"{"end_time":1,"begin_time":0,"action":"event_notify","id":"c1","event":"ivr.play_end","key":"1"}"#;
    let b = br#"{"end_time":2,"begin_time":1,"action":"event_notify","id":"c1","event":"ivr.play_end","key":"2"}"#;
    let (da, db) = (r.receive("", a).unwrap(), r.receive("", b).unwrap());
    assert!(!da.duplicate && !db.duplicate);
    assert_ne!(da.key, db.key);
    assert!(da.key.starts_with("ivr.play_end:c1:"));
    // Events without `id`: the resource from their own keys.
    for (body, prefix) in [
        (&br#"{"failMobiles":"","action":"event_notify","msgKey":"m-9","state":1,"event":"msg.sending_complete","type":1}"#[..], "msg.sending_complete:m-9:"),
        (br#"{"reason":"","checkTime":1,"action":"event_notify","tempId":77,"event":"msg.template_complete","status":1}"#, "msg.template_complete:77:"),
        (br#"{"previous_state":"idle","name":"agent 1","latest_state":"busy","action":"event_notify","event":"callcenter.agent.state_changed","current_time":5}"#, "callcenter.agent.state_changed:agent_1:"),
        (br#"{"action":"event_notify","event":"some.new_event"}"#, "some.new_event:-:"),
    ] {
        let d = r.receive("", body).unwrap();
        assert!(d.key.starts_with(prefix), "{} vs {prefix}", d.key);
        assert!(!d.duplicate);
        assert!(r.receive("", body).unwrap().duplicate);
    }
    // ivr_start is an IVR request: never claimed.
    let start = br#"{"action":"ivr_start","call_id":"c2","from":"1","to":"2","user_data":"u"}"#;
    let d = r.receive("", start).unwrap();
    assert!(matches!(d.event, Event::IvrStart(_)));
    assert!(!r.receive("", start).unwrap().duplicate);
}

#[test]
fn latin1_bodies_have_a_stable_key() {
    let body = b"{\"event\":\"duo_callback.end\",\"id\":\"x\",\"user_data\":\"caf\xe9\",\"error\":\"????\"}";
    let r = Receiver::default();
    let d = r.receive("", body).unwrap();
    assert_eq!(d.key, delivery_key(&Event::parse(body).unwrap()));
    assert!(r.receive("", body).unwrap().duplicate);
}

#[test]
fn keys_are_short_plain_ascii_whatever_was_posted() {
    let id = format!("\u{1b}[2J{}\u{0}é", "x".repeat(100_000));
    let body =
        serde_json::json!({"event": format!("e\r\n{}", "y".repeat(500)), "id": id}).to_string();
    let key = delivery_key(&Event::parse(body.as_bytes()).unwrap());
    assert!(key.len() <= 2 * KEY_PART_CHARS + 18, "{}", key.len());
    assert!(
        key.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-:".contains(&b)),
        "{key}"
    );
    assert!(key.starts_with("e__yyy"));
}

#[test]
fn memory_store_is_bounded_in_entries() {
    let store = MemoryStore::new(1000, DEFAULT_TTL).unwrap();
    for i in 0..10_000 {
        assert!(store.claim(&format!("k{i}")).unwrap());
        assert!(store.len() <= 1000);
    }
    assert_eq!(store.len(), 1000);
    // The newest are remembered, the oldest forgotten.
    assert!(!store.claim("k9999").unwrap());
    assert!(store.claim("k0").unwrap());
    // Release and re-claim cycles do not grow it either.
    for _ in 0..5000 {
        store.release("again").unwrap();
        store.claim("again").unwrap();
    }
    assert!(store.len() <= 1000);
    assert!(store.order_len() <= 1000);
}

#[test]
fn memory_store_is_bounded_in_time() {
    let store = MemoryStore::new(100, Duration::from_secs(60)).unwrap();
    let t0 = Instant::now();
    assert!(store.claim_at("a", t0));
    assert!(!store.claim_at("a", t0 + Duration::from_secs(59)));
    // Expired: new again, and the expired ones are dropped.
    for i in 0..50 {
        store.claim_at(&format!("old{i}"), t0);
    }
    assert_eq!(store.len(), 51);
    assert!(store.claim_at("a", t0 + Duration::from_secs(60)));
    assert_eq!(store.len(), 1);
}

#[test]
fn the_receiver_is_shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Receiver>();
    let r = std::sync::Arc::new(Receiver::default());
    let firsts: usize = (0..4)
        .map(|_| {
            let r = r.clone();
            std::thread::spawn(move || {
                (0..200)
                    .filter(|i| {
                        let body = format!(r#"{{"event":"conf.end","id":"c{i}"}}"#);
                        !r.receive("", body.as_bytes()).unwrap().duplicate
                    })
                    .count()
            })
        })
        .map(|h| h.join().unwrap())
        .sum();
    assert_eq!(firsts, 200);
}

struct Broken;
impl Store for Broken {
    fn claim(&self, _: &str) -> Result<bool, Error> {
        Err(Error::new(ErrorKind::Transport, "connection refused"))
    }
    fn release(&self, _: &str) -> Result<(), Error> {
        Err(Error::new(ErrorKind::Transport, "connection refused"))
    }
}

#[test]
fn a_failing_store_asks_for_a_resend() {
    let r = Receiver::builder().store(Broken).build().unwrap();
    let e = r.receive("", END).unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Transport, Some(503)));
    assert!(e.message().contains("connection refused"));
    assert_eq!(r.release("k").unwrap_err().status(), Some(503));
}

#[test]
fn a_failing_store_under_a_lease_asks_for_a_resend() {
    let r = Receiver::builder().store(Broken).build().unwrap();
    let e = r.begin("", END).unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Transport, Some(503)));
}

#[test]
fn memory_store_lease_states() {
    let store = MemoryStore::new(100, Duration::from_secs(60)).unwrap();
    let t0 = Instant::now();
    let lease = Duration::from_secs(2);
    let (a, b) = (new_owner(), new_owner());
    assert_ne!(a, b);
    assert!(a.starts_with(PENDING_PREFIX) && a.len() == 34, "{a}");
    assert_eq!(store.claim_lease_at("k", &a, lease, t0), Claim::Claimed);
    assert_eq!(store.claim_lease_at("k", &b, lease, t0), Claim::Pending);
    // Only the owner renews, completes or releases.
    assert!(!store.renew_at("k", &b, lease, t0));
    assert!(!store.release_owned_at("k", &b, t0));
    assert!(store.renew_at("k", &a, lease, t0 + Duration::from_secs(1)));
    // Renewed: still pending past the first lease.
    let t = t0 + Duration::from_millis(2500);
    assert_eq!(store.claim_lease_at("k", &b, lease, t), Claim::Pending);
    // The owner stops renewing (it died): the lease runs out and another claims it.
    let t = t0 + Duration::from_millis(3001);
    assert_eq!(store.claim_lease_at("k", &b, lease, t), Claim::Claimed);
    assert!(!store.renew_at("k", &a, lease, t));
    assert!(!store.complete_at("k", &a, t));
    assert!(store.complete_at("k", &b, t));
    assert_eq!(store.claim_lease_at("k", &a, lease, t), Claim::Done);
    assert!(!store.release_owned_at("k", &b, t)); // done: nobody owns it
                                                  // Done until the dedup time runs out.
    let t = t + Duration::from_secs(60);
    assert_eq!(store.claim_lease_at("k", &a, lease, t), Claim::Claimed);
    // Released by its owner: absent again.
    assert!(store.release_owned_at("k", &a, t));
    assert_eq!(store.claim_lease_at("k", &b, lease, t), Claim::Claimed);
    // Keys claimed the first way are done.
    assert!(store.claim_at("old", t));
    assert_eq!(store.claim_lease_at("old", &a, lease, t), Claim::Done);
    // A handler whose lease ran out with nobody taking the key still records it done.
    assert_eq!(store.claim_lease_at("late", &a, lease, t), Claim::Claimed);
    let t = t + Duration::from_secs(5);
    assert!(store.complete_at("late", &a, t));
    assert_eq!(store.claim_lease_at("late", &b, lease, t), Claim::Done);
}

#[test]
fn lease_settings_are_checked() {
    for (b, field) in [
        (Receiver::builder().lease(Duration::from_millis(1)), "lease"),
        (
            Receiver::builder().lease(Duration::from_secs(7200)),
            "lease",
        ),
        (Receiver::builder().wait(Duration::from_secs(7200)), "wait"),
        (Receiver::builder().poll(Duration::ZERO), "poll"),
    ] {
        let e = b.build().unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::Validation, Some(field)));
    }
    let r = Receiver::default();
    assert_eq!(
        (r.lease(), r.wait(), r.poll()),
        (DEFAULT_LEASE, DEFAULT_WAIT, DEFAULT_POLL)
    );
    assert!(DEFAULT_WAIT < Duration::from_secs(5) && r.renew_every() < DEFAULT_LEASE);
}

fn short_lease() -> Receiver {
    Receiver::builder()
        .lease(Duration::from_millis(60))
        .wait(Duration::from_secs(30))
        .poll(Duration::from_millis(5))
        .build()
        .unwrap()
}

#[test]
fn a_dead_handlers_delivery_is_handled_once_after_its_lease() {
    let r = short_lease();
    // The first delivery is claimed, and its handler dies: never renewed, completed or released.
    let first = r.begin("", END).unwrap();
    assert!(first.owner.is_some() && !first.duplicate);
    // The re-send waits for the lease to run out, then is claimed and handled.
    let again = r.begin("", END).unwrap();
    assert!(!again.duplicate);
    let owner = again.owner.clone().unwrap();
    assert_ne!(Some(&owner), first.owner.as_ref());
    assert!(r.complete(&again.key, &owner).unwrap());
    // The dead one cannot complete or release it any more; later re-sends are duplicates.
    let dead = first.owner.unwrap();
    assert!(!r.release_owned(&first.key, &dead).unwrap());
    assert!(!r.complete(&first.key, &dead).unwrap());
    assert!(r.begin("", END).unwrap().duplicate);
}

#[test]
fn a_slow_live_handlers_resend_waits_and_is_a_duplicate() {
    // A lease with room to spare for a busy machine: renewed every 500 ms, it runs 1.5 s.
    let r = Receiver::builder()
        .lease(Duration::from_millis(1500))
        .wait(Duration::from_secs(30))
        .poll(Duration::from_millis(5))
        .build()
        .unwrap();
    let first = r.begin("", END).unwrap();
    let owner = first.owner.clone().unwrap();
    let handled = std::sync::atomic::AtomicUsize::new(1);
    std::thread::scope(|s| {
        let resend = s.spawn(|| {
            let d = r.begin("", END).unwrap();
            if !d.duplicate {
                handled.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            d
        });
        // The live handler takes several leases' time, renewing as the helpers do.
        for _ in 0..4 {
            std::thread::sleep(r.renew_every());
            assert!(r.renew(&first.key, &owner).unwrap());
        }
        assert!(r.complete(&first.key, &owner).unwrap());
        let d = resend.join().unwrap();
        assert!(d.duplicate && d.owner.is_none());
        assert_eq!((d.status, d.body), (200, "ok"));
    });
    assert_eq!(handled.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn a_failed_handler_releases_and_the_resend_is_handled() {
    let r = short_lease();
    let first = r.begin("", END).unwrap();
    assert!(r
        .release_owned(&first.key, first.owner.as_ref().unwrap())
        .unwrap());
    let again = r.begin("", END).unwrap();
    assert!(!again.duplicate && again.owner.is_some());
    // Still pending after the whole wait: 503, kind timeout.
    let quick = Receiver::builder()
        .shared_store(Arc::new(MemoryStore::default()))
        .wait(Duration::from_millis(20))
        .build()
        .unwrap();
    let held = quick.begin("", END).unwrap();
    let e = quick.begin("", END).unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Timeout, Some(503)));
    assert!(e.message().contains(&held.key), "{}", e.message());
    // ivr_start is never claimed, and without a store begin is receive.
    let start = br#"{"action":"ivr_start","call_id":"c2","from":"1","to":"2","user_data":"u"}"#;
    assert!(quick.begin("", start).unwrap().owner.is_none());
    let none = Receiver::builder().no_store().build().unwrap();
    let d = none.begin("", END).unwrap();
    assert!(d.to_claim && d.owner.is_none());
}
