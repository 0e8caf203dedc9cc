//! The gateway's signature check, against the shared vectors and with tampered live requests.

mod common;

use common::*;
use std::net::SocketAddr;
use yunhuni_sandbox::{signing, App, Sandbox, SubAccount};

const BAD_CREDENTIALS: &str = "HTTP Status 401 - Bad credentials\n";
const NO_CREDENTIALS: &str = "HTTP Status 401 - 没有找到授权凭证\n";
const BAD_TIMESTAMP: &str = "HTTP Status 401 - 时间戳参数不正确\n";
const DISABLED: &str = "HTTP Status 401 - 子账号被禁用\n";

fn assert_401(r: &RawResponse, body: &str, what: &str) {
    assert_eq!(
        r.status,
        401,
        "{what}: {}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(
        r.header("WWW-Authenticate"),
        Some("Basic realm=\"Secure realm\""),
        "{what}"
    );
    assert_eq!(r.text(), body, "{what}");
}

fn assert_accepted(r: &RawResponse, what: &str) {
    assert_eq!(
        r.status,
        200,
        "{what}: {}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(
        r.header("Content-Type"),
        Some("application/json;charset=UTF-8"),
        "{what}"
    );
    assert_eq!(r.json()["code"], "000000", "{what}");
}

/// Every signing vector: the sandbox's own signing functions reproduce it, and the live
/// gateway, configured with the vector's credentials, accepts the request (and refuses it
/// with a signature from another vector).
#[test]
fn signing_vectors() {
    let vectors = vectors("signing.json");
    let cases = vectors["cases"].as_array().unwrap();
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"known-answer-post") && names.contains(&"known-answer-get"));
    for (i, case) in cases.iter().enumerate() {
        let s = |k: &str| case[k].as_str().unwrap_or_else(|| panic!("{k} in {case}"));
        let name = s("name");
        let body = hex_decode(s("body_hex"));
        assert_eq!(body, s("body").as_bytes(), "{name}");
        let uri = s("uri");
        let path = uri.split('?').next().unwrap();
        let method = s("method");

        // The sandbox's signing functions.
        let sts = signing::string_to_sign(
            method,
            &body,
            Some(s("content_type")),
            s("timestamp"),
            s("app_id"),
            path,
        );
        assert_eq!(sts, s("string_to_sign"), "{name}");
        assert_eq!(
            signing::signature(s("secret_key"), &sts),
            s("signature"),
            "{name}"
        );
        if signing::method_has_content(method) {
            assert_eq!(signing::content_md5(&body), s("content_md5"), "{name}");
        }
        // The test's own signer agrees (so the two are checked against each other too).
        assert_eq!(
            to_sign(
                method,
                path,
                Some(s("content_type")),
                &body,
                s("timestamp"),
                s("app_id")
            ),
            sts,
            "{name}"
        );

        // The live verifier. The path's account id is the main account; a different CertID
        // is a sub-account of the vector's app.
        let account = path.split('/').nth(3).unwrap();
        let mut builder = Sandbox::builder()
            .expiry_minutes(u64::MAX)
            .app_id(s("app_id"));
        if account == s("cert_id") {
            builder = builder.cert_id(s("cert_id")).secret_key(s("secret_key"));
        } else {
            builder = builder
                .cert_id(account)
                .secret_key("main-secret")
                .sub_account(SubAccount {
                    id: "sub-of-vector".into(),
                    app_id: s("app_id").into(),
                    cert_id: s("cert_id").into(),
                    secret_key: s("secret_key").into(),
                    enabled: true,
                    callback_url: None,
                });
        }
        let sb = builder.start().unwrap();
        let headers = |signature: &str| {
            vec![
                ("AppID".to_owned(), s("app_id").to_owned()),
                ("CertID".to_owned(), s("cert_id").to_owned()),
                ("Timestamp".to_owned(), s("timestamp").to_owned()),
                ("Signature".to_owned(), signature.to_owned()),
                ("Content-Type".to_owned(), s("content_type").to_owned()),
            ]
        };
        let r = raw(
            sb.local_addr(),
            method,
            uri,
            &headers(s("signature")),
            &body,
        );
        assert_ne!(
            r.status,
            401,
            "{name}: {}",
            String::from_utf8_lossy(&r.body)
        );
        // Another vector's signature: the next one that differs (vectors that differ only in
        // what is not signed, such as the query string, share a signature).
        let other = (1..cases.len())
            .map(|k| cases[(i + k) % cases.len()]["signature"].as_str().unwrap())
            .find(|sig| *sig != s("signature"))
            .expect("vectors with different signatures");
        let r = raw(sb.local_addr(), method, uri, &headers(other), &body);
        assert_401(&r, BAD_CREDENTIALS, name);
    }
}

