//! Unit tests of the builder against the declarations: every element, every attribute, every
//! rule, escaping.

use super::*;
use serde_json::json;

const NEXT_URL: &str = "https://app.example.com/ivr/next";

fn xml(r: Response) -> String {
    r.to_xml().unwrap_or_else(|e| panic!("{e}"))
}

/// The document's body between `<response>` and `</response>`.
fn inner(r: Response) -> String {
    let x = xml(r);
    let body = x
        .strip_prefix(XML_DECLARATION)
        .and_then(|x| x.strip_prefix("<response>"))
        .and_then(|x| x.strip_suffix("</response>"))
        .unwrap_or_else(|| panic!("not a document: {x}"));
    body.to_owned()
}

fn refused(r: Response) -> (String, String) {
    let err = r.to_xml().expect_err("refused");
    assert_eq!(err.kind(), crate::ErrorKind::Validation, "{err}");
    (
        err.field().unwrap_or_default().to_owned(),
        err.detail().to_owned(),
    )
}

fn field(r: Response) -> String {
    refused(r).0
}

#[test]
fn the_declarations_are_consistent() {
    let names: Vec<&str> = ELEMENTS.iter().map(|e| e.name).collect();
    let actions: Vec<&str> = ELEMENTS
        .iter()
        .filter(|e| e.action)
        .map(|e| e.name)
        .collect();
    assert_eq!(
        actions,
        [
            "play",
            "playlist",
            "record",
            "send_dtmf",
            "get",
            "hangup",
            "pause",
            "dial",
            "enqueue"
        ]
    );
    for e in ELEMENTS {
        assert_eq!(
            names.iter().filter(|n| **n == e.name).count(),
            1,
            "{}",
            e.name
        );
        let mut attrs: Vec<&str> = e.attrs.iter().map(|a| a.name).collect();
        attrs.sort_unstable();
        attrs.dedup();
        assert_eq!(attrs.len(), e.attrs.len(), "{}", e.name);
        for c in e.children.list() {
            let child = element(c.name).unwrap_or_else(|| panic!("{} in {}", c.name, e.name));
            assert!(c.min <= c.max && c.max >= 1, "{}.{}", e.name, c.name);
            for kept in c.keeps.unwrap_or_default() {
                assert!(child.attr(kept).is_some(), "{}.{}.{kept}", e.name, c.name);
            }
        }
        assert_eq!(e.action, e.ending.is_some(), "{}", e.name);
        for a in e.attrs {
            if let ValueType::Int { min, max } = a.ty {
                assert!(
                    min <= max && max <= i32::MAX as i64,
                    "{}.{}",
                    e.name,
                    a.name
                );
            }
        }
    }
}

/// Each typed builder sets every attribute its element declares (by the same name).
#[test]
fn typed_builders_cover_every_attribute() {
    let all: Vec<Node> = vec![
        Play::new("a.wav").finish_keys("#").repeat(2).into(),
        Playlist::of(["a.wav"]).finish_keys("#").repeat(2).into(),
        Record::new()
            .max_duration(30)
            .beeping(true)
            .finish_keys("#")
            .into(),
        Get::new()
            .valid_keys("123")
            .max_keys(1)
            .finish_keys("#")
            .first_key_timeout(5)
            .continues_keys_timeout(3)
            .play_repeat(2)
            .if_break_on_key(false)
            .play("a.wav")
            .into(),
        Pause::new(3).into(),
        Dial::new("13800000002")
            .from("4008000000")
            .max_call_duration(600)
            .max_dial_duration(30)
            .dial_voice_stop_cond(1)
            .into(),
        Connect::new()
            .max_duration(60)
            .mode(2)
            .recording(true)
            .volume1(3)
            .volume2(4)
            .play_time(50)
            .into(),
        Enqueue::condition("c".repeat(32))
            .conversation_level(2)
            .conversation_timeout(600)
            .choice("lru")
            .reserve_state("busy/lunch")
            .fail_overflow(false)
            .wait_voice("wait.wav")
            .ring_mode(1)
            .ring_voice("ring.wav")
            .hold_voice("hold.wav")
            .play_num(true)
            .pre_num_voice("pre.wav")
            .post_num_voice("post.wav")
            .user_data("order-42")
            .into(),
        Agent::new("2019")
            .priority(0)
            .queue_timeout(60)
            .fetch_timeout(50)
            .into(),
    ];
    let enqueue = Node::from(Enqueue::condition("c".repeat(32)));
    let condition = enqueue.children()[0].children()[0].clone();
    let all = [all, vec![condition]].concat();
    let mut covered = Vec::new();
    for node in &all {
        let set: Vec<&str> = node.attrs().map(|(a, _)| a.name).collect();
        let declared: Vec<&str> = node.element().attrs.iter().map(|a| a.name).collect();
        assert_eq!(set, declared, "<{}>", node.name());
        covered.push(node.name());
    }
    for e in ELEMENTS.iter().filter(|e| !e.attrs.is_empty()) {
        assert!(
            covered.contains(&e.name),
            "no typed builder sets <{}>",
            e.name
        );
    }
}

