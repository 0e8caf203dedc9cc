#!/usr/bin/env python3
"""Writes tests/cases/conference.json as the TSV that test_conference.c reads, one case a line:
name, operation, needs (`-`, `conf` or `member`), expected kind (ok/validation/api), the field or
code expected (or `-`), the data expected (`true`, or `"key":value` fragments joined by `\\x1f`
with `$ANY` fragments cut to their key, or `-`), then field name and JSON value pairs. $UNKNOWN
is replaced here; $CONF and $CALL are left for the C program, which makes them. The first line
is the red-listed number to script."""
import json
import sys

table = json.load(open(sys.argv[1], encoding="utf-8"))


def static(value):
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("$UNKNOWN", table["unknown_id"])


with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write(table["red_listed"] + "\n")
    for case in table["cases"]:
        client = case["client"]
        expect = client.get("field") or client.get("code") or "-"
        data = case.get("data")
        if data is True:
            data_text = "true"
        elif isinstance(data, dict):
            data_text = "\x1f".join(
                f"{json.dumps(k)}:" if v == "$ANY" else f"{json.dumps(k)}:{static(v)}" for k, v in data.items()
            )
        else:
            data_text = "-"
        row = [case["name"], case["op"], case.get("needs") or "-", client["kind"], expect, data_text]
        for name, value in case["fields"].items():
            row += [name, static(value)]
        assert not any("\t" in cell or "\n" in cell for cell in row), case["name"]
        out.write("\t".join(row) + "\n")
