"""Writes the shared vectors as tab-separated lines the C tests read (standard library only).

    python3 gen_vectors_tsv.py VECTORS_DIR OUT_DIR

signing.tsv: name, then hex of method, uri, content_type, timestamp, app_id, secret_key, body,
string_to_sign, then the signature.
events.tsv: name, "ok" or the expected error kind, body hex, then for "ok" the hex of the
canonical `expect` JSON with keys sorted and with keys in the order the vector lists them (the
library's serialisation is compact and may use either order), and the hex of the body as text
(UTF-8 when valid, else ISO-8859-1, without a byte order mark) encoded as UTF-8.
requests.tsv: a first line "count", N; then one line per case: hex of the name, the operation,
"body" or "error", hex of the expected body or of the expected field, then one field per
parameter in the vector's order: "KEY=s:HEX" (string), "KEY=i:DECIMAL" (integer),
"KEY=b:0" / "KEY=b:1" (boolean), and one "play_content=p:HEX:PLAY_TYPE" per play item.
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


def request_params(params):
    out = []
    for key, value in params.items():
        if not re.fullmatch(r"[a-z0-9_]+", key):
            raise SystemExit(f"requests.json: unexpected parameter name {key!r}")
        if key == "play_content":
            for item in value:
                content, play_type = item
                if not isinstance(content, str) or isinstance(play_type, bool) or not isinstance(play_type, int):
                    raise SystemExit(f"requests.json: unexpected play item {item!r}")
                out.append(f"{key}=p:{hx(content)}:{play_type}")
        elif isinstance(value, bool):
            out.append(f"{key}=b:{int(value)}")
        elif isinstance(value, int):
            out.append(f"{key}=i:{value}")
        elif isinstance(value, str):
            out.append(f"{key}=s:{hx(value)}")
        else:
            raise SystemExit(f"requests.json: unexpected value of {key}: {value!r}")
    return out


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
    with open(out / "events.tsv", "w", encoding="utf-8") as f:
        for c in events["cases"]:
            expect = c["expect"]
            if "type" not in expect:
                row = [c["name"], expect["error"], c["body_hex"], "", "", ""]
            else:
                row = [c["name"], "ok", c["body_hex"], hx(compact(expect, True)), hx(compact(expect, False))]
                row.append(hx(as_text(bytes.fromhex(c["body_hex"]))))
            f.write("\t".join(row) + "\n")
    requests = json.loads((vectors / "requests.json").read_text(encoding="utf-8"))
    with open(out / "requests.tsv", "w", encoding="utf-8") as f:
        f.write(f"count\t{len(requests['cases'])}\n")
        for c in requests["cases"]:
            expect = c["expect"]
            if "body" in expect:
                row = [hx(c["name"]), c["operation"], "body", hx(expect["body"])]
            elif expect.get("error") == "validation":
                row = [hx(c["name"]), c["operation"], "error", hx(expect["field"])]
            else:
                raise SystemExit(f"requests.json: unexpected expect in {c['name']}: {expect!r}")
            f.write("\t".join(row + request_params(c["params"])) + "\n")
    print(f"{len(signing['cases'])} signing, {len(events['cases'])} event and {len(requests['cases'])} request vectors "
          f"written to {out}")


if __name__ == "__main__":
    main()
