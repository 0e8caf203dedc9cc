"""Writes the shared vectors as tab-separated lines the C tests read (standard library only).

    python3 gen_vectors_tsv.py VECTORS_DIR OUT_DIR

signing.tsv: name, then hex of method, uri, content_type, timestamp, app_id, secret_key, body,
string_to_sign, then the signature.
events.tsv: name, "ok" or the expected error kind, body hex, then for "ok" the hex of the
canonical `expect` JSON with keys sorted and with keys in the order the vector lists them (the
library's serialisation is compact and may use either order), and the hex of the body as text
(UTF-8 when valid, else ISO-8859-1, without a byte order mark) encoded as UTF-8.
requests.tsv (the first, typed API: the operations it has, duo_callback, cancel_duo_callback,
notify_call and verify_call): a first line "count", N; then one line per case: hex of the name,
the operation, "body" or "error", hex of the expected body or of the expected field, then one
field per parameter in the vector's order: "KEY=s:HEX" (string), "KEY=i:DECIMAL" (integer),
"KEY=b:0" / "KEY=b:1" (boolean), and one "play_content=p:HEX:PLAY_TYPE" per play item.
requests_by_name.tsv (every case, for requests made by name): a first line "count", N; then one
line per case: hex of the name, hex of the operation, then "wire" followed by the expected
method, hex of the path, hex of the query and hex of the body ("-" for each the vector does not
give, "null" for a request without a body), or "error" followed by the expected kind and hex of
the field; then one "HEX(KEY)=HEX(JSON)" per parameter in the vector's order, the value as
compact JSON text.
ivr_documents.tsv: name, hex of the document's description as compact JSON, the same document as
a program of the element API ("-" when the description holds what C's typed setters cannot
carry): space-separated steps "N:name" (a new element on the stack), "S:attr:HEX", "I:attr:N",
"B:attr:0|1" (set on the top element), "T:HEX" (its text), "C" (pop it into the element below
as a child), "A" (pop it into the document as an action), "X:HEX" (the <next> URL), "E" (end
the call); then "xml" and the hex of the expected XML, or "error", the expected kind and the hex
of the field.
ivr_next.tsv: name, hex of the query, then "ok", the hex of the canonical `expect` JSON with keys
sorted and with keys in the vector's order, or "error", the kind and the hex of the field.
ivr_start.tsv: name, hex of the body, then the same as ivr_next.tsv.
ivr_events.tsv: the lines of events.tsv for the ivr.* events of ivr.json, then the keys of the
typed view (less type and event) joined by commas ("-" for a malformed body).
"""
import re
import json
import sys
from pathlib import Path


def hx(s):
    return (s.encode("utf-8") if isinstance(s, str) else s).hex()


def as_text(body):
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    return text[1:] if text.startswith("\ufeff") else text


def compact(value, sort):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=sort)


# The parameters the first API's typed C calls take: s string, i integer, b boolean, p play items.
FIRST_API = {
    "duo_callback": {"to1": "s", "to2": "s", "max_call_duration": "i", "from1": "s", "from2": "s",
                     "ring_tone": "s", "ring_tone_mode": "i", "max_dial_duration": "i", "recording": "b",
                     "record_mode": "i", "user_data": "s"},
    "cancel_duo_callback": {"call_id": "s"},
    "notify_call": {"to": "s", "from": "s", "play_file": "s", "play_content": "p", "repeat": "i",
                    "max_dial_duration": "i", "user_data": "s"},
    "verify_call": {"to": "s", "from": "s", "verify_code": "s", "play_file": "s", "repeat": "i",
                    "max_dial_duration": "i", "user_data": "s"},
}


class Inexpressible(Exception):
    """A parameter the typed calls cannot carry (an unknown field, or a value of another type):
    such cases are run by name only."""


def ivr_program(response):
    """The steps of the element API that build `response`, or "-"."""
    steps = []

    def element(e):
        if not isinstance(e, dict) or not isinstance(e.get("name"), str) or \
                set(e) - {"name", "attrs", "text", "children"}:
            raise Inexpressible("element")
        steps.append("N:" + e["name"])
        attrs = e.get("attrs") or {}
        if not isinstance(attrs, dict):
            raise Inexpressible("attrs")
        for k in sorted(attrs):
            v = attrs[k]
            if not re.fullmatch(r"[a-z0-9_]+", k):
                raise Inexpressible(k)
            if isinstance(v, bool):
                steps.append(f"B:{k}:{int(v)}")
            elif isinstance(v, int):
                steps.append(f"I:{k}:{v}")
            elif isinstance(v, str):
                steps.append(f"S:{k}:{hx(v)}")
            else:
                raise Inexpressible(k)
        if e.get("text") is not None:
            if not isinstance(e["text"], str):
                raise Inexpressible("text")
            steps.append("T:" + hx(e["text"]))
        children = e.get("children") or []
        if not isinstance(children, list):
            raise Inexpressible("children")
        for c in children:
            element(c)
            steps.append("C")

    if "\\u0000" in json.dumps(response):
        return "-"  # C strings end at a NUL
    try:
        if not isinstance(response, dict) or set(response) - {"actions", "next", "end_call"}:
            raise Inexpressible("response")
        actions = response.get("actions") or []
        if not isinstance(actions, list):
            raise Inexpressible("actions")
        for a in actions:
            element(a)
            steps.append("A")
        nxt = response.get("next")
        if nxt is not None:
            if not isinstance(nxt, str):
                raise Inexpressible("next")
            steps.append("X:" + hx(nxt))
        end = response.get("end_call")
        if end is not None and not isinstance(end, bool):
            raise Inexpressible("end_call")
        if end:
            steps.append("E")
    except Inexpressible:
        return "-"
    return " ".join(steps) if steps else "-"