#[test]
fn every_action_as_a_document() {
    let cases: Vec<(Response, &str)> = vec![
        (
            Response::new().play("welcome.wav").next(NEXT_URL),
            "<play>welcome.wav</play><next>https://app.example.com/ivr/next</next>",
        ),
        (
            Response::new()
                .play(
                    Play::new("welcome.wav")
                        .repeat(10)
                        .finish_keys("0123456789*#ABCD"),
                )
                .end_call(),
            r##"<play finish_keys="0123456789*#ABCD" repeat="10">welcome.wav</play>"##,
        ),
        (
            Response::new()
                .playlist(Playlist::of(["a.wav", "b.wav"]).repeat(1))
                .end_call(),
            r#"<playlist repeat="1"><play>a.wav</play><play>b.wav</play></playlist>"#,
        ),
        (
            Response::new()
                .record(Record::new().beeping(false).max_duration(2147483647))
                .end_call(),
            r#"<record max_duration="2147483647" beeping="false"/>"#,
        ),
        (
            Response::new().record(Record::new()).end_call(),
            "<record/>",
        ),
        (
            Response::new().send_dtmf("0123456789*#ABCD").end_call(),
            "<send_dtmf>0123456789*#ABCD</send_dtmf>",
        ),
        (
            Response::new()
                .get(
                    Get::new()
                        .if_break_on_key(true)
                        .valid_keys("12")
                        .playlist(Playlist::of(["a.wav", "b.wav"])),
                )
                .end_call(),
            r#"<get valid_keys="12" if_break_on_key="true"><playlist><play>a.wav</play><play>b.wav</play></playlist></get>"#,
        ),
        (Response::new().hangup(), "<hangup/>"),
        (Response::new().hangup().end_call(), "<hangup/>"),
        (
            Response::new().pause(2_147_483).end_call(),
            r#"<pause duration="2147483"/>"#,
        ),
        (
            Response::new().dial(Dial::new("13800000002")).end_call(),
            "<dial><number>13800000002</number><connect/></dial>",
        ),
        (
            Response::new()
                .dial(
                    Dial::new("13800000002")
                        .connect(Connect::new().mode(3).play(Play::new("warn.wav").repeat(2)))
                        .play("ring.wav")
                        .dial_voice_stop_cond(0),
                )
                .end_call(),
            r#"<dial dial_voice_stop_cond="0"><number>13800000002</number><play>ring.wav</play><connect mode="3"><play repeat="2">warn.wav</play></connect></dial>"#,
        ),
        (
            Response::new()
                .enqueue(Enqueue::agent(Agent::new("2019").priority(0)).choice("random"))
                .end_call(),
            r#"<enqueue choice="random"><route><agent name="2019" priority="0"/></route></enqueue>"#,
        ),
        (
            Response::new()
                .enqueue(
                    Enqueue::condition("0123456789abcdef0123456789abcdef").reserve_state("away"),
                )
                .end_call(),
            r#"<enqueue reserve_state="away"><route><condition id="0123456789abcdef0123456789abcdef"/></route></enqueue>"#,
        ),
    ];
    for (response, expect) in cases {
        assert_eq!(inner(response), expect);
    }
}

