"""Management (sub-accounts and numbers) from Python against the sandbox: every case of
tests/cases/management.json (valid input and at least one broken rule per field, with what the
SDK refuses before sending and what the platform answers), and a sub-account's life cycle with
the credentials the API returned."""

from __future__ import annotations

import json
import pathlib
from typing import Any, Dict, Iterator, List

import pytest

import yunhuni
from yunhuni.testing import Sandbox

TABLE = json.loads(
    (pathlib.Path(__file__).resolve().parents[2] / "tests" / "cases" / "management.json").read_text("utf-8")
)
CASES: List[Dict[str, Any]] = TABLE["cases"]


def substitute(value: Any, sub: str) -> Any:
    if isinstance(value, str):
        return (
            value.replace("$SUB", sub).replace("$TELNUM", TABLE["telnum_id"]).replace("$UNKNOWN", TABLE["unknown_id"])
        )
    if isinstance(value, list):
        return [substitute(v, sub) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, sub) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(time_scale=200.0) as sb:
        yield sb


@pytest.fixture(scope="module")
def client(sandbox: Sandbox) -> yunhuni.Client:
    return sandbox.client(timeout=10.0)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: Dict[str, Any], client: yunhuni.Client) -> None:
    sub = client.subaccount_create()["id"] if case.get("needs") == "sub" else ""
    fields = substitute(case["fields"], sub)
    expected = case["client"]
    if expected["kind"] == "ok":
        data = client.request(case["op"], **fields)
        want = substitute(case.get("data"), sub)
        if isinstance(want, dict):
            for key, value in want.items():
                assert data[key] == value, (key, data)
        elif want is not None:
            assert data == want
        return
    with pytest.raises(yunhuni.YunhuniError) as caught:
        client.request(case["op"], **fields)
    error = caught.value
    assert error.kind == expected["kind"], str(error)
    if expected["kind"] == "validation":
        assert isinstance(error, yunhuni.ValidationError)
        assert error.field == expected["field"], str(error)
        assert error.status is None
    else:
        assert isinstance(error, yunhuni.ApiError)
        assert (error.code, error.status) == (expected["code"], 200)


def test_a_sub_account_made_here_signs_at_once_and_is_refused_once_disabled_or_deleted(
    sandbox: Sandbox, client: yunhuni.Client
) -> None:
    made = client.subaccount_create(remark="python", quotas=[{"type": "CallQuota", "value": 30}])
    assert made["enabled"] == 1 and made["quotas"] == [{"type": "CallQuota", "value": 30}]
    sub = yunhuni.Client(made["appId"], made["certId"], made["secretKey"], base_url=sandbox.base_url, timeout=10.0)
    call = sub.notify_call("13800000001", play_content=[("hello", 0)])
    assert sandbox.call(call.call_id)["subaccount_id"] == made["id"]  # type: ignore[index]

    with pytest.raises(yunhuni.AuthError) as caught:
        sub.telnum_list()
    assert (caught.value.status, "不是PRIMARY_ACCOUNT" in str(caught.value)) == (401, True)

    assert client.subaccount_update(made["id"], enabled=0)["enabled"] == 0
    with pytest.raises(yunhuni.AuthError) as caught:
        sub.notify_call("13800000001", play_content=[("hello", 0)])
    assert (caught.value.status, "子账号被禁用" in str(caught.value)) == (401, True)

    client.subaccount_update(made["id"], enabled=1)
    sub.notify_call("13800000001", play_content=[("hello", 0)])

    assert client.subaccount_delete(made["id"]) is True
    with pytest.raises(yunhuni.AuthError) as caught:
        sub.notify_call("13800000001", play_content=[("hello", 0)])
    assert (caught.value.status, "Bad credentials" in str(caught.value)) == (401, True)
    with pytest.raises(yunhuni.ApiError) as api:
        client.subaccount_get(made["id"])
    assert api.value.code == "000002"


def test_numbers_bind_and_unbind(client: yunhuni.Client) -> None:
    numbers = client.telnum_list(page_size=1000)["result"] or []
    assert [n["telnum"] for n in numbers] == ["02088880002", "02088880001", "02088880000"]
    number = next(n for n in numbers if n["telnum"] == "02088880000")
    sub = client.subaccount_create()["id"]
    assert client.telnum_bind(number["id"], sub) is True
    bound = {n["id"]: n["subaccountId"] for n in client.telnum_list()["result"] or []}
    assert bound[number["id"]] == sub
    assert client.telnum_unbind(number["id"], sub) is True
    bound = {n["id"]: n["subaccountId"] for n in client.telnum_list()["result"] or []}
    assert bound[number["id"]] is None
