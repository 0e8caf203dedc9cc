#!/usr/bin/env python3
"""Generate the cross-language test vectors in tests/vectors/.

    python3 scripts/gen_vectors.py          # (re)write the vector files
    python3 scripts/gen_vectors.py --check  # exit 1 if a committed file differs

This is an independent implementation of the platform's request signing, of the
platform's webhook wire format and of the requests its server accepts (shared spec
platform-notes.md §1, §2, §4, §5, platform-notes-2.md §1-§7, routes.json, events.md
§1, §2, §3, §9, ivr.md). It deliberately uses only the Python standard library and never imports
project code, so the vectors can be used to test every SDK. The server's routes are
restated below (SPEC_ROUTES); when ../shared/spec/routes.json exists beside the
repository it is read and must agree with the restatement.

Files written:
  tests/vectors/signing.json   request-signing cases
  tests/vectors/events.json    webhook bodies and their canonical decoded view
  tests/vectors/requests.json  for each of the 73 operations: request parameters, and the
                               exact method, path, query and JSON body sent, or the field
                               that breaks a rule the server enforces
  tests/vectors/ivr.json       IVR documents (builder input -> exact XML, or the refused
                               element and attribute), ivr_start bodies and <next> queries
                               -> their canonical typed views

Output is deterministic: 2-space indented JSON, ensure_ascii=False, trailing
newline, keys in the order they are built here.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIGNING_PATH = os.path.join(ROOT, "tests", "vectors", "signing.json")
EVENTS_PATH = os.path.join(ROOT, "tests", "vectors", "events.json")
REQUESTS_PATH = os.path.join(ROOT, "tests", "vectors", "requests.json")
GENERATOR = "scripts/gen_vectors.py"

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class VectorError(Exception):
    pass


def require(cond, msg):
    if not cond:
        raise VectorError(msg)


# ---------------------------------------------------------------------------
# 1. Request signing
# ---------------------------------------------------------------------------

HAS_CONTENT = ("POST", "PUT")


def sign(method, uri, timestamp, app_id, secret, content_type, body_bytes):
    """Return (content_md5, string_to_sign, signature) per platform-notes §1.3-1.4."""
    if method.upper() in HAS_CONTENT:
        content_md5 = hashlib.md5(body_bytes).hexdigest()
        ctype = content_type
    else:
        content_md5 = ""
        ctype = ""
    path = uri.split("?", 1)[0]
    sts = "\n".join([method, content_md5, ctype, timestamp, app_id, path])
    mac = hmac.new(secret.encode("utf-8"), sts.encode("utf-8"), hashlib.sha256).digest()
    signature = base64.b64encode(mac).decode("ascii")
    return content_md5, sts, signature


# Credentials --------------------------------------------------------------

# Known-answer credentials (platform-notes §1.4).
KA_SECRET = "00112233445566778899aabbccddeeff"
KA_APP = "0123456789abcdef0123456789abcdef"
KA_CERT = "fedcba9876543210fedcba9876543210"
KA_TS = "20170301120000"
SDK_CT = "application/json; charset=utf-8"  # what the official SDKs send

# api.md §1.3 credentials. The docs give no CertID; the account id in the path
# is used as the cert id.
DOC_SECRET = "0123456789abcdef0123456789abcdef"
DOC_APP = "4028b834234224480155de541c7b0000"
DOC_CERT = "9053053bc1dc6e766e8b64bbbacfa84b"
DOC_TS = "20160701121000"
DOC_CT = "application/json;charset=UTF-8"

# A sub-account of the KA main account: own cert id + secret, same app; the
# account id in the path stays the main account's cert id.
SUB_CERT = "8a2bc6725a7e3f01015a7e41c2d50007"
SUB_SECRET = "6c1f0e4b9a3d47e2b8f5a0c3d2e1f4a7"
SUB2_CERT = "8a2bc6725a7e3f01015a7e41c2d50008"
SUB2_SECRET = "d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9"

KA_BASE = "/v1/account/" + KA_CERT
DOC_BASE = "/v1/account/" + DOC_CERT

KNOWN_ANSWERS = {
    # name: (content_md5 or None, signature)
    "known-answer-post": ("740379286bb79dcbbdb921b922c321c2",
                          "bar4Dt4Md26FtWJ6BkfMhl5HdzkOLAkh6FFxVlMYcQI="),
    "known-answer-get": ("", "NOaoP+AnaFSQeStI7O+IWhSaRRwAv2mggBQoezifWZI="),
    "docs-api-post-duo-callback-cancel": ("8a9f60e96a2f7abf05bc96fd500a626f",
                                          "tYu5CxkfxA7sbp2cG0/P3mMtyQzgRFuJuP2KYUzlKDQ="),
    "docs-api-get-management-telnum": ("", "m1+9P20f7y6KHPT3go+Hk4sEozMY/B7g4YGhP63/pqc="),
}


def large_body():
    """A deterministic notify_call body of exactly 65536 UTF-8 bytes."""
    target = 65536
    head = '{"to":"13800000001","play_content":['
    rows = []
    i = 0
    while True:
        row = '["第%d段-part %d",%d]' % (i, i, i % 6)
        candidate = head + ",".join(rows + [row]) + '],"user_data":"big","pad":"'
        if len(candidate.encode("utf-8")) + 2 + 64 > target:
            break
        rows.append(row)
        i += 1
    prefix = head + ",".join(rows) + '],"user_data":"big","pad":"'
    pad_len = target - len(prefix.encode("utf-8")) - 2
    require(pad_len >= 0, "large body overflow")
    pad = "".join("abcdefghijklmnopqrstuvwxyz0123456789"[(k * 7) % 36] for k in range(pad_len))
    body = prefix + pad + '"}'
    require(len(body.encode("utf-8")) == target, "large body size")
    json.loads(body)
    return body


def signing_specs():
    """Case definitions: (name, method, uri, timestamp, app_id, cert_id, secret, content_type, body)."""
    duo = '{"to1":"13800000001","to2":"13800000002","max_call_duration":60}'
    specs = []

    def add(name, method, uri, body="", ts=KA_TS, app=KA_APP, cert=KA_CERT,
            secret=KA_SECRET, ct=SDK_CT):
        specs.append((name, method, uri, ts, app, cert, secret, ct, body))

    # Known answers.
    add("known-answer-post", "POST", KA_BASE + "/call/duo_callback", duo)
    add("known-answer-get", "GET", KA_BASE + "/management/telnum")
    add("docs-api-post-duo-callback-cancel", "POST", DOC_BASE + "/call/duo_callback_cancel",
        '{"callId":"2e2597d4849211e681c7803f5d09b29d"}',
        ts=DOC_TS, app=DOC_APP, cert=DOC_CERT, secret=DOC_SECRET, ct=DOC_CT)
    add("docs-api-get-management-telnum", "GET", DOC_BASE + "/management/telnum",
        ts=DOC_TS, app=DOC_APP, cert=DOC_CERT, secret=DOC_SECRET, ct=DOC_CT)

    # Every call operation.
    add("post-duo-callback-all-params", "POST", KA_BASE + "/call/duo_callback",
        '{"from1":"02088880001","to1":"13800000001","from2":"02088880001","to2":"13800000002",'
        '"ring_tone":"ring.wav","ring_tone_mode":0,"max_dial_duration":45,"max_call_duration":3600,'
        '"recording":false,"record_mode":0,"user_data":"order-42"}')
    add("post-duo-callback-cancel", "POST", KA_BASE + "/call/duo_callback_cancel",
        '{"callId":"8a2bc6725b1d2e3f015b1d2f40a10001"}')
    add("post-notify-call", "POST", KA_BASE + "/call/notify_call",
        '{"to":"13800000001","play_content":[["您的验证码是",0],["1234",1]],"repeat":1,'
        '"max_dial_duration":45,"user_data":"notify-1"}')
    add("post-verify-call", "POST", KA_BASE + "/call/verify_call",
        '{"to":"13800000001","verify_code":"123456","repeat":2,"user_data":"v-1"}')

    # Non-ASCII bodies.
    add("post-user-data-chinese", "POST", KA_BASE + "/call/duo_callback",
        '{"to1":"13800000001","to2":"13800000002","max_call_duration":60,"user_data":"订单-42"}')
    add("post-user-data-emoji", "POST", KA_BASE + "/call/duo_callback",
        '{"to1":"13800000001","to2":"13800000002","max_call_duration":60,"user_data":"ok👍🏽"}')
    add("post-user-data-latin1", "POST", KA_BASE + "/call/duo_callback",
        '{"to1":"13800000001","to2":"13800000002","max_call_duration":60,"user_data":"café crème ÿ"}')
    add("post-user-data-mixed-scripts", "POST", KA_BASE + "/call/notify_call",
        '{"to":"13800000001","play_file":"欢迎.wav","user_data":"é订😀\u00a0Ω"}')
    add("post-user-data-json-escaped-unicode", "POST", KA_BASE + "/call/duo_callback",
        '{"to1":"13800000001","to2":"13800000002","max_call_duration":60,'
        '"user_data":"\\u8ba2\\u5355-42"}')

    # GET / DELETE: body and content type ignored.
    add("get-no-body", "GET", KA_BASE + "/callcenter/agent")
    add("get-with-body-ignored", "GET", KA_BASE + "/callcenter/agent/1001", '{"ignored":true}')
    add("delete-no-body", "DELETE",
        KA_BASE + "/callcenter/extension/40288aca586222110158622286590000")
    add("delete-with-body-ignored", "DELETE",
        KA_BASE + "/callcenter/condition/40288aca586222110158622286590001",
        '{"reason":"删除"}', ct="application/json")
    add("patch-with-body-has-no-content", "PATCH", KA_BASE + "/callcenter/agent/1001",
        '{"state":"idle"}')

    # PUT.
    add("put-msg-template", "PUT", KA_BASE + "/msg/template/10001",
        '{"name":"验证码模板","content":"您的验证码是${code}"}')
    add("put-empty-body", "PUT", KA_BASE + "/msg/template/10002", "")

    # Method case: kept as given; has-content is case-insensitive.
    add("post-lowercase-method", "post", KA_BASE + "/call/duo_callback", duo)
    add("put-mixed-case-method", "Put", KA_BASE + "/msg/template/10001", '{"name":"t"}')
    add("get-lowercase-method", "get", KA_BASE + "/management/telnum", '{"ignored":1}')

    # Query strings: removed from the first '?'.
    add("get-with-query-string", "GET", KA_BASE + "/management/telnum?pageNo=1&pageSize=20")
    add("delete-with-query-string", "DELETE", KA_BASE + "/callcenter/agent/1004?force=true")
    add("post-with-query-string", "POST", KA_BASE + "/call/duo_callback?trace=abc&x=%20y", duo)
    add("get-with-empty-query", "GET", KA_BASE + "/management/telnum?")
    add("post-with-empty-query", "POST", KA_BASE + "/call/duo_callback?", duo)
    add("get-query-with-second-question-mark", "GET",
        KA_BASE + "/management/telnum?a=1?b=2")

    # Percent-encoding is kept verbatim (not decoded, not normalised).
    add("get-percent-encoded-path", "GET",
        KA_BASE + "/callcenter/agent/%E5%BC%A0%E4%B8%89")
    add("post-percent-encoded-path-and-query", "POST",
        KA_BASE + "/callcenter/agent/agent%2f01%3Fx/state?name=%E5%BC%A0", '{"state":"busy"}')

    # Sub-account credentials (account id in path = main cert id).
    add("sub-account-post-duo-callback", "POST", KA_BASE + "/call/duo_callback", duo,
        cert=SUB_CERT, secret=SUB_SECRET)
    add("sub-account-post-notify-call-chinese", "POST", KA_BASE + "/call/notify_call",
        '{"to":"13800000003","play_file":"通知.wav","user_data":"子账号"}',
        cert=SUB2_CERT, secret=SUB2_SECRET)
    add("sub-account-get", "GET", KA_BASE + "/callcenter/agent",
        cert=SUB_CERT, secret=SUB_SECRET)

    # Empty POST body.
    add("post-empty-body", "POST", KA_BASE + "/conf/dismiss/89d716b2fc23ebff7a0086482bda8941", "")

    # Content-Type variants (signed exactly as sent).
    add("content-type-no-space-upper-utf8", "POST", KA_BASE + "/call/duo_callback", duo,
        ct="application/json;charset=UTF-8")
    add("content-type-plain-json", "POST", KA_BASE + "/call/duo_callback", duo,
        ct="application/json")
    add("content-type-empty", "POST", KA_BASE + "/call/duo_callback", duo, ct="")
    add("content-type-ignored-for-get", "GET", KA_BASE + "/management/telnum",
        ct="text/plain; charset=ISO-8859-1")

    # Line breaks inside the body.
    add("body-with-lf", "POST", KA_BASE + "/call/duo_callback",
        '{\n  "to1": "13800000001",\n  "to2": "13800000002",\n  "max_call_duration": 60\n}\n')
    add("body-with-crlf", "POST", KA_BASE + "/call/duo_callback",
        '{\r\n  "to1": "13800000001",\r\n  "to2": "13800000002",\r\n  "max_call_duration": 60\r\n}')
    add("body-with-escaped-newline-in-string", "POST", KA_BASE + "/call/notify_call",
        '{"to":"13800000001","play_file":"a.wav","user_data":"line1\\nline2\\r\\n"}')

    # Large body (~64 KiB).
    add("post-large-body-64kib", "POST", KA_BASE + "/call/notify_call", large_body())

    # Timestamps.
    add("timestamp-midnight", "POST", KA_BASE + "/call/duo_callback", duo, ts="20170301000000")
    add("timestamp-end-of-year", "POST", KA_BASE + "/call/verify_call",
        '{"to":"13800000001","verify_code":"8888"}', ts="20171231235959")
    add("timestamp-new-year-get", "GET", KA_BASE + "/management/telnum", ts="20180101000000")

    # Secrets that are not hex (used as their UTF-8 bytes, never hex-decoded).
    add("secret-not-hex-ascii", "POST", KA_BASE + "/call/duo_callback", duo,
        secret="Not-Hex_Secret/+=:zZ 9")
    add("secret-not-hex-non-ascii", "GET", KA_BASE + "/management/telnum",
        secret="密钥-clé")
    add("secret-uppercase-hex-not-decoded", "POST", KA_BASE + "/call/duo_callback", duo,
        secret="00112233445566778899AABBCCDDEEFF")

    # The other operations (platform-notes-2 §1.2): GET and DELETE sign no MD5 and no content
    # type, PUT signs both like POST; placeholders are filled (percent-encoded) before signing;
    # the query string is never signed.
    sub = "8a2bc6725a7e3f01015a7e41c2d50007"
    add("get-ext-list-with-paging-query", "GET",
        KA_BASE + "/callcenter/extension?pageNo=2&pageSize=50")
    add("get-ext-list-without-query", "GET", KA_BASE + "/callcenter/extension")
    add("get-agent-keepalive-encoded-placeholder", "GET",
        KA_BASE + "/callcenter/agent/%E5%BC%A0%E4%B8%89/keepalive")
    add("get-recording-list-encoded-query", "GET",
        KA_BASE + "/recording/plist?pageNo=1&pageSize=100&start=2017-03-01%2000%3A00%3A00"
        "&end=2017-03-31%2023%3A59%3A59")
    add("get-recording-url-gen", "GET",
        KA_BASE + "/recording/url/gen?id=a3f5e2d1c4b6a7980f1e2d3c4b5a6978")
    add("get-conversation-list-page-size", "GET",
        KA_BASE + "/callcenter/conversation?page=3&size=5")
    add("get-sms-by-msg-key", "GET", KA_BASE + "/msg/sms/8a2bc6725b1d2e3f015b1d2f40a1c003")
    add("delete-agent-logout-force", "DELETE", KA_BASE + "/callcenter/agent/agent01?force=true")
    add("delete-agent-logout-without-force", "DELETE", KA_BASE + "/callcenter/agent/agent01")
    add("delete-subaccount-id-in-path-and-query", "DELETE",
        KA_BASE + "/management/subaccount/" + sub + "?subaccountId=" + sub)
    add("delete-telnum-unbind", "DELETE",
        KA_BASE + "/management/8a2bc6725a7e3f01015a7e41c2d5a001/subaccount?subaccountId=" + sub)
    add("delete-template", "DELETE", KA_BASE + "/msg/template/10001")
    add("put-subaccount-update", "PUT", KA_BASE + "/management/subaccount/" + sub,
        '{"callbackUrl":"http://example.com/cb?shop=1","enabled":0,"remark":"closed"}')
    add("put-subaccount-quotas", "PUT", KA_BASE + "/management/subaccount/" + sub + "/quotas",
        '{"quotas":[{"type":"CallQuota","value":1200}]}')
    add("put-template-update-chinese", "PUT", KA_BASE + "/msg/template/10001",
        '{"name":"验证码","type":"msg_sms","content":"验证码 #*#，5 分钟内有效","remark":"login"}')
    add("put-with-query-string", "PUT",
        KA_BASE + "/management/subaccount/" + sub + "?trace=1",
        '{"callbackUrl":"http://example.com/cb?shop=1","enabled":0,"remark":"closed"}')
    add("post-conf-start-record-empty-object", "POST",
        KA_BASE + "/conf/start_record/89d716b2fc23ebff7a0086482bda8941", "{}")
    add("post-conf-start-record-trailing-space-key", "POST",
        KA_BASE + "/conf/start_record/89d716b2fc23ebff7a0086482bda8941",
        '{"max_duration ":120}')
    add("post-two-placeholders", "POST",
        KA_BASE + "/callcenter/conversation/8a2bc6725b1d2e3f015b1d2f40a10002/agent/"
        "%E7%8E%8B%20%E4%BA%94/lsm", '{"mode":3}')
    add("post-agent-fwd-without-body", "POST", KA_BASE + "/callcenter/agent/agent01/fwd_agent")
    add("sub-account-delete", "DELETE",
        KA_BASE + "/callcenter/condition/40288aca586222110158622286590001",
        cert=SUB_CERT, secret=SUB_SECRET)
    add("sub-account-put", "PUT", KA_BASE + "/msg/template/10001",
        '{"name":"t","content":"#*#","remark":"r"}', cert=SUB2_CERT, secret=SUB2_SECRET)
    return specs


def build_signing():
    cases = []
    for (name, method, uri, ts, app, cert, secret, ct, body) in signing_specs():
        body_bytes = body.encode("utf-8")
        md5, sts, sig = sign(method, uri, ts, app, secret, ct, body_bytes)
        require(len(sig) == 44, "%s: signature length %d" % (name, len(sig)))
        cases.append({
            "name": name,
            "method": method,
            "uri": uri,
            "timestamp": ts,
            "app_id": app,
            "cert_id": cert,
            "secret_key": secret,
            "content_type": ct,
            "body": body,
            "body_hex": body_bytes.hex(),
            "content_md5": md5,
            "string_to_sign": sts,
            "signature": sig,
        })

    by_name = {c["name"]: c for c in cases}
    require(len(by_name) == len(cases), "duplicate signing case names")
    for c in cases:
        require(KEBAB.match(c["name"]), "bad case name %r" % c["name"])
    require(len(cases) >= 34, "need at least 34 signing cases, have %d" % len(cases))

    # Known answers must be reproduced exactly.
    for name, (md5, sig) in KNOWN_ANSWERS.items():
        c = by_name[name]
        if c["content_md5"] != md5 or c["signature"] != sig:
            raise VectorError(
                "KNOWN ANSWER MISMATCH for %s: md5=%s (want %s) signature=%s (want %s)"
                % (name, c["content_md5"], md5, c["signature"], sig))
    require(by_name["known-answer-get"]["string_to_sign"]
            == "GET\n\n\n20170301120000\n" + KA_APP + "\n" + KA_BASE + "/management/telnum",
            "known-answer-get string_to_sign")
    require(by_name["post-empty-body"]["content_md5"] == "d41d8cd98f00b204e9800998ecf8427e",
            "empty body md5")
    # Sanity checks on the rules themselves.
    require(by_name["get-with-query-string"]["signature"]
            == by_name["known-answer-get"]["signature"], "query must not be signed")
    require(by_name["get-with-empty-query"]["signature"]
            == by_name["known-answer-get"]["signature"], "empty query must not be signed")
    require(by_name["get-with-body-ignored"]["content_md5"] == "", "GET body ignored")
    require(by_name["post-lowercase-method"]["string_to_sign"].startswith("post\n740379286bb79dcb"),
            "lower-case post has content")
    require(by_name["post-lowercase-method"]["signature"]
            != by_name["known-answer-post"]["signature"], "method case is signed")
    require(by_name["post-with-query-string"]["signature"]
            == by_name["known-answer-post"]["signature"], "POST query not signed")
    require(len(by_name["post-large-body-64kib"]["body_hex"]) == 2 * 65536, "large body")
    for name in ("get-ext-list-with-paging-query", "get-ext-list-without-query"):
        require(by_name[name]["string_to_sign"]
                == "GET\n\n\n20170301120000\n" + KA_APP + "\n" + KA_BASE + "/callcenter/extension",
                name + ": GET signs no MD5, no content type, no query")
    require(by_name["get-ext-list-with-paging-query"]["signature"]
            == by_name["get-ext-list-without-query"]["signature"], "GET query not signed")
    require(by_name["delete-agent-logout-force"]["signature"]
            == by_name["delete-agent-logout-without-force"]["signature"], "DELETE query not signed")
    require(by_name["delete-subaccount-id-in-path-and-query"]["string_to_sign"].startswith(
        "DELETE\n\n\n"), "DELETE signs no MD5 and no content type")
    require(by_name["put-subaccount-update"]["string_to_sign"].startswith(
        "PUT\n" + hashlib.md5(by_name["put-subaccount-update"]["body"].encode()).hexdigest()
        + "\n" + SDK_CT + "\n"), "PUT signs MD5 and content type")
    require(by_name["put-with-query-string"]["signature"]
            == by_name["put-subaccount-update"]["signature"], "PUT query not signed")
    require(by_name["post-agent-fwd-without-body"]["content_md5"]
            == "d41d8cd98f00b204e9800998ecf8427e", "POST without a body signs the empty MD5")

    return {
        "description": (
            "Request-signing vectors for the Yunhuni/oneyun REST API. "
            "string_to_sign = METHOD\\nCONTENT_MD5\\nCONTENT_TYPE\\nTIMESTAMP\\nAPPID\\nPATH "
            "(no trailing newline); CONTENT_MD5 (lowercase hex MD5 of the body bytes) and "
            "CONTENT_TYPE (exactly as sent) only when the upper-cased method is POST or PUT, "
            "otherwise both empty; PATH = uri up to the first '?', not decoded; METHOD as given. "
            "signature = base64(HMAC-SHA256(key = UTF-8 bytes of secret_key, msg = UTF-8 bytes "
            "of string_to_sign)), standard alphabet with padding."
        ),
        "generator": GENERATOR,
        "cases": cases,
    }


# ---------------------------------------------------------------------------
# 2. Webhook events
# ---------------------------------------------------------------------------

# Java HashMap iteration orders of the server's event maps (platform-notes §4.3/§4.4).
DUO_ORDER = ["reason", "end_time", "begin_time", "action", "subaccount_id", "id",
             "answer_time2", "user_data", "event", "answer_time1", "error", "hangup_by"]
FAIL_ORDER = ["action", "subaccount_id", "id", "user_data", "event", "error"]
NOTIFY_ORDER = ["answer_time", "reason", "dropped_by", "end_time", "begin_time", "action",
                "subaccount_id", "id", "user_data", "event", "error"]
VERIFY_AS_NOTIFY_ORDER = ["answer_time", "reason", "end_time", "begin_time", "action",
                          "subaccount_id", "id", "user_data", "event", "error", "hangup_by"]

CTI_FAIL_TEXT = "调用失败"  # sent as "????"


def jackson_string(s):
    """Jackson's default string escaping (no ASCII escaping of non-ASCII)."""
    out = ['"']
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n",
             "\f": "\\f", "\r": "\\r"}
    for ch in s:
        if ch in short:
            out.append(short[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04X" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def server_body(order, values, counts=()):
    """Serialise like the platform: compact Jackson, HashMap order, keys only when
    non-empty, then encode as ISO-8859-1 with '?' for unmappable characters. Integers are
    times (whole seconds x 1000), except the keys in `counts` (states, types)."""
    unknown = set(values) - set(order)
    require(not unknown, "keys not in wire order: %r" % sorted(unknown))
    parts = []
    for key in order:
        if key not in values:
            continue
        v = values[key]
        if v is None or (isinstance(v, str) and v.strip() == ""):
            continue  # MapBuilder.putIfNotEmpty
        if isinstance(v, bool):
            raise VectorError("no booleans on the server wire")
        if isinstance(v, int):
            require(key in counts or v % 1000 == 0, "server times end in 000")
            enc = str(v)
        elif isinstance(v, str):
            enc = jackson_string(v)
        else:
            raise VectorError("unsupported server value %r" % (v,))
        parts.append(jackson_string(key) + ":" + enc)
    text = "{" + ",".join(parts) + "}"
    # new StringEntity(json): ISO-8859-1, one '?' per unmappable code point
    # (a UTF-16 surrogate pair is one unmappable character).
    return bytes(ord(ch) if ord(ch) <= 0xFF else 0x3F for ch in text)


# Reference decoder producing the canonical "expect" view -------------------

class DecodeError(Exception):
    pass


def _reject_constant(name):
    raise DecodeError("non-standard JSON constant " + name)


def parse_body(raw):
    if not raw:
        raise DecodeError("empty body")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise DecodeError(str(exc)[:80])
    if not isinstance(obj, dict):
        raise DecodeError("not an object")
    event = obj.get("event")
    if not isinstance(event, str):
        raise DecodeError("event missing or not a string")
    return obj


# Event times are epoch milliseconds from 1970-01-01 to the end of 9999-12-31 UTC, which every
# language's date type holds; a time outside is a decode error (the platform never sends one).
TIME_MAX_MS = 253402300799999


def _opt_time(obj, key):
    v = _opt_int(obj, key)
    if v is not None and not (0 <= v <= TIME_MAX_MS):
        raise DecodeError(key + " out of range")
    return v


def _opt_int(obj, key):
    v = obj.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise DecodeError("%s: not an integer" % key)
    return v


def _opt_str(obj, key):
    v = obj.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise DecodeError("%s: not a string" % key)
    return v if v != "" else None


def _opt_tag(obj, key):
    """hangup_by / dropped_by for notify/verify: string as sent, number as decimal."""
    v = obj.get(key)
    if v is None:
        return None
    if isinstance(v, bool):
        raise DecodeError("%s: boolean" % key)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return v if v != "" else None
    raise DecodeError("%s: bad type" % key)


def _duo_hangup(obj):
    v = obj.get("hangup_by")
    if v is None:
        return None
    if isinstance(v, bool):
        raise DecodeError("hangup_by: boolean")
    if isinstance(v, int) and v in (0, 1, 2):
        return v
    if isinstance(v, str):
        if v == "":
            return None
        if v in ("0", "1", "2"):
            return int(v)
    raise DecodeError("hangup_by: bad value")


def canonical(raw):
    try:
        obj = parse_body(raw)
        event = obj["event"]
        if event == "duo_callback.end":
            return _canon_duo(obj)
        if event in ("notify_call.end", "verify_call.end"):
            return _canon_notify(obj)
        if event in TYPED_EVENT_KEYS:
            return _canon_ivr_event(obj)
        return {"type": "event", "event": event, "fields": obj}
    except DecodeError:
        return {"error": "decode"}


def _canon_duo(obj):
    begin = _opt_time(obj, "begin_time")
    a1 = _opt_time(obj, "answer_time1")
    a2 = _opt_time(obj, "answer_time2")
    end = _opt_time(obj, "end_time")
    hangup = _duo_hangup(obj)
    duration = _opt_int(obj, "duration")
    reason = _opt_str(obj, "reason")
    error = _opt_str(obj, "error")
    out = {
        "type": "duo_callback.end",
        "event": "duo_callback.end",
        "id": _opt_str(obj, "id"),
        "subaccount_id": _opt_str(obj, "subaccount_id"),
        "begin_time": begin,
        "answer_time1": a1,
        "answer_time2": a2,
        "end_time": end,
        "hangup_by": hangup,
        "duration": duration,
        "reason": reason,
        "error": error,
        "user_data": _opt_str(obj, "user_data"),
        "record_file": _opt_str(obj, "record_file"),
    }
    if error is not None and a1 is None and begin is None:
        outcome = "platform_failure"
    elif a1 is None:
        outcome = "party1_not_reached"
    elif a2 is None:
        outcome = "party2_not_reached"
    elif error == "connect timeout":
        outcome = "max_duration_reached"
    elif error == "connect error":
        outcome = "bridge_error"
    else:
        outcome = "connected"
    if duration is not None:
        talk = duration
    elif end is not None and a2 is not None and end >= a2:
        talk = (end - a2) // 1000
    else:
        talk = 0
    out["outcome"] = outcome
    out["talk_seconds"] = talk
    return out


def _canon_notify(obj):
    event = obj["event"]
    end = _opt_time(obj, "end_time")
    if end is None:  # absent (or null): fall back to the documented misspelling
        end = _opt_time(obj, "end_tinme")
    hangup = _opt_tag(obj, "hangup_by")
    dropped = _opt_tag(obj, "dropped_by")
    effective = dropped if dropped is not None else hangup
    if effective in ("usr", "1"):
        ended_by = "user"
    elif effective in ("sys", "0"):
        ended_by = "platform"
    else:
        ended_by = None
    return {
        "type": event,
        "event": event,
        "id": _opt_str(obj, "id"),
        "subaccount_id": _opt_str(obj, "subaccount_id"),
        "begin_time": _opt_time(obj, "begin_time"),
        "answer_time": _opt_time(obj, "answer_time"),
        "end_time": end,
        "duration": _opt_int(obj, "duration"),
        "hangup_by": hangup,
        "dropped_by": dropped,
        "ended_by": ended_by,
        "reason": _opt_str(obj, "reason"),
        "error": _opt_str(obj, "error"),
        "user_data": _opt_str(obj, "user_data"),
    }


# The ivr.* events (platform-notes-2 §8 and §2.6, events.md §3): the keys of the typed view,
# in the order of the server's table, each a time ("t": epoch milliseconds) or text ("s": a
# number as its decimal text, "" absent), with the docs' keys the server never sends after
# them. ivr.play_end reads the docs' `keys` when the server's `key` is absent.
IVR_EVENT_KEYS = {
    "ivr.call_end": [("answer_time", "t"), ("end_time", "t"), ("begin_time", "t"), ("cause", "s"),
                     ("subaccount_id", "s"), ("id", "s"), ("user_data", "s"), ("end_by", "s"),
                     ("reason", "s"), ("error", "s")],
    "ivr.play_end": [("end_time", "t"), ("begin_time", "t"), ("subaccount_id", "s"), ("id", "s"),
                     ("error", "s"), ("key", "s")],
    "ivr.record_end": [("end_time", "t"), ("begin_time", "t"), ("subaccount_id", "s"), ("id", "s"),
                       ("error", "s"), ("key", "s"), ("record_files", "s")],
    "ivr.get_end": [("keys", "s"), ("end_time", "t"), ("begin_time", "t"), ("subaccount_id", "s"),
                    ("id", "s"), ("error", "s"), ("key", "s")],
    "ivr.put_end": [("end_time", "t"), ("begin_time", "t"), ("subaccount_id", "s"), ("id", "s"),
                    ("error", "s")],
    "ivr.dial_end": [("end_time", "t"), ("begin_time", "t"), ("subaccount_id", "s"), ("id", "s"),
                     ("user_data", "s"), ("error", "s")],
    "ivr.connect_begin": [("subaccount_id", "s"), ("id", "s"), ("error", "s")],
    "ivr.connect_end": [("end_time", "t"), ("begin_time", "t"), ("subaccount_id", "s"), ("id", "s"),
                        ("error", "s")],
    "ivr.format_error": [("subaccount_id", "s"), ("id", "s"), ("user_data", "s")],
}
IVR_EVENT_FALLBACK = {("ivr.play_end", "key"): "keys"}
# The conf.* and recording.* events (platform-notes-2 §3, §7, §8), typed the same way: the keys
# of the typed view in the order of the server's table (action and event left out).
CONF_EVENT_KEYS = {
    "conf.create.succ": [("begin_time", "t"), ("subaccount_id", "s"), ("id", "s"),
                         ("user_data", "s")],
    "conf.end": [("end_time", "t"), ("begin_time", "t"), ("subaccount_id", "s"), ("id", "s"),
                 ("user_data", "s"), ("error", "s")],
    "conf.joined": [("subaccount_id", "s"), ("id", "s"), ("user_data", "s"), ("join_time", "t"),
                    ("call_id", "s")],
    "conf.join.fail": [("subaccount_id", "s"), ("id", "s"), ("time", "t"), ("user_data", "s"),
                       ("call_id", "s")],
    "conf.quit": [("subaccount_id", "s"), ("id", "s"), ("user_data", "s"), ("quit_time", "t"),
                  ("join_time", "t"), ("call_id", "s")],
    "conf.play_end": [("end_time", "t"), ("begin_time", "t"), ("subaccount_id", "s"), ("id", "s"),
                      ("user_data", "s")],
    "conf.record_end": [("end_time", "t"), ("begin_time", "t"), ("subaccount_id", "s"),
                        ("id", "s"), ("user_data", "s")],
    "recording.url_generate": [("subaccount_id", "s"), ("id", "s"), ("url", "s")],
}
# Their wire orders: java.util.HashMap (capacity 16) iteration order of the keys (§8).
CONF_EVENT_ORDER = {
    "conf.create.succ": ["begin_time", "action", "subaccount_id", "id", "user_data", "event"],
    "conf.end": ["end_time", "begin_time", "action", "subaccount_id", "id", "user_data", "event"],
    "conf.end/failed": ["action", "subaccount_id", "id", "user_data", "event", "error"],
    "conf.joined": ["action", "subaccount_id", "id", "user_data", "event", "join_time", "call_id"],
    "conf.join.fail": ["action", "subaccount_id", "id", "time", "user_data", "event", "call_id"],
    "conf.quit": ["action", "subaccount_id", "id", "user_data", "event", "quit_time", "join_time",
                  "call_id"],
    "conf.play_end": ["end_time", "begin_time", "action", "subaccount_id", "id", "user_data",
                      "event"],
    "conf.record_end": ["end_time", "begin_time", "action", "subaccount_id", "id", "user_data",
                        "event"],
    "recording.url_generate": ["action", "subaccount_id", "id", "event", "url"],
}
TYPED_EVENT_KEYS = dict(IVR_EVENT_KEYS, **CONF_EVENT_KEYS)
# The callcenter.* and msg.* events (platform-notes-2 §4.7, §6.5, §8), typed the same way. A
# third element names the typed view's key when it is not the wire's: the events' own `type`
# becomes `kind` (the view's `type` is the event's name). "i": an integer (a JSON number,
# fractions cut, or decimal text); msgKey, tempId, failMobiles and checkTime stay camelCase.
_QUEUE = [("agent_name", "s"), ("agent_extension_id", "s"), ("subaccount_id", "s"), ("id", "s"),
          ("user_data", "s"), ("type", "s", "kind"), ("origin_call_id", "s"),
          ("condition_id", "s"), ("agent_call_id", "s")]
CC_MSG_EVENT_KEYS = {
    "callcenter.queue.select": _QUEUE,
    "callcenter.queue.success": _QUEUE,
    "callcenter.queue.fail": _QUEUE[:2] + [("cause", "s")] + _QUEUE[2:],
    "callcenter.agent.state_changed": [("previous_state", "s"), ("name", "s"),
                                       ("latest_state", "s"), ("subaccount_id", "s"),
                                       ("user_data", "s"), ("current_time", "t")],
    "callcenter.agent.conversation_changed": [("conversation_id", "s"), ("name", "s"),
                                              ("latest_state", "s"), ("subaccount_id", "s"),
                                              ("user_data", "s"), ("type", "s", "kind"),
                                              ("current_time", "t")],
    "callcenter.conversation.begin": [("subaccount_id", "s"), ("id", "s"), ("user_data", "s"),
                                      ("type", "s", "kind"), ("queue_id", "s"),
                                      ("agent_call_id", "s")],
    "callcenter.conversation.end": [("end_time", "t"), ("begin_time", "t"), ("subaccount_id", "s"),
                                    ("id", "s"), ("user_data", "s"), ("type", "s", "kind")],
    "callcenter.conversation.parts_changed": [("subaccount_id", "s"), ("id", "s"),
                                              ("user_data", "s")],
    "msg.sending_complete": [("failMobiles", "s"), ("msgKey", "s"), ("state", "i"),
                             ("type", "i", "kind")],
    "msg.template_complete": [("reason", "s"), ("checkTime", "s"), ("tempId", "s"),
                              ("status", "i")],
}
# Their wire orders: java.util.HashMap (capacity 16) iteration order of the keys (§4.7, §8);
# checked below against the buckets of Java's String.hashCode.
_QUEUE_ORDER = ["agent_name", "agent_extension_id", "action", "subaccount_id", "id", "user_data",
                "event", "type", "origin_call_id", "condition_id", "agent_call_id"]
CC_MSG_EVENT_ORDER = {
    "callcenter.queue.select": _QUEUE_ORDER,
    "callcenter.queue.success": _QUEUE_ORDER,
    "callcenter.queue.fail": _QUEUE_ORDER[:2] + ["cause"] + _QUEUE_ORDER[2:],
    "callcenter.agent.state_changed": ["previous_state", "name", "latest_state", "action",
                                       "subaccount_id", "user_data", "event", "current_time"],
    "callcenter.agent.conversation_changed": ["conversation_id", "name", "latest_state", "action",
                                              "subaccount_id", "user_data", "event", "type",
                                              "current_time"],
    "callcenter.conversation.begin": ["action", "subaccount_id", "id", "user_data", "event", "type",
                                      "queue_id", "agent_call_id"],
    "callcenter.conversation.end": ["end_time", "begin_time", "action", "subaccount_id", "id",
                                    "user_data", "event", "type"],
    "callcenter.conversation.parts_changed": ["action", "subaccount_id", "id", "user_data", "event"],
    "msg.sending_complete": ["failMobiles", "action", "msgKey", "state", "event", "type"],
    "msg.template_complete": ["reason", "checkTime", "action", "tempId", "event", "status"],
}


def java_string_hash(s):
    h = 0
    for unit in s.encode("utf-16-be").hex(" ", 2).split(" "):
        h = (h * 31 + int(unit, 16)) & 0xFFFFFFFF
    return h


def java_hashmap_bucket(key, capacity=16):
    h = java_string_hash(key)
    return (h ^ (h >> 16)) & (capacity - 1)


for _event, _order in CC_MSG_EVENT_ORDER.items():
    # Sorted by bucket (a stable sort: keys of one bucket keep the table's order).
    require(sorted(_order, key=java_hashmap_bucket) == _order,
            "%s: the wire order is not java.util.HashMap's" % _event)
TYPED_EVENT_KEYS.update(CC_MSG_EVENT_KEYS)
# The server's key order of each (platform-notes-2 §8), for the bodies it sends.
IVR_EVENT_ORDER = {
    "ivr.call_end": ["answer_time", "end_time", "begin_time", "cause", "action", "subaccount_id",
                     "id", "user_data", "event", "end_by"],
    "ivr.dial_end": ["end_time", "begin_time", "action", "subaccount_id", "id", "user_data", "event",
                     "error"],
    "ivr.play_end": ["end_time", "begin_time", "action", "subaccount_id", "id", "event", "error",
                     "key"],
    "ivr.get_end": ["keys", "end_time", "begin_time", "action", "subaccount_id", "id", "event",
                    "error"],
    "ivr.record_end": ["end_time", "begin_time", "action", "subaccount_id", "id", "event", "error",
                       "key"],
    "ivr.put_end": ["end_time", "begin_time", "action", "subaccount_id", "id", "event", "error"],
    "ivr.connect_begin": ["action", "subaccount_id", "id", "event"],
    "ivr.connect_end": ["end_time", "begin_time", "action", "subaccount_id", "id", "event",
                        "error"],
    "ivr.format_error": ["action", "subaccount_id", "id", "user_data", "event"],
}


def _event_text(obj, key):
    """A text key of a typed IVR event: a number is its decimal text; "" is absent."""
    v = obj.get(key)
    if v is None:
        return None
    if isinstance(v, bool):
        raise DecodeError("%s: boolean" % key)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return v if v != "" else None
    raise DecodeError("%s: bad type" % key)


def _event_int(obj, key):
    """An integer key of a typed event: a JSON number (fractions cut) or decimal text
    ("" or blank is absent)."""
    v = obj.get(key)
    if v is None:
        return None
    if isinstance(v, bool):
        raise DecodeError("%s: boolean" % key)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if v != v or abs(v) >= 9.0e18:
            raise DecodeError("%s: out of range" % key)
        return int(v)
    if isinstance(v, str):
        t = v.strip()
        if t == "":
            return None
        if not re.match(r"^[+-]?[0-9]+$", t):
            raise DecodeError("%s: not an integer" % key)
        return int(t)
    raise DecodeError("%s: bad type" % key)


def _canon_ivr_event(obj):
    event = obj["event"]
    out = {"type": event, "event": event}
    for spec in TYPED_EVENT_KEYS[event]:
        key, ty = spec[0], spec[1]
        field = spec[2] if len(spec) > 2 else key
        read = {"t": _opt_time, "i": _event_int}.get(ty, _event_text)
        value = read(obj, key)
        alt = IVR_EVENT_FALLBACK.get((event, key))
        if value is None and alt is not None:
            value = read(obj, alt)
        out[field] = value
    return out


# Event case definitions -----------------------------------------------------

SUBACC = "8a2bc6725a7e3f01015a7e41c2d50007"
SUBACC2 = "8a2bc6725a7e3f01015a7e41c2d50008"
T0 = 1490930400000  # 2017-03-31 11:20:00 +08:00

ROW_FAIL = "CTI could not start leg 1 / CTI RPC timeout"
ROW_LEG1 = "Leg 1 busy / rejected / unreachable / no answer within max_dial_duration"
ROW_LEG2 = "Leg 2 busy / no answer / failed, or leg 1 hung up while leg 2 rang"
ROW_CANCEL = "Cancelled via API"
ROW_P1 = "Connected, party 1 hangs up"
ROW_P2 = "Connected, party 2 hangs up"
ROW_MAX = "Connected, max_call_duration reached"
ROW_BRIDGE = "Connected, bridge error"


def call_id(n):
    return "8a2bc6725b1d2e3f015b1d2f40a1%04x" % n


def duo_released(n, begin, a1=None, a2=None, end=None, hangup="0", error=None,
                 user_data=None, sub=None):
    return server_body(DUO_ORDER, {
        "event": "duo_callback.end", "id": call_id(n), "subaccount_id": sub,
        "begin_time": begin, "answer_time1": a1, "answer_time2": a2, "end_time": end,
        "hangup_by": hangup, "error": error, "user_data": user_data,
        "action": "event_notify",
    })


def cti_fail(event, n, user_data=None, sub=None):
    return server_body(FAIL_ORDER, {
        "event": event, "id": call_id(n), "subaccount_id": sub, "error": CTI_FAIL_TEXT,
        "user_data": user_data, "action": "event_notify",
    })


def notify_released(n, begin, answer=None, end=None, dropped=None, error=None,
                    user_data=None, sub=None):
    return server_body(NOTIFY_ORDER, {
        "event": "notify_call.end", "id": call_id(n), "subaccount_id": sub,
        "begin_time": begin, "answer_time": answer, "end_time": end, "dropped_by": dropped,
        "error": error, "user_data": user_data, "action": "event_notify",
    })


def verify_released(n, begin, answer=None, end=None, hangup=None, error=None,
                    user_data=None, sub=None):
    return server_body(VERIFY_AS_NOTIFY_ORDER, {
        "event": "notify_call.end", "id": call_id(n), "subaccount_id": sub,
        "begin_time": begin, "answer_time": answer, "end_time": end, "hangup_by": hangup,
        "error": error, "user_data": user_data, "action": "event_notify",
    })


def server_cases():
    """(name, outcome_row or None, bytes, expected outcome or None)."""
    c = []
    # duo_callback.end, one per §5.3 row, primary account.
    c.append(("server-duo-cti-failure", ROW_FAIL,
              cti_fail("duo_callback.end", 1, user_data="order-1"), "platform_failure"))
    c.append(("server-duo-leg1-not-reached", ROW_LEG1,
              duo_released(2, T0, user_data="order-2"), "party1_not_reached"))
    c.append(("server-duo-leg2-not-reached", ROW_LEG2,
              duo_released(3, T0, a1=T0 + 8000, user_data="order-3"), "party2_not_reached"))
    c.append(("server-duo-cancelled-before-leg1-answered", ROW_CANCEL,
              duo_released(4, T0, user_data="order-4"), "party1_not_reached"))
    c.append(("server-duo-cancelled-after-leg1-answered", ROW_CANCEL,
              duo_released(5, T0, a1=T0 + 6000, user_data="order-5"), "party2_not_reached"))
    c.append(("server-duo-connected-party1-hangup", ROW_P1,
              duo_released(6, T0, a1=T0 + 10000, a2=T0 + 20000, end=T0 + 60000, hangup="1",
                           user_data="order-42"), "connected"))
    c.append(("server-duo-connected-party2-hangup", ROW_P2,
              duo_released(7, T0, a1=T0 + 5000, a2=T0 + 12000, end=T0 + 137000, hangup="2",
                           user_data="order-7"), "connected"))
    c.append(("server-duo-connected-max-call-duration", ROW_MAX,
              duo_released(8, T0, a1=T0 + 4000, a2=T0 + 9000, end=T0 + 69000, hangup="0",
                           error="connect timeout", user_data="order-8"),
              "max_duration_reached"))
    c.append(("server-duo-connected-bridge-error", ROW_BRIDGE,
              duo_released(9, T0, a1=T0 + 4000, a2=T0 + 9000, end=T0 + 9000, hangup="0",
                           error="connect error", user_data="order-9"), "bridge_error"))
    # Primary account, user_data absent, and escaping of '"' and '\'.
    c.append(("server-duo-connected-no-user-data", ROW_P1,
              duo_released(10, T0, a1=T0 + 3000, a2=T0 + 7000, end=T0 + 8000, hangup="1"),
              "connected"))
    c.append(("server-duo-user-data-json-escapes", ROW_P2,
              duo_released(11, T0, a1=T0 + 3000, a2=T0 + 7000, end=T0 + 27000, hangup="2",
                           user_data='say "hi"\\path/x'), "connected"))
    c.append(("server-duo-user-data-emoji", ROW_LEG1,
              duo_released(12, T0, user_data="ok👍"), "party1_not_reached"))
    # Sub-account.
    c.append(("server-duo-sub-connected-party2-no-user-data", ROW_P2,
              duo_released(20, T0, a1=T0 + 6000, a2=T0 + 15000, end=T0 + 75000, hangup="2",
                           sub=SUBACC), "connected"))
    c.append(("server-duo-sub-leg1-not-reached-chinese-user-data", ROW_LEG1,
              duo_released(21, T0, user_data="订单-42", sub=SUBACC), "party1_not_reached"))
    c.append(("server-duo-sub-connected-party1-latin1-user-data", ROW_P1,
              duo_released(22, T0, a1=T0 + 7000, a2=T0 + 11000, end=T0 + 41000, hangup="1",
                           user_data="café", sub=SUBACC), "connected"))
    c.append(("server-duo-sub-cti-failure-chinese-user-data", ROW_FAIL,
              cti_fail("duo_callback.end", 23, user_data="订单-43", sub=SUBACC2),
              "platform_failure"))
    c.append(("server-duo-sub-cti-failure-no-user-data", ROW_FAIL,
              cti_fail("duo_callback.end", 24, sub=SUBACC2), "platform_failure"))
    c.append(("server-duo-sub-max-call-duration", ROW_MAX,
              duo_released(25, T0, a1=T0 + 2000, a2=T0 + 5000, end=T0 + 3605000, hangup="0",
                           error="connect timeout", user_data="sub-order", sub=SUBACC),
              "max_duration_reached"))
    c.append(("server-duo-sub-cancelled-after-leg1-answered", ROW_CANCEL,
              duo_released(26, T0, a1=T0 + 9000, user_data="été", sub=SUBACC2),
              "party2_not_reached"))

    # notify_call.end (dropped_by usr/sys).
    c.append(("server-notify-answered-system-finished", None,
              notify_released(40, T0, answer=T0 + 8000, end=T0 + 40000, dropped="sys",
                              user_data="notify-1"), None))
    c.append(("server-notify-answered-user-hangup", None,
              notify_released(41, T0, answer=T0 + 6000, end=T0 + 15000, dropped="usr",
                              user_data="notify-2"), None))
    c.append(("server-notify-not-answered-ring-timeout", None,
              notify_released(42, T0, end=T0 + 45000, dropped="sys", error="ring timeout",
                              user_data="notify-3"), None))
    c.append(("server-notify-dial-failed", None,
              notify_released(43, T0, end=T0 + 2000, dropped="sys", error="dial failed"), None))
    c.append(("server-notify-sub-chinese-user-data", None,
              notify_released(44, T0, answer=T0 + 5000, end=T0 + 25000, dropped="usr",
                              user_data="通知-1", sub=SUBACC), None))
    # verify_call normal end, sent as notify_call.end with hangup_by usr/sys.
    c.append(("server-verify-normal-end-as-notify-user-hangup", None,
              verify_released(50, T0, answer=T0 + 7000, end=T0 + 13000, hangup="usr",
                              user_data="v-1"), None))
    c.append(("server-verify-normal-end-as-notify-system-finished", None,
              verify_released(51, T0, answer=T0 + 5000, end=T0 + 20000, hangup="sys"), None))
    c.append(("server-verify-normal-end-as-notify-ring-timeout-sub", None,
              verify_released(52, T0, end=T0 + 50000, hangup="sys", error="ring timeout",
                              user_data="café", sub=SUBACC), None))
    # CTI create failures.
    c.append(("server-verify-cti-failure", None,
              cti_fail("verify_call.end", 60, user_data="v-2"), None))
    c.append(("server-notify-cti-failure", None,
              cti_fail("notify_call.end", 61, user_data="通知-2"), None))
    c.append(("server-verify-cti-failure-sub-no-user-data", None,
              cti_fail("verify_call.end", 62, sub=SUBACC2), None))
    return c


DOC_DUO = """{
  "action": "event_notify",
  "event": "duo_callback.end",
  "id": "2e2597d4849211e681c7803f5d09b29d",
  "subaccount_id": null,
  "begin_time": 1491444000000,
  "end_time": 1491444185000,
  "answer_time1": 1491444006000,
  "answer_time2": 1491444015000,
  "hangup_by": 1,
  "duration": 170,
  "reason": null,
  "error": null,
  "user_data": "order-42"
}
"""

DOC_NOTIFY = (
    '{"action": "event_notify", "event": "notify_call.end", "id": "89d716b2fc23ebff7a0086482bda8942", "subaccount_id": null,\n'
    ' "begin_time": 1491444000000, "end_tinme": 1491444040000, "answer_time": 1491444008000, "duration": 32, "hangup_by": 0,\n'
    ' "reason": null, "error": null, "user_data": "your data"}'
)

DOC_VERIFY = (
    '{"action": "event_notify", "event": "verify_call.end", "id": "89d716b2fc23ebff7a0086482bda8942", "subaccount_id": null,\n'
    ' "begin_time": 1491444000000, "end_tinme": 1491444020000, "answer_time": 1491444007000, "duration": 13, "hangup_by": 0,\n'
    ' "reason": null, "error": null, "user_data": null}'
)


def docs_cases():
    c = []
    c.append(("docs-duo-callback-end-example", DOC_DUO))
    c.append(("docs-notify-call-end-example", DOC_NOTIFY))
    c.append(("docs-verify-call-end-example", DOC_VERIFY))
    # Documented shapes with other documented values.
    c.append(("docs-duo-callback-end-party1-not-answered-utf8",
              '{"action":"event_notify","event":"duo_callback.end","id":"2e2597d4849211e681c7803f5d09b29e",'
              '"subaccount_id":"","begin_time":1491444000000,"end_time":1491444045000,"answer_time1":null,'
              '"answer_time2":null,"hangup_by":0,"duration":0,"record_file":"","reason":"",'
              '"error":"","user_data":"订单-42"}'))
    c.append(("docs-duo-callback-end-party2-hangup-no-duration",
              '{"action":"event_notify","event":"duo_callback.end","id":"2e2597d4849211e681c7803f5d09b29f",'
              '"subaccount_id":"' + SUBACC + '","begin_time":1491444000000,"end_time":1491444100000,'
              '"answer_time1":1491444005000,"answer_time2":1491444010000,"hangup_by":2,'
              '"record_file":"8a2d9fed5a117dbb015a1201db300004","user_data":null}'))
    c.append(("docs-notify-call-end-user-hangup-number",
              '{"action":"event_notify","event":"notify_call.end","id":"89d716b2fc23ebff7a0086482bda8943",'
              '"subaccount_id":null,"begin_time":1491444000000,"end_tinme":1491444030000,'
              '"answer_time":null,"duration":0,"hangup_by":1,"reason":"no answer","error":"ring timeout",'
              '"user_data":null}'))
    c.append(("docs-verify-call-end-both-end-time-spellings",
              '{"action":"event_notify","event":"verify_call.end","id":"89d716b2fc23ebff7a0086482bda8944",'
              '"subaccount_id":null,"begin_time":1491444000000,"end_time":1491444021000,'
              '"end_tinme":1491444099000,"answer_time":1491444007000,"duration":14,"hangup_by":"1",'
              '"reason":null,"error":null,"user_data":"验证"}'))
    # Other documented events (events.md §3-§8): the ivr.* typed, the others generic.
    c.append(("docs-ivr-call-end",
              '{"action": "event_notify", "event": "ivr.call_end", "id": "2e2597d4849211e681c7803f5d09b29d", "subaccount_id": null,\n'
              ' "begin_time": 1491444000000, "answer_time": 1491444005000, "end_time": 1491444100000, "end_by": "usr", "reason": null, "error": null}'))
    c.append(("docs-ivr-dial-end",
              '{"action": "event_notify", "event": "ivr.dial_end", "id": "2e2597d4849211e681c7803f5d09b29d", "subaccount_id": null,\n'
              ' "begin_time": 1491444022000, "end_time": 1491444030000, "error": null}'))
    c.append(("docs-ivr-play-end",
              '{"action": "event_notify", "event": "ivr.play_end", "id": "2e2597d4849211e681c7803f5d09b29d", "subaccount_id": null,\n'
              ' "begin_time": 1491444005000, "end_time": 1491444012000, "error": null, "keys": "#"}'))
    c.append(("docs-conf-end",
              '{"action": "event_notify", "event": "conf.end", "id": "89d716b2fc23ebff7a0086482bda8941", "subaccount_id": null, "begin_time": 1491444000000, "end_time": 1491445800000, "error": null, "user_data": "your data"}'))
    c.append(("docs-conf-joined",
              '{"action": "event_notify", "event": "conf.joined", "id": "89d716b2fc23ebff7a0086482bda8941", "subaccount_id": null, "join_time": 1491444060000, "call_id": "89d716b2fc23ebff7a0086482bda8942", "part_uri": "13692206627", "user_data": null}'))
    c.append(("docs-callcenter-queue-fail",
              '{"action": "event_notify", "event": "callcenter.queue.fail", "id": "40288aca5886052a0158863f63d60001", "subaccount_id": null,\n'
              ' "type": "ivr", "condition_id": "fg0234mujosijdfsdf", "agent_name": null, "cause": "timeout",\n'
              ' "origin_call_id": "2e2597d4849211e681c7803f5d09b29d", "agent_extension_id": null, "agent_call_id": null, "user_data": "your data whatever here!"}'))
    c.append(("docs-callcenter-agent-state-changed",
              '{"action": "event_notify", "event": "callcenter.agent.state_changed", "name": "1001", "subaccount_id": null, "previous_state": "idle", "latest_state": "fetching", "current_time": 1491444000000, "user_data": null}'))
    c.append(("docs-recording-url-generate",
              '{"action": "event_notify", "event": "recording.url_generate", "id": "8a2d9fed5a117dbb015a1201db300004", "subaccount_id": null, "url": "http://yunhuni-test.oss-cn-beijing.aliyuncs.com/tenant_res/record.zip?OSSAccessKeyId=abc&Expires=1490784251&Signature=xyz%3D"}'))
    c.append(("docs-msg-sending-complete",
              '{"action": "event_notify", "event": "msg.sending_complete", "msg_key": "40288ac9580a67f501580a6a42a40001", "state": 0, "failMobiles": "13750012158", "type": 1}'))
    c.append(("docs-msg-template-complete",
              '{"action": "event_notify", "event": "msg.template_complete", "temp_id": "10001", "status": -1, "reason": "内容不合规", "checkTime": "2017-03-30 10:15:00"}'))
    c.append(("docs-unknown-future-event",
              '{"action":"event_notify","event":"future.thing_happened","id":"0f0e0d0c0b0a09080706050403020100",'
              '"subaccount_id":null,"nested":{"list":[1,2.5,true,null,"x"],"empty":{}},"flag":false,'
              '"big":12345678901234,"neg":-7,"text":"新功能"}'))
    return [(name, text.encode("utf-8")) for name, text in c]


def malformed_cases():
    depth = 10000
    return [
        ("malformed-empty-body", b""),
        ("malformed-json-null", b"null"),
        ("malformed-empty-array", b"[]"),
        ("malformed-json-string", b'"str"'),
        ("malformed-json-number", b"42"),
        ("malformed-truncated-json",
         b'{"event":"duo_callback.end","id":"2e2597d4849211e681c7803f5d09b29d","begin_ti'),
        ("malformed-missing-event",
         b'{"action":"event_notify","id":"2e2597d4849211e681c7803f5d09b29d"}'),
        ("malformed-event-null", b'{"action":"event_notify","event":null}'),
        ("malformed-event-not-string", b'{"action":"event_notify","event":5}'),
        ("malformed-duo-begin-time-object",
         b'{"action":"event_notify","event":"duo_callback.end","id":"2e2597d4849211e681c7803f5d09b29d",'
         b'"begin_time":{"ms":1490930400000},"hangup_by":"0"}'),
        ("malformed-duo-hangup-by-true",
         b'{"action":"event_notify","event":"duo_callback.end","id":"2e2597d4849211e681c7803f5d09b29d",'
         b'"begin_time":1490930400000,"hangup_by":true}'),
        ("malformed-notify-hangup-by-true",
         b'{"action":"event_notify","event":"notify_call.end","id":"2e2597d4849211e681c7803f5d09b29d",'
         b'"begin_time":1490930400000,"hangup_by":true}'),
        ("malformed-notify-begin-time-object",
         b'{"action":"event_notify","event":"notify_call.end","id":"2e2597d4849211e681c7803f5d09b29d",'
         b'"begin_time":{"ms":1490930400000},"dropped_by":"sys"}'),
        ("malformed-deeply-nested-array", b"[" * depth + b"]" * depth),
        ("malformed-invalid-bytes", b"\xff\xfe\x00"),
        ("malformed-trailing-garbage", b'{"event":"duo_callback.end"} x'),
        ("malformed-two-objects", b'{"event":"duo_callback.end"}{"event":"duo_callback.end"}'),
        ("malformed-duo-end-time-after-9999",
         b'{"action":"event_notify","event":"duo_callback.end","id":"2e2597d4849211e681c7803f5d09b29d",'
         b'"begin_time":1490930400000,"end_time":253402300800000,"hangup_by":"0"}'),
        ("malformed-notify-begin-time-negative",
         b'{"action":"event_notify","event":"notify_call.end","id":"2e2597d4849211e681c7803f5d09b29d",'
         b'"begin_time":-1,"dropped_by":"sys"}'),
        ("malformed-nan-constant",
         b'{"action":"event_notify","event":"ivr.play_end","begin_time":NaN}'),
    ]


def event_case(name, source, raw, outcome_row=None):
    case = {"name": name, "source": source}
    if outcome_row is not None:
        case["outcome_row"] = outcome_row
    case["body_hex"] = raw.hex()
    try:
        case["body"] = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    case["expect"] = canonical(raw)
    return case


def conf_event_server(event, order=None, **values):
    return server_body(CONF_EVENT_ORDER[order or event],
                       dict(values, action="event_notify", event=event))


def conf_event_specs():
    """Every conf.* and recording.* event as the server sends it (§3, §7, §8: HashMap key
    order, only present keys, engine times in whole seconds x 1000, ISO-8859-1), their variants
    (the failed creation's conf.end, a sub-account's, an IVR member's user_data) and malformed
    values of their keys."""
    conf, sub = "8a2bc6725c1d2e3f015c1d2f40a10001", SUBACC
    member = "8a2bc6725c1d2e3f015c1d2f40a10002"
    url = ("http://127.0.0.1:9000/sandbox/recordings/8a2bc6725c1d2e3f015c1d2f40a10003.wav")
    t = T0
    server = [
        ("server-conf-create-succ", conf_event_server(
            "conf.create.succ", begin_time=t + 1000, id=conf, user_data="room-7")),
        ("server-conf-create-succ-sub-account", conf_event_server(
            "conf.create.succ", begin_time=t + 1000, subaccount_id=sub, id=conf)),
        ("server-conf-end", conf_event_server(
            "conf.end", end_time=t + 600000, begin_time=t, id=conf, user_data="room-7")),
        ("server-conf-end-creation-failed", conf_event_server(
            "conf.end", "conf.end/failed", id=conf, user_data="room-7", error="创建会议失败")),
        ("server-conf-joined-invited", conf_event_server(
            "conf.joined", id=conf, join_time=t + 4000, call_id=member)),
        ("server-conf-joined-ivr-member", conf_event_server(
            "conf.joined", subaccount_id=sub, id=conf, user_data="café", join_time=t + 4000,
            call_id=member)),
        ("server-conf-join-fail", conf_event_server(
            "conf.join.fail", id=conf, time=t + 50000, call_id=member)),
        ("server-conf-quit", conf_event_server(
            "conf.quit", id=conf, quit_time=t + 9000, join_time=t + 4000, call_id=member)),
        ("server-conf-quit-ivr-member", conf_event_server(
            "conf.quit", subaccount_id=sub, id=conf, user_data="order-42", quit_time=t + 9000,
            join_time=t + 4000, call_id=member)),
        ("server-conf-play-end", conf_event_server(
            "conf.play_end", end_time=t + 6000, begin_time=t, id=conf, user_data="room-7")),
        ("server-conf-record-end", conf_event_server(
            "conf.record_end", end_time=t + 60000, begin_time=t + 4000, subaccount_id=sub,
            id=conf)),
        ("server-recording-url-generate", conf_event_server(
            "recording.url_generate", id="8a2bc6725c1d2e3f015c1d2f40a10003", url=url)),
        ("server-recording-url-generate-sub-account", conf_event_server(
            "recording.url_generate", subaccount_id=sub, id="8a2bc6725c1d2e3f015c1d2f40a10003",
            url=url + "?expires=1490931000")),
    ]
    malformed = [
        ("malformed-conf-joined-time-text", b'{"event":"conf.joined","join_time":"now"}'),
        ("malformed-conf-quit-call-id-list", b'{"event":"conf.quit","call_id":["x"]}'),
        ("malformed-conf-end-user-data-object", b'{"event":"conf.end","user_data":{}}'),
        ("malformed-recording-url-boolean", b'{"event":"recording.url_generate","url":true}'),
    ]
    return ([(n, "server", raw) for n, raw in server]
            + [(n, "malformed", raw) for n, raw in malformed])


def cc_msg_event_server(event, **values):
    return server_body(CC_MSG_EVENT_ORDER[event], dict(values, action="event_notify", event=event),
                       counts=("state", "type", "status"))


def cc_msg_event_specs():
    """Every callcenter.* and msg.* event as the server sends it (§4.7, §6.5, §8: HashMap key
    order, only present keys, platform times in ms, ISO-8859-1), their variants (a failure
    before an agent was chosen, a sub-account's, a rejection with a Chinese reason, a mass
    task), the docs' shapes (msg_key, temp_id, strings for numbers) and malformed values."""
    task, call, agent_call = ("8a2bc6725d1d2e3f015d1d2f40a10001", "8a2bc6725d1d2e3f015d1d2f40a10002",
                              "8a2bc6725d1d2e3f015d1d2f40a10003")
    conv, ext, cond = ("8a2bc6725d1d2e3f015d1d2f40a10004", "8a2bc6725d1d2e3f015d1d2f40a10005",
                       "8a2bc6725d1d2e3f015d1d2f40a10006")
    key, t = "8a2bc6725d1d2e3f015d1d2f40a10007", T0
    queue = dict(agent_name="agent-1", agent_extension_id=ext, id=task, user_data="order-42",
                 type="ivr", origin_call_id=call, condition_id=cond, agent_call_id=agent_call)
    server = [
        ("server-callcenter-queue-select", cc_msg_event_server("callcenter.queue.select", **queue)),
        ("server-callcenter-queue-success-sub-account", cc_msg_event_server(
            "callcenter.queue.success", subaccount_id=SUBACC, **queue)),
        ("server-callcenter-queue-fail-timeout", cc_msg_event_server(
            "callcenter.queue.fail", cause="timeout", **queue)),
        ("server-callcenter-queue-fail-before-an-agent", cc_msg_event_server(
            "callcenter.queue.fail", cause="error", id=task, type="ivr", origin_call_id=call,
            condition_id=cond)),
        ("server-callcenter-agent-state-changed", cc_msg_event_server(
            "callcenter.agent.state_changed", previous_state="idle", name="agent-1",
            latest_state="fetching", current_time=t + 5000)),
        ("server-callcenter-agent-conversation-changed-enter", cc_msg_event_server(
            "callcenter.agent.conversation_changed", conversation_id=conv, name="agent-1",
            latest_state="talking", subaccount_id=SUBACC, type="enter", current_time=t + 9000)),
        ("server-callcenter-conversation-begin", cc_msg_event_server(
            "callcenter.conversation.begin", id=conv, user_data="order-42", type="queue",
            queue_id=task, agent_call_id=agent_call)),
        ("server-callcenter-conversation-begin-call-out", cc_msg_event_server(
            "callcenter.conversation.begin", id=conv, type="call_out", agent_call_id=agent_call)),
        ("server-callcenter-conversation-end", cc_msg_event_server(
            "callcenter.conversation.end", end_time=t + 60000, begin_time=t + 9000, id=conv,
            user_data="café", type="queue")),
        ("server-callcenter-conversation-parts-changed", cc_msg_event_server(
            "callcenter.conversation.parts_changed", subaccount_id=SUBACC, id=conv)),
        ("server-msg-sending-complete-single", cc_msg_event_server(
            "msg.sending_complete", msgKey=key, state=1, type=0)),
        ("server-msg-sending-complete-mass-some-failed", cc_msg_event_server(
            "msg.sending_complete", failMobiles="13300000009,13000000002", msgKey=key, state=1,
            type=1)),
        ("server-msg-sending-complete-failed", cc_msg_event_server(
            "msg.sending_complete", failMobiles="13300000009", msgKey=key, state=-1, type=0)),
        ("server-msg-sending-complete-mass-read-before-saved", cc_msg_event_server(
            "msg.sending_complete", msgKey=key, state=0, type=1)),
        ("server-msg-template-complete-approved", cc_msg_event_server(
            "msg.template_complete", checkTime="2017-03-31 11:30:00", tempId="10001", status=1)),
        ("server-msg-template-complete-rejected", cc_msg_event_server(
            "msg.template_complete", reason="签名不符 (sign)", checkTime="2017-03-31 11:30:00",
            tempId="10002", status=-1)),
    ]
    docs = [
        ("docs-msg-sending-complete-example",
         json.dumps({"action": "event_notify", "event": "msg.sending_complete", "msg_key": key,
                     "state": "0", "failMobiles": "", "type": "1"}).encode()),
        ("docs-msg-template-complete-example",
         json.dumps({"action": "event_notify", "event": "msg.template_complete", "temp_id": "10001",
                     "status": "1", "checkTime": "2017-03-31 11:30:00", "reason": None}).encode()),
    ]
    malformed = [
        ("malformed-msg-sending-complete-state-text", b'{"event":"msg.sending_complete","state":"ok"}'),
        ("malformed-msg-template-complete-status-boolean",
         b'{"event":"msg.template_complete","status":true}'),
        ("malformed-callcenter-queue-fail-cause-list", b'{"event":"callcenter.queue.fail","cause":[1]}'),
        ("malformed-callcenter-agent-state-changed-time-text",
         b'{"event":"callcenter.agent.state_changed","current_time":"now"}'),
        ("malformed-callcenter-conversation-end-time-negative",
         b'{"event":"callcenter.conversation.end","end_time":-1}'),
    ]
    return ([(n, "server", raw) for n, raw in server] + [(n, "docs", raw) for n, raw in docs]
            + [(n, "malformed", raw) for n, raw in malformed])


def build_events():
    cases = []
    for name, row, raw, want_outcome in server_cases():
        case = event_case(name, "server", raw, row)
        exp = case["expect"]
        require("error" not in exp or "type" in exp, "%s: server case must decode" % name)
        if want_outcome is not None:
            require(exp.get("outcome") == want_outcome,
                    "%s: outcome %r, want %r" % (name, exp.get("outcome"), want_outcome))
        cases.append(case)
    for name, raw in docs_cases():
        case = event_case(name, "docs", raw)
        require("type" in case["expect"], "%s: docs case must decode" % name)
        cases.append(case)
    for name, source, raw in conf_event_specs() + cc_msg_event_specs():
        case = event_case(name, source, raw)
        require((source == "malformed") == ("type" not in case["expect"]),
                "%s: %r" % (name, case["expect"]))
        cases.append(case)
    for name, raw in malformed_cases():
        case = event_case(name, "malformed", raw)
        require(case["expect"] == {"error": "decode"}, "%s: must be a decode error" % name)
        cases.append(case)

    names = [c["name"] for c in cases]
    require(len(set(names)) == len(names), "duplicate event case names")
    for n in names:
        require(KEBAB.match(n), "bad case name %r" % n)

    by = {c["name"]: c for c in cases}
    # Hand-checked expectations for the trickiest encodings.
    require(by["server-duo-sub-connected-party1-latin1-user-data"]["body_hex"].find("636166e9") >= 0
            and "body" not in by["server-duo-sub-connected-party1-latin1-user-data"],
            "café must be sent as 63 61 66 e9 (invalid UTF-8)")
    require(by["server-duo-sub-connected-party1-latin1-user-data"]["expect"]["user_data"] == "café",
            "café decodes via ISO-8859-1")
    require(by["server-duo-sub-leg1-not-reached-chinese-user-data"]["expect"]["user_data"] == "??-42",
            "Chinese user_data becomes ??-42")
    require(by["server-duo-cti-failure"]["body"]
            == '{"action":"event_notify","id":"' + call_id(1)
            + '","user_data":"order-1","event":"duo_callback.end","error":"????"}',
            "CTI failure wire form")
    require(by["server-duo-connected-party1-hangup"]["body"]
            == '{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify",'
               '"id":"' + call_id(6) + '","answer_time2":1490930420000,"user_data":"order-42",'
               '"event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}',
            "duo wire form")
    require(by["server-duo-connected-party1-hangup"]["expect"]["talk_seconds"] == 40, "talk seconds")
    require(by["server-duo-user-data-emoji"]["expect"]["user_data"] == "ok?", "emoji -> one ?")
    require(by["docs-duo-callback-end-example"]["expect"]["talk_seconds"] == 170, "docs duration")
    require(by["docs-notify-call-end-example"]["expect"]["end_time"] == 1491444040000, "end_tinme")
    require(by["docs-notify-call-end-example"]["expect"]["hangup_by"] == "0", "hangup_by number")
    require(by["docs-verify-call-end-both-end-time-spellings"]["expect"]["end_time"] == 1491444021000,
            "end_time wins over end_tinme")
    require(by["server-verify-normal-end-as-notify-user-hangup"]["expect"]["type"]
            == "notify_call.end", "verify normal end type")
    require(by["server-notify-cti-failure"]["expect"]["error"] == "????", "CTI failure text")
    require(by["malformed-invalid-bytes"].get("body") is None, "invalid bytes have no body")
    require({c["expect"].get("type") for c in cases} >= set(CONF_EVENT_KEYS),
            "every conf.* and recording.* event has a typed case")
    require(by["server-conf-quit"]["body"]
            == '{"action":"event_notify","id":"8a2bc6725c1d2e3f015c1d2f40a10001",'
               '"event":"conf.quit","quit_time":1490930409000,"join_time":1490930404000,'
               '"call_id":"8a2bc6725c1d2e3f015c1d2f40a10002"}', "conf.quit wire form")
    require(by["server-conf-end-creation-failed"]["expect"]["error"] == "??????",
            "the failed creation's error arrives as ??????")
    require({c["expect"].get("type") for c in cases} >= set(CC_MSG_EVENT_KEYS),
            "every callcenter.* and msg.* event has a typed case")
    require(by["server-msg-sending-complete-failed"]["body"]
            == '{"failMobiles":"13300000009","action":"event_notify",'
               '"msgKey":"8a2bc6725d1d2e3f015d1d2f40a10007","state":-1,'
               '"event":"msg.sending_complete","type":0}', "msg.sending_complete wire form")
    require(by["server-msg-sending-complete-failed"]["expect"]["kind"] == 0
            and by["server-msg-sending-complete-failed"]["expect"]["state"] == -1,
            "msg.sending_complete: ints are ints, its type is the view's kind")
    require(by["server-msg-template-complete-rejected"]["expect"]["reason"] == "???? (sign)",
            "a Chinese reason arrives as ?")
    require(by["docs-msg-sending-complete-example"]["expect"]["msgKey"] is None
            and by["docs-msg-sending-complete-example"]["expect"]["state"] == 0,
            "the docs' msg_key is not the server's msgKey; \"0\" reads as 0")
    require(by["server-callcenter-queue-select"]["expect"]["kind"] == "ivr", "queue type as kind")

    return {
        "description": (
            "Webhook bodies as POSTed by the Yunhuni/oneyun platform and the canonical decoded "
            "view every SDK must produce. source=server: exact bytes the real server sends "
            "(compact JSON, Java HashMap key order, only present keys, ISO-8859-1 with '?' for "
            "characters outside Latin-1). source=docs: shapes from the public docs (UTF-8, nulls, "
            "numeric hangup_by, duration, end_tinme). source=malformed: bodies that must be "
            "rejected with {\"error\":\"decode\"}. body_hex is authoritative; body is present "
            "only when the bytes are valid UTF-8. See tests/vectors/README.md."
        ),
        "cases": cases,
    }


# ---------------------------------------------------------------------------
# 3. Requests: what the client sends, and what it refuses before sending
# ---------------------------------------------------------------------------
#
# Every operation of the platform (routes.json less its debug route `ext_list_test`): the
# method, the path (relative to /v1/account/{account_id}/, placeholders filled and
# percent-encoded), the query string and the exact JSON body the client sends, or the field it
# refuses before sending anything because the server would refuse (or misread) the request.
#
# Sources, restated here and never imported:
#   SPEC_ROUTES  the server's methods, paths, body kinds, body keys (in the server's order) and
#                query parameters with their types, presence and bean-validation rules
#                (shared spec routes.json). When ../shared/spec/routes.json exists beside the
#                repository it is read and must agree with this restatement; when it is absent
#                the restatement is used as it stands.
#   PROSE_RULES  rules that platform-notes-2 states in prose (paging §1.2, recordings §7, mass
#                tasks §6.3), and per-operation checks (extensions §4.1, skills §4.2,
#                quotas §5.1).
#   SIMPLE       the four simple calls keep the rules of platform-notes §2.2-2.5 (check_simple).
#   SDK_FIELDS   the SDK's own decisions, names only: the snake_case name users write for each
#                wire key or path placeholder and the order of the fields (core's operation
#                table). A name that differs from the wire key by more than casing is a bridge
#                between the docs and the server (platform-notes-2 §3, §4.5, §4.6, §5.1).

SPEC_ROUTES_FILE = os.path.join(os.path.dirname(ROOT), "shared", "spec", "routes.json")

# name: (method, path, body kind, body [(key, type, required, rules)], query [(...)])
SPEC_ROUTES = {
    "duo_callback": ("POST", "call/duo_callback", "json_dto", [
        ("from1", "string", False, {}),
        ("to1", "string", True, {"not_null": True}),
        ("from2", "string", False, {}),
        ("to2", "string", True, {"not_null": True}),
        ("ring_tone", "string", False, {}),
        ("ring_tone_mode", "integer", False, {"min": 0, "max": 3, "forbidden": [1]}),
        ("max_dial_duration", "integer", False, {"min": 1, "max": 300}),
        ("max_call_duration", "integer", True, {"not_null": True, "min": 1, "max": 21600}),
        ("recording", "boolean", False, {}),
        ("record_mode", "integer", False, {"min": 0, "max": 3}),
        ("user_data", "string", False, {"max_length": 128}),
    ], []),
    "duo_callback_cancel": ("POST", "call/duo_callback_cancel", "json_map", [
        ("callId", "string", False, {}),
    ], []),
    "notify_call": ("POST", "call/notify_call", "json_dto", [
        ("from", "string", False, {}),
        ("to", "string", True, {"not_null": True, "not_blank": True}),
        ("play_file", "string", False, {}),
        ("play_content", "array<array>", False, {}),
        ("repeat", "integer", False, {"min": 0, "max": 10}),
        ("max_dial_duration", "integer", False, {"min": 1, "max": 300}),
        ("user_data", "string", False, {"max_length": 128}),
    ], []),
    "verify_call": ("POST", "call/verify_call", "json_dto", [
        ("from", "string", False, {"max_length": 128}),
        ("to", "string", True, {"not_null": True, "min_length": 1, "max_length": 128}),
        ("max_dial_duration", "integer", False, {"min": 1, "max": 300}),
        ("play_file", "string", False, {"max_length": 512}),
        ("verify_code", "string", False, {"pattern": "^([0-9]{1,12})?$"}),
        ("repeat", "integer", False, {"min": 0, "max": 10}),
        ("user_data", "string", False, {"max_length": 128}),
    ], []),
    "ivr_call": ("POST", "call/ivr_call", "json_dto", [
        ("from", "string", False, {"max_length": 128}),
        ("to", "string", True, {"not_null": True, "min_length": 1, "max_length": 128}),
        ("max_call_duration", "integer", True, {"not_null": True, "min": 1, "max": 21600}),
        ("max_dial_duration", "integer", False, {"min": 1, "max": 300}),
        ("user_data", "string", False, {"max_length": 128}),
    ], []),
    "conf_create": ("POST", "conf/create", "json_dto", [
        ("max_duration", "integer", True, {"not_null": True, "min": 1, "max": 21600}),
        ("max_parts", "integer", False, {"min": 1}),
        ("recording", "boolean", False, {}),
        ("auto_hangup", "boolean", False, {}),
        ("bgm_file", "string", False, {"max_length": 128}),
        ("user_data", "string", False, {"max_length": 128}),
    ], []),
    "conf_dismiss": ("POST", "conf/dismiss/{id}", "none", [], []),
    "conf_invite_call": ("POST", "conf/invite_call/{id}", "json_dto", [
        ("from", "string", False, {"max_length": 128}),
        ("to", "string", True, {"not_null": True, "min_length": 1, "max_length": 128}),
        ("max_duration", "integer", True, {"not_null": True, "min": 1, "max": 21600}),
        ("max_dial_duration", "integer", False, {"min": 1, "max": 300}),
        ("dial_voice_stop_cond", "integer", False, {"min": 0, "max": 1}),
        ("play_file", "string", False, {"max_length": 128}),
        ("voice_mode", "integer", False, {"min": 1, "max": 4}),
    ], []),
    "conf_join": ("POST", "conf/join/{id}", "json_dto", [
        ("call_id", "string", True, {"not_null": True, "min_length": 1, "max_length": 128}),
        ("max_duration", "integer", True, {"not_null": True, "min": 1, "max": 21600}),
        ("play_file", "string", False, {"max_length": 128}),
        ("voice_mode", "integer", False, {"min": 1, "max": 4}),
    ], []),
    "conf_quit": ("POST", "conf/quit/{id}", "json_dto", [
        ("call_id", "string", True, {"not_null": True, "min_length": 1, "max_length": 128}),
    ], []),
    "conf_start_play": ("POST", "conf/start_play/{id}", "json_dto", [
        ("files", "array<string>", True, {"not_null": True}),
    ], []),
    "conf_stop_play": ("POST", "conf/stop_play/{id}", "none", [], []),
    "conf_start_record": ("POST", "conf/start_record/{id}", "json_dto", [
        ("max_duration ", "integer", False, {"min": 1, "max": 21600}),
    ], []),
    "conf_stop_record": ("POST", "conf/stop_record/{id}", "none", [], []),
    "conf_set_voice_mode": ("POST", "conf/set_voice_mode/{id}", "json_dto", [
        ("call_id", "string", True, {"not_null": True, "min_length": 1, "max_length": 128}),
        ("voice_mode", "integer", True, {"not_null": True, "min": 1, "max": 4}),
    ], []),
    "ext_create": ("POST", "callcenter/extension", "json_entity", [
        ("type", "string", True, {"enum": ["1", "2", "3"]}),
        ("user", "string", False, {}),
        ("password", "string", False, {}),
        ("ipaddr", "string", False, {}),
        ("telnum", "string", False, {}),
    ], []),
    "ext_delete": ("DELETE", "callcenter/extension/{extension_id}", "none", [], []),
    "ext_get": ("GET", "callcenter/extension/{extension_id}", "none", [], []),
    "ext_list": ("GET", "callcenter/extension", "none", [], [
        ("pageNo", "integer", False, {}),
        ("pageSize", "integer", False, {}),
    ]),
    "agent_login": ("POST", "callcenter/agent", "json_entity", [
        ("name", "string", True, {"not_blank": True}),
        ("num", "string", False, {}),
        ("state", "string", False,
         {"enum_or_prefix": ["online", "idle", "busy", "away", "busy/*", "away/*"]}),
        ("extension", "string", True, {"not_blank": True}),
        ("skills", "array<object>", False, {}),
    ], []),
    "agent_logout": ("DELETE", "callcenter/agent/{agent_name}", "none", [], [
        ("force", "boolean", False, {}),
    ]),
    "agent_keepalive": ("GET", "callcenter/agent/{agent_name}/keepalive", "none", [], []),
    "agent_get": ("GET", "callcenter/agent/{agent_name}", "none", [], []),
    "agent_list": ("GET", "callcenter/agent", "none", [], [
        ("pageNo", "integer", False, {}),
        ("pageSize", "integer", False, {}),
    ]),
    "agent_set_extension": ("POST", "callcenter/agent/{agent_name}/extension", "json_map", [
        ("id", "string", True, {"not_blank": True}),
    ], []),
    "agent_set_state": ("POST", "callcenter/agent/{agent_name}/state", "json_map", [
        ("state", "string", True, {"enum_or_prefix": ["idle", "busy", "away", "busy/*", "away/*"]}),
    ], []),
    "agent_set_skills": ("POST", "callcenter/agent/{agent_name}/skills", "json_object", [
        ("opts", "array<object>", True, {"min_items": 1}),
    ], []),
    "agent_reject": ("POST", "callcenter/agent/{name}/reject", "json_dto", [
        ("queue_id", "string", True, {"not_null": True, "min_length": 1, "max_length": 128}),
        ("data", "string", False, {"max_length": 128}),
    ], []),
    "agent_call_out": ("POST", "callcenter/agent/{name}/call_out", "json_dto", [
        ("to", "string", True, {"not_null": True, "not_blank": True}),
        ("from", "string", False, {}),
        ("max_dial_seconds", "integer", False, {}),
        ("max_answer_seconds", "integer", False, {}),
        ("user_data", "string", False, {"max_length": 128}),
    ], []),
    "agent_call_agent": ("POST", "callcenter/agent/{name}/call_agent", "json_dto", [
        ("enqueue", "string", True, {"not_null": True}),
    ], []),
    "agent_fwd_agent": ("POST", "callcenter/agent/{name}/fwd_agent", "none", [], []),
    "agent_xfer_agent": ("POST", "callcenter/agent/{name}/xfer_agent", "none", [], []),
    "agent_xfer_out": ("POST", "callcenter/agent/{name}/xfer_out", "none", [], []),
    "agent_lsm": ("POST", "callcenter/agent/{name}/lsm", "json_dto", [
        ("conversation_id", "string", True, {"not_null": True}),
        ("mode", "integer", False, {"min": 1, "max": 4}),
    ], []),
    "agent_enter": ("POST", "callcenter/agent/{name}/enter", "json_dto", [
        ("conversation_id", "string", True, {"not_null": True}),
        ("mode", "integer", False, {"min": 1, "max": 4}),
        ("holding", "boolean", False, {}),
    ], []),
    "agent_exit": ("POST", "callcenter/agent/{name}/exit", "json_dto", [
        ("conversation_id", "string", True, {"not_null": True}),
    ], []),
    "agent_merge": ("POST", "callcenter/agent/{agent_name}/merge", "json", [
        ("src_conversation_id", "string", True, {}),
        ("dst_conversation_id", "string", True, {}),
        ("mode", "integer", False, {}),
    ], []),
    "agent_conversations": ("GET", "callcenter/agent/{name}/conversation", "none", [], []),
    "condition_create": ("POST", "callcenter/condition", "json_dto", [
        ("where", "string", True,
         {"not_null": True, "max_length": 512,
          "language": "condition-expression (boolean, must end with ';')"}),
        ("sort", "string", False, {"max_length": 512, "language": "condition-expression (number)"}),
        ("priority", "integer", False, {"min": 0, "max": 99}),
        ("queue_timeout", "integer", True, {"not_null": True, "min": 1, "max": 1000}),
        ("fetch_timeout", "integer", False, {"min": 1, "max": 60}),
        ("remark", "string", False, {"max_length": 128}),
    ], []),
    "condition_modify": ("POST", "callcenter/condition/{id}", "json_dto", [
        ("where", "string", True,
         {"not_null": True, "max_length": 512,
          "language": "condition-expression (boolean, must end with ';')"}),
        ("sort", "string", False, {"max_length": 512, "language": "condition-expression (number)"}),
        ("priority", "integer", False, {"min": 0, "max": 99}),
        ("queue_timeout", "integer", True, {"not_null": True, "min": 1, "max": 1000}),
        ("fetch_timeout", "integer", False, {"min": 1, "max": 60}),
        ("remark", "string", False, {"max_length": 128}),
    ], []),
    "condition_delete": ("DELETE", "callcenter/condition/{id}", "none", [], []),
    "condition_list": ("GET", "callcenter/condition", "none", [], []),
    "condition_get": ("GET", "callcenter/condition/{id}", "none", [], []),
    "conversation_dismiss": ("DELETE", "callcenter/conversation/{id}", "none", [], []),
    "conversation_lsm": ("POST", "callcenter/conversation/{id}/agent/{name}/lsm", "json_dto", [
        ("mode", "integer", True, {"not_null": True, "min": 1, "max": 4}),
    ], []),
    "conversation_invite_agent": ("POST", "callcenter/conversation/{id}/invite_agent", "json_dto", [
        ("enqueue", "string", True, {"not_null": True, "max_length": 1024}),
        ("mode", "integer", False, {"min": 1, "max": 4}),
    ], []),
    "conversation_invite_out": ("POST", "callcenter/conversation/{id}/invite_out", "json_dto", [
        ("from", "string", False, {"max_length": 128}),
        ("to", "string", True, {"not_null": True, "min_length": 1, "max_length": 128}),
        ("max_call_duration", "integer", True, {"not_null": True, "min": 1, "max": 21600}),
        ("max_dial_duration", "integer", False, {"min": 1, "max": 300}),
        ("mode", "integer", False, {"min": 1, "max": 4}),
    ], []),
    "conversation_get": ("GET", "callcenter/conversation/{id}", "none", [], []),
    "conversation_list": ("GET", "callcenter/conversation", "none", [], [
        ("page", "integer", False, {}),
        ("size", "integer", False, {}),
    ]),
    "subaccount_create": ("POST", "management/subaccount", "json_dto", [
        ("callbackUrl", "string", False, {"pattern": "[a-zA-z]+://[^\\s]*"}),
        ("remark", "string", False, {"max_length": 128}),
        ("quotas", "array<object>", False, {}),
    ], []),
    "subaccount_update": ("PUT", "management/subaccount/{id}", "json_dto", [
        ("callbackUrl", "string", False, {"pattern": "[a-zA-z]+://[^\\s]*"}),
        ("enabled", "integer", False, {"min": 0, "max": 1}),
        ("remark", "string", False, {"max_length": 128}),
    ], []),
    "subaccount_delete": ("DELETE", "management/subaccount/{id}", "none", [], [
        ("subaccountId", "string", False, {}),
    ]),
    "subaccount_set_quotas": ("PUT", "management/subaccount/{id}/quotas", "json_dto", [
        ("quotas", "array<object>", True, {"not_null": True}),
    ], []),
    "subaccount_list": ("GET", "management/subaccount", "none", [], [
        ("pageNo", "integer", False, {}),
        ("pageSize", "integer", False, {}),
    ]),
    "subaccount_get": ("GET", "management/subaccount/{id}", "none", [], []),
    "telnum_list": ("GET", "management/telnum", "none", [], [
        ("pageNo", "integer", False, {}),
        ("pageSize", "integer", False, {}),
    ]),
    "telnum_bind": ("POST", "management/telnum/{id}/subaccount", "json_dto", [
        ("subaccountId", "string", True, {"not_null": True}),
    ], []),
    "telnum_unbind": ("DELETE", "management/{id}/subaccount", "none", [], [
        ("subaccountId", "string", False, {}),
    ]),
    "template_create": ("POST", "msg/template", "json_dto", [
        ("name", "string", True, {"not_null": True}),
        ("type", "string", False,
         {"pattern": "^msg_sms|msg_ussd$", "enum": ["msg_sms", "msg_ussd"]}),
        ("content", "string", True, {"not_null": True}),
        ("remark", "string", True, {"not_null": True}),
    ], []),
    "template_update": ("PUT", "msg/template/{tempId}", "json_dto", [
        ("name", "string", True, {"not_null": True}),
        ("type", "string", False, {"pattern": "^msg_sms|msg_ussd$"}),
        ("content", "string", True, {"not_null": True}),
        ("remark", "string", True, {"not_null": True}),
    ], []),
    "template_delete": ("DELETE", "msg/template/{tempId}", "none", [], []),
    "template_get": ("GET", "msg/template/{tempId}", "none", [], []),
    "template_list": ("GET", "msg/template", "none", [], [
        ("pageNo", "integer", False, {}),
        ("pageSize", "integer", False, {}),
    ]),
    "ussd_send": ("POST", "msg/ussd/send", "json_dto", [
        ("mobile", "string", True, {"not_null": True, "pattern_after_trim": "^1\\d{10}$"}),
        ("tempId", "string", True, {"not_null": True}),
        ("tempArgs", "string", False, {}),
    ], []),
    "ussd_mass_task": ("POST", "msg/ussd/mass/task", "json_dto", [
        ("taskName", "string", True, {"not_null": True}),
        ("tempId", "string", True, {"not_null": True}),
        ("tempArgs", "string", False, {}),
        ("mobiles", "string", True, {"not_null": True}),
        ("sendTime", "string", False, {}),
    ], []),
    "ussd_get": ("GET", "msg/ussd/{msgKey}", "none", [], []),
    "ussd_list": ("GET", "msg/ussd", "none", [], [
        ("pageNo", "integer", False, {}),
        ("pageSize", "integer", False, {}),
    ]),
    "sms_send": ("POST", "msg/sms/send", "json_dto", [
        ("mobile", "string", True, {"not_null": True, "pattern_after_trim": "^1\\d{10}$"}),
        ("tempId", "string", True, {"not_null": True}),
        ("tempArgs", "string", False, {}),
    ], []),
    "sms_mass_task": ("POST", "msg/sms/mass/task", "json_dto", [
        ("taskName", "string", True, {"not_null": True}),
        ("tempId", "string", True, {"not_null": True}),
        ("tempArgs", "string", False, {}),
        ("mobiles", "string", True, {"not_null": True}),
        ("sendTime", "string", False, {}),
    ], []),
    "sms_get": ("GET", "msg/sms/{msgKey}", "none", [], []),
    "sms_list": ("GET", "msg/sms", "none", [], [
        ("pageNo", "integer", False, {}),
        ("pageSize", "integer", False, {}),
    ]),
    "recording_list": ("GET", "recording/plist", "none", [], [
        ("pageNo", "integer", False, {}),
        ("pageSize", "integer", False, {}),
        ("start", "string", True, {}),
        ("end", "string", True, {}),
    ]),
    "recording_url_gen": ("GET", "recording/url/gen", "none", [], [
        ("id", "string", True, {}),
    ]),
}

# Names the SDK gives the fields, in the order of core's operation table. A bare name is a body
# key or query parameter of the same name; (name, key) renames a key; (name, "{p}") fills the path
# placeholder p; (name, "{p}?q") fills p and also sends the query parameter q.
SDK_FIELDS = {
    "duo_callback": [
        "to1", "to2", "max_call_duration", "from1", "from2", "ring_tone", "ring_tone_mode",
        "max_dial_duration", "recording", "record_mode", "user_data",
    ],
    "duo_callback_cancel": [("call_id", "callId")],
    "notify_call": [
        "to", "from", "play_file", "play_content", "repeat", "max_dial_duration", "user_data",
    ],
    "verify_call": [
        "to", "from", "verify_code", "play_file", "repeat", "max_dial_duration", "user_data",
    ],
    "ivr_call": ["from", "to", "max_call_duration", "max_dial_duration", "user_data"],
    "conf_create": [
        "max_duration", "max_parts", "recording", "auto_hangup", "bgm_file", "user_data",
    ],
    "conf_dismiss": [("conf_id", "{id}")],
    "conf_invite_call": [
        ("conf_id", "{id}"), "from", "to", "max_duration", "max_dial_duration",
        "dial_voice_stop_cond", "play_file", "voice_mode",
    ],
    "conf_join": [("conf_id", "{id}"), "call_id", "max_duration", "play_file", "voice_mode"],
    "conf_quit": [("conf_id", "{id}"), "call_id"],
    "conf_start_play": [("conf_id", "{id}"), "files"],
    "conf_stop_play": [("conf_id", "{id}")],
    "conf_start_record": [("conf_id", "{id}"), ("max_duration", "max_duration ")],
    "conf_stop_record": [("conf_id", "{id}")],
    "conf_set_voice_mode": [("conf_id", "{id}"), "call_id", "voice_mode"],
    "ext_create": ["type", "user", "password", "ipaddr", "telnum"],
    "ext_delete": [("extension_id", "{extension_id}")],
    "ext_get": [("extension_id", "{extension_id}")],
    "ext_list": [("page_no", "pageNo"), ("page_size", "pageSize")],
    "agent_login": ["name", "num", "state", "extension", "skills"],
    "agent_logout": [("agent_name", "{agent_name}"), "force"],
    "agent_keepalive": [("agent_name", "{agent_name}")],
    "agent_get": [("agent_name", "{agent_name}")],
    "agent_list": [("page_no", "pageNo"), ("page_size", "pageSize")],
    "agent_set_extension": [("agent_name", "{agent_name}"), "id"],
    "agent_set_state": [("agent_name", "{agent_name}"), "state"],
    "agent_set_skills": [("agent_name", "{agent_name}"), "opts"],
    "agent_reject": [("agent_name", "{name}"), "queue_id", ("user_data", "data")],
    "agent_call_out": [
        ("agent_name", "{name}"), "to", "from", "max_dial_seconds", "max_answer_seconds",
        "user_data",
    ],
    "agent_call_agent": [("agent_name", "{name}"), "enqueue"],
    "agent_fwd_agent": [("agent_name", "{name}")],
    "agent_xfer_agent": [("agent_name", "{name}")],
    "agent_xfer_out": [("agent_name", "{name}")],
    "agent_lsm": [("agent_name", "{name}"), "conversation_id", "mode"],
    "agent_enter": [("agent_name", "{name}"), "conversation_id", "mode", "holding"],
    "agent_exit": [("agent_name", "{name}"), "conversation_id"],
    "agent_merge": [
        ("agent_name", "{agent_name}"), "src_conversation_id", "dst_conversation_id", "mode",
    ],
    "agent_conversations": [("agent_name", "{name}")],
    "condition_create": ["where", "sort", "priority", "queue_timeout", "fetch_timeout", "remark"],
    "condition_modify": [
        ("condition_id", "{id}"), "where", "sort", "priority", "queue_timeout", "fetch_timeout",
        "remark",
    ],
    "condition_delete": [("condition_id", "{id}")],
    "condition_list": [],
    "condition_get": [("condition_id", "{id}")],
    "conversation_dismiss": [("conversation_id", "{id}")],
    "conversation_lsm": [("conversation_id", "{id}"), ("agent_name", "{name}"), "mode"],
    "conversation_invite_agent": [("conversation_id", "{id}"), "enqueue", "mode"],
    "conversation_invite_out": [
        ("conversation_id", "{id}"), "from", "to", ("max_answer_seconds", "max_call_duration"),
        ("max_dial_seconds", "max_dial_duration"), "mode",
    ],
    "conversation_get": [("conversation_id", "{id}")],
    "conversation_list": ["page", "size"],
    "subaccount_create": [("callback_url", "callbackUrl"), "remark", "quotas"],
    "subaccount_update": [
        ("subaccount_id", "{id}"), ("callback_url", "callbackUrl"), "enabled", "remark",
    ],
    "subaccount_delete": [("subaccount_id", "{id}?subaccountId")],
    "subaccount_set_quotas": [("subaccount_id", "{id}"), "quotas"],
    "subaccount_list": [("page_no", "pageNo"), ("page_size", "pageSize")],
    "subaccount_get": [("subaccount_id", "{id}")],
    "telnum_list": [("page_no", "pageNo"), ("page_size", "pageSize")],
    "telnum_bind": [("telnum_id", "{id}"), ("subaccount_id", "subaccountId")],
    "telnum_unbind": [("telnum_id", "{id}"), ("subaccount_id", "subaccountId")],
    "template_create": ["name", "type", "content", "remark"],
    "template_update": [("temp_id", "{tempId}"), "name", "type", "content", "remark"],
    "template_delete": [("temp_id", "{tempId}")],
    "template_get": [("temp_id", "{tempId}")],
    "template_list": [("page_no", "pageNo"), ("page_size", "pageSize")],
    "ussd_send": ["mobile", ("temp_id", "tempId"), ("temp_args", "tempArgs")],
    "ussd_mass_task": [
        ("task_name", "taskName"), ("temp_id", "tempId"), ("temp_args", "tempArgs"), "mobiles",
        ("send_time", "sendTime"),
    ],
    "ussd_get": [("msg_key", "{msgKey}")],
    "ussd_list": [("page_no", "pageNo"), ("page_size", "pageSize")],
    "sms_send": ["mobile", ("temp_id", "tempId"), ("temp_args", "tempArgs")],
    "sms_mass_task": [
        ("task_name", "taskName"), ("temp_id", "tempId"), ("temp_args", "tempArgs"), "mobiles",
        ("send_time", "sendTime"),
    ],
    "sms_get": [("msg_key", "{msgKey}")],
    "sms_list": [("page_no", "pageNo"), ("page_size", "pageSize")],
    "recording_list": [("page_no", "pageNo"), ("page_size", "pageSize"), "start", "end"],
    "recording_url_gen": ["id"],
}

# The old name of duo_callback_cancel, still accepted.
ALIASES = {"cancel_duo_callback": "duo_callback_cancel"}

# The objects inside list fields, keyed by the list's wire key: (key, type, required) in the
# order the SDK writes them (core's RECORDS). skills: platform-notes-2 §4.2 (a skill without a
# name -> 000001); opts: routes.json (opt null -> 000002); quotas: §5.1, checked per operation.
RECORD_KEYS = {
    "skills": [("name", "string", True), ("score", "integer", False),
               ("enabled", "boolean", False)],
    "opts": [("opt", "integer", True), ("name", "string", False), ("score", "integer", False),
             ("enabled", "boolean", False)],
    "quotas": [("type", "string", False), ("value", "integer", False)],
}

PAGE_NO = {"min": 1}                  # pageNo <= 0 -> 000002 (negative offset), §1.2
PAGE_SIZE = {"min": 1, "max": 1000}   # pageSize 0 -> 000002, > 1000 -> 000002, §1.2
# (operation, wire key): rules the spec states in prose rather than as bean validation.
PROSE_RULES = {
    ("recording_list", "start"): {"not_blank": True},   # blank -> 000001, §7
    ("recording_list", "end"): {"not_blank": True},
    ("ussd_mass_task", "taskName"): {"not_blank": True},  # blank -> 050103, §6.3
    ("sms_mass_task", "taskName"): {"not_blank": True},
    ("conversation_list", "page"): PAGE_NO,
    ("conversation_list", "size"): PAGE_SIZE,
}
for _op in ("ext_list", "agent_list", "subaccount_list", "telnum_list", "template_list",
            "ussd_list", "sms_list", "recording_list"):
    PROSE_RULES[(_op, "pageNo")] = PAGE_NO
    PROSE_RULES[(_op, "pageSize")] = PAGE_SIZE

SIMPLE = ("duo_callback", "duo_callback_cancel", "notify_call", "verify_call")
INT_MIN, INT_MAX = -2 ** 31, 2 ** 31 - 1   # Java's int
UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
QUOTA_TYPES = ("CallQuota", "AgentQuota", "SmsQuota", "UssdQuota")
DATE_TIME_SHAPES = [r"\d+-\d+-\d+ \d+:\d+:\d+", r"\d+-\d+-\d+ \d+:\d+", r"\d+-\d+-\d+",
                    r"\d+-\d+", r"\d+:\d+:\d+", r"\d+:\d+"]
DURATION_SHAPES = [r"\d+:\d+:\d+", r"\d+:\d+"]


class Field(object):
    def __init__(self, name, location, wire, ty, required, rules, query_name=None):
        self.name = name            # what users write
        self.location = location    # "path", "query", "body" or "path+query"
        self.wire = wire            # placeholder, query parameter or body key
        self.query_name = query_name
        self.ty = ty
        self.required = required
        self.rules = rules


class Op(object):
    def __init__(self, name, method, path, body_kind, fields):
        self.name = name
        self.method = method
        self.path = path
        self.body_kind = body_kind
        self.fields = fields

    def field(self, name):
        for f in self.fields:
            if f.name == name:
                return f
        return None


def build_ops():
    ops = {}
    for name, (method, path, kind, body, query) in SPEC_ROUTES.items():
        require(name in SDK_FIELDS, "no SDK names for " + name)
        require(kind == "none" or method in HAS_CONTENT, name + ": a body on " + method)
        placeholders = re.findall(r"\{(\w+)\}", path)
        body_keys = {k: (t, req, rules) for k, t, req, rules in body}
        query_keys = {k: (t, req, rules) for k, t, req, rules in query}
        used = []
        fields = []
        for entry in SDK_FIELDS[name]:
            user, where = (entry, entry) if isinstance(entry, str) else entry
            require(re.match(r"^[a-z][a-z0-9_]*$", user), "%s: bad name %r" % (name, user))
            if where.startswith("{"):
                placeholder, _, rest = where[1:].partition("}")
                require(placeholder in placeholders, "%s: no placeholder %s" % (name, where))
                used.append("{%s}" % placeholder)
                if rest:
                    qname = rest[1:]
                    require(rest.startswith("?") and qname in query_keys,
                            "%s: no query parameter %s" % (name, rest))
                    used.append("?" + qname)
                    fields.append(Field(user, "path+query", placeholder, "string", True, {}, qname))
                else:
                    fields.append(Field(user, "path", placeholder, "string", True, {}))
            elif where in body_keys:
                ty, req, rules = body_keys[where]
                used.append(where)
                rules = dict(rules, **PROSE_RULES.get((name, where), {}))
                fields.append(Field(user, "body", where, ty, req, rules))
            elif where in query_keys:
                ty, req, rules = query_keys[where]
                used.append("?" + where)
                rules = dict(rules, **PROSE_RULES.get((name, where), {}))
                fields.append(Field(user, "query", where, ty, req, rules))
            else:
                raise VectorError("%s: %r is neither a placeholder, a body key nor a query "
                                  "parameter" % (name, where))
        wanted = (["{%s}" % p for p in placeholders] + list(body_keys)
                  + ["?" + q for q in query_keys])
        require(sorted(used) == sorted(wanted),
                "%s: the SDK names %s, the server reads %s" % (name, used, wanted))
        names = [f.name for f in fields]
        require(len(set(names)) == len(names), name + ": a name twice")
        if name not in SIMPLE:
            require([f.wire for f in fields if f.location == "body"] == [k for k, _, _, _ in body],
                    name + ": body keys not in the server's order")
        ops[name] = Op(name, method, path, kind, fields)
    require(len(ops) == 73, "expected 73 operations, have %d" % len(ops))
    return ops


def cross_check_routes():
    """Compares SPEC_ROUTES with routes.json when it is there; returns True if it was read."""
    if not os.path.exists(SPEC_ROUTES_FILE):
        return False
    with open(SPEC_ROUTES_FILE, encoding="utf-8") as fh:
        routes = json.load(fh)["routes"]
    seen = set()
    for route in routes:
        name = route["name"]
        if name == "ext_list_test":
            continue
        seen.add(name)
        require(name in SPEC_ROUTES, "routes.json has %s; the restatement does not" % name)
        method, path, kind, body, query = SPEC_ROUTES[name]

        def items(key):
            return [(x["name"], x["type"], x["required"], x.get("rules", {}))
                    for x in route.get(key) or []]

        got = (route["method"], route["path"], route["body_kind"], items("body"), items("query"))
        require(got == (method, path, kind, body, query),
                "%s: the restatement differs from routes.json:\n  %r\n  %r"
                % (name, (method, path, kind, body, query), got))
    require(seen == set(SPEC_ROUTES), "operations missing from routes.json: %s"
            % sorted(set(SPEC_ROUTES) - seen))
    return True


OPS = build_ops()


def utf16_len(text):
    return len(text.encode("utf-16-le")) // 2


def java_trim(text):
    """String.trim(): strips every character up to U+0020 from both ends."""
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


def blank(value):
    return value is None or java_trim(value) == ""


class Refused(Exception):
    def __init__(self, field):
        Exception.__init__(self, field)
        self.field = field


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_type(path, ty, value, record=None):
    """Refuses a value of the wrong type (the SDK's typing) or an integer beyond Java's int."""
    if ty == "string":
        ok = isinstance(value, str)
    elif ty == "integer":
        ok = is_int(value) and INT_MIN <= value <= INT_MAX
    elif ty == "boolean":
        ok = isinstance(value, bool)
    elif ty == "array<string>":
        if not isinstance(value, list):
            raise Refused(path)
        for i, item in enumerate(value):
            check_type("%s[%d]" % (path, i), "string", item)
        ok = True
    elif ty == "array<array>":   # play_content rows: [content, play_type] or [.., options]
        if not isinstance(value, list):
            raise Refused(path)
        for i, row in enumerate(value):
            if not (isinstance(row, list) and len(row) in (2, 3) and isinstance(row[0], str)
                    and is_int(row[1]) and (len(row) == 2 or isinstance(row[2], str))):
                raise Refused("%s[%d]" % (path, i))
        ok = True
    elif ty == "array<object>":
        if not isinstance(value, list):
            raise Refused(path)
        keys = dict((k, t) for k, t, _ in RECORD_KEYS[record])
        for i, item in enumerate(value):
            at = "%s[%d]" % (path, i)
            if not isinstance(item, dict):
                raise Refused(at)
            for key, v in item.items():
                if key not in keys:
                    raise Refused("%s.%s" % (at, key))
                if v is not None:
                    check_type("%s.%s" % (at, key), keys[key], v)
        ok = True
    else:
        raise VectorError("unknown type " + ty)
    if not ok:
        raise Refused(path)


def check_rules(path, rules, value):
    """The bean-validation rules of routes.json (null values are not checked, as in Java)."""
    for rule, arg in rules.items():
        if rule == "not_null" or rule == "language":
            continue   # presence is `required`; expressions are the server's (040402)
        elif rule == "not_blank":
            bad = java_trim(value) == ""
        elif rule == "min":
            bad = value < arg
        elif rule == "max":
            bad = value > arg
        elif rule == "forbidden":
            bad = value in arg
        elif rule == "min_length":
            bad = utf16_len(value) < arg
        elif rule == "max_length":
            bad = utf16_len(value) > arg
        elif rule == "enum":
            bad = value not in arg
        elif rule == "enum_or_prefix":
            bad = not any(value == a or (a.endswith("/*") and value.startswith(a[:-1]))
                          for a in arg)
        elif rule == "pattern":      # javax Pattern: the whole value; \s is ASCII white space
            bad = re.fullmatch(arg, value, re.ASCII) is None
        elif rule == "pattern_after_trim":
            bad = re.fullmatch(arg, java_trim(value), re.ASCII) is None
        elif rule == "min_items":
            bad = len(value) < arg
        else:
            raise VectorError("unknown rule " + rule)
        if bad:
            raise Refused(path)


def check_path_value(op, field, value):
    """Spring reads the path decoded: an empty value or a '/', '\\' or ';' changes the route, and
    in the last segment everything from the last '.' is cut as a file suffix (§1.1), which
    matters only where the server reads the path (not the sub-account delete, which reads its
    query)."""
    if value == "" or any(c in value for c in "/\\;"):
        raise Refused(field.name)
    if field.location == "path" and op.path.endswith("{%s}" % field.wire) and "." in value:
        raise Refused(field.name)


# -- per-operation checks (what the spec states in prose) ---------------------------------

def check_range(params, field, low, high, required=False):
    value = params.get(field)
    if value is None:
        if required:
            raise Refused(field)
        return
    if not (low <= value <= high):
        raise Refused(field)


def check_len(params, field, most):
    if utf16_len(params.get(field) or "") > most:
        raise Refused(field)


def check_item(index, content, play_type):
    field = "play_content[%d]" % index
    ascii_digits = lambda s: s != "" and all("0" <= ch <= "9" for ch in s)
    if play_type not in range(6):
        raise Refused(field)
    if blank(content):
        raise Refused(field)
    if play_type == 1:
        digits = content[1:] if content[:1] in "+-" else content
        ok = ascii_digits(digits) and -2**31 <= int(content) < 2**31
    elif play_type in (2, 3):
        ok = re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", content.strip()) is not None
    elif play_type == 4:
        ok = any(re.fullmatch(p, content, re.ASCII) for p in DATE_TIME_SHAPES)
    elif play_type == 5:
        ok = any(re.fullmatch(p, content, re.ASCII) for p in DURATION_SHAPES)
    else:
        ok = True
    if not ok:
        raise Refused(field)


def check_simple(operation, params):
    """The four simple calls, as platform-notes §2.2-2.5 state them."""
    if operation == "duo_callback":
        for field in ("to1", "to2"):
            if blank(params.get(field)):
                raise Refused(field)
        check_range(params, "max_call_duration", 1, 21600, required=True)
        check_range(params, "max_dial_duration", 1, 300)
        check_range(params, "ring_tone_mode", 0, 3)
        check_range(params, "record_mode", 0, 3)
        check_len(params, "user_data", 128)
        if params["to1"] == params["to2"]:
            raise Refused("to2")
        if params.get("ring_tone_mode") == 1:
            raise Refused("ring_tone_mode")
    elif operation == "duo_callback_cancel":
        if blank(params.get("call_id")):
            raise Refused("call_id")
    elif operation == "notify_call":
        if blank(params.get("to")):
            raise Refused("to")
        check_range(params, "repeat", 0, 10)
        check_range(params, "max_dial_duration", 1, 300)
        check_len(params, "user_data", 128)
        items = params.get("play_content") or []
        for i, row in enumerate(items):
            check_item(i, row[0], row[1])
        if blank(params.get("play_file")) and not items:
            raise Refused("play_content")
    elif operation == "verify_call":
        if blank(params.get("to")):
            raise Refused("to")
        check_len(params, "to", 128)
        check_len(params, "from", 128)
        check_range(params, "max_dial_duration", 1, 300)
        check_len(params, "play_file", 512)
        code = params.get("verify_code")
        if code is not None and re.fullmatch(r"([0-9]{1,12})?", code, re.ASCII) is None:
            raise Refused("verify_code")
        check_range(params, "repeat", 0, 10)
        check_len(params, "user_data", 128)
        if blank(params.get("play_file")) and blank(code):
            raise Refused("verify_code")
    else:
        raise VectorError("not a simple call: " + operation)


def check_ext_create(params):
    """§4.1: a SIP extension (type "1") needs a user and a password of 6-12 digits; a gateway
    ("2") an address and then, falling through, a number; a phone ("3") a number."""
    def digits(name):
        if re.fullmatch(r"[0-9]{6,12}", params.get(name) or "") is None:
            raise Refused(name)

    def present(name):
        if java_trim(params.get(name) or "") == "":
            raise Refused(name)

    kind = params.get("type")
    if kind == "1":
        digits("user")
        digits("password")
    elif kind == "2":
        present("ipaddr")
        present("telnum")
    elif kind == "3":
        present("telnum")


def check_quotas(params, known_types_only):
    """§5.1: a CallQuota needs its value (null -> 000002); on creation an unknown or missing
    type is refused too (000002), while setting quotas skips unknown types."""
    for i, quota in enumerate(params.get("quotas") or []):
        kind = quota.get("type")
        if known_types_only and kind not in QUOTA_TYPES:
            raise Refused("quotas[%d].type" % i)
        if kind == "CallQuota" and quota.get("value") is None:
            raise Refused("quotas[%d].value" % i)


OP_CHECKS = {
    "ext_create": check_ext_create,
    "subaccount_create": lambda params: check_quotas(params, True),
    "subaccount_set_quotas": lambda params: check_quotas(params, False),
}


def check_request(op, params):
    for key, value in params.items():
        field = op.field(key)
        if field is None:
            raise Refused(key)
        if value is not None:
            check_type(key, field.ty, value, field.wire)
    given = dict((k, v) for k, v in params.items() if v is not None)
    if op.name in SIMPLE:
        check_simple(op.name, given)
        return
    for field in op.fields:
        value = given.get(field.name)
        if value is None:
            if field.required:
                raise Refused(field.name)
            continue
        check_rules(field.name, field.rules, value)
        if field.ty == "array<object>":
            for i, item in enumerate(value):
                for key, _, required in RECORD_KEYS[field.wire]:
                    if required and item.get(key) is None:
                        raise Refused("%s[%d].%s" % (field.name, i, key))
        if field.location in ("path", "path+query"):
            check_path_value(op, field, value)
    if op.name in OP_CHECKS:
        OP_CHECKS[op.name](given)


# -- the request on the wire --------------------------------------------------------------

def percent_encode(text):
    return "".join(chr(b) if b in UNRESERVED else "%%%02X" % b for b in text.encode("utf-8"))


def query_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def wire_value(field, value):
    if field.ty == "array<array>":
        return [list(row) + [""] if len(row) == 2 else list(row) for row in value]
    if field.ty == "array<object>":
        return [dict((key, item[key]) for key, _, _ in RECORD_KEYS[field.wire]
                     if item.get(key) is not None) for item in value]
    return value


def lay_out(op, params):
    given = dict((k, v) for k, v in params.items() if v is not None)
    path = op.path
    query = []
    body = {}
    for field in op.fields:
        if field.name not in given:
            continue
        value = given[field.name]
        if field.location in ("path", "path+query"):
            path = path.replace("{%s}" % field.wire, percent_encode(value))
        if field.location in ("query", "path+query"):
            name = field.query_name or field.wire
            query.append(percent_encode(name) + "=" + percent_encode(query_text(value)))
        if field.location == "body":
            body[field.wire] = wire_value(field, value)
    require("{" not in path, op.name + ": unfilled path " + path)
    text = None
    if op.body_kind != "none":
        # Every character outside ASCII as a \uXXXX escape (surrogate pairs beyond the BMP): the
        # server hashes the body through its platform default character set, so raw UTF-8 would
        # be refused (401) on a server whose default is not UTF-8 (platform-notes-2 and issue
        # 12 item 9); escaped ASCII passes either way, as the platform's PHP SDK sends it.
        text = json.dumps(body, ensure_ascii=True, separators=(",", ":"))
    return {"method": op.method, "path": path, "query": "&".join(query), "body": text}


def request_case(name, operation, params, field=None):
    require(KEBAB.match(name), "bad case name " + name)
    op = OPS[ALIASES.get(operation, operation)]
    try:
        check_request(op, params)
        expect = lay_out(op, params)
    except Refused as refused:
        expect = {"error": "validation", "field": refused.field}
    if field is not None:
        require(expect.get("field") == field, "%s: expected refusal of %s, got %r" % (name, field, expect))
    else:
        require("method" in expect, "%s: expected a request, got %r" % (name, expect))
    return {"name": name, "operation": operation, "params": params, "expect": expect}


# -- the cases ----------------------------------------------------------------------------

CONF = "89d716b2fc23ebff7a0086482bda8941"
CALL = "2e2597d4849211e681c7803f5d09b29d"
EXT = "40288aca586222110158622286590000"
COND = "40288aca586222110158622286590001"
CONV = "8a2bc6725b1d2e3f015b1d2f40a10002"
CONV2 = "8a2bc6725b1d2e3f015b1d2f40a10003"
QUEUE = "8a2bc6725b1d2e3f015b1d2f40a10004"
SUB = "8a2bc6725a7e3f01015a7e41c2d50007"
TELNUM = "8a2bc6725a7e3f01015a7e41c2d5a001"
MSG_KEY = "8a2bc6725b1d2e3f015b1d2f40a1c003"
RECORD = "a3f5e2d1c4b6a7980f1e2d3c4b5a6978"
ENQUEUE = '<enqueue><route><agent name="agent02"/></route></enqueue>'
PAGE = {"page_no": 2, "page_size": 50}

# operation: (required fields, the optional ones added for "every-field")
SAMPLES = {
    "ivr_call": ({"to": "13800000001", "max_call_duration": 600},
                 {"from": "02088880001", "max_dial_duration": 45, "user_data": "ivr-7"}),
    "conf_create": ({"max_duration": 3600},
                    {"max_parts": 5, "recording": True, "auto_hangup": False,
                     "bgm_file": "bgm.wav", "user_data": "conf-1"}),
    "conf_dismiss": ({"conf_id": CONF}, {}),
    "conf_invite_call": ({"conf_id": CONF, "to": "13800000002", "max_duration": 1800},
                         {"from": "02088880001", "max_dial_duration": 30,
                          "dial_voice_stop_cond": 1, "play_file": "welcome.wav",
                          "voice_mode": 2}),
    "conf_join": ({"conf_id": CONF, "call_id": CALL, "max_duration": 1800},
                  {"play_file": "join.wav", "voice_mode": 3}),
    "conf_quit": ({"conf_id": CONF, "call_id": CALL}, {}),
    "conf_start_play": ({"conf_id": CONF, "files": ["a.wav", "欢迎.wav"]}, {}),
    "conf_stop_play": ({"conf_id": CONF}, {}),
    "conf_start_record": ({"conf_id": CONF}, {"max_duration": 600}),
    "conf_stop_record": ({"conf_id": CONF}, {}),
    "conf_set_voice_mode": ({"conf_id": CONF, "call_id": CALL, "voice_mode": 4}, {}),
    "ext_create": ({"type": "3", "telnum": "13800000003"}, {}),
    "ext_delete": ({"extension_id": EXT}, {}),
    "ext_get": ({"extension_id": EXT}, {}),
    "ext_list": ({}, PAGE),
    "agent_login": ({"name": "agent01", "extension": EXT},
                    {"num": "8001", "state": "idle",
                     "skills": [{"name": "sales", "score": 80, "enabled": True},
                                {"name": "support"}]}),
    "agent_logout": ({"agent_name": "agent01"}, {"force": True}),
    "agent_keepalive": ({"agent_name": "agent01"}, {}),
    "agent_get": ({"agent_name": "agent01"}, {}),
    "agent_list": ({}, PAGE),
    "agent_set_extension": ({"agent_name": "agent01", "id": EXT}, {}),
    "agent_set_state": ({"agent_name": "agent01", "state": "busy"}, {}),
    "agent_set_skills": ({"agent_name": "agent01",
                          "opts": [{"opt": 1, "name": "sales", "score": 90, "enabled": True}]},
                         {}),
    "agent_reject": ({"agent_name": "agent01", "queue_id": QUEUE}, {"user_data": "busy now"}),
    "agent_call_out": ({"agent_name": "agent01", "to": "13800000004"},
                       {"from": "02088880001", "max_dial_seconds": 30,
                        "max_answer_seconds": 600, "user_data": "out-1"}),
    "agent_call_agent": ({"agent_name": "agent01", "enqueue": ENQUEUE}, {}),
    "agent_fwd_agent": ({"agent_name": "agent01"}, {}),
    "agent_xfer_agent": ({"agent_name": "agent01"}, {}),
    "agent_xfer_out": ({"agent_name": "agent01"}, {}),
    "agent_lsm": ({"agent_name": "agent01", "conversation_id": CONV}, {"mode": 2}),
    "agent_enter": ({"agent_name": "agent01", "conversation_id": CONV},
                    {"mode": 1, "holding": False}),
    "agent_exit": ({"agent_name": "agent01", "conversation_id": CONV}, {}),
    "agent_merge": ({"agent_name": "agent01", "src_conversation_id": CONV,
                     "dst_conversation_id": CONV2}, {"mode": 1}),
    "agent_conversations": ({"agent_name": "agent01"}, {}),
    "condition_create": ({"where": 'has("sales");', "queue_timeout": 60},
                         {"sort": 'get("sales");', "priority": 5, "fetch_timeout": 30,
                          "remark": "销售组"}),
    "condition_modify": ({"condition_id": COND, "where": 'get("sales") > 50;',
                          "queue_timeout": 120},
                         {"sort": "1;", "priority": 9, "fetch_timeout": 20, "remark": "改"}),
    "condition_delete": ({"condition_id": COND}, {}),
    "condition_list": ({}, {}),
    "condition_get": ({"condition_id": COND}, {}),
    "conversation_dismiss": ({"conversation_id": CONV}, {}),
    "conversation_lsm": ({"conversation_id": CONV, "agent_name": "agent01", "mode": 2}, {}),
    "conversation_invite_agent": ({"conversation_id": CONV, "enqueue": ENQUEUE}, {"mode": 2}),
    "conversation_invite_out": ({"conversation_id": CONV, "to": "13800000005",
                                 "max_answer_seconds": 600},
                                {"from": "02088880001", "max_dial_seconds": 30, "mode": 1}),
    "conversation_get": ({"conversation_id": CONV}, {}),
    "conversation_list": ({}, {"page": 2, "size": 10}),
    "subaccount_create": ({}, {"callback_url": "https://example.com/yunhuni/events",
                               "remark": "门店 1",
                               "quotas": [{"type": "CallQuota", "value": 600},
                                          {"type": "AgentQuota", "value": 10}]}),
    "subaccount_update": ({"subaccount_id": SUB},
                          {"callback_url": "http://example.com/cb?shop=1", "enabled": 0,
                           "remark": "closed"}),
    "subaccount_delete": ({"subaccount_id": SUB}, {}),
    "subaccount_set_quotas": ({"subaccount_id": SUB,
                               "quotas": [{"type": "CallQuota", "value": 1200}]}, {}),
    "subaccount_list": ({}, PAGE),
    "subaccount_get": ({"subaccount_id": SUB}, {}),
    "telnum_list": ({}, PAGE),
    "telnum_bind": ({"telnum_id": TELNUM, "subaccount_id": SUB}, {}),
    "telnum_unbind": ({"telnum_id": TELNUM, "subaccount_id": SUB}, {}),
    "template_create": ({"name": "验证码", "content": "您的验证码是#*#", "remark": "login"},
                        {"type": "msg_ussd"}),
    "template_update": ({"temp_id": "10001", "name": "验证码", "content": "验证码 #*#，5 分钟内有效",
                         "remark": "login"}, {"type": "msg_sms"}),
    "template_delete": ({"temp_id": "10001"}, {}),
    "template_get": ({"temp_id": "10001"}, {}),
    "template_list": ({}, PAGE),
    "ussd_send": ({"mobile": "13800000001", "temp_id": "10001"}, {"temp_args": "1234"}),
    "ussd_mass_task": ({"task_name": "春节问候", "temp_id": "10002",
                        "mobiles": "13800000001,13900000002"},
                       {"temp_args": "张三", "send_time": "2017-03-01 09:00:00"}),
    "ussd_get": ({"msg_key": MSG_KEY}, {}),
    "ussd_list": ({}, PAGE),
    "sms_send": ({"mobile": "13800000001", "temp_id": "10001"}, {"temp_args": "1234;5"}),
    "sms_mass_task": ({"task_name": "春节问候", "temp_id": "10002",
                       "mobiles": "13800000001,13900000002"},
                      {"temp_args": "张三", "send_time": "2017-03-01 09:00:00"}),
    "sms_get": ({"msg_key": MSG_KEY}, {}),
    "sms_list": ({}, PAGE),
    "recording_list": ({"start": "2017-03-01 00:00:00", "end": "2017-03-31 23:59:59"},
                       {"page_no": 1, "page_size": 100}),
    "recording_url_gen": ({"id": RECORD}, {}),
}

# A value that each enumerated field does not take, and one it does with a suffix.
ENUM_MISSES = {
    ("ext_create", "type"): "4",
    ("agent_login", "state"): "offline",
    ("agent_set_state", "state"): "online",
    ("template_create", "type"): "MSG_SMS",
    ("template_update", "type"): "msg_mms",
}


def kebab(name):
    return name.replace("_", "-").replace(" ", "")


def number_name(n):
    return ("minus-%d" % -n) if n < 0 else str(n)


def with_(params, **changes):
    out = dict(params)
    out.update(changes)
    return out


def without(params, name):
    return dict((k, v) for k, v in params.items() if k != name)


def generated_cases(name):
    """The cases every operation gets from its declaration: the smallest and the fullest
    request, each required field left out, and each rule broken once at its limit."""
    op = OPS[name]
    base, extra = SAMPLES[name]
    full = with_(base, **extra)
    k = kebab(name)
    c = request_case
    cases = [c(k + ("-minimal" if extra else ""), name, base)]
    if extra:
        cases.append(c(k + "-every-field", name, full))
    ints = [f for f in op.fields if f.ty == "integer"]
    if ints:
        low = dict((f.name, f.rules.get("min", INT_MIN)) for f in ints)
        high = dict((f.name, f.rules.get("max", INT_MAX)) for f in ints)
        cases.append(c(k + "-lowest-values", name, with_(full, **low)))
        cases.append(c(k + "-highest-values", name, with_(full, **high)))
        first = ints[0]
        cases.append(c("%s-%s-as-text" % (k, kebab(first.name)), name,
                       with_(full, **{first.name: str(full.get(first.name, 1))}), first.name))
    for f in op.fields:
        kf = kebab(f.name)
        if f.required:
            cases.append(c("%s-without-%s" % (k, kf), name, without(full, f.name), f.name))
        if f.location in ("path", "path+query"):
            cases.append(c("%s-%s-empty" % (k, kf), name, with_(full, **{f.name: ""}), f.name))
            cases.append(c("%s-%s-with-slash" % (k, kf), name,
                           with_(full, **{f.name: "a/b"}), f.name))
            last = f.location == "path" and op.path.endswith("{%s}" % f.wire)
            cases.append(c("%s-%s-with-dot" % (k, kf), name, with_(full, **{f.name: "a.b"}),
                           f.name if last else None))
        rules = f.rules
        if f.ty == "integer":
            if "min" in rules:
                cases.append(c("%s-%s-%s" % (k, kf, number_name(rules["min"] - 1)), name,
                               with_(full, **{f.name: rules["min"] - 1}), f.name))
            top = rules.get("max", INT_MAX)
            cases.append(c("%s-%s-%s" % (k, kf, number_name(top + 1)), name,
                           with_(full, **{f.name: top + 1}), f.name))
        if "max_length" in rules:
            n = rules["max_length"]
            cases.append(c("%s-%s-%d-chars" % (k, kf, n), name, with_(full, **{f.name: "x" * n})))
            cases.append(c("%s-%s-%d-chars" % (k, kf, n + 1), name,
                           with_(full, **{f.name: "x" * (n + 1)}), f.name))
        if rules.get("min_length") == 1:
            cases.append(c("%s-%s-empty" % (k, kf), name, with_(full, **{f.name: ""}), f.name))
        if rules.get("not_blank"):
            cases.append(c("%s-%s-blank" % (k, kf), name, with_(full, **{f.name: " \t"}), f.name))
        if "enum" in rules or "enum_or_prefix" in rules:
            cases.append(c("%s-%s-not-listed" % (k, kf), name,
                           with_(full, **{f.name: ENUM_MISSES[(name, f.wire)]}), f.name))
        if "min_items" in rules:
            cases.append(c("%s-%s-empty-list" % (k, kf), name, with_(full, **{f.name: []}), f.name))
        if f.ty == "boolean":
            cases.append(c("%s-%s-as-text" % (k, kf), name, with_(full, **{f.name: "true"}),
                           f.name))
    strings = [f for f in op.fields if f.ty == "string" and f.location in ("body", "query")]
    if strings:
        f = strings[0]
        cases.append(c("%s-%s-as-number" % (k, kebab(f.name)), name,
                       with_(full, **{f.name: 1}), f.name))
    paths = [f for f in op.fields if f.location in ("path", "path+query")]
    if paths:
        f = paths[0]
        cases.append(c("%s-%s-as-number" % (k, kebab(f.name)), name,
                       with_(full, **{f.name: 1}), f.name))
    return cases


def simple_call_cases():
    """The four simple calls (platform-notes §2.2-2.5), as first pinned."""
    duo = lambda **kw: dict({"to1": "13800000001", "to2": "13800000002", "max_call_duration": 60}, **kw)
    notify = lambda **kw: dict({"to": "13800000001"}, **kw)
    verify = lambda **kw: dict({"to": "13800000001"}, **kw)
    c = request_case
    return [
        c("duo-minimal", "duo_callback", duo()),
        c("duo-every-field", "duo_callback", duo(
            from1="075589877675", from2="075589877676", ring_tone="ring.wav", ring_tone_mode=2,
            max_dial_duration=30, recording=True, record_mode=1, user_data="order-42")),
        c("duo-recording-false-is-sent", "duo_callback", duo(recording=False)),
        c("duo-numbers-are-not-checked-for-format", "duo_callback",
          duo(to1="+86 138-0000-0001", to2="0755-89877675")),
        c("duo-chinese-user-data", "duo_callback", duo(user_data="订单-42")),
        c("duo-user-data-escapes", "duo_callback", duo(user_data="a\"b\\c\nd\te\u0001/é")),
        c("duo-user-data-128", "duo_callback", duo(user_data="x" * 128)),
        c("duo-user-data-129", "duo_callback", duo(user_data="x" * 129), "user_data"),
        c("duo-user-data-128-utf16-units", "duo_callback", duo(user_data="😀" * 64)),
        c("duo-user-data-130-utf16-units", "duo_callback", duo(user_data="😀" * 65), "user_data"),
        c("duo-user-data-128-chinese", "duo_callback", duo(user_data="订" * 128)),
        c("duo-to1-empty", "duo_callback", duo(to1=""), "to1"),
        c("duo-to2-blank", "duo_callback", duo(to2="   "), "to2"),
        c("duo-same-numbers", "duo_callback", duo(to2="13800000001"), "to2"),
        c("duo-max-call-duration-0", "duo_callback", duo(max_call_duration=0), "max_call_duration"),
        c("duo-max-call-duration-1", "duo_callback", duo(max_call_duration=1)),
        c("duo-max-call-duration-21600", "duo_callback", duo(max_call_duration=21600)),
        c("duo-max-call-duration-21601", "duo_callback", duo(max_call_duration=21601), "max_call_duration"),
        c("duo-max-dial-duration-0", "duo_callback", duo(max_dial_duration=0), "max_dial_duration"),
        c("duo-max-dial-duration-300", "duo_callback", duo(max_dial_duration=300)),
        c("duo-max-dial-duration-301", "duo_callback", duo(max_dial_duration=301), "max_dial_duration"),
        c("duo-ring-tone-mode-0", "duo_callback", duo(ring_tone_mode=0)),
        c("duo-ring-tone-mode-1", "duo_callback", duo(ring_tone_mode=1), "ring_tone_mode"),
        c("duo-ring-tone-mode-3", "duo_callback", duo(ring_tone_mode=3)),
        c("duo-ring-tone-mode-4", "duo_callback", duo(ring_tone_mode=4), "ring_tone_mode"),
        c("duo-record-mode-minus-1", "duo_callback", duo(record_mode=-1), "record_mode"),
        c("duo-record-mode-3", "duo_callback", duo(record_mode=3)),
        c("duo-record-mode-4", "duo_callback", duo(record_mode=4), "record_mode"),
        c("cancel", "cancel_duo_callback", {"call_id": "2e2597d4849211e681c7803f5d09b29d"}),
        c("cancel-empty-call-id", "cancel_duo_callback", {"call_id": ""}, "call_id"),
        c("notify-play-file", "notify_call", notify(play_file="welcome.wav|bye.wav")),
        c("notify-every-field", "notify_call", notify(
            **{"from": "075589877675"}, play_file="hello.wav", repeat=0, max_dial_duration=60,
            user_data="your data", play_content=[["hello.wav", 0], ["12345", 1], ["3.5", 2],
                                                 ["3245.24", 3], ["2020-05-09", 4], ["1:05:03", 5]])),
        c("notify-date-time-shapes", "notify_call", notify(play_content=[
            ["2012-9-8 1:5:3", 4], ["2020-05-09 14:30", 4], ["2020-05", 4], ["14:30:00", 4], ["14:30", 4]])),
        c("notify-nothing-to-play", "notify_call", notify(), "play_content"),
        c("notify-blank-play-file", "notify_call", notify(play_file=" "), "play_content"),
        c("notify-to-empty", "notify_call", {"to": "", "play_file": "a.wav"}, "to"),
        c("notify-digits-not-a-number", "notify_call", notify(play_content=[["12a", 1]]), "play_content[0]"),
        c("notify-digits-beyond-32-bits", "notify_call", notify(play_content=[["2147483648", 1]]),
          "play_content[0]"),
        c("notify-amount-not-a-number", "notify_call", notify(play_content=[["a.wav", 0], ["x", 3]]),
          "play_content[1]"),
        c("notify-date-with-slashes", "notify_call", notify(play_content=[["2020/05/09", 4]]),
          "play_content[0]"),
        c("notify-duration-is-not-a-date", "notify_call", notify(play_content=[["2020-05-09", 5]]),
          "play_content[0]"),
        c("notify-play-type-6", "notify_call", notify(play_content=[["x", 6]]), "play_content[0]"),
        c("notify-empty-content", "notify_call", notify(play_file="a.wav", play_content=[["", 0]]),
          "play_content[0]"),
        c("notify-repeat-10", "notify_call", notify(play_file="a.wav", repeat=10)),
        c("notify-repeat-11", "notify_call", notify(play_file="a.wav", repeat=11), "repeat"),
        c("notify-max-dial-duration-0", "notify_call", notify(play_file="a.wav", max_dial_duration=0),
          "max_dial_duration"),
        c("notify-user-data-129", "notify_call", notify(play_file="a.wav", user_data="x" * 129), "user_data"),
        c("verify-code", "verify_call", verify(verify_code="759345")),
        c("verify-every-field", "verify_call", verify(
            **{"from": "075589877675"}, verify_code="123456789012", play_file="prompt.wav", repeat=2,
            max_dial_duration=45, user_data="v-1")),
        c("verify-play-file-only", "verify_call", verify(play_file="prompt.wav")),
        c("verify-empty-code-with-play-file", "verify_call", verify(play_file="prompt.wav", verify_code="")),
        c("verify-nothing", "verify_call", verify(), "verify_code"),
        c("verify-code-13-digits", "verify_call", verify(verify_code="1234567890123"), "verify_code"),
        c("verify-code-not-digits", "verify_call", verify(verify_code="12a4"), "verify_code"),
        c("verify-code-fullwidth-digits", "verify_call", verify(verify_code="１２３"), "verify_code"),
        c("verify-to-128", "verify_call", {"to": "1" * 128, "verify_code": "1"}),
        c("verify-to-129", "verify_call", {"to": "1" * 129, "verify_code": "1"}, "to"),
        c("verify-from-129", "verify_call", verify(verify_code="1", **{"from": "2" * 129}), "from"),
        c("verify-play-file-513", "verify_call", verify(play_file="p" * 513), "play_file"),
        c("verify-repeat-minus-1", "verify_call", verify(verify_code="1", repeat=-1), "repeat"),
        # Added with the other operations: the old name and the server's name, and types.
        c("duo-callback-cancel-by-its-route-name", "duo_callback_cancel", {"call_id": CALL}),
        c("duo-max-call-duration-as-text", "duo_callback", duo(max_call_duration="60"),
          "max_call_duration"),
        c("duo-max-call-duration-fraction", "duo_callback", duo(max_call_duration=60.5),
          "max_call_duration"),
        c("duo-max-call-duration-beyond-32-bits", "duo_callback",
          duo(max_call_duration=2147483648), "max_call_duration"),
        c("duo-recording-as-text", "duo_callback", duo(recording="false"), "recording"),
        c("duo-to1-as-number", "duo_callback", duo(to1=13800000001), "to1"),
        c("notify-play-row-without-type", "notify_call", notify(play_content=[["a.wav"]]),
          "play_content[0]"),
        c("notify-play-type-as-text", "notify_call", notify(play_content=[["1", "1"]]),
          "play_content[0]"),
        c("verify-unknown-field", "verify_call", verify(verify_code="1", colour="red"), "colour"),
    ]


def bridge_and_edge_cases():
    """The docs-to-server bridges, path and query encoding, lists of objects, and what the
    server accepts though a reader might expect a refusal."""
    c = request_case
    skill = {"name": "sales", "score": 80, "enabled": True}
    return [
        # Bridges (platform-notes-2 §3, §4.5, §4.6, §5.1).
        c("bridge-subaccount-delete-sends-id-in-path-and-query", "subaccount_delete",
          {"subaccount_id": SUB}),
        c("bridge-conf-start-record-key-has-trailing-space", "conf_start_record",
          {"conf_id": CONF, "max_duration": 120}),
        c("bridge-conf-start-record-sends-empty-object", "conf_start_record", {"conf_id": CONF}),
        c("bridge-invite-out-documented-names", "conversation_invite_out",
          {"conversation_id": CONV, "to": "13800000005", "max_answer_seconds": 90,
           "max_dial_seconds": 20}),
        c("bridge-invite-out-server-name-is-not-a-field", "conversation_invite_out",
          {"conversation_id": CONV, "to": "13800000005", "max_call_duration": 90},
          "max_call_duration"),
        c("bridge-agent-reject-user-data-goes-out-as-data", "agent_reject",
          {"agent_name": "agent01", "queue_id": QUEUE, "user_data": "没空"}),
        c("bridge-agent-reject-data-is-not-a-field", "agent_reject",
          {"agent_name": "agent01", "queue_id": QUEUE, "data": "x"}, "data"),
        # Path placeholders: percent-encoded UTF-8; characters the server would misread refused.
        c("path-chinese-agent-name", "agent_get", {"agent_name": "张三"}),
        c("path-reserved-characters-are-encoded", "agent_keepalive",
          {"agent_name": "a b+c%d?e#f&g=h~i_j-k.l!*'()"}),
        c("path-two-placeholders", "conversation_lsm",
          {"conversation_id": CONV, "agent_name": "王 五", "mode": 3}),
        c("path-dot-in-last-segment", "template_get", {"temp_id": "10001.json"}, "temp_id"),
        c("path-backslash", "conf_dismiss", {"conf_id": "a\\b"}, "conf_id"),
        c("path-semicolon", "agent_get", {"agent_name": "agent01;x=1"}, "agent_name"),
        c("path-semicolon-not-last", "agent_call_out",
          {"agent_name": "a;b", "to": "13800000004"}, "agent_name"),
        c("path-space-is-encoded", "ext_get", {"extension_id": " 4028 "}),
        # Query strings: field order, percent-encoding, booleans.
        c("query-force-false-is-sent", "agent_logout", {"agent_name": "agent01", "force": False}),
        c("query-reserved-characters-are-encoded", "recording_url_gen", {"id": "a/b c&d=e+f%"}),
        c("query-chinese", "recording_list", {"start": "2017-03-01", "end": "今天"}),
        c("query-page-only", "sms_list", {"page_size": 1000}),
        c("query-conversation-list-page-and-size", "conversation_list", {"size": 5, "page": 3}),
        c("query-telnum-unbind", "telnum_unbind",
          {"telnum_id": TELNUM, "subaccount_id": "子账号 1"}),
        # Bodies: key order is the SDK's whatever the order given; null is left out.
        c("body-params-in-any-order", "conf_invite_call",
          {"voice_mode": 1, "max_duration": 60, "to": "13800000002", "conf_id": CONF,
           "from": "02088880001"}),
        c("body-null-is-left-out", "conf_create", {"max_duration": 60, "user_data": None}),
        c("body-unknown-field", "conf_create", {"max_duration": 60, "colour": "red"}, "colour"),
        c("body-integer-fraction", "conf_create", {"max_duration": 60.5}, "max_duration"),
        c("body-empty-strings-are-sent", "template_create",
          {"name": "", "content": "", "remark": ""}),
        c("body-max-parts-above-8-is-sent", "conf_create", {"max_duration": 60, "max_parts": 9}),
        c("body-post-without-a-body", "agent_fwd_agent", {"agent_name": "agent01"}),
        # Lists of strings and of objects.
        c("list-files-empty-is-sent", "conf_start_play", {"conf_id": CONF, "files": []}),
        c("list-files-not-a-list", "conf_start_play", {"conf_id": CONF, "files": "a.wav"},
          "files"),
        c("list-files-item-not-a-string", "conf_start_play",
          {"conf_id": CONF, "files": ["a.wav", 2]}, "files[1]"),
        c("list-skills-keys-in-declared-order", "agent_login",
          {"name": "agent01", "extension": EXT,
           "skills": [{"enabled": False, "score": 3, "name": "vip"}, {"score": 0, "name": "b"}]}),
        c("list-skills-null-key-is-left-out", "agent_login",
          {"name": "agent01", "extension": EXT, "skills": [{"name": "vip", "score": None}]}),
        c("list-skill-without-name", "agent_login",
          {"name": "agent01", "extension": EXT, "skills": [skill, {"score": 5}]},
          "skills[1].name"),
        c("list-skill-unknown-key", "agent_login",
          {"name": "agent01", "extension": EXT, "skills": [{"name": "vip", "level": 3}]},
          "skills[0].level"),
        c("list-skill-score-as-text", "agent_login",
          {"name": "agent01", "extension": EXT, "skills": [{"name": "vip", "score": "3"}]},
          "skills[0].score"),
        c("list-skill-score-beyond-32-bits", "agent_login",
          {"name": "agent01", "extension": EXT, "skills": [{"name": "vip", "score": 2147483648}]},
          "skills[0].score"),
        c("list-skill-enabled-as-number", "agent_login",
          {"name": "agent01", "extension": EXT, "skills": [{"name": "vip", "enabled": 1}]},
          "skills[0].enabled"),
        c("list-skills-not-a-list", "agent_login",
          {"name": "agent01", "extension": EXT, "skills": skill}, "skills"),
        c("list-skill-not-an-object", "agent_login",
          {"name": "agent01", "extension": EXT, "skills": ["sales"]}, "skills[0]"),
        c("list-skills-delete-all", "agent_set_skills", {"agent_name": "agent01",
                                                        "opts": [{"opt": 0}]}),
        c("list-skills-several-changes", "agent_set_skills",
          {"agent_name": "agent01", "opts": [{"opt": 2, "name": "old"},
                                             {"name": "new", "opt": 1, "enabled": False}]}),
        c("list-skill-change-without-opt", "agent_set_skills",
          {"agent_name": "agent01", "opts": [{"name": "sales"}]}, "opts[0].opt"),
        c("list-quota-unknown-type-on-create", "subaccount_create",
          {"quotas": [{"type": "MinuteQuota", "value": 1}]}, "quotas[0].type"),
        c("list-quota-without-type-on-create", "subaccount_create",
          {"quotas": [{"value": 1}]}, "quotas[0].type"),
        c("list-call-quota-without-value-on-create", "subaccount_create",
          {"quotas": [{"type": "CallQuota"}]}, "quotas[0].value"),
        c("list-other-quota-without-value-on-create", "subaccount_create",
          {"quotas": [{"type": "AgentQuota"}, {"value": -1, "type": "SmsQuota"}]}),
        c("list-call-quota-without-value-on-set", "subaccount_set_quotas",
          {"subaccount_id": SUB, "quotas": [{"type": "AgentQuota", "value": 5},
                                            {"type": "CallQuota"}]}, "quotas[1].value"),
        c("list-quota-value-as-text", "subaccount_set_quotas",
          {"subaccount_id": SUB, "quotas": [{"type": "CallQuota", "value": "5"}]},
          "quotas[0].value"),
        # Enumerations with a suffix, URLs, mobile numbers.
        c("state-busy-with-reason", "agent_set_state", {"agent_name": "agent01",
                                                        "state": "busy/开会"}),
        c("state-away-with-reason-at-login", "agent_login",
          {"name": "agent01", "extension": EXT, "state": "away/lunch"}),
        c("state-online-at-login", "agent_login", {"name": "agent01", "extension": EXT,
                                                    "state": "online"}),
        c("state-busy-without-slash", "agent_set_state", {"agent_name": "agent01",
                                                          "state": "busylunch"}, "state"),
        c("state-idle-with-reason", "agent_set_state", {"agent_name": "agent01",
                                                        "state": "idle/x"}, "state"),
        c("url-scheme-may-hold-underscore", "subaccount_create",
          {"callback_url": "my_app://events"}),
        c("url-without-scheme", "subaccount_create", {"callback_url": "example.com/cb"},
          "callback_url"),
        c("url-with-space", "subaccount_update",
          {"subaccount_id": SUB, "callback_url": "http://example.com/a b"}, "callback_url"),
        c("url-scheme-with-digit", "subaccount_update",
          {"subaccount_id": SUB, "callback_url": "h2://example.com"}, "callback_url"),
        c("mobile-with-spaces-is-sent-as-given", "sms_send",
          {"mobile": " 13800000001 ", "temp_id": "10001"}),
        c("mobile-10-digits", "sms_send", {"mobile": "1380000000", "temp_id": "10001"}, "mobile"),
        c("mobile-with-country-code", "ussd_send",
          {"mobile": "+8613800000001", "temp_id": "10001"}, "mobile"),
        c("mobile-not-starting-with-1", "ussd_send",
          {"mobile": "23800000001", "temp_id": "10001"}, "mobile"),
        c("mass-task-empty-name", "sms_mass_task",
          {"task_name": "", "temp_id": "10002", "mobiles": "13800000001"}, "task_name"),
        # Extensions (§4.1).
        c("ext-create-sip", "ext_create", {"type": "1", "user": "100001", "password": "123456"}),
        c("ext-create-sip-12-digits", "ext_create",
          {"type": "1", "user": "123456789012", "password": "210987654321"}),
        c("ext-create-sip-user-5-digits", "ext_create",
          {"type": "1", "user": "10000", "password": "123456"}, "user"),
        c("ext-create-sip-user-13-digits", "ext_create",
          {"type": "1", "user": "1234567890123", "password": "123456"}, "user"),
        c("ext-create-sip-password-letters", "ext_create",
          {"type": "1", "user": "100001", "password": "abc123"}, "password"),
        c("ext-create-sip-without-password", "ext_create",
          {"type": "1", "user": "100001"}, "password"),
        c("ext-create-gateway", "ext_create",
          {"type": "2", "ipaddr": "192.168.1.10:5060", "telnum": "02088880001"}),
        c("ext-create-gateway-without-address", "ext_create",
          {"type": "2", "telnum": "02088880001"}, "ipaddr"),
        c("ext-create-gateway-without-number", "ext_create",
          {"type": "2", "ipaddr": "192.168.1.10"}, "telnum"),
        c("ext-create-phone-blank-number", "ext_create", {"type": "3", "telnum": " "}, "telnum"),
        c("ext-create-every-field", "ext_create",
          {"type": "1", "user": "100002", "password": "654321", "ipaddr": "10.0.0.1",
           "telnum": "13800000003"}),
    ]


def request_cases():
    cases = simple_call_cases()
    for name in SPEC_ROUTES:
        if name not in SIMPLE:
            cases.extend(generated_cases(name))
    cases.extend(bridge_and_edge_cases())
    names = [case["name"] for case in cases]
    dupes = sorted(set(n for n in names if names.count(n) > 1))
    require(not dupes, "duplicate request case names: %s" % dupes)

    # Every operation has a request that goes out.
    sent = set(ALIASES.get(c["operation"], c["operation"])
               for c in cases if "method" in c["expect"])
    require(sent == set(OPS), "operations without a request: %s" % sorted(set(OPS) - sent))

    # Hand-checked answers, so that the generator itself is pinned.
    by_name = {case["name"]: case["expect"] for case in cases}

    def expect(name, method, path, query, body):
        want = {"method": method, "path": path, "query": query, "body": body}
        require(by_name[name] == want, "%s: %r, want %r" % (name, by_name[name], want))

    expect("duo-minimal", "POST", "call/duo_callback", "",
           '{"to1":"13800000001","to2":"13800000002","max_call_duration":60}')
    expect("cancel", "POST", "call/duo_callback_cancel", "",
           '{"callId":"2e2597d4849211e681c7803f5d09b29d"}')
    require(by_name["duo-chinese-user-data"]["body"].endswith('"user_data":"\\u8ba2\\u5355-42"}'), "non-ASCII escaped")
    expect("bridge-subaccount-delete-sends-id-in-path-and-query", "DELETE",
           "management/subaccount/" + SUB, "subaccountId=" + SUB, None)
    expect("bridge-conf-start-record-key-has-trailing-space", "POST",
           "conf/start_record/" + CONF, "", '{"max_duration ":120}')
    expect("bridge-conf-start-record-sends-empty-object", "POST", "conf/start_record/" + CONF,
           "", "{}")
    expect("bridge-invite-out-documented-names", "POST",
           "callcenter/conversation/%s/invite_out" % CONV, "",
           '{"to":"13800000005","max_call_duration":90,"max_dial_duration":20}')
    expect("bridge-agent-reject-user-data-goes-out-as-data", "POST",
           "callcenter/agent/agent01/reject", "",
           '{"queue_id":"%s","data":"\\u6ca1\\u7a7a"}' % QUEUE)
    expect("path-chinese-agent-name", "GET", "callcenter/agent/%E5%BC%A0%E4%B8%89", "", None)
    expect("path-reserved-characters-are-encoded", "GET",
           "callcenter/agent/a%20b%2Bc%25d%3Fe%23f%26g%3Dh~i_j-k.l%21%2A%27%28%29/keepalive",
           "", None)
    expect("path-two-placeholders", "POST",
           "callcenter/conversation/%s/agent/%%E7%%8E%%8B%%20%%E4%%BA%%94/lsm" % CONV, "",
           '{"mode":3}')
    expect("query-force-false-is-sent", "DELETE", "callcenter/agent/agent01", "force=false", None)
    expect("query-reserved-characters-are-encoded", "GET", "recording/url/gen",
           "id=a%2Fb%20c%26d%3De%2Bf%25", None)
    expect("recording-list-minimal", "GET", "recording/plist",
           "start=2017-03-01%2000%3A00%3A00&end=2017-03-31%2023%3A59%3A59", None)
    expect("recording-list-every-field", "GET", "recording/plist",
           "pageNo=1&pageSize=100&start=2017-03-01%2000%3A00%3A00&end=2017-03-31%2023%3A59%3A59",
           None)
    expect("query-conversation-list-page-and-size", "GET", "callcenter/conversation",
           "page=3&size=5", None)
    expect("body-params-in-any-order", "POST", "conf/invite_call/" + CONF, "",
           '{"from":"02088880001","to":"13800000002","max_duration":60,"voice_mode":1}')
    expect("body-null-is-left-out", "POST", "conf/create", "", '{"max_duration":60}')
    expect("body-post-without-a-body", "POST", "callcenter/agent/agent01/fwd_agent", "", None)
    expect("list-skills-keys-in-declared-order", "POST", "callcenter/agent", "",
           '{"name":"agent01","extension":"%s","skills":[{"name":"vip","score":3,'
           '"enabled":false},{"name":"b","score":0}]}' % EXT)
    expect("subaccount-update-every-field", "PUT", "management/subaccount/" + SUB, "",
           '{"callbackUrl":"http://example.com/cb?shop=1","enabled":0,"remark":"closed"}')
    expect("telnum-unbind", "DELETE", "management/%s/subaccount" % TELNUM,
           "subaccountId=" + SUB, None)
    expect("agent-logout-every-field", "DELETE", "callcenter/agent/agent01", "force=true", None)
    expect("ext-list-every-field", "GET", "callcenter/extension", "pageNo=2&pageSize=50", None)
    expect("conf-dismiss", "POST", "conf/dismiss/" + CONF, "", None)
    return cases


def build_requests():
    return {
        "description": "What the client sends for each of the platform's 73 operations, or the "
                       "field it refuses before sending anything. `params` use the SDK's "
                       "snake_case names (bindings map them to their own casing); `play_content` "
                       "rows are [content, play_type]. `expect` is either {\"method\", \"path\" "
                       "(after /v1/account/{account_id}/, percent-encoded), \"query\" (without "
                       "'?', \"\" when none), \"body\" (exact JSON text, or null when there is no "
                       "body)} or {\"error\": \"validation\", \"field\": field path}. See "
                       "tests/vectors/README.md.",
        "generator": GENERATOR,
        "cases": request_cases(),
    }


# ---------------------------------------------------------------------------
# 4. IVR: the documents an application answers with, and the platform's requests
# ---------------------------------------------------------------------------
#
# platform-notes-2 §2.3-§2.7: the schema the platform validates replies against (ivraction.xsd,
# restated below), what its handlers read of each element, the ivr_start body and the query
# of the request to a <next> URL. The SDK's builder refuses every document the platform would
# refuse or misread; a document case gives the builder's neutral description and either the
# exact XML or the field (element path and attribute) it refuses.

IVR_PATH = os.path.join(ROOT, "tests", "vectors", "ivr.json")

XSD_INT_MAX = 2 ** 31 - 1
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>'


def _attr(name, ty, required=False):
    return {"name": name, "ty": ty, "required": required}


def _child(name, lo, hi, keeps=None, implicit=False):
    return {"name": name, "min": lo, "max": hi, "keeps": keeps, "implicit": implicit}


POS = ("int", 1, XSD_INT_MAX)
REP = ("int", 1, 10)
KEYS = ("keys",)
FILE = ("file",)
BOOL = ("bool",)

# The schema's elements (the root aside), with the limits of the handlers where they are
# narrower: pause duration is multiplied by 1000 in a Java int; enqueue conversation_timeout is
# capped at 21600; choice is read as "lru" or random; reserve_state is set on the agent as is;
# a condition without id makes the queue fail; dial reads only its first number and first
# play; the attributes of a <play>/<playlist> inside <get>, <playlist> or <dial> are never read
# (inside <connect>, only repeat is).
IVR_ELEMENTS = {
    "play": {"action": True, "content": ("file", FILE),
             "attrs": [_attr("finish_keys", KEYS), _attr("repeat", REP)], "children": None},
    "playlist": {"action": True, "content": None,
                 "attrs": [_attr("finish_keys", KEYS), _attr("repeat", REP)],
                 "children": ("each", [_child("play", 1, 10, keeps=[])])},
    "record": {"action": True, "content": None,
               "attrs": [_attr("max_duration", POS), _attr("beeping", BOOL),
                         _attr("finish_keys", KEYS)], "children": None},
    "send_dtmf": {"action": True, "content": ("keys", KEYS), "attrs": [], "children": None},
    "get": {"action": True, "content": None,
            "attrs": [_attr("valid_keys", KEYS), _attr("max_keys", POS), _attr("finish_keys", KEYS),
                      _attr("first_key_timeout", POS), _attr("continues_keys_timeout", POS),
                      _attr("play_repeat", REP), _attr("if_break_on_key", BOOL)],
            "children": ("oneof", [_child("play", 1, 1, keeps=[]),
                                   _child("playlist", 1, 1, keeps=[])])},
    "hangup": {"action": True, "content": None, "attrs": [], "children": None},
    "pause": {"action": True, "content": None,
              "attrs": [_attr("duration", ("int", 1, 2147483), required=True)], "children": None},
    "dial": {"action": True, "content": None,
             "attrs": [_attr("from", ("text", 1, None)), _attr("max_call_duration", POS),
                       _attr("max_dial_duration", POS), _attr("dial_voice_stop_cond", ("int", 0, 1))],
             "children": ("each", [_child("number", 1, 1), _child("play", 0, 1, keeps=[]),
                                   _child("connect", 0, 1, implicit=True)])},
    "enqueue": {"action": True, "content": None,
                "attrs": [_attr("conversation_level", POS),
                          _attr("conversation_timeout", ("int", 1, 21600)),
                          _attr("choice", ("oneof", ["random", "lru"], [])),
                          _attr("reserve_state", ("oneof", ["idle", "busy", "away"],
                                                  ["busy/", "away/"])),
                          _attr("fail_overflow", BOOL), _attr("wait_voice", FILE),
                          _attr("ring_mode", ("int", 1, 4)), _attr("ring_voice", FILE),
                          _attr("hold_voice", FILE), _attr("play_num", BOOL),
                          _attr("pre_num_voice", FILE), _attr("post_num_voice", FILE),
                          _attr("user_data", ("text", 1, 128))],
                "children": ("each", [_child("route", 1, 1)])},
    "number": {"action": False, "content": ("number", ("text", 1, 128)), "attrs": [],
               "children": None},
    "connect": {"action": False, "content": None,
                "attrs": [_attr("max_duration", POS), _attr("mode", ("int", 1, 3)),
                          _attr("recording", BOOL), _attr("volume1", POS), _attr("volume2", POS),
                          _attr("play_time", POS)],
                "children": ("each", [_child("play", 0, 1, keeps=["repeat"])])},
    "route": {"action": False, "content": None, "attrs": [],
              "children": ("oneof", [_child("condition", 1, 1), _child("agent", 1, 1)])},
    "condition": {"action": False, "content": None,
                  "attrs": [_attr("id", ("text", 32, 32), required=True)], "children": None},
    "agent": {"action": False, "content": None,
              "attrs": [_attr("name", ("text", 1, 128), required=True),
                        _attr("priority", ("int", 0, XSD_INT_MAX)), _attr("queue_timeout", POS),
                        _attr("fetch_timeout", POS)], "children": None},
    "next": {"action": False, "content": ("url", ("url",)), "attrs": [], "children": None},
}
IVR_ACTIONS = [n for n, e in IVR_ELEMENTS.items() if e["action"]]


class IvrRefusal(Exception):
    """The builder refuses the document; `field` names the element path and attribute."""

    def __init__(self, field):
        Exception.__init__(self, field)
        self.field = field


def _join(at, name):
    return name if at == "" else at + "." + name


def _kids(decl):
    return decl["children"][1] if decl["children"] else []


def _kid(decl, name):
    for c in _kids(decl):
        if c["name"] == name:
            return c
    return None


# Parsing a neutral description into a tree: {"el", "attrs", "text", "children"}.

def _convert(ty, v):
    """The stored value, or None when the JSON type is wrong (null is handled by the caller)."""
    if ty[0] == "int":
        if isinstance(v, bool):
            return None
        if isinstance(v, int):
            return v if -2 ** 63 <= v < 2 ** 63 else None
        if isinstance(v, float) and v == v and v not in (float("inf"), float("-inf")) \
                and v.is_integer() and abs(v) < 9.0e15:
            return int(v)
        return None
    if ty[0] == "bool":
        return v if isinstance(v, bool) else None
    return v if isinstance(v, str) else None


def ivr_parse_node(v, at):
    if not isinstance(v, dict):
        raise IvrRefusal(at if at else "element")
    name = v.get("name")
    if not isinstance(name, str) or name not in IVR_ELEMENTS:
        raise IvrRefusal(_join(at, "name"))
    decl = IVR_ELEMENTS[name]
    here = _join(at, name)
    for k in sorted(v):
        if k not in ("name", "attrs", "text", "children"):
            raise IvrRefusal(_join(here, k))
    node = {"el": name, "attrs": {}, "text": None, "children": []}
    attrs = v.get("attrs")
    if attrs is not None:
        if not isinstance(attrs, dict):
            raise IvrRefusal(_join(here, "attrs"))
        known = {a["name"]: a for a in decl["attrs"]}
        for k in sorted(attrs):
            if k not in known:
                raise IvrRefusal(_join(here, k))
            if attrs[k] is None:
                node["attrs"].pop(k, None)
                continue
            value = _convert(known[k]["ty"], attrs[k])
            if value is None:
                raise IvrRefusal(_join(here, k))
            node["attrs"][k] = value
    text = v.get("text")
    if text is not None:
        if not isinstance(text, str) or decl["content"] is None:
            raise IvrRefusal(here)
        node["text"] = text
    children = v.get("children")
    if children is not None:
        if not isinstance(children, list):
            raise IvrRefusal(_join(here, "children"))
        for item in children:
            child = ivr_parse_node(item, here)
            if _kid(decl, child["el"]) is None:
                raise IvrRefusal(_join(here, child["el"]))
            node["children"].append(child)
    return node


def ivr_parse_response(desc):
    if not isinstance(desc, dict):
        raise IvrRefusal("response")
    for k in sorted(desc):
        if k not in ("actions", "next", "end_call"):
            raise IvrRefusal(k)
    resp = {"actions": [], "next": None, "end_call": False}
    actions = desc.get("actions")
    if actions is not None:
        if not isinstance(actions, list):
            raise IvrRefusal("actions")
        resp["actions"] = [ivr_parse_node(a, "") for a in actions]
    nxt = desc.get("next")
    if nxt is not None:
        if not isinstance(nxt, str):
            raise IvrRefusal("next")
        resp["next"] = nxt
    end = desc.get("end_call")
    if end is not None:
        if not isinstance(end, bool):
            raise IvrRefusal("end_call")
        resp["end_call"] = end
    return resp


# What the platform refuses or misreads.

IVR_WHITE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | \
    set(chr(c) for c in range(0x2000, 0x200B))


def _ws_or_control(c):
    o = ord(c)
    return c in IVR_WHITE or o < 0x20 or 0x7F <= o <= 0x9F


def _xml_illegal(c):
    o = ord(c)
    return (o <= 0x08 or o in (0x0B, 0x0C) or 0x0E <= o <= 0x1F or o in (0xFFFE, 0xFFFF))


ASCII_ALNUM = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
IVR_UNRESERVED = ASCII_ALNUM | set("-._~")
URL_TAIL_OK = ASCII_ALNUM | set("-._~!$&'()*+,;=:@/?#%")
NEXT_PLATFORM_PARAMS = ("call_id", "type", "keys", "record_id", "error")


def _hexval(b):
    return int(chr(b), 16) if chr(b) in "0123456789abcdefABCDEF" else None


def _is_host(host):
    if host.endswith("."):
        host = host[:-1]
    if host == "":
        return False
    labels = host.split(".")
    if len(labels) == 4 and all(1 <= len(l) <= 3 and all(c in "0123456789" for c in l)
                                and int(l) <= 255 for l in labels):
        return True
    for l in labels:
        if l == "" or not all(c in ASCII_ALNUM or c == "-" for c in l) \
                or l.startswith("-") or l.endswith("-"):
            return False
    return labels[-1][0].isascii() and labels[-1][0].isalpha()


def _url_ok(url):
    """Whether java.net.URI, and the platform's rebuilding of the URL, keep it as written."""
    if len(url) == 0 or len(url) > 1024:
        return False
    if any(_ws_or_control(c) for c in url):
        return False
    if "://" not in url:
        return False
    scheme, rest = url.split("://", 1)
    if not scheme.isascii() or scheme.lower() not in ("http", "https"):
        return False
    end = min([i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0] or [len(rest)])
    authority, tail = rest[:end], rest[end:]
    if authority == "" or "@" in authority:
        return False
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            return False
        v6, after = authority[1:close], authority[close + 1:]
        if v6 == "" or not all(c in "0123456789abcdefABCDEF:." for c in v6):
            return False
        if after == "":
            port = None
        elif after.startswith(":"):
            port = after[1:]
        else:
            return False
    else:
        if ":" in authority:
            host, port = authority.rsplit(":", 1)
        else:
            host, port = authority, None
        if not _is_host(host):
            return False
    if port is not None:
        if not (1 <= len(port) <= 5 and all(c in "0123456789" for c in port)
                and 1 <= int(port) <= 65535):
            return False
    before, sep, fragment = tail.partition("#")
    if sep and "#" in fragment:
        return False
    for c in tail:
        if c.isascii() and c not in URL_TAIL_OK:
            return False
    raw = tail.encode("utf-8")
    i = 0
    while i < len(raw):
        if raw[i] != 0x25:
            i += 1
            continue
        run = []
        while i < len(raw) and raw[i] == 0x25:
            h = _hexval(raw[i + 1]) if i + 1 < len(raw) else None
            l = _hexval(raw[i + 2]) if i + 2 < len(raw) else None
            if h is None or l is None:
                return False
            run.append(h * 16 + l)
            i += 3
        j = 0
        while j < len(run):
            b = run[j]
            if b < 0x80:
                if chr(b) not in IVR_UNRESERVED:
                    return False
                j += 1
                continue
            n = 2 if 0xC2 <= b <= 0xDF else 3 if 0xE0 <= b <= 0xEF else 4 if 0xF0 <= b <= 0xF4 else 0
            piece = bytes(run[j:j + n])
            if n == 0 or len(piece) != n:
                return False
            try:
                c = piece.decode("utf-8")
            except UnicodeDecodeError:
                return False
            if _ws_or_control(c):
                return False
            j += n
    if "?" in before:
        query = before.split("?", 1)[1]
        for pair in query.split("&"):
            name = pair.split("=", 1)[0]
            decoded = re.sub(r"%([0-9A-Fa-f]{2})",
                             lambda m: chr(int(m.group(1), 16))
                             if chr(int(m.group(1), 16)) in IVR_UNRESERVED else m.group(0), name)
            if decoded in NEXT_PLATFORM_PARAMS:
                return False
    return True


def _text_ok(ty, s):
    if any(_xml_illegal(c) for c in s):
        return False
    if all(ord(c) <= 0x20 for c in s):
        return False  # empty or blank
    kind = ty[0]
    if kind == "keys":
        return all(c in "0123456789*#ABCD" for c in s)
    if kind == "file":
        return not any(c in " \t\n\r" for c in s) and s.endswith(".wav") and len(s) >= 5
    if kind == "text":
        lo, hi = ty[1], ty[2]
        return lo <= len(s) and (hi is None or len(s) <= hi)
    if kind == "oneof":
        return s in ty[1] or any(s.startswith(p) and len(s) > len(p) for p in ty[2])
    if kind == "url":
        return _url_ok(s)
    raise VectorError("no text type %r" % (ty,))


def _value_ok(ty, v):
    if ty[0] == "int":
        return ty[1] <= v <= ty[2]
    if ty[0] == "bool":
        return True
    return _text_ok(ty, v)


def _child_paths(node, path):
    counts = {}
    for c in node["children"]:
        counts[c["el"]] = counts.get(c["el"], 0) + 1
    seen = {}
    out = []
    for c in node["children"]:
        i = seen.get(c["el"], 0)
        seen[c["el"]] = i + 1
        out.append("%s.%s[%d]" % (path, c["el"], i) if counts[c["el"]] > 1
                   else "%s.%s" % (path, c["el"]))
    return out


def ivr_check_node(node, path, inside):
    decl = IVR_ELEMENTS[node["el"]]
    if decl["content"] is not None:
        if node["text"] is None or not _text_ok(decl["content"][1], node["text"]):
            raise IvrRefusal(path)
    for a in decl["attrs"]:
        field = path + "." + a["name"]
        if a["name"] not in node["attrs"]:
            if a["required"]:
                raise IvrRefusal(field)
            continue
        if inside is not None and inside["keeps"] is not None and a["name"] not in inside["keeps"]:
            raise IvrRefusal(field)
        if not _value_ok(a["ty"], node["attrs"][a["name"]]):
            raise IvrRefusal(field)
    paths = _child_paths(node, path)
    if decl["children"] is not None:
        kind, kids = decl["children"]
        if kind == "each":
            for k in kids:
                mine = [p for c, p in zip(node["children"], paths) if c["el"] == k["name"]]
                if len(mine) < k["min"] and not k["implicit"]:
                    raise IvrRefusal(path + "." + k["name"])
                if len(mine) > k["max"]:
                    raise IvrRefusal(mine[k["max"]])
        else:
            if len(node["children"]) == 0:
                raise IvrRefusal(path + "." + kids[0]["name"])
            if len(node["children"]) > 1:
                raise IvrRefusal(paths[1])
    for c, p in zip(node["children"], paths):
        ivr_check_node(c, p, _kid(decl, c["el"]))


def ivr_check(resp):
    for a in resp["actions"]:
        if not IVR_ELEMENTS[a["el"]]["action"]:
            raise IvrRefusal(a["el"])
    if not resp["actions"]:
        raise IvrRefusal("response")
    if len(resp["actions"]) > 1:
        raise IvrRefusal(resp["actions"][1]["el"])
    action = resp["actions"][0]
    ivr_check_node(action, action["el"], None)
    hangup = action["el"] == "hangup"
    if resp["next"] is not None:
        if hangup:
            raise IvrRefusal("next")
        if resp["end_call"]:
            raise IvrRefusal("end_call")
        if not _text_ok(("url",), resp["next"]):
            raise IvrRefusal("next")
    elif not hangup and not resp["end_call"]:
        raise IvrRefusal("next")


# Writing.

def _esc_text(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _esc_attr(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
            .replace("\r", "&#13;"))


def _attr_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return v


def _written_children(node):
    decl = IVR_ELEMENTS[node["el"]]
    if decl["children"] is None:
        return []
    kind, kids = decl["children"]
    if kind == "oneof":
        return list(node["children"])
    out = []
    for k in kids:
        mine = [c for c in node["children"] if c["el"] == k["name"]]
        if not mine and k["implicit"]:
            mine = [{"el": k["name"], "attrs": {}, "text": None, "children": []}]
        out.extend(mine)
    return out


def ivr_write_node(node):
    decl = IVR_ELEMENTS[node["el"]]
    out = "<" + node["el"]
    for a in decl["attrs"]:
        if a["name"] in node["attrs"]:
            out += ' %s="%s"' % (a["name"], _esc_attr(_attr_text(node["attrs"][a["name"]])))
    kids = _written_children(node)
    if node["text"] is None and not kids:
        return out + "/>"
    out += ">"
    if node["text"] is not None:
        out += _esc_text(node["text"])
    for k in kids:
        out += ivr_write_node(k)
    return out + "</" + node["el"] + ">"


def ivr_write(resp):
    out = XML_DECL + "<response>"
    for a in resp["actions"]:
        out += ivr_write_node(a)
    if resp["next"] is not None:
        out += "<next>" + _esc_text(resp["next"]) + "</next>"
    return out + "</response>"


def ivr_expect(desc):
    try:
        resp = ivr_parse_response(desc)
        ivr_check(resp)
    except IvrRefusal as exc:
        return {"error": "validation", "field": exc.field}
    xml = ivr_write(resp)
    _xml_round_trip(xml, resp)
    return {"xml": xml}


def _xml_round_trip(xml, resp):
    """The standard library's XML parser reads back exactly the tree that was written."""
    import xml.etree.ElementTree as ET
    root = ET.fromstring(xml.encode("utf-8"))
    require(root.tag == "response", "root")
    kids = list(root)
    action = resp["actions"][0]

    def same(el, node):
        require(el.tag == node["el"], "tag %s != %s" % (el.tag, node["el"]))
        want = {k: _attr_text(v) for k, v in node["attrs"].items()}
        require(el.attrib == want, "attributes of <%s>: %r != %r" % (el.tag, el.attrib, want))
        require((el.text or None) == node["text"], "text of <%s>: %r" % (el.tag, el.text))
        written = _written_children(node)
        require(len(list(el)) == len(written), "children of <%s>" % el.tag)
        for e, n in zip(list(el), written):
            require(e.tail is None, "no text between elements")
            same(e, n)

    same(kids[0], action)
    if resp["next"] is None:
        require(len(kids) == 1, "no <next>")
    else:
        require(len(kids) == 2 and kids[1].tag == "next" and kids[1].text == resp["next"], "next")


# The document cases.

NEXT_URL = "https://app.example.com/ivr/next"
COND_ID = "8a2bc6725b1d2e3f015b1d2f40a1c0d1"


def el(tag_, text_=None, children=None, **attrs):
    """An element description; attribute names lose a trailing '_' (from_)."""
    out = {"name": tag_}
    if attrs:
        out["attrs"] = {k.rstrip("_"): v for k, v in attrs.items()}
    if text_ is not None:
        out["text"] = text_
    if children is not None:
        out["children"] = children
    return out


def doc(action, nxt=NEXT_URL, end_call=None, actions=None):
    out = {"actions": actions if actions is not None else [action]}
    if nxt is not None:
        out["next"] = nxt
    if end_call is not None:
        out["end_call"] = end_call
    return out


def end(action):
    return doc(action, nxt=None, end_call=True)


def play(f, **a):
    return el("play", f, **a)


def dial(number="13800000002", children=None, **a):
    return el("dial", children=[el("number", number)] + (children or []), **a)


def enq(target, **a):
    return el("enqueue", children=[el("route", children=[target])], **a)


def agent(**a):
    a.setdefault("name", "2019")
    return el("agent", **a)


def condition(i=COND_ID):
    return el("condition", id=i)


def ivr_document_specs():
    """(name, description, expected field or None)."""
    ok = [
        ("play-with-next", doc(play("welcome.wav"))),
        ("play-every-attribute", doc(play("welcome.wav", finish_keys="0123456789*#ABCD", repeat=10))),
        ("play-ends-the-call", end(play("bye.wav"))),
        ("play-repeat-as-whole-number", end(play("bye.wav", repeat=2.0))),
        ("playlist", doc(el("playlist", finish_keys="#", repeat=2,
                            children=[play("welcome.wav"), play("menu.wav")]))),
        ("playlist-ten-files", end(el("playlist", children=[play("%d.wav" % i)
                                                             for i in range(10)]))),
        ("record-every-attribute", doc(el("record", max_duration=30, beeping=True,
                                          finish_keys="#"))),
        ("record-engine-defaults", doc(el("record"))),
        ("record-largest-duration", doc(el("record", max_duration=XSD_INT_MAX, beeping=False))),
        ("send-dtmf-every-key", doc(el("send_dtmf", "0123456789*#ABCD"))),
        ("get-menu", doc(el("get", max_keys=1, finish_keys="#", children=[play("menu.wav")]),
                         nxt="https://app.example.com/ivr/menu")),
        ("get-every-attribute", doc(el("get", valid_keys="0123456789#", max_keys=4,
                                       finish_keys="#", first_key_timeout=10,
                                       continues_keys_timeout=5, play_repeat=3,
                                       if_break_on_key=False,
                                       children=[el("playlist", children=[play("please.wav"),
                                                                          play("input.wav")])]))),
        ("get-attributes-given-in-another-order", doc(el(
            "get", if_break_on_key=True, play_repeat=1, finish_keys="*", max_keys=11,
            children=[play("menu.wav")]))),
        ("hangup", {"actions": [el("hangup")]}),
        ("hangup-marked-end-call", end(el("hangup"))),
        ("pause", doc(el("pause", duration=5))),
        ("pause-longest", doc(el("pause", duration=2147483))),
        ("dial-number-only-gets-an-empty-connect", doc(dial())),
        ("dial-every-attribute", doc(dial(
            "13800000002",
            children=[play("ring.wav"),
                      el("connect", max_duration=600, mode=2, recording=True, volume1=3,
                         volume2=4, play_time=540, children=[play("warning.wav", repeat=3)])],
            from_="4008000000", max_call_duration=3600, max_dial_duration=45,
            dial_voice_stop_cond=1))),
        ("dial-children-written-in-schema-order", doc(el("dial", children=[
            el("connect", mode=1), play("ring.wav"), el("number", "13800000002")]))),
        ("enqueue-condition-every-attribute", end(enq(
            condition(), conversation_level=2, conversation_timeout=21600, choice="lru",
            reserve_state="busy/after-call", fail_overflow=False, wait_voice="wait.wav",
            ring_mode=1, ring_voice="ring.wav", hold_voice="hold.wav", play_num=True,
            pre_num_voice="agent.wav", post_num_voice="at_your_service.wav",
            user_data="your data whatever here!"))),
        ("enqueue-agent-every-attribute", doc(enq(agent(name="2019", priority=11,
                                                        queue_timeout=60, fetch_timeout=50),
                                                  choice="random", reserve_state="idle"))),
        ("enqueue-agent-priority-zero", doc(enq(agent(priority=0)))),
        ("escaping-in-text", end(play("a&b<c>\"d\"'e.wav"))),
        ("escaping-in-attributes", end(enq(agent(name="A&<\"'>\t\n\r"),
                                           user_data="x=\"1\" & y<2>"))),
        ("escaping-cr-in-text", end(dial("138 0000 0002\r"))),
        ("non-ascii-text-and-attributes", doc(enq(agent(name="客服 小王"),
                                                  user_data="订单-42 café 😀"),
                                              nxt="https://app.example.com/菜单?lang=中文")),
        ("non-ascii-file-name", end(play("欢迎.wav"))),
        ("next-with-query-ampersand-escaped", doc(play("a.wav"),
                                                  nxt="https://app.example.com/ivr?step=menu&lang=zh")),
        ("next-url-1024-characters", doc(play("a.wav"),
                                         nxt="https://app.example.com/" + "a" * 1000)),
        ("next-url-port-ipv4-escapes", doc(play("a.wav"),
                                           nxt="http://10.0.0.7:8080/%E8%8F%9C%41?x=%7E")),
        ("text-128-characters", end(enq(condition(), user_data="订" * 128))),
    ]
    refused = [
        ("refused-no-action", doc(None, actions=[]), "response"),
        ("refused-only-next", {"next": NEXT_URL}, "response"),
        ("refused-second-action", doc(None, actions=[play("a.wav"), el("hangup")]), "hangup"),
        ("refused-number-is-not-an-action", end(el("number", "1")), "number"),
        ("refused-no-next-without-end-call", doc(play("a.wav"), nxt=None), "next"),
        ("refused-hangup-with-next", doc(el("hangup")), "next"),
        ("refused-end-call-and-next", doc(play("a.wav"), end_call=True), "end_call"),
        ("refused-next-tag", dict(doc(play("a.wav")), tag="menu"), "tag"),
        ("refused-unknown-element-create-conf", end(el("create_conf")), "name"),
        ("refused-skill-route", end(el("enqueue", children=[el("route", children=[
            el("skill", name="after-sales")])])), "enqueue.route.name"),
        ("refused-play-mp3", end(play("menu.mp3")), "play"),
        ("refused-play-upper-case-wav", end(play("menu.WAV")), "play"),
        ("refused-play-bare-extension", end(play(".wav")), "play"),
        ("refused-play-space", end(play("my menu.wav")), "play"),
        ("refused-play-surrounding-space", end(play(" menu.wav ")), "play"),
        ("refused-play-empty", end(play("")), "play"),
        ("refused-play-no-file", end(el("play")), "play"),
        ("refused-play-control-character", end(play("a\u0001.wav")), "play"),
        ("refused-play-repeat-0", end(play("a.wav", repeat=0)), "play.repeat"),
        ("refused-play-repeat-11", end(play("a.wav", repeat=11)), "play.repeat"),
        ("refused-play-repeat-string", end(play("a.wav", repeat="2")), "play.repeat"),
        ("refused-play-repeat-fraction", end(play("a.wav", repeat=1.5)), "play.repeat"),
        ("refused-play-finish-keys-letter", end(play("a.wav", finish_keys="x")), "play.finish_keys"),
        ("refused-play-finish-keys-empty", end(play("a.wav", finish_keys="")), "play.finish_keys"),
        ("refused-play-unknown-attribute", end(play("a.wav", loop=2)), "play.loop"),
        ("refused-play-holds-number", end(el("play", "a.wav", children=[el("number", "1")])),
         "play.number"),
        ("refused-playlist-empty", end(el("playlist")), "playlist.play"),
        ("refused-playlist-eleven", end(el("playlist", children=[play("%d.wav" % i)
                                                                 for i in range(11)])),
         "playlist.play[10]"),
        ("refused-playlist-play-attribute", end(el("playlist", children=[
            play("a.wav"), play("b.wav", repeat=2)])), "playlist.play[1].repeat"),
        ("refused-record-duration-0", end(el("record", max_duration=0)), "record.max_duration"),
        ("refused-record-duration-beyond-int", end(el("record", max_duration=XSD_INT_MAX + 1)),
         "record.max_duration"),
        ("refused-record-beeping-string", end(el("record", beeping="true")), "record.beeping"),
        ("refused-record-text", end(el("record", "x")), "record"),
        ("refused-send-dtmf-letter", end(el("send_dtmf", "12x")), "send_dtmf"),
        ("refused-send-dtmf-empty", end(el("send_dtmf", "")), "send_dtmf"),
        ("refused-get-no-prompt", end(el("get", max_keys=1)), "get.play"),
        ("refused-get-two-prompts", end(el("get", children=[play("a.wav"), el(
            "playlist", children=[play("b.wav")])])), "get.playlist"),
        ("refused-get-two-plays", end(el("get", children=[play("a.wav"), play("b.wav")])),
         "get.play[1]"),
        ("refused-get-play-attribute", end(el("get", children=[play("a.wav", finish_keys="#")])),
         "get.play.finish_keys"),
        ("refused-get-playlist-attribute", end(el("get", children=[el(
            "playlist", repeat=2, children=[play("a.wav")])])), "get.playlist.repeat"),
        ("refused-get-max-keys-0", end(el("get", max_keys=0, children=[play("a.wav")])),
         "get.max_keys"),
        ("refused-get-play-repeat-11", end(el("get", play_repeat=11, children=[play("a.wav")])),
         "get.play_repeat"),
        ("refused-get-valid-keys-range", end(el("get", valid_keys="0-9", children=[play("a.wav")])),
         "get.valid_keys"),
        ("refused-get-first-key-timeout-0", end(el("get", first_key_timeout=0,
                                                   children=[play("a.wav")])),
         "get.first_key_timeout"),
        ("refused-get-continues-keys-timeout-negative", end(el(
            "get", continues_keys_timeout=-1, children=[play("a.wav")])),
         "get.continues_keys_timeout"),
        ("refused-get-break-on-key-number", end(el("get", if_break_on_key=1,
                                                   children=[play("a.wav")])),
         "get.if_break_on_key"),
        ("refused-pause-without-duration", doc(el("pause")), "pause.duration"),
        ("refused-pause-0", doc(el("pause", duration=0)), "pause.duration"),
        ("refused-pause-overflows-milliseconds", doc(el("pause", duration=2147484)),
         "pause.duration"),
        ("refused-dial-without-number", end(el("dial", children=[el("connect")])), "dial.number"),
        ("refused-dial-two-numbers", end(el("dial", children=[el("number", "1"),
                                                              el("number", "2")])),
         "dial.number[1]"),
        ("refused-dial-two-ring-tones", end(dial(children=[play("a.wav"), play("b.wav")])),
         "dial.play[1]"),
        ("refused-dial-ring-tone-attribute", end(dial(children=[play("a.wav", repeat=2)])),
         "dial.play.repeat"),
        ("refused-dial-blank-number", end(dial("   ")), "dial.number"),
        ("refused-dial-number-129", end(dial("1" * 129)), "dial.number"),
        ("refused-dial-empty-from", end(dial(from_="")), "dial.from"),
        ("refused-dial-voice-stop-cond-2", end(dial(dial_voice_stop_cond=2)),
         "dial.dial_voice_stop_cond"),
        ("refused-dial-max-call-duration-0", end(dial(max_call_duration=0)),
         "dial.max_call_duration"),
        ("refused-connect-mode-4", end(dial(children=[el("connect", mode=4)])),
         "dial.connect.mode"),
        ("refused-connect-volume-0", end(dial(children=[el("connect", volume1=0)])),
         "dial.connect.volume1"),
        ("refused-connect-play-finish-keys", end(dial(children=[el("connect", children=[
            play("w.wav", finish_keys="#")])])), "dial.connect.play.finish_keys"),
        ("refused-enqueue-without-route", end(el("enqueue")), "enqueue.route"),
        ("refused-enqueue-two-routes", end(el("enqueue", children=[
            el("route", children=[condition()]), el("route", children=[agent()])])),
         "enqueue.route[1]"),
        ("refused-route-empty", end(el("enqueue", children=[el("route")])),
         "enqueue.route.condition"),
        ("refused-route-condition-and-agent", end(el("enqueue", children=[
            el("route", children=[condition(), agent()])])), "enqueue.route.agent"),
        ("refused-condition-without-id", end(enq(el("condition"))), "enqueue.route.condition.id"),
        ("refused-condition-id-31", end(enq(condition("a" * 31))), "enqueue.route.condition.id"),
        ("refused-agent-without-name", end(enq(el("agent", priority=1))),
         "enqueue.route.agent.name"),
        ("refused-agent-priority-negative", end(enq(agent(priority=-1))),
         "enqueue.route.agent.priority"),
        ("refused-agent-queue-timeout-0", end(enq(agent(queue_timeout=0))),
         "enqueue.route.agent.queue_timeout"),
        ("refused-enqueue-choice-upper-case", end(enq(condition(), choice="LRU")),
         "enqueue.choice"),
        ("refused-enqueue-reserve-state", end(enq(condition(), reserve_state="Idle")),
         "enqueue.reserve_state"),
        ("refused-enqueue-reserve-state-bare-prefix", end(enq(condition(), reserve_state="busy/")),
         "enqueue.reserve_state"),
        ("refused-enqueue-conversation-timeout-capped", end(enq(condition(),
                                                                conversation_timeout=21601)),
         "enqueue.conversation_timeout"),
        ("refused-enqueue-ring-mode-5", end(enq(condition(), ring_mode=5)), "enqueue.ring_mode"),
        ("refused-enqueue-wait-voice-mp3", end(enq(condition(), wait_voice="wait.mp3")),
         "enqueue.wait_voice"),
        ("refused-enqueue-user-data-129", end(enq(condition(), user_data="x" * 129)),
         "enqueue.user_data"),
        ("refused-enqueue-user-data-nul", end(enq(condition(), user_data="a\u0000b")),
         "enqueue.user_data"),
        ("refused-next-relative", doc(play("a.wav"), nxt="/ivr/next"), "next"),
        ("refused-next-empty", doc(play("a.wav"), nxt=""), "next"),
        ("refused-next-ftp", doc(play("a.wav"), nxt="ftp://app.example.com/ivr"), "next"),
        ("refused-next-user-info", doc(play("a.wav"), nxt="https://u:p@app.example.com/ivr"),
         "next"),
        ("refused-next-underscore-host", doc(play("a.wav"), nxt="http://my_app.local/ivr"), "next"),
        ("refused-next-space", doc(play("a.wav"), nxt="https://app.example.com/ivr next"), "next"),
        ("refused-next-escaped-ampersand", doc(play("a.wav"),
                                               nxt="https://app.example.com/ivr?x=a%26b"), "next"),
        ("refused-next-escaped-space", doc(play("a.wav"), nxt="https://app.example.com/a%20b"),
         "next"),
        ("refused-next-own-type-parameter", doc(play("a.wav"),
                                                nxt="https://app.example.com/ivr?type=menu"),
         "next"),
        ("refused-next-own-call-id-parameter", doc(play("a.wav"),
                                                   nxt="https://app.example.com/ivr?call_id=1"),
         "next"),
        ("refused-next-1025-characters", doc(play("a.wav"),
                                             nxt="https://app.example.com/" + "a" * 1001), "next"),
        ("refused-next-not-a-string", dict(doc(play("a.wav")), next={"url": NEXT_URL}), "next"),
        ("refused-actions-not-a-list", {"actions": el("hangup")}, "actions"),
        ("refused-element-not-an-object", {"actions": ["hangup"]}, "element"),
    ]
    return [(n, d, None) for n, d in ok] + refused


def build_ivr_documents():
    cases = []
    for name, desc, field in ivr_document_specs():
        expect = ivr_expect(desc)
        if field is None:
            require("xml" in expect, "%s: must be accepted, got %r" % (name, expect))
        else:
            require(expect == {"error": "validation", "field": field},
                    "%s: must be refused naming %s, got %r" % (name, field, expect))
        cases.append({"name": name, "response": desc, "expect": expect})
    by = {c["name"]: c["expect"] for c in cases}
    # Hand-checked bytes.
    require(by["get-menu"]["xml"] == XML_DECL + '<response><get max_keys="1" finish_keys="#">'
            '<play>menu.wav</play></get><next>https://app.example.com/ivr/menu</next></response>',
            "get-menu bytes")
    require(by["dial-number-only-gets-an-empty-connect"]["xml"] == XML_DECL +
            "<response><dial><number>13800000002</number><connect/></dial>"
            "<next>" + NEXT_URL + "</next></response>", "dial bytes")
    require(by["hangup"]["xml"] == XML_DECL + "<response><hangup/></response>", "hangup bytes")
    require('name="A&amp;&lt;&quot;\'&gt;&#9;&#10;&#13;"' in by["escaping-in-attributes"]["xml"],
            "attribute escaping")
    require("<play>a&amp;b&lt;c&gt;\"d\"'e.wav</play>" in by["escaping-in-text"]["xml"],
            "text escaping")
    require("?step=menu&amp;lang=zh</next>" in by["next-with-query-ampersand-escaped"]["xml"],
            "next escaping")
    require(by["dial-children-written-in-schema-order"]["xml"].find(
        "<number>13800000002</number><play>ring.wav</play><connect mode=\"1\"/>") > 0,
        "dial order")
    require(sum(1 for c in cases if "xml" in c["expect"]) >= 20, "at least 20 documents")
    return cases


# ivr_start (platform-notes-2 §2.3): a JSON body, each key only when non-blank, Java HashMap
# order, ISO-8859-1 with '?' for characters outside Latin-1; no event, no "event_notify".

IVR_START_ORDER = ["action", "subaccount_id", "from", "user_data", "type", "call_id"]
IVR_KINDS = ("ivr_call", "ivr_incoming")
MAX_BODY = 1024 * 1024


class IvrDecodeError(Exception):
    def __init__(self, field=None):
        Exception.__init__(self, field)
        self.field = field


def _ivr_str(obj, key):
    """Fields::string: absent, null and "" are absent; a number is its decimal text."""
    v = obj.get(key)
    if v is None:
        return None
    if isinstance(v, bool):
        raise IvrDecodeError(key)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return v if v != "" else None
    raise IvrDecodeError(key)


def canon_ivr_start(raw):
    try:
        if not raw or len(raw) > MAX_BODY:
            raise IvrDecodeError()
        try:
            text = raw.decode("utf-8")
            if text.startswith("\ufeff"):
                text = text[1:]
        except UnicodeDecodeError:
            text = raw.decode("iso-8859-1")
        try:
            obj = json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError, DecodeError):
            raise IvrDecodeError()
        if not isinstance(obj, dict):
            raise IvrDecodeError()
        if _ivr_str(obj, "action") != "ivr_start":
            raise IvrDecodeError("action")
        kind = _ivr_str(obj, "type")
        if kind is not None and kind not in IVR_KINDS:
            raise IvrDecodeError("type")
        return {"type": "ivr_start", "call_id": _ivr_str(obj, "call_id"), "kind": kind,
                "from": _ivr_str(obj, "from"), "subaccount_id": _ivr_str(obj, "subaccount_id"),
                "user_data": _ivr_str(obj, "user_data")}
    except IvrDecodeError as exc:
        return {"error": "decode", "field": exc.field}


def ivr_start_server(**values):
    return server_body(IVR_START_ORDER, dict(values, action="ivr_start"))


def ivr_start_specs():
    sub = SUBACC
    server = [
        ("server-ivr-call", ivr_start_server(type="ivr_call", call_id=call_id(101),
                                             **{"from": "13800000001"}, user_data="order-42")),
        ("server-ivr-call-sub-account", ivr_start_server(
            type="ivr_call", call_id=call_id(102), subaccount_id=sub,
            **{"from": "13800000001"}, user_data="order-43")),
        ("server-ivr-call-chinese-user-data", ivr_start_server(
            type="ivr_call", call_id=call_id(103), **{"from": "13800000001"},
            user_data="订单-42")),
        ("server-ivr-call-latin1-user-data", ivr_start_server(
            type="ivr_call", call_id=call_id(104), **{"from": "13800000001"}, user_data="café")),
        ("server-ivr-call-no-user-data", ivr_start_server(type="ivr_call", call_id=call_id(105),
                                                          **{"from": "13800000001"})),
        ("server-ivr-incoming", ivr_start_server(type="ivr_incoming", call_id=call_id(106),
                                                 **{"from": "13692206627"})),
        ("server-ivr-incoming-sub-account", ivr_start_server(
            type="ivr_incoming", call_id=call_id(107), subaccount_id=sub,
            **{"from": "02088880000"})),
    ]
    docs = [
        ("docs-ivr-start-example", (
            '{"action": "ivr_start", "type": "ivr_incoming", "call_id": '
            '"8a2bc67258d1c8720158d1f85aec000b", "subaccount_id": null, "from": "13692206627", '
            '"user_data": null}').encode("utf-8")),
        ("docs-ivr-start-pretty-numbers", (
            '{\n  "action": "ivr_start",\n  "type": "ivr_call",\n  "call_id": "c-1",\n'
            '  "from": 13800000001,\n  "user_data": "",\n  "extra": [1, {"x": 2}]\n}\n'
        ).encode("utf-8")),
        ("docs-ivr-start-utf8-bom-chinese", ('\ufeff{"action":"ivr_start","type":"ivr_call",'
                                             '"call_id":"c-2","user_data":"订单-42"}').encode("utf-8")),
        ("docs-ivr-start-minimal", b'{"action":"ivr_start"}'),
    ]
    malformed = [
        ("malformed-ivr-start-empty", b""),
        ("malformed-ivr-start-not-json", b"action=ivr_start"),
        ("malformed-ivr-start-array", b'[{"action":"ivr_start"}]'),
        ("malformed-ivr-start-string", b'"ivr_start"'),
        ("malformed-ivr-start-no-action", b'{"type":"ivr_call","call_id":"c"}'),
        ("malformed-ivr-start-event-body", b'{"action":"event_notify","event":"ivr.play_end",'
                                           b'"id":"c"}'),
        ("malformed-ivr-start-action-number", b'{"action":5}'),
        ("malformed-ivr-start-unknown-type", b'{"action":"ivr_start","type":"ivr_callback"}'),
        ("malformed-ivr-start-from-boolean", b'{"action":"ivr_start","from":true}'),
        ("malformed-ivr-start-user-data-list", b'{"action":"ivr_start","user_data":[]}'),
        ("malformed-ivr-start-call-id-object", b'{"action":"ivr_start","call_id":{}}'),
        ("malformed-ivr-start-trailing-data", b'{"action":"ivr_start"} x'),
    ]
    return ([(n, "server", b) for n, b in server] + [(n, "docs", b) for n, b in docs]
            + [(n, "malformed", b) for n, b in malformed])


def build_ivr_starts():
    cases = []
    for name, source, raw in ivr_start_specs():
        case = {"name": name, "source": source, "body_hex": raw.hex()}
        try:
            case["body"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        case["expect"] = canon_ivr_start(raw)
        require((source == "malformed") == ("type" not in case["expect"]),
                "%s: %r" % (name, case["expect"]))
        cases.append(case)
    by = {c["name"]: c for c in cases}
    require(by["server-ivr-call"]["body"] == '{"action":"ivr_start","from":"13800000001",'
            '"user_data":"order-42","type":"ivr_call","call_id":"' + call_id(101) + '"}',
            "ivr_start wire form")
    require(by["server-ivr-call-chinese-user-data"]["expect"]["user_data"] == "??-42", "??-42")
    require("body" not in by["server-ivr-call-latin1-user-data"]
            and by["server-ivr-call-latin1-user-data"]["expect"]["user_data"] == "café", "café")
    require(by["malformed-ivr-start-unknown-type"]["expect"] == {"error": "decode",
                                                                 "field": "type"}, "type")
    require(by["docs-ivr-start-pretty-numbers"]["expect"]["from"] == "13800000001", "number")
    return cases


# The request to a <next> URL (platform-notes-2 §2.7): a GET of the URL rebuilt by the server
# from java.net.URI parts, with call_id, type and the results appended one by one, each value
# form-encoded (URLEncoder) and the query decoded again (URI.getQuery) at each step.

def java_urlencode(s):
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c in ASCII_ALNUM or c in ".-*_":
            out.append(c)
        elif c == " ":
            out.append("+")
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def _uri_decode(s):
    """URI.getPath/getQuery/getFragment: %XX sequences decoded as UTF-8, '+' kept."""
    data = bytearray()
    i = 0
    raw = s.encode("utf-8")
    while i < len(raw):
        if raw[i] == 0x25 and i + 2 < len(raw) and _hexval(raw[i + 1]) is not None \
                and _hexval(raw[i + 2]) is not None:
            data.append(_hexval(raw[i + 1]) * 16 + _hexval(raw[i + 2]))
            i += 3
        else:
            data.append(raw[i])
            i += 1
    return data.decode("utf-8", errors="replace")


def _uri_split(url):
    scheme, rest = url.split("://", 1)
    end = min([i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0] or [len(rest)])
    authority, tail = rest[:end], rest[end:]
    tail, hash_, fragment = tail.partition("#")
    path, q, query = tail.partition("?")
    return scheme, authority, path, (query if q else None), (fragment if hash_ else None)


def java_input_url(url, key, value):
    scheme, authority, path, query, fragment = _uri_split(url)
    query = _uri_decode(query) if query else ""
    pair = key + "=" + java_urlencode(value)
    query = pair if query == "" else query + "&" + pair
    frag = "" if fragment is None else "#" + _uri_decode(fragment)
    return scheme + "://" + authority + _uri_decode(path) + "?" + query + frag


def server_next_target(next_url, call, action, results):
    """The request target (path?query) the application receives."""
    target = java_input_url(next_url, "call_id", call)
    target = java_input_url(target, "type", action)
    for key, value in results:
        if value is not None:
            target = java_input_url(target, key, value)
    _, _, path, query, _ = _uri_split(target)  # HttpGet: the fragment is not sent
    # The client sends non-ASCII characters as UTF-8 escapes.
    ascii_query = "".join(c if c.isascii() else "".join("%%%02X" % b for b in c.encode("utf-8"))
                          for c in (query or ""))
    return path, ascii_query


def _form_decode(raw):
    out = bytearray()
    i = 0
    while i < len(raw):
        b = raw[i]
        if b == 0x2B:
            out.append(0x20)
            i += 1
        elif b == 0x25:
            h = _hexval(raw[i + 1]) if i + 1 < len(raw) else None
            l = _hexval(raw[i + 2]) if i + 2 < len(raw) else None
            if h is None or l is None:
                raise ValueError("bad escape")
            out.append(h * 16 + l)
            i += 3
        else:
            out.append(b)
            i += 1
    try:
        return bytes(out).decode("utf-8")
    except UnicodeDecodeError:
        return bytes(out).decode("iso-8859-1")


def _lossy(raw):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1")


NEXT_KEYS = [("call_id", "call_id"), ("type", "action"), ("keys", "keys"),
             ("record_id", "record_id"), ("error", "error")]


def canon_ivr_next(raw):
    try:
        if len(raw) > 64 * 1024:
            raise IvrDecodeError()
        head = raw[:8].lower()
        if raw.startswith(b"/") or head.startswith(b"http://") or head.startswith(b"https://"):
            q = raw.find(b"?")
            query = b"" if q < 0 else raw[q + 1:].split(b"#", 1)[0]
        else:
            query = raw[1:] if raw.startswith(b"?") else raw
        pairs = []
        for piece in query.split(b"&"):
            if not piece:
                continue
            name, _, value = piece.partition(b"=")
            try:
                name_text = _form_decode(name)
            except ValueError:
                raise IvrDecodeError(_lossy(name))
            try:
                value_text = _form_decode(value)
            except ValueError:
                raise IvrDecodeError(name_text)
            pairs.append((name_text, value_text))
        out = {"type": "ivr_next"}
        taken = set()
        for wire, name in NEXT_KEYS:
            found = [i for i, (n, _) in enumerate(pairs) if n == wire]
            value = None
            if found:
                taken.add(found[-1])
                value = pairs[found[-1]][1] or None
            if name == "action" and value is not None and value not in IVR_ACTIONS:
                raise IvrDecodeError("type")
            out[name] = value
        out["params"] = [[n, v] for i, (n, v) in enumerate(pairs) if i not in taken]
        return out
    except IvrDecodeError as exc:
        return {"error": "decode", "field": exc.field}


def ivr_next_specs():
    cid = call_id(201)
    rid = "8a2bc6725b1d2e3f015b1d2f40a1e0f1"
    app = NEXT_URL
    server = [
        ("server-after-play", app, "play", []),
        ("server-after-play-error", app, "play", [("error", "play error")]),
        ("server-after-playlist", app, "playlist", []),
        ("server-after-get", app, "get", [("keys", "12"), ("error", None)]),
        ("server-after-get-star", app, "get", [("keys", "5*"), ("error", None)]),
        ("server-after-get-hash-last", app, "get", [("keys", "12#"), ("error", None)]),
        ("server-after-get-no-key", app, "get", [("keys", None), ("error", None)]),
        ("server-after-get-error", app, "get", [("keys", "5"), ("error", "receive error")]),
        ("server-after-get-hash-then-error", app, "get", [("keys", "1#2"), ("error", "timeout")]),
        ("server-after-record", app, "record", [("record_id", rid), ("error", None)]),
        ("server-after-record-error", app, "record", [("record_id", None),
                                                      ("error", "record error")]),
        ("server-after-send-dtmf", app, "send_dtmf", []),
        ("server-after-send-dtmf-error", app, "send_dtmf", [("error", "send error")]),
        ("server-after-pause", app, "pause", []),
        ("server-after-dial", app, "dial", []),
        ("server-after-dial-error", app, "dial", [("error", "dial error")]),
        ("server-after-enqueue-timeout", app, "enqueue", [("error", "timeout")]),
        ("server-after-enqueue-conversation", app, "enqueue", []),
        ("server-own-query-kept-first", app + "?step=menu&lang=zh", "get", [("keys", "1")]),
        ("server-own-query-unreserved-escape-decoded", app + "?x=%41%7E", "play", []),
        ("server-own-query-non-ascii", "https://app.example.com/菜单?name=一级", "get",
         [("keys", "2")]),
    ]
    cases = []
    for name, url, action, results in server:
        require(_url_ok(url), "%s: the builder accepts %s" % (name, url))
        path, query = server_next_target(url, cid, action, results)
        cases.append((name, "server", query))
        if name == "server-after-get":
            cases.append(("server-after-get-request-target", "server", path + "?" + query))
            cases.append(("server-after-get-full-url", "server",
                          "https://app.example.com" + path + "?" + query + "#ignored"))
    docs = [
        ("docs-next-example", "tag=mytag&keys=123"),
        ("docs-next-with-type", "tag=menu&type=get&keys=2"),
        ("docs-next-after-dial", "tag=after_dial&type=dial"),
    ]
    lenient = [
        ("lenient-leading-question-mark", "?call_id=c&type=play"),
        ("lenient-empty-pieces-and-bare-names", "&&call_id=c&&type=play&flag&x="),
        ("lenient-own-type-before-platform-type", "type=menu&call_id=c&type=get&keys=3"),
        ("lenient-latin1-escapes", "call_id=c&type=play&error=caf%E9&note=na%EFve"),
        ("lenient-utf8-escapes-and-raw", "call_id=c&type=get&keys=1&who=%E5%B0%8F%E7%8E%8B&raw=一"),
        ("lenient-plus-and-escaped-plus", "call_id=c&type=play&error=a+b%2Bc"),
        ("lenient-empty-values-absent", "call_id=&type=&keys=&record_id=&error="),
        ("lenient-request-target-without-query", "/ivr/next"),
        ("lenient-upper-case-escapes", "call_id=c%2D1&type=%67et&keys=%31"),
    ]
    malformed = [
        ("malformed-next-unknown-type", "call_id=c&type=hang"),
        ("malformed-next-docs-conference-type", "call_id=c&type=join_conf"),
        ("malformed-next-bad-escape-in-value", "call_id=%zz&type=play"),
        ("malformed-next-short-escape-in-name", "call_id=c&a%4=1"),
        ("malformed-next-lone-percent", "call_id=c&type=play&error=50%"),
    ]
    return (cases + [(n, "docs", q) for n, q in docs] + [(n, "lenient", q) for n, q in lenient]
            + [(n, "malformed", q) for n, q in malformed])


def build_ivr_nexts():
    cases = []
    for name, source, query in ivr_next_specs():
        expect = canon_ivr_next(query.encode("utf-8"))
        require((source == "malformed") == ("type" not in expect), "%s: %r" % (name, expect))
        cases.append({"name": name, "source": source, "query": query, "expect": expect})
    by = {c["name"]: c for c in cases}
    cid = call_id(201)
    require(by["server-after-get"]["query"] == "call_id=%s&type=get&keys=12" % cid, "get query")
    require(by["server-after-play-error"]["query"] == "call_id=%s&type=play&error=play+error" % cid,
            "error query")
    require(by["server-after-get-hash-last"]["expect"]["keys"] == "12#", "# stays escaped last")
    require(by["server-after-get-hash-then-error"]["expect"]["keys"] == "1"
            and by["server-after-get-hash-then-error"]["expect"]["error"] is None,
            "a decoded # before error cuts the query: the platform loses the rest")
    require(by["server-own-query-kept-first"]["expect"]["params"] == [["step", "menu"],
                                                                      ["lang", "zh"]], "params")
    require(by["lenient-own-type-before-platform-type"]["expect"]["action"] == "get", "last type")
    require(by["lenient-latin1-escapes"]["expect"]["error"] == "café", "latin-1")
    require(by["malformed-next-short-escape-in-name"]["expect"] == {"error": "decode",
                                                                    "field": "a%4"}, "name field")
    return cases


def ivr_event_server(event, **values):
    return server_body(IVR_EVENT_ORDER[event], dict(values, action="event_notify", event=event))


def ivr_event_specs():
    """Every ivr.* event as the server sends it (§8: its keys, times in epoch ms, only present
    keys), its variants (§2.6: a failed play at once, a failed dial), and the docs' shapes."""
    a, b = T0, T0 + 7000
    sub = SUBACC
    server = [
        ("server-ivr-call-end", ivr_event_server(
            "ivr.call_end", answer_time=T0 + 5000, end_time=T0 + 100000, begin_time=T0,
            cause="normal", subaccount_id=sub, id=call_id(201), user_data="order-42",
            end_by="usr")),
        ("server-ivr-call-end-never-answered", ivr_event_server(
            "ivr.call_end", end_time=T0 + 30000, begin_time=T0, cause="no answer",
            id=call_id(202), end_by="sys")),
        ("server-ivr-dial-end-answered", ivr_event_server(
            "ivr.dial_end", end_time=b, begin_time=a, id=call_id(203), user_data="order-42")),
        ("server-ivr-dial-end-failed", ivr_event_server(
            "ivr.dial_end", end_time=b, begin_time=a, id=call_id(204), error="busy")),
        ("server-ivr-play-end-finish-key", ivr_event_server(
            "ivr.play_end", end_time=b, begin_time=a, subaccount_id=sub, id=call_id(205),
            key="#")),
        ("server-ivr-play-end-unaudited-file", ivr_event_server(
            "ivr.play_end", end_time=a, begin_time=a, id=call_id(206), error="play error")),
        ("server-ivr-get-end-keys", ivr_event_server(
            "ivr.get_end", keys="12", end_time=b, begin_time=a, id=call_id(207))),
        ("server-ivr-get-end-timeout", ivr_event_server(
            "ivr.get_end", end_time=b, begin_time=a, id=call_id(208), error="receive error")),
        ("server-ivr-record-end", ivr_event_server(
            "ivr.record_end", end_time=b, begin_time=a, id=call_id(209), key="#")),
        ("server-ivr-put-end", ivr_event_server(
            "ivr.put_end", end_time=b, begin_time=a, subaccount_id=sub, id=call_id(210))),
        ("server-ivr-connect-begin", ivr_event_server(
            "ivr.connect_begin", subaccount_id=sub, id=call_id(211))),
        ("server-ivr-connect-end", ivr_event_server(
            "ivr.connect_end", end_time=b, begin_time=a, id=call_id(212))),
        ("server-ivr-connect-end-dial-failed", ivr_event_server(
            "ivr.connect_end", end_time=a, begin_time=a, id=call_id(213), error="dial error")),
        ("server-ivr-format-error", ivr_event_server(
            "ivr.format_error", id=call_id(214), user_data="order-42")),
        ("server-ivr-format-error-chinese-user-data", ivr_event_server(
            "ivr.format_error", subaccount_id=sub, id=call_id(215), user_data="菜单")),
    ]
    docs = [
        ("docs-ivr-get-end", '{"action": "event_notify", "event": "ivr.get_end", "id": '
         '"2e2597d4849211e681c7803f5d09b29d", "subaccount_id": null, "begin_time": 1491444005000, '
         '"end_time": 1491444012000, "error": null, "keys": "123", "key": "#"}'),
        ("docs-ivr-record-end", '{"action": "event_notify", "event": "ivr.record_end", "id": '
         '"2e2597d4849211e681c7803f5d09b29d", "subaccount_id": null, "begin_time": 1491444005000, '
         '"end_time": 1491444012000, "error": null, "record_files": "rec-1.wav"}'),
        ("docs-ivr-connect-begin", '{"action": "event_notify", "event": "ivr.connect_begin", "id": '
         '"2e2597d4849211e681c7803f5d09b29d", "subaccount_id": null, "error": null}'),
        ("docs-ivr-put-end-number-id", '{"action":"event_notify","event":"ivr.put_end","id":12345,'
         '"begin_time":1491444005000,"end_time":1491444012000,"error":""}'),
    ]
    malformed = [
        ("malformed-ivr-get-end-keys-list", b'{"event":"ivr.get_end","keys":["1"]}'),
        ("malformed-ivr-call-end-time-text", b'{"event":"ivr.call_end","end_time":"soon"}'),
        ("malformed-ivr-play-end-key-boolean", b'{"event":"ivr.play_end","key":true}'),
    ]
    return ([(n, "server", raw) for n, raw in server]
            + [(n, "docs", t.encode("utf-8")) for n, t in docs]
            + [(n, "malformed", raw) for n, raw in malformed])


def build_ivr_events():
    cases = []
    for name, source, raw in ivr_event_specs():
        case = event_case(name, source, raw)
        require((source == "malformed") == ("type" not in case["expect"]),
                "%s: %r" % (name, case["expect"]))
        cases.append(case)
    seen = {c["expect"].get("type") for c in cases}
    require(set(IVR_EVENT_KEYS) <= seen, "every ivr.* event has a case")
    by = {c["name"]: c for c in cases}
    require(by["server-ivr-get-end-keys"]["body"] == '{"keys":"12","end_time":' + str(T0 + 7000)
            + ',"begin_time":' + str(T0) + ',"action":"event_notify","id":"' + call_id(207)
            + '","event":"ivr.get_end"}', "get_end wire form")
    require(by["server-ivr-format-error-chinese-user-data"]["expect"]["user_data"] == "??",
            "Chinese user_data becomes ??")
    require(by["docs-ivr-put-end-number-id"]["expect"]["id"] == "12345", "a number id is its text")
    return cases


def build_ivr():
    for name, decl in IVR_ELEMENTS.items():
        for c in _kids(decl):
            require(c["name"] in IVR_ELEMENTS, "%s holds unknown %s" % (name, c["name"]))
    cases = {"documents": build_ivr_documents(), "ivr_start": build_ivr_starts(),
             "next": build_ivr_nexts(), "events": build_ivr_events()}
    for group in cases.values():
        names = [c["name"] for c in group]
        require(len(set(names)) == len(names), "duplicate IVR case names")
        for n in names:
            require(KEBAB.match(n), "bad case name %r" % n)
    return {
        "description": (
            "IVR: the documents an application answers the platform with, and the two requests "
            "the platform sends it. documents: a neutral description of the builder's input "
            "({\"actions\": [element], \"next\": url, \"end_call\": bool}, each element "
            "{\"name\", \"attrs\", \"text\", \"children\"}, attribute names in snake_case) and "
            "either the exact XML ({\"xml\"}) or the refusal ({\"error\": \"validation\", "
            "\"field\": element path and attribute}). ivr_start: POSTed bodies (body_hex "
            "authoritative, body only when valid UTF-8) and the canonical typed view, or "
            "{\"error\": \"decode\", \"field\"}. next: the query of the request to a <next> URL "
            "and its canonical typed view. events: the ivr.* webhook events (the shape of "
            "events.json's cases: body_hex, and the canonical typed view or "
            "{\"error\": \"decode\"}). See tests/vectors/README.md."
        ),
        "generator": GENERATOR,
        "documents": cases["documents"],
        "ivr_start": cases["ivr_start"],
        "next": cases["next"],
        "events": cases["events"],
    }


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def render(doc):
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def main(argv):
    check = False
    for arg in argv:
        if arg == "--check":
            check = True
        elif arg in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        else:
            print("unknown argument: %s" % arg, file=sys.stderr)
            return 2
    try:
        if not cross_check_routes():
            print("gen_vectors: note: %s not found; the restatement of the routes is used "
                  "unchecked" % os.path.relpath(SPEC_ROUTES_FILE, ROOT), file=sys.stderr)
        signing = build_signing()
        events = build_events()
        requests = build_requests()
        ivr = build_ivr()
        outputs = [(SIGNING_PATH, render(signing)), (EVENTS_PATH, render(events)),
                   (REQUESTS_PATH, render(requests)), (IVR_PATH, render(ivr))]
        require(len(outputs[1][1]) < 200 * 1024, "events.json must stay below 200 KB")
    except VectorError as exc:
        print("gen_vectors: FAILED: %s" % exc, file=sys.stderr)
        return 1

    failed = False
    for path, data in outputs:
        rel = os.path.relpath(path, ROOT)
        if check:
            try:
                with open(path, "rb") as fh:
                    current = fh.read()
            except OSError:
                current = None
            if current is None:
                print("MISSING: %s" % rel)
                failed = True
            elif current != data:
                print("DIFFERS: %s (run python3 %s to regenerate)" % (rel, GENERATOR))
                failed = True
            else:
                print("ok: %s" % rel)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
            print("wrote %s (%d bytes)" % (rel, len(data)))

    by_source = {}
    for c in events["cases"]:
        by_source[c["source"]] = by_source.get(c["source"], 0) + 1
    print("signing cases: %d; request cases: %d; event cases: %d (%s)" % (
        len(signing["cases"]), len(requests["cases"]), len(events["cases"]),
        ", ".join("%s %d" % (k, by_source[k]) for k in ("server", "docs", "malformed"))))
    print("ivr documents: %d (%d written, %d refused); ivr_start cases: %d; next cases: %d; "
          "ivr.* event cases: %d" % (
              len(ivr["documents"]), sum(1 for c in ivr["documents"] if "xml" in c["expect"]),
              sum(1 for c in ivr["documents"] if "error" in c["expect"]), len(ivr["ivr_start"]),
              len(ivr["next"]), len(ivr["events"])))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