def request_params(operation, params):
    out = []
    for key, value in params.items():
        if not re.fullmatch(r"[a-z0-9_]+", key):
            raise SystemExit(f"requests.json: unexpected parameter name {key!r}")
        kind = FIRST_API[operation].get(key)
        is_int = isinstance(value, int) and not isinstance(value, bool)
        if kind is None or (kind == "s" and not isinstance(value, str)) or (kind == "i" and not is_int) \
                or (kind == "b" and not isinstance(value, bool)):
            raise Inexpressible(key)
        if key == "play_content":
            if not isinstance(value, list):
                raise Inexpressible(key)
            for item in value:
                if not isinstance(item, list) or len(item) != 2:
                    raise Inexpressible(key)
                content, play_type = item
                if not isinstance(content, str) or isinstance(play_type, bool) or not isinstance(play_type, int):
                    raise Inexpressible(key)
                out.append(f"{key}=p:{hx(content)}:{play_type}")
        elif isinstance(value, bool):
            out.append(f"{key}=b:{int(value)}")
        elif isinstance(value, int):
            out.append(f"{key}=i:{value}")
        elif isinstance(value, str):
            out.append(f"{key}=s:{hx(value)}")
        else:
            raise Inexpressible(key)
    return out


def typed_row(c):
    """The requests.tsv line of a case of the first API, or None when its C calls cannot carry it."""
    expect = c["expect"]
    if expect.get("error") is None and isinstance(expect.get("body"), str):
        row = [hx(c["name"]), c["operation"], "body", hx(expect["body"])]
    elif expect.get("error") == "validation" and expect.get("field"):
        row = [hx(c["name"]), c["operation"], "error", hx(expect["field"])]
    else:
        return None
    try:
        return row + request_params(c["operation"], c["params"])
    except Inexpressible:
        return None


def main():
    vectors, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    signing = json.loads((vectors / "signing.json").read_text(encoding="utf-8"))
    with open(out / "signing.tsv", "w", encoding="utf-8") as f:
        for c in signing["cases"]:
            fields = [c["method"], c["uri"], c["content_type"], c["timestamp"], c["app_id"], c["secret_key"]]
            row = [c["name"]] + [hx(x) for x in fields]
            row += [c["body_hex"], hx(c["string_to_sign"]), c["signature"]]
            f.write("\t".join(row) + "\n")
    events = json.loads((vectors / "events.json").read_text(encoding="utf-8"))

    def event_rows(path, cases, keys=False):
        with open(path, "w", encoding="utf-8") as f:
            for c in cases:
                expect = c["expect"]
                if "type" not in expect:
                    row = [c["name"], expect["error"], c["body_hex"], "", "", ""]
                else:
                    row = [c["name"], "ok", c["body_hex"], hx(compact(expect, True)), hx(compact(expect, False))]
                    row.append(hx(as_text(bytes.fromhex(c["body_hex"]))))
                if keys:
                    row.append(",".join(k for k in expect if k not in ("type", "event")) or "-")
                f.write("\t".join(row) + "\n")
    event_rows(out / "events.tsv", events["cases"])
    requests = json.loads((vectors / "requests.json").read_text(encoding="utf-8"))
    cases = requests["cases"]
    first = [row for row in (typed_row(c) for c in cases if c["operation"] in FIRST_API) if row is not None]
    with open(out / "requests.tsv", "w", encoding="utf-8") as f:
        f.write(f"count\t{len(first)}\n")
        for row in first:
            f.write("\t".join(row) + "\n")
    with open(out / "requests_by_name.tsv", "w", encoding="utf-8") as f:
        f.write(f"count\t{len(cases)}\n")
        for c in cases:
            expect = c["expect"]
            row = [hx(c["name"]), hx(c["operation"])]
            if "error" in expect:
                row += ["error", expect["error"], hx(expect.get("field") or "")]
            else:
                def given(key):
                    return hx(expect[key]) if expect.get(key) is not None else "-"
                body = "-" if "body" not in expect else ("null" if expect["body"] is None else hx(expect["body"]))
                row += ["wire", expect.get("method") or "-", given("path"), given("query"), body]
            row += [f"{hx(k)}={hx(compact(v, False))}" for k, v in c["params"].items()]
            f.write("\t".join(row) + "\n")
    ivr = json.loads((vectors / "ivr.json").read_text(encoding="utf-8"))
    with open(out / "ivr_documents.tsv", "w", encoding="utf-8") as f:
        for c in ivr["documents"]:
            expect = c["expect"]
            row = [c["name"], hx(compact(c["response"], False)), ivr_program(c["response"])]
            if "xml" in expect:
                row += ["xml", hx(expect["xml"])]
            else:
                row += ["error", expect["error"], hx(expect.get("field") or "")]
            f.write("\t".join(row) + "\n")

    def parsed(expect):
        if "type" not in expect:
            return ["error", expect["error"], hx(expect.get("field") or "")]
        return ["ok", hx(compact(expect, True)), hx(compact(expect, False))]
    with open(out / "ivr_next.tsv", "w", encoding="utf-8") as f:
        for c in ivr["next"]:
            f.write("\t".join([c["name"], hx(c["query"])] + parsed(c["expect"])) + "\n")
    with open(out / "ivr_start.tsv", "w", encoding="utf-8") as f:
        for c in ivr["ivr_start"]:
            f.write("\t".join([c["name"], c["body_hex"]] + parsed(c["expect"])) + "\n")
    event_rows(out / "ivr_events.tsv", ivr["events"], keys=True)
    print(f"{len(signing['cases'])} signing, {len(events['cases'])} event and {len(cases)} request vectors "
          f"({len(first)} for the typed calls of the first API) written to {out}")


if __name__ == "__main__":
    main()
