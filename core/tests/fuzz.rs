//! The event parser never panics, whatever the bytes.

use proptest::prelude::*;
use yunhuni::Event;

fn json_like() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| format!("{n:e}")),
        "[a-z0-9_.?é订]{0,12}".prop_map(|s| format!("{s:?}")),
        Just("\"duo_callback.end\"".to_owned()),
        Just("\"notify_call.end\"".to_owned()),
        Just("\"verify_call.end\"".to_owned()),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let key = prop_oneof![
            Just("event"),
            Just("hangup_by"),
            Just("begin_time"),
            Just("answer_time1"),
            Just("answer_time2"),
            Just("end_time"),
            Just("end_tinme"),
            Just("duration"),
            Just("user_data"),
            Just("error"),
            Just("dropped_by"),
            Just("answer_time"),
            Just("id"),
            Just("other"),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((key, inner), 0..8).prop_map(|kv| {
                let body: Vec<String> = kv
                    .into_iter()
                    .map(|(k, v)| format!("\"{k}\":{v}"))
                    .collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 4000,
        // A fixed seed: the same inputs on every run (the long run is bench/hostile).
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed_2026),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = Event::parse(&bytes);
    }

    #[test]
    fn json_shaped_input_never_panics(s in json_like()) {
        if let Ok(event) = Event::parse(s.as_bytes()) {
            let _ = event.to_value();
            if let Event::DuoCallbackEnd(e) = &event {
                let _ = (e.outcome(), e.talk_seconds());
            }
        }
    }

    #[test]
    fn mutated_server_bodies_never_panic(cut in 0usize..300, byte in any::<u8>(), pos in 0usize..300) {
        let mut body = br#"{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001","answer_time2":1490930420000,"user_data":"order-42","event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}"#.to_vec();
        let p = pos % body.len();
        body[p] = byte;
        body.truncate(cut.max(1).min(body.len()));
        let _ = Event::parse(&body);
    }
}

#[test]
fn extreme_inputs() {
    for body in [
        "[".repeat(100_000).into_bytes(),
        "{\"a\":".repeat(100_000).into_bytes(),
        vec![0xff; 1 << 20],
        vec![b'{'; (1 << 20) + 1],
        b"{\"event\":\"duo_callback.end\",\"duration\":1e400,\"begin_time\":-9223372036854775809}".to_vec(),
        b"{\"event\":\"duo_callback.end\",\"answer_time1\":1,\"answer_time2\":-9223372036854775807,\"end_time\":9223372036854775807}".to_vec(),
        b"{\"event\":\"duo_callback.end\",\"duration\":-5,\"end_time\":1,\"answer_time2\":9223372036854775807}".to_vec(),
    ] {
        let _ = Event::parse(&body);
    }
}
