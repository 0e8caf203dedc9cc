"""Every case table of tests/cases/ whose fixtures are declared in the table (callcenter.json,
messaging.json), from Python against the sandbox through the SDK: valid input and at least one
broken rule per field, with what the SDK refuses before sending and what the platform answers.
One runner for every such table: a case's `needs` names a fixture, a list of SDK steps (`op`,
`fields`, `save` of values of the answer into $NAMES, `until` a path has a value)."""

from __future__ import annotations

import itertools
import json
import pathlib
import time
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import yunhuni
from yunhuni.testing import Sandbox

CASES_DIR = pathlib.Path(__file__).resolve().parents[2] / "tests" / "cases"
TABLES: Dict[str, Dict[str, Any]] = {
    p.stem: json.loads(p.read_text("utf-8")) for p in sorted(CASES_DIR.glob("*.json"))
}
TABLES = {name: t for name, t in TABLES.items() if "fixtures" in t}
CASES: List[Tuple[str, Dict[str, Any]]] = [(name, c) for name, t in TABLES.items() for c in t["cases"]]
COUNTER = itertools.count(1000)


@pytest.fixture(scope="module")
def client() -> Iterator[yunhuni.Client]:
    with Sandbox(time_scale=200.0) as sb:
        for table in TABLES.values():
            for number, behavior in table.get("scripted", {}).items():
                sb.set_behavior(number, **behavior)
        yield sb.client(timeout=10.0)


def substitute(value: Any, names: Dict[str, str]) -> Any:
    if isinstance(value, str):
        # Longer names first, so that $EXT2 is not read as $EXT followed by 2.
        for name in sorted(names, key=len, reverse=True):
            value = value.replace("$" + name, names[name])
        return value
    if isinstance(value, list):
        return [substitute(v, names) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, names) for k, v in value.items()}
    return value


def at_path(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def python_fields(fields: Dict[str, Any]) -> Dict[str, Any]:
    # Python spells the field `from` as `from_`.
    return {("from_" if k == "from" else k): v for k, v in fields.items()}


def run_fixture(client: yunhuni.Client, table: Dict[str, Any], fixture: str, names: Dict[str, str]) -> None:
    for step in table["fixtures"][fixture]:
        fields = python_fields(substitute(step["fields"], names))
        deadline = time.monotonic() + 30.0
        while True:
            data = client.request(step["op"], **fields)
            if "until" not in step or at_path(data, step["until"]) is not None:
                break
            assert time.monotonic() < deadline, "fixture step %r never gave %s" % (step, step["until"])
            time.sleep(0.01)
        for name, path in step.get("save", {}).items():
            value = at_path(data, path)
            assert isinstance(value, str) and value, (step, data)
            names[name] = value


@pytest.mark.parametrize("table_name,case", CASES, ids=["%s: %s" % (t, c["name"]) for t, c in CASES])
def test_case(table_name: str, case: Dict[str, Any], client: yunhuni.Client) -> None:
    table = TABLES[table_name]
    names = {"N": str(next(COUNTER)), "UNKNOWN": table["unknown_id"]}
    if "needs" in case:
        run_fixture(client, table, case["needs"], names)
    fields = python_fields(substitute(case["fields"], names))
    expected = case["client"]
    if expected["kind"] == "ok":
        data = client.request(case["op"], **fields)
        if "data" not in case:
            return
        want = substitute(case["data"], names)
        if isinstance(want, dict):
            for key, value in want.items():
                if value == "$ANY":
                    assert isinstance(data[key], str) and data[key], (key, data)
                else:
                    assert data[key] == value, (key, data)
        elif want == "$ANY":
            assert isinstance(data, str) and data, data
        else:
            assert data == want, data
        return
    with pytest.raises(yunhuni.YunhuniError) as caught:
        client.request(case["op"], **fields)
    error = caught.value
    assert error.kind == expected["kind"], str(error)
    if expected["kind"] == "validation":
        assert isinstance(error, yunhuni.ValidationError)
        assert error.field == ("from_" if expected["field"] == "from" else expected["field"]), str(error)
        assert error.status is None
    elif expected["kind"] == "http":
        assert error.status == expected["status"], str(error)
    else:
        assert isinstance(error, yunhuni.ApiError)
        assert (error.code, error.status) == (expected["code"], 200)


def test_the_tables_are_found() -> None:
    assert "callcenter" in TABLES
    assert len(TABLES["callcenter"]["cases"]) >= 150
