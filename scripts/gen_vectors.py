#!/usr/bin/env python3
"""Generate the cross-language test vectors in tests/vectors/.

    python3 scripts/gen_vectors.py          # (re)write the vector files
    python3 scripts/gen_vectors.py --check  # exit 1 if a committed file differs

This is an independent implementation of the platform's request signing and of
the platform's webhook wire format (see shared spec platform-notes.md §1, §4, §5
and events.md §1, §3, §9). It deliberately uses only the Python standard library
and never imports project code, so the vectors can be used to test every SDK.

Files written:
  tests/vectors/signing.json   request-signing cases
  tests/vectors/events.json    webhook bodies and their canonical decoded view
  tests/vectors/requests.json  request parameters, and the exact JSON body sent or the field
                               that breaks a rule the server enforces

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


def server_body(order, values):
    """Serialise like the platform: compact Jackson, HashMap order, keys only when
    non-empty, then encode as ISO-8859-1 with '?' for unmappable characters."""
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
            require(v % 1000 == 0, "server times end in 000")
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
        return {"type": "event", "event": event, "fields": obj}
    except DecodeError:
        return {"error": "decode"}


def _canon_duo(obj):
    begin = _opt_int(obj, "begin_time")
    a1 = _opt_int(obj, "answer_time1")
    a2 = _opt_int(obj, "answer_time2")
    end = _opt_int(obj, "end_time")
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
    end = _opt_int(obj, "end_time")
    if end is None:  # absent (or null): fall back to the documented misspelling
        end = _opt_int(obj, "end_tinme")
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
        "begin_time": _opt_int(obj, "begin_time"),
        "answer_time": _opt_int(obj, "answer_time"),
        "end_time": end,
        "duration": _opt_int(obj, "duration"),
        "hangup_by": hangup,
        "dropped_by": dropped,
        "ended_by": ended_by,
        "reason": _opt_str(obj, "reason"),
        "error": _opt_str(obj, "error"),
        "user_data": _opt_str(obj, "user_data"),
    }


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
    # Other documented events (events.md §4-§8), generic view.
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
# Requests: what the client sends, and what it refuses before sending
# ---------------------------------------------------------------------------
#
# The rules are those the server enforces (platform-notes §2.2, §2.4, §2.5), restated here from
# the spec. Optional fields that are not given are left out of the body; the body's keys come in
# a fixed order per operation, and it is compact JSON with non-ASCII characters as UTF-8.

BODY_ORDER = {
    "duo_callback": ["to1", "to2", "max_call_duration", "from1", "from2", "ring_tone",
                     "ring_tone_mode", "max_dial_duration", "recording", "record_mode", "user_data"],
    "cancel_duo_callback": ["call_id"],
    "notify_call": ["to", "from", "play_file", "play_content", "repeat", "max_dial_duration",
                    "user_data"],
    "verify_call": ["to", "from", "verify_code", "play_file", "repeat", "max_dial_duration",
                    "user_data"],
}
WIRE_NAME = {"call_id": "callId"}
DATE_TIME_SHAPES = [r"\d+-\d+-\d+ \d+:\d+:\d+", r"\d+-\d+-\d+ \d+:\d+", r"\d+-\d+-\d+",
                    r"\d+-\d+", r"\d+:\d+:\d+", r"\d+:\d+"]
DURATION_SHAPES = [r"\d+:\d+:\d+", r"\d+:\d+"]


def utf16_len(text):
    return len(text.encode("utf-16-le")) // 2


def blank(value):
    return value is None or value.strip() == ""


class Refused(Exception):
    def __init__(self, field):
        Exception.__init__(self, field)
        self.field = field


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


def check_request(operation, params):
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
    elif operation == "cancel_duo_callback":
        if blank(params.get("call_id")):
            raise Refused("call_id")
    elif operation == "notify_call":
        if blank(params.get("to")):
            raise Refused("to")
        check_range(params, "repeat", 0, 10)
        check_range(params, "max_dial_duration", 1, 300)
        check_len(params, "user_data", 128)
        items = params.get("play_content") or []
        for i, (content, play_type) in enumerate(items):
            check_item(i, content, play_type)
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
        raise VectorError("unknown operation " + operation)


def request_body(operation, params):
    body = {}
    for field in BODY_ORDER[operation]:
        if params.get(field) is None:
            continue
        value = params[field]
        if field == "play_content":
            value = [[content, play_type, ""] for content, play_type in value]
        body[WIRE_NAME.get(field, field)] = value
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def request_case(name, operation, params, field=None):
    require(KEBAB.match(name), "bad case name " + name)
    try:
        check_request(operation, params)
        expect = {"body": request_body(operation, params)}
    except Refused as refused:
        expect = {"error": "validation", "field": refused.field}
    if field is not None:
        require(expect.get("field") == field, "%s: expected refusal of %s, got %r" % (name, field, expect))
    else:
        require("body" in expect, "%s: expected a body, got %r" % (name, expect))
    return {"name": name, "operation": operation, "params": params, "expect": expect}


def request_cases():
    duo = lambda **kw: dict({"to1": "13800000001", "to2": "13800000002", "max_call_duration": 60}, **kw)
    notify = lambda **kw: dict({"to": "13800000001"}, **kw)
    verify = lambda **kw: dict({"to": "13800000001"}, **kw)
    c = request_case
    cases = [
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
    ]
    names = [case["name"] for case in cases]
    require(len(names) == len(set(names)), "duplicate request case names")
    # Hand-checked bodies, so that the generator itself is pinned.
    by_name = {case["name"]: case for case in cases}
    require(by_name["duo-minimal"]["expect"]["body"] ==
            '{"to1":"13800000001","to2":"13800000002","max_call_duration":60}', "duo-minimal body")
    require(by_name["cancel"]["expect"]["body"] == '{"callId":"2e2597d4849211e681c7803f5d09b29d"}', "cancel body")
    require(by_name["duo-chinese-user-data"]["expect"]["body"].endswith('"user_data":"订单-42"}'), "utf-8 body")
    return cases


def build_requests():
    return {
        "description": "What the client sends for each operation, or the field it refuses before "
                       "sending. `params` are snake_case (bindings map them to their own names); "
                       "`play_content` items are [content, play_type]. `expect` is either "
                       "{\"body\": exact JSON text} or {\"error\": \"validation\", \"field\": name}.",
        "generator": GENERATOR,
        "cases": request_cases(),
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
        signing = build_signing()
        events = build_events()
        requests = build_requests()
        outputs = [(SIGNING_PATH, render(signing)), (EVENTS_PATH, render(events)),
                   (REQUESTS_PATH, render(requests))]
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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