/// A request to tamper with: method, target, headers, body.
#[derive(Clone)]
struct Req {
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn signed(creds: &Creds, body: &str) -> Req {
        let target = creds.path("duo_callback");
        Req {
            headers: creds.headers("POST", &target, body.as_bytes()),
            target,
            body: body.as_bytes().to_vec(),
        }
    }

    fn set(mut self, name: &str, value: &str) -> Req {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.into()));
        self
    }

    fn without(mut self, name: &str) -> Req {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    fn send(&self, addr: SocketAddr) -> RawResponse {
        raw(addr, "POST", &self.target, &self.headers, &self.body)
    }
}

const BODY: &str = r#"{"to1":"13800000001","to2":"13800000002","max_call_duration":60}"#;

/// Signs by hand with every part given.
fn sign(creds: &Creds, method: &str, uri: &str, ct: Option<&str>, body: &[u8], ts: &str) -> String {
    hmac_b64(
        &creds.secret,
        &to_sign(method, uri, ct, body, ts, &creds.app_id),
    )
}

#[test]
fn tampered_requests_get_their_exact_401() {
    let other_app = App {
        app_id: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1".into(),
        cert_id: "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2".into(),
        secret_key: "s3s3s3s3s3s3s3s3s3s3s3s3s3s3s3s3".into(),
        callback_url: None,
    };
    let second_app_same_tenant = App {
        app_id: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2".into(),
        cert_id: yunhuni_sandbox::DEV_CERT_ID.into(),
        secret_key: yunhuni_sandbox::DEV_SECRET_KEY.into(),
        callback_url: None,
    };
    let disabled = SubAccount {
        id: "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4".into(),
        app_id: yunhuni_sandbox::DEV_APP_ID.into(),
        cert_id: "e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5".into(),
        secret_key: "f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6".into(),
        enabled: false,
        callback_url: None,
    };
    // The docs' 5-minute window (the server's code default) keeps the offsets below short.
    let sb = Sandbox::builder()
        .expiry_minutes(5)
        .app(other_app.clone())
        .app(second_app_same_tenant.clone())
        .sub_account(disabled.clone())
        .start()
        .unwrap();
    let addr = sb.local_addr();
    let main = Creds::of(&sb);
    let sub = Creds::sub(&sb);

    // Correct requests, main account and sub-account, and header names in any case.
    assert_accepted(&Req::signed(&main, BODY).send(addr), "main account");
    assert_accepted(&Req::signed(&sub, BODY).send(addr), "sub-account");
    let mut lower = Req::signed(&main, BODY);
    lower.headers = lower
        .headers
        .into_iter()
        .map(|(n, v)| (n.to_lowercase(), v))
        .collect();
    assert_accepted(&lower.send(addr), "lowercase header names");
    let mut upper = Req::signed(&main, BODY);
    upper.headers = upper
        .headers
        .into_iter()
        .map(|(n, v)| (n.to_uppercase(), v))
        .collect();
    assert_accepted(&upper.send(addr), "uppercase header names");
    let other_tenant_app = Creds {
        account: other_app.cert_id.clone(),
        app_id: other_app.app_id.clone(),
        cert_id: other_app.cert_id.clone(),
        secret: other_app.secret_key.clone(),
    };
    assert_accepted(
        &Req::signed(&other_tenant_app, BODY).send(addr),
        "a second account",
    );
    let same_tenant = Creds {
        app_id: second_app_same_tenant.app_id.clone(),
        ..main.clone()
    };
    assert_accepted(
        &Req::signed(&same_tenant, BODY).send(addr),
        "a second app of the account",
    );

    // Body changed by one byte.
    let mut r = Req::signed(&main, BODY);
    r.body = BODY.replace("60", "61").into_bytes();
    assert_401(&r.send(addr), BAD_CREDENTIALS, "body changed");

    // Each header missing, or empty.
    for name in ["AppID", "CertID", "Signature", "Timestamp"] {
        assert_401(
            &Req::signed(&main, BODY).without(name).send(addr),
            NO_CREDENTIALS,
            name,
        );
        assert_401(
            &Req::signed(&main, BODY).set(name, "").send(addr),
            NO_CREDENTIALS,
            name,
        );
    }
    assert_401(
        &Req::signed(&main, BODY)
            .without("Content-Type")
            .without("AppID")
            .send(addr),
        NO_CREDENTIALS,
        "two missing",
    );

    // Timestamps: malformed, expired, within the window, in the future.
    let path = main.path("duo_callback");
    let ct = "application/json; charset=utf-8";
    for bad in [
        "201703011200",
        "2017030112000a",
        "2017-03-01 12:00",
        "abcdefghijklmn",
        "20170301120000 x",
    ] {
        let r = Req::signed(&main, BODY).set("Timestamp", bad).set(
            "Signature",
            &sign(&main, "POST", &path, Some(ct), BODY.as_bytes(), bad),
        );
        assert_401(&r.send(addr), BAD_TIMESTAMP, bad);
    }
    for (offset, accepted) in [
        (-301, false),
        (-299, true),
        (-3600, false),
        (3600, true),
        (86_400 * 365, true),
    ] {
        let ts = timestamp_utc8(now_secs() + offset);
        let r = Req::signed(&main, BODY).set("Timestamp", &ts).set(
            "Signature",
            &sign(&main, "POST", &path, Some(ct), BODY.as_bytes(), &ts),
        );
        if accepted {
            assert_accepted(&r.send(addr), &format!("timestamp offset {offset}"));
        } else {
            assert_401(
                &r.send(addr),
                BAD_CREDENTIALS,
                &format!("timestamp offset {offset}"),
            );
        }
    }
    // Fields out of range roll over: second 99 of a minute is 39 s into the next one.
    for (ago, accepted) in [(150, true), (600, false)] {
        let minute = (now_secs() - ago).div_euclid(60) * 60;
        let rolled = format!("{}99", &timestamp_utc8(minute)[..12]);
        let r = Req::signed(&main, BODY).set("Timestamp", &rolled).set(
            "Signature",
            &sign(&main, "POST", &path, Some(ct), BODY.as_bytes(), &rolled),
        );
        if accepted {
            assert_accepted(&r.send(addr), "rolled-over seconds");
        } else {
            assert_401(
                &r.send(addr),
                BAD_CREDENTIALS,
                "rolled-over seconds, expired",
            );
        }
    }

    // Content-Type sent differently from the one signed.
    for sent in [
        "application/json;charset=utf-8",
        "application/json; charset=UTF-8",
        "application/json",
    ] {
        assert_401(
            &Req::signed(&main, BODY)
                .set("Content-Type", sent)
                .send(addr),
            BAD_CREDENTIALS,
            sent,
        );
    }
    // Signed with the Content-Type actually sent: accepted whatever its spelling.
    for sent in ["application/json;charset=UTF-8", "application/json"] {
        let ts = timestamp_now();
        let r = Req::signed(&main, BODY)
            .set("Content-Type", sent)
            .set("Timestamp", &ts)
            .set(
                "Signature",
                &sign(&main, "POST", &path, Some(sent), BODY.as_bytes(), &ts),
            );
        assert_accepted(&r.send(addr), sent);
    }
    // No Content-Type: the signature covers the text "null"; the body is then refused with
    // 000002 (not JSON), but only after authentication succeeded.
    let ts = timestamp_now();
    let r = Req::signed(&main, BODY)
        .without("Content-Type")
        .set("Timestamp", &ts)
        .set(
            "Signature",
            &sign(&main, "POST", &path, None, BODY.as_bytes(), &ts),
        );
    let resp = r.send(addr);
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.text(),
        r#"{"code":"000002","msg":"未知错误","data":null}"#
    );
    let r = Req::signed(&main, BODY)
        .without("Content-Type")
        .set("Timestamp", &ts)
        .set(
            "Signature",
            &sign(&main, "POST", &path, Some(""), BODY.as_bytes(), &ts),
        );
    assert_401(
        &r.send(addr),
        BAD_CREDENTIALS,
        "no content type signed as empty",
    );

    // The query string is not signed.
    let mut with_query = Req::signed(&main, BODY);
    with_query.target = format!("{path}?x=1");
    assert_accepted(&with_query.send(addr), "query not signed");
    let ts = timestamp_now();
    let mut wrongly = with_query.clone().set("Timestamp", &ts).set(
        "Signature",
        &sign(
            &main,
            "POST",
            &format!("{path}?x=1"),
            Some(ct),
            BODY.as_bytes(),
            &ts,
        ),
    );
    wrongly.target = format!("{path}?x=1");
    assert_401(&wrongly.send(addr), BAD_CREDENTIALS, "query signed");

    // The path is signed: another account id in the path fails.
    let mut moved = Req::signed(&main, BODY);
    moved.target = path.replace(&main.account, "00000000000000000000000000000000");
    assert_401(&moved.send(addr), BAD_CREDENTIALS, "path changed");
    // But the account id is not compared with the CertID.
    let elsewhere = Creds {
        account: "00000000000000000000000000000000".into(),
        ..main.clone()
    };
    assert_accepted(
        &Req::signed(&elsewhere, BODY).send(addr),
        "any account id in the path",
    );

    // Unknown CertID, unknown AppID, wrong secret.
    let unknown_cert = Creds {
        cert_id: "ffffffffffffffffffffffffffffffff".into(),
        ..main.clone()
    };
    assert_401(
        &Req::signed(&unknown_cert, BODY).send(addr),
        BAD_CREDENTIALS,
        "unknown cert",
    );
    let unknown_app = Creds {
        app_id: "ffffffffffffffffffffffffffffffff".into(),
        ..main.clone()
    };
    assert_401(
        &Req::signed(&unknown_app, BODY).send(addr),
        BAD_CREDENTIALS,
        "unknown app",
    );
    let wrong_secret = Creds {
        secret: "x".into(),
        ..main.clone()
    };
    assert_401(
        &Req::signed(&wrong_secret, BODY).send(addr),
        BAD_CREDENTIALS,
        "wrong secret",
    );
    // An app of another account.
    let foreign_app = Creds {
        app_id: other_app.app_id.clone(),
        ..main.clone()
    };
    assert_401(
        &Req::signed(&foreign_app, BODY).send(addr),
        BAD_CREDENTIALS,
        "app of another account",
    );

    // A sub-account used with another app (of the same account, and of another one).
    let sub_same_tenant = Creds {
        app_id: second_app_same_tenant.app_id.clone(),
        ..sub.clone()
    };
    assert_401(
        &Req::signed(&sub_same_tenant, BODY).send(addr),
        BAD_CREDENTIALS,
        "sub-account, other app",
    );
    let sub_foreign = Creds {
        app_id: other_app.app_id.clone(),
        ..sub.clone()
    };
    assert_401(
        &Req::signed(&sub_foreign, BODY).send(addr),
        BAD_CREDENTIALS,
        "sub-account, foreign app",
    );
    // A disabled sub-account, correctly signed.
    let disabled_creds = Creds {
        cert_id: disabled.cert_id.clone(),
        secret: disabled.secret_key.clone(),
        ..main.clone()
    };
    assert_401(
        &Req::signed(&disabled_creds, BODY).send(addr),
        DISABLED,
        "disabled sub-account",
    );
    // ... but a disabled sub-account with a wrong signature is just bad credentials.
    let disabled_wrong = Creds {
        secret: "wrong".into(),
        ..disabled_creds.clone()
    };
    assert_401(
        &Req::signed(&disabled_wrong, BODY).send(addr),
        BAD_CREDENTIALS,
        "disabled, wrong signature",
    );

    // Check order: a malformed timestamp is reported before an unknown cert.
    let r = Req::signed(&unknown_cert, BODY).set("Timestamp", "x");
    assert_401(&r.send(addr), BAD_TIMESTAMP, "timestamp before cert");

    // No bypass of any kind: unknown headers change nothing.
    let r = Req::signed(&main, BODY)
        .without("Signature")
        .set("MASKCODE", "kj38kghl6d93kgj8");
    assert_401(&r.send(addr), NO_CREDENTIALS, "no bypass");

    // Everything under /v goes through the check first; then 404 / 405.
    let r = raw(addr, "GET", &path, &[], b"");
    assert_401(&r, NO_CREDENTIALS, "unsigned GET");
    let ts = timestamp_now();
    let get_headers = vec![
        ("AppID".to_owned(), main.app_id.clone()),
        ("CertID".to_owned(), main.cert_id.clone()),
        ("Timestamp".to_owned(), ts.clone()),
        (
            "Signature".to_owned(),
            sign(&main, "GET", &path, None, b"", &ts),
        ),
    ];
    let r = raw(addr, "GET", &path, &get_headers, b"");
    assert_eq!(r.status, 405);
    let unknown = main.path("nothing_here");
    let r = raw(
        addr,
        "POST",
        &unknown,
        &main.headers("POST", &unknown, BODY.as_bytes()),
        BODY.as_bytes(),
    );
    assert_eq!(r.status, 404);
    let r = raw(addr, "POST", "/elsewhere", &[], b"");
    assert_eq!(r.status, 404);
}

#[test]
fn expiry_is_50_minutes_by_default_and_configurable() {
    for (sb, window) in [
        (Sandbox::builder().start().unwrap(), 50),
        (Sandbox::builder().expiry_minutes(5).start().unwrap(), 5),
    ] {
        let main = Creds::of(&sb);
        let path = main.path("duo_callback");
        let ct = "application/json; charset=utf-8";
        for (offset, accepted) in [(-(window - 1) * 60, true), (-(window + 1) * 60, false)] {
            let ts = timestamp_utc8(now_secs() + offset);
            let r = Req::signed(&main, BODY).set("Timestamp", &ts).set(
                "Signature",
                &sign(&main, "POST", &path, Some(ct), BODY.as_bytes(), &ts),
            );
            let resp = r.send(sb.local_addr());
            let what = format!("{} minutes old, window {window}", -offset / 60);
            if accepted {
                assert_accepted(&resp, &what);
            } else {
                assert_401(&resp, BAD_CREDENTIALS, &what);
            }
        }
    }
}