#[test]
fn escaping() {
    assert_eq!(
        inner(Response::new().play(r#"a&b<c>"d"'e.wav"#).end_call()),
        r#"<play>a&amp;b&lt;c&gt;"d"'e.wav</play>"#
    );
    assert_eq!(
        inner(
            Response::new()
                .enqueue(Enqueue::agent(Agent::new("A&<\"'>\t\n\r")).user_data("订单-42 café"))
                .end_call()
        ),
        "<enqueue user_data=\"订单-42 café\"><route><agent name=\"A&amp;&lt;&quot;'&gt;&#9;&#10;&#13;\"/></route></enqueue>"
    );
    assert_eq!(
        inner(
            Response::new()
                .play("欢迎.wav")
                .next("https://app.example.com/菜单?a=1&b=2")
        ),
        "<play>欢迎.wav</play><next>https://app.example.com/菜单?a=1&amp;b=2</next>"
    );
    assert_eq!(
        inner(
            Response::new()
                .dial(Dial::new("+86 (138) 0000-0002\r"))
                .end_call()
        ),
        "<dial><number>+86 (138) 0000-0002&#13;</number><connect/></dial>"
    );
    let (f, why) = refused(Response::new().play("a\u{1}.wav").end_call());
    assert_eq!(f, "play");
    assert!(why.contains("U+0001"), "{why}");
    let (f, _) = refused(
        Response::new()
            .enqueue(Enqueue::agent(Agent::new("x")).user_data("a\u{0}b"))
            .end_call(),
    );
    assert_eq!(f, "enqueue.user_data");
    let (f, _) = refused(Response::new().send_dtmf("1\u{ffff}").end_call());
    assert_eq!(f, "send_dtmf");
}

#[test]
fn the_call_ends_only_when_asked() {
    let (f, why) = refused(Response::new().play("bye.wav"));
    assert_eq!(f, "next");
    assert!(
        why.contains("hangs up once it completes") && why.contains("end_call"),
        "{why}"
    );
    assert!(Response::new().play("bye.wav").end_call().ends_call());
    assert!(!Response::new().play("bye.wav").next(NEXT_URL).ends_call());
    assert!(Response::new().hangup().ends_call());
    assert_eq!(field(Response::new().hangup().next(NEXT_URL)), "next");
    assert_eq!(
        field(Response::new().play("a.wav").next(NEXT_URL).end_call()),
        "end_call"
    );
    let err = Response::new()
        .play("a.wav")
        .next(NEXT_URL)
        .end_call()
        .to_xml_cased(Casing::Camel)
        .unwrap_err();
    assert_eq!(err.field(), Some("endCall"));
}

#[test]
fn one_action_per_document() {
    let (f, why) = refused(Response::new());
    assert_eq!(f, "response");
    assert!(why.contains("stalls"), "{why}");
    let (f, why) = refused(
        Response::new()
            .play("a.wav")
            .get(Get::new().play("b.wav"))
            .end_call(),
    );
    assert_eq!(f, "get");
    assert!(
        why.contains("<play>") && why.contains("only the first"),
        "{why}"
    );
    let number = Node::new("number").unwrap().with_text("1").unwrap();
    assert_eq!(field(Response::new().action(number).end_call()), "number");
}

#[test]
fn attribute_limits() {
    let end = |n: Node| field(Response::new().action(n).end_call());
    assert_eq!(end(Play::new("a.wav").repeat(0).into()), "play.repeat");
    assert_eq!(end(Play::new("a.wav").repeat(11).into()), "play.repeat");
    assert_eq!(
        end(Play::new("a.wav").finish_keys("x").into()),
        "play.finish_keys"
    );
    assert_eq!(
        end(Play::new("a.wav").finish_keys("").into()),
        "play.finish_keys"
    );
    assert_eq!(
        end(Play::new("a.wav").finish_keys("a").into()),
        "play.finish_keys"
    );
    assert_eq!(
        end(Record::new().max_duration(0).into()),
        "record.max_duration"
    );
    assert_eq!(
        end(Record::new().max_duration(2_147_483_648).into()),
        "record.max_duration"
    );
    assert_eq!(
        end(Get::new().max_keys(0).play("a.wav").into()),
        "get.max_keys"
    );
    assert_eq!(
        end(Get::new().play_repeat(11).play("a.wav").into()),
        "get.play_repeat"
    );
    assert_eq!(
        end(Get::new().valid_keys("0-9").play("a.wav").into()),
        "get.valid_keys"
    );
    assert_eq!(
        end(Get::new().first_key_timeout(-1).play("a.wav").into()),
        "get.first_key_timeout"
    );
    assert_eq!(
        end(Get::new().continues_keys_timeout(0).play("a.wav").into()),
        "get.continues_keys_timeout"
    );
    assert_eq!(end(Pause::new(0).into()), "pause.duration");
    assert_eq!(end(Pause::new(2_147_484).into()), "pause.duration");
    assert_eq!(end(Node::new("pause").unwrap()), "pause.duration");
    assert_eq!(
        end(Dial::new("1").dial_voice_stop_cond(2).into()),
        "dial.dial_voice_stop_cond"
    );
    assert_eq!(end(Dial::new("1").from("").into()), "dial.from");
    assert_eq!(end(Dial::new("1").from("  ").into()), "dial.from");
    assert_eq!(
        end(Dial::new("1").max_call_duration(0).into()),
        "dial.max_call_duration"
    );
    assert_eq!(
        end(Dial::new("1").max_dial_duration(0).into()),
        "dial.max_dial_duration"
    );
    for (c, f) in [
        (Connect::new().mode(0), "dial.connect.mode"),
        (Connect::new().mode(4), "dial.connect.mode"),
        (Connect::new().max_duration(0), "dial.connect.max_duration"),
        (Connect::new().volume1(0), "dial.connect.volume1"),
        (Connect::new().volume2(0), "dial.connect.volume2"),
        (Connect::new().play_time(0), "dial.connect.play_time"),
    ] {
        assert_eq!(end(Dial::new("1").connect(c).into()), f);
    }
    let q = || Enqueue::agent(Agent::new("a"));
    assert_eq!(
        end(q().conversation_level(0).into()),
        "enqueue.conversation_level"
    );
    assert_eq!(
        end(q().conversation_timeout(21601).into()),
        "enqueue.conversation_timeout"
    );
    assert_eq!(end(q().choice("LRU").into()), "enqueue.choice");
    assert_eq!(
        end(q().reserve_state("Idle").into()),
        "enqueue.reserve_state"
    );
    assert_eq!(
        end(q().reserve_state("busy/").into()),
        "enqueue.reserve_state"
    );
    assert_eq!(end(q().ring_mode(5).into()), "enqueue.ring_mode");
    for f in [
        "wait_voice",
        "ring_voice",
        "hold_voice",
        "pre_num_voice",
        "post_num_voice",
    ] {
        let node: Node = q().into();
        let node = node.with(f, "x.mp3").unwrap();
        assert_eq!(end(node), format!("enqueue.{f}"));
    }
    assert_eq!(
        end(q().user_data("x".repeat(129)).into()),
        "enqueue.user_data"
    );
    assert!(Response::new()
        .enqueue(q().user_data("订".repeat(128)))
        .end_call()
        .to_xml()
        .is_ok());
    assert_eq!(
        end(Enqueue::agent(Agent::new("a").priority(-1)).into()),
        "enqueue.route.agent.priority"
    );
    assert_eq!(
        end(Enqueue::agent(Agent::new("a").queue_timeout(0)).into()),
        "enqueue.route.agent.queue_timeout"
    );
    assert_eq!(
        end(Enqueue::agent(Agent::new("a").fetch_timeout(0)).into()),
        "enqueue.route.agent.fetch_timeout"
    );
    assert_eq!(
        end(Enqueue::agent(Agent::new("x".repeat(129))).into()),
        "enqueue.route.agent.name"
    );
    assert_eq!(
        end(Enqueue::condition("c".repeat(31)).into()),
        "enqueue.route.condition.id"
    );
    let (_, why) = refused(
        Response::new()
            .get(Get::new().max_keys(0).play("a.wav"))
            .end_call(),
    );
    assert!(
        why.starts_with("<get max_keys> is 0; it must be at least 1;"),
        "{why}"
    );
    assert!(why.contains("ivr.format_error"), "{why}");
    let (_, why) = refused(Response::new().pause(2_147_484).end_call());
    assert!(why.contains("32-bit"), "{why}");
    let (_, why) = refused(Response::new().enqueue(q().choice("LRU")).end_call());
    assert!(
        why.contains("random, lru") && why.contains("any other value as random"),
        "{why}"
    );
}

#[test]
fn voice_files_are_wav_without_spaces() {
    for ok in ["a.wav", "欢迎.wav", "a..wav", "dir/a.wav", "A.b.wav"] {
        assert!(Response::new().play(ok).end_call().to_xml().is_ok(), "{ok}");
    }
    for bad in [
        "a.mp3", "a.WAV", ".wav", "a b.wav", " a.wav", "a.wav ", "a.wav\n", "", "   ",
    ] {
        let (f, why) = refused(Response::new().play(bad).end_call());
        assert_eq!(f, "play", "{bad:?}");
        assert!(why.starts_with("<play> file is"), "{why}");
    }
    assert_eq!(
        field(
            Response::new()
                .action(Node::new("play").unwrap())
                .end_call()
        ),
        "play"
    );
}

#[test]
fn children_counts_and_ignored_attributes() {
    let end = |n: Node| field(Response::new().action(n).end_call());
    assert_eq!(end(Playlist::new().into()), "playlist.play");
    let ten = Playlist::of((0..10).map(|i| format!("{i}.wav")));
    assert!(Response::new()
        .playlist(ten.clone())
        .end_call()
        .to_xml()
        .is_ok());
    assert_eq!(end(ten.play("x.wav").into()), "playlist.play[10]");
    assert_eq!(
        end(Playlist::of(["a.wav"])
            .play(Play::new("b.wav").repeat(2))
            .into()),
        "playlist.play[1].repeat"
    );
    let (_, why) = refused(
        Response::new()
            .get(Get::new().play(Play::new("a.wav").finish_keys("#")))
            .end_call(),
    );
    assert_eq!(
        why,
        "<play finish_keys> is ignored by the platform on a <play> inside <get>: leave it out"
    );
    assert_eq!(end(Get::new().into()), "get.play");
    assert_eq!(
        end(Get::new().play("a.wav").play("b.wav").into()),
        "get.play[1]"
    );
    assert_eq!(
        end(Get::new()
            .play("a.wav")
            .playlist(Playlist::of(["b.wav"]))
            .into()),
        "get.playlist"
    );
    assert_eq!(
        end(Get::new()
            .playlist(Playlist::of(["b.wav"]).repeat(2))
            .into()),
        "get.playlist.repeat"
    );
    assert_eq!(
        end(Dial::new("1").play(Play::new("r.wav").repeat(2)).into()),
        "dial.play.repeat"
    );
    assert_eq!(
        end(Dial::new("1")
            .connect(Connect::new().play(Play::new("w.wav").finish_keys("#")))
            .into()),
        "dial.connect.play.finish_keys"
    );
    let mut dial = Node::new("dial").unwrap();
    assert_eq!(end(dial.clone()), "dial.number");
    let number = |n: &str| Node::new("number").unwrap().with_text(n).unwrap();
    dial.push(number("1")).unwrap().push(number("2")).unwrap();
    let (f, why) = refused(Response::new().action(dial).end_call());
    assert_eq!(f, "dial.number[1]");
    assert!(why.contains("dials only the first"), "{why}");
    assert_eq!(end(Dial::new(" ").into()), "dial.number");
    assert_eq!(end(Dial::new("1".repeat(129)).into()), "dial.number");
    let mut two_plays = Node::from(Dial::new("1"));
    two_plays
        .push(Node::new("play").unwrap().with_text("a.wav").unwrap())
        .unwrap()
        .push(Node::new("play").unwrap().with_text("b.wav").unwrap())
        .unwrap();
    assert_eq!(end(two_plays), "dial.play[1]");
    assert_eq!(end(Node::new("enqueue").unwrap()), "enqueue.route");
    let route = Node::new("route").unwrap();
    assert_eq!(
        end(Node::new("enqueue")
            .unwrap()
            .with_child(route.clone())
            .unwrap()),
        "enqueue.route.condition"
    );
    let both = route
        .with_child(
            Node::new("condition")
                .unwrap()
                .with("id", "c".repeat(32))
                .unwrap(),
        )
        .unwrap()
        .with_child(Node::new("agent").unwrap().with("name", "a").unwrap())
        .unwrap();
    assert_eq!(
        end(Node::new("enqueue").unwrap().with_child(both).unwrap()),
        "enqueue.route.agent"
    );
    let bare = Node::new("route")
        .unwrap()
        .with_child(Node::new("condition").unwrap())
        .unwrap();
    assert_eq!(
        end(Node::new("enqueue").unwrap().with_child(bare).unwrap()),
        "enqueue.route.condition.id"
    );
}

#[test]
fn the_generic_builder_checks_names_and_types() {
    let mut play = Node::new("play").unwrap();
    let err = play.set("tag", "x").unwrap_err();
    assert_eq!(err.field(), Some("tag"));
    assert!(err.detail().contains("finish_keys, repeat"), "{err}");
    assert_eq!(play.set("repeat", "2").unwrap_err().field(), Some("repeat"));
    assert_eq!(play.set("repeat", 1.5).unwrap_err().field(), Some("repeat"));
    assert_eq!(
        play.set("finish_keys", 1).unwrap_err().field(),
        Some("finish_keys")
    );
    play.set("repeat", 2.0).unwrap();
    assert_eq!(play.get("repeat"), Some(&json!(2)));
    play.set("repeat", Value::Null).unwrap();
    assert_eq!(play.get("repeat"), None);
    let mut record = Node::new("record").unwrap();
    assert_eq!(
        record.set("beeping", "true").unwrap_err().field(),
        Some("beeping")
    );
    assert!(record.set_text("x").is_err());
    assert_eq!(
        record.push(Node::new("play").unwrap()).unwrap_err().field(),
        Some("play")
    );
    assert_eq!(Node::new("create_conf").unwrap_err().field(), Some("name"));
    assert_eq!(Node::new("skill").unwrap_err().field(), Some("name"));
    let mut get = Node::new("get").unwrap();
    let err = get
        .set_cased("maxKeys", "1".into(), Casing::Camel)
        .unwrap_err();
    assert_eq!(err.field(), Some("maxKeys"));
    get.set_cased("maxKeys", 0.into(), Casing::Camel).unwrap();
    get.push(Node::new("play").unwrap().with_text("a.wav").unwrap())
        .unwrap();
    let err = Response::new()
        .action(get)
        .end_call()
        .to_xml_cased(Casing::Camel)
        .unwrap_err();
    assert_eq!(err.field(), Some("get.maxKeys"));
    let dial = Node::new("dial").unwrap().with("from", "x").unwrap();
    let err = Response::new()
        .action(dial.with("from", "").unwrap())
        .end_call()
        .to_xml_cased(Casing::Python)
        .unwrap_err();
    assert_eq!(err.field(), Some("dial.from_"));
}

#[test]
fn descriptions_round_trip() {
    let response = Response::new()
        .dial(
            Dial::new("13800000002")
                .from("4008000000")
                .play("ring.wav")
                .connect(
                    Connect::new()
                        .recording(true)
                        .play(Play::new("w.wav").repeat(2)),
                ),
        )
        .next(NEXT_URL);
    let value = response.to_value();
    let back = Response::from_value(&value, Casing::Snake).unwrap();
    assert_eq!(back.to_xml().unwrap(), response.to_xml().unwrap());
    assert_eq!(back.to_value(), value);
    let camel = json!({
        "actions": [{"name": "get", "attrs": {"maxKeys": 1, "ifBreakOnKey": true},
                     "children": [{"name": "play", "text": "a.wav"}]}],
        "endCall": true
    });
    let r = Response::from_value(&camel, Casing::Camel).unwrap();
    assert_eq!(
        inner(r),
        r#"<get max_keys="1" if_break_on_key="true"><play>a.wav</play></get>"#
    );
    for (bad, f) in [
        (json!([]), "response"),
        (json!({"actions": {}}), "actions"),
        (json!({"actions": [], "tag": "x"}), "tag"),
        (json!({"next": 5}), "next"),
        (json!({"end_call": "yes"}), "end_call"),
        (json!({"actions": [5]}), "element"),
        (json!({"actions": [{"attrs": {}}]}), "name"),
        (json!({"actions": [{"name": "skill"}]}), "name"),
        (
            json!({"actions": [{"name": "play", "attrs": {"loop": 1}}]}),
            "play.loop",
        ),
        (
            json!({"actions": [{"name": "play", "attrs": {"repeat": "2"}}]}),
            "play.repeat",
        ),
        (
            json!({"actions": [{"name": "play", "attrs": []}]}),
            "play.attrs",
        ),
        (json!({"actions": [{"name": "play", "text": 5}]}), "play"),
        (
            json!({"actions": [{"name": "record", "text": "x"}]}),
            "record",
        ),
        (
            json!({"actions": [{"name": "play", "children": {}}]}),
            "play.children",
        ),
        (
            json!({"actions": [{"name": "play", "children": [{"name": "number"}]}]}),
            "play.number",
        ),
        (
            json!({"actions": [{"name": "enqueue", "children": [{"name": "route", "children": [{"name": "skill"}]}]}]}),
            "enqueue.route.name",
        ),
        (json!({"actions": [{"name": "play", "x": 1}]}), "play.x"),
    ] {
        let err = Response::from_value(&bad, Casing::Snake).expect_err(&bad.to_string());
        assert_eq!(err.field(), Some(f), "{bad}: {err}");
    }
}

#[test]
fn next_urls() {
    assert!(Response::new()
        .play("a.wav")
        .next(format!("https://e.com/{}", "a".repeat(1010)))
        .to_xml()
        .is_ok());
    for url in [
        format!("https://e.com/{}", "a".repeat(1011)),
        "/ivr/next".to_owned(),
        "https://u:p@e.com/".to_owned(),
        "https://e.com/a?type=menu".to_owned(),
        "https://e.com/a?x=a%26b".to_owned(),
        " https://e.com/".to_owned(),
        String::new(),
    ] {
        let (f, why) = refused(Response::new().play("a.wav").next(url.clone()));
        assert_eq!(f, "next", "{url}");
        assert!(why.starts_with("<next> url "), "{why}");
    }
}

#[test]
fn ivr_start_bodies() {
    let start = IvrStart::parse(
        b"{\"action\":\"ivr_start\",\"subaccount_id\":\"s1\",\"from\":\"13800000001\",\"user_data\":\"caf\xe9\",\"type\":\"ivr_call\",\"call_id\":\"c1\"}",
    )
    .unwrap();
    assert_eq!(start.user_data.as_deref(), Some("café"));
    assert_eq!(start.kind, Some(IvrStartKind::Call));
    assert!(!start.is_inbound());
    assert_eq!(
        start.to_value(),
        json!({"type": "ivr_start", "call_id": "c1", "kind": "ivr_call", "from": "13800000001",
               "subaccount_id": "s1", "user_data": "café"})
    );
    let docs = br#"{"action": "ivr_start", "type": "ivr_incoming", "call_id": "c2", "subaccount_id": null, "from": 13692206627, "user_data": ""}"#;
    let start = IvrStart::parse(docs).unwrap();
    assert!(start.is_inbound());
    assert_eq!(start.from.as_deref(), Some("13692206627"));
    assert_eq!(start.user_data, None);
    for (body, f) in [
        (
            &br#"{"event":"ivr.play_end","action":"event_notify"}"#[..],
            Some("action"),
        ),
        (br#"{"type":"ivr_call"}"#, Some("action")),
        (br#"{"action":"ivr_start","type":"ivr_out"}"#, Some("type")),
        (br#"{"action":"ivr_start","from":true}"#, Some("from")),
        (br#"{"action":"ivr_start","call_id":{}}"#, Some("call_id")),
        (br#"[1]"#, None),
        (b"", None),
        (b"{", None),
    ] {
        let err = IvrStart::parse(body).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Decode);
        assert_eq!(err.field(), f, "{}", String::from_utf8_lossy(body));
    }
    let err = IvrStart::parse(br#"{"event":"ivr.play_end","action":"event_notify"}"#).unwrap_err();
    assert!(err.message().contains("Event::parse"), "{err}");
}

#[test]
fn next_queries() {
    let next = parse_ivr_next(
        "/ivr/next?step=menu&call_id=c1&type=get&keys=12%23&error=receive+error#frag",
    )
    .unwrap();
    assert_eq!(next.call_id.as_deref(), Some("c1"));
    assert_eq!(next.action.map(Action::as_str), Some("get"));
    assert_eq!(next.keys.as_deref(), Some("12#"));
    assert_eq!(next.error.as_deref(), Some("receive error"));
    assert!(!next.succeeded());
    assert_eq!(next.params, vec![("step".to_owned(), "menu".to_owned())]);
    let next = parse_ivr_next("?type=menu&call_id=c1&type=record&record_id=r1").unwrap();
    assert_eq!(next.action.map(Action::as_str), Some("record"));
    assert_eq!(next.record_id.as_deref(), Some("r1"));
    assert_eq!(next.param("type"), Some("menu"));
    let next = parse_ivr_next("tag=mytag&keys=123").unwrap();
    assert_eq!((next.call_id, next.action), (None, None));
    assert_eq!(next.keys.as_deref(), Some("123"));
    let next = IvrNext::parse(b"call_id=c&type=play&error=caf%E9&x=\xe9").unwrap();
    assert_eq!(next.error.as_deref(), Some("café"));
    assert_eq!(next.param("x"), Some("é"));
    let next = parse_ivr_next("https://app.example.com/ivr?call_id=&type=&keys=").unwrap();
    assert_eq!(
        next.to_value(),
        json!({"type": "ivr_next", "call_id": null, "action": null,
        "keys": null, "record_id": null, "error": null, "params": []})
    );
    assert_eq!(parse_ivr_next("/ivr/next").unwrap().call_id, None);
    for (q, f) in [
        ("type=hang", "type"),
        ("call_id=%zz", "call_id"),
        ("a%4=1", "a%4"),
    ] {
        let err = parse_ivr_next(q).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Decode);
        assert_eq!(err.field(), Some(f), "{q}");
    }
    assert!(parse_ivr_next(&"a".repeat(MAX_QUERY_BYTES + 1)).is_err());
}
