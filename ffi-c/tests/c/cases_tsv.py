#!/usr/bin/env python3
"""Writes the case tables of tests/cases/ that declare their fixtures (callcenter.json,
messaging.json, ...) as the TSV that test_cases.c reads, one record a line, cells separated by
tabs:

  T  table name  unknown id                      a table starts
  S  number  behaviour JSON                      a number to script first
  F  fixture  op  until-path or -  saves or -    a fixture step (saves: VAR=path joined by
     then field name and JSON value pairs          \\x1f), its fields follow
  C  name  op  needs or -  kind  expect  data     a case: kind ok/validation/api/http, expect the
     then field name and JSON value pairs          field, code or status (or -), data: `-`, a JSON
                                                   value compared whole, or `"key":value`
                                                   fragments joined by \\x1f ($ANY fragments cut
                                                   to their key; a $ANY string is `$ANY`)

$NAMES ($N, $UNKNOWN, the fixtures' saves) are left for the C program.

  cases_tsv.py tests/cases OUT.tsv"""
import json
import pathlib
import sys


def text(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def row(cells):
    assert not any("\t" in c or "\n" in c for c in cells), cells
    return "\t".join(cells) + "\n"


def fields(values):
    out = []
    for name, value in values.items():
        out += [name, text(value)]
    return out


with open(sys.argv[2], "w", encoding="utf-8") as out:
    for path in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
        table = json.loads(path.read_text("utf-8"))
        if "fixtures" not in table:
            continue
        out.write(row(["T", path.stem, table["unknown_id"]]))
        for number, behavior in table.get("scripted", {}).items():
            out.write(row(["S", number, text(behavior)]))
        for name, steps in table["fixtures"].items():
            for step in steps:
                saves = "\x1f".join(f"{k}={v}" for k, v in step.get("save", {}).items()) or "-"
                out.write(row(["F", name, step["op"], step.get("until", "-"), saves] + fields(step["fields"])))
        for case in table["cases"]:
            client = case["client"]
            expect = str(client.get("field") or client.get("code") or client.get("status") or "-")
            if "data" not in case:
                data = "-"
            elif isinstance(case["data"], dict):
                data = "\x1f".join(
                    f"{json.dumps(k)}:" if v == "$ANY" else f"{json.dumps(k)}:{text(v)}" for k, v in case["data"].items()
                )
            elif case["data"] == "$ANY":
                data = "$ANY"
            else:
                data = text(case["data"])
            out.write(
                row(["C", case["name"], case["op"], case.get("needs", "-"), client["kind"], expect, data] + fields(case["fields"]))
            )
