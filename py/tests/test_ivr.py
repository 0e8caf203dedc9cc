"""yunhuni.ivr: every document vector built through the generated methods (and through core's
reader of the neutral description), every attribute of every method covered by a vector that
writes it, the two requests the platform sends (ivr_start through parse_event, the <next> query),
the typed ivr.* events, and bad input."""

from __future__ import annotations

import inspect
import json
import pathlib
from typing import Any, Dict, List, Optional, Set, Tuple

import pytest

import yunhuni
from yunhuni import ivr
from yunhuni._native import _ivr_xml_of
from yunhuni.ivr import Response, parse_ivr_next

IVR = json.loads(
    (pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors" / "ivr.json").read_text(
        encoding="utf-8"
    )
)
DOCUMENTS: List[Dict[str, Any]] = IVR["documents"]
KEYWORDS = {"from"}


def py_name(name: str) -> str:
    """The attribute's keyword in Python (core's Casing::Python)."""
    return name + "_" if name in KEYWORDS else name


class Inexpressible(Exception):
    """A description the typed methods cannot carry (not an element, an unknown element, a
    value of a type no keyword takes): run through the neutral reader only."""


class Missing(Exception):
    """A required parameter the description leaves out: Python refuses the call."""


def add(step: Any, el: Any) -> Any:
    """Calls the method of `step` for the element described by `el`; returns the new step."""
    if not isinstance(el, dict) or not isinstance(el.get("name"), str):
        raise Inexpressible("element")
    method = getattr(step, el["name"], None)
    if method is None or el["name"] in ("next", "end_call", "to_xml", "validate", "to_dict"):
        raise Inexpressible(el["name"])
    attrs = el.get("attrs") or {}
    if not isinstance(attrs, dict):
        raise Inexpressible("attrs")
    params = inspect.signature(method).parameters
    kwargs = {}
    for key, value in attrs.items():
        if py_name(key) not in params:
            raise Inexpressible(key)
        kwargs[py_name(key)] = value
    text = el.get("text")
    content = [p for p in params.values() if p.kind == p.POSITIONAL_OR_KEYWORD and p.name not in kwargs]
    if text is not None:
        if not content:
            raise Inexpressible("text")
        kwargs[content[0].name] = text
    missing = [p.name for p in params.values() if p.default is p.empty and p.name not in kwargs]
    if missing:
        # Python itself refuses the call (TypeError): a required text or attribute is missing.
        with pytest.raises(TypeError):
            method(**kwargs)
        raise Missing(missing[0])
    new = method(**kwargs)
    children = el.get("children") or []
    if not isinstance(children, list):
        raise Inexpressible("children")
    for child in children:
        add(new, child)
    return new


def build(desc: Any) -> Response:
    if not isinstance(desc, dict) or set(desc) - {"actions", "next", "end_call"}:
        raise Inexpressible("response")
    response = Response()
    actions = desc.get("actions") or []
    if not isinstance(actions, list):
        raise Inexpressible("actions")
    for action in actions:
        add(response, action)
    if desc.get("next") is not None:
        if not isinstance(desc["next"], str):
            raise Inexpressible("next")
        response.next(desc["next"])
    if desc.get("end_call") is True:
        response.end_call()
    elif desc.get("end_call") not in (None, False):
        raise Inexpressible("end_call")
    return response


def python_field(field: Optional[str]) -> Optional[str]:
    if field is None:
        return None
    return ".".join(py_name(part) for part in field.split("."))


@pytest.mark.parametrize("case", DOCUMENTS, ids=[c["name"] for c in DOCUMENTS])
def test_document_vector(case: Dict[str, Any]) -> None:
    expect = case["expect"]
    # Core's reader of the neutral description, names in snake_case: the exact field.
    if "xml" in expect:
        assert _ivr_xml_of(case["response"], "snake") == expect["xml"]
    else:
        with pytest.raises(yunhuni.ValidationError) as err:
            _ivr_xml_of(case["response"], "snake")
        assert err.value.field == expect["field"]
    # The generated methods.
    try:
        built = None
        try:
            built = build(case["response"])
        except Missing as e:
            assert "error" in expect, f"{case['name']}: {e}"
            return
        except yunhuni.ValidationError as e:
            # Refused while written (a value of the wrong type, an element that cannot stand
            # there): the vector refuses the document, naming an element of it.
            assert "error" in expect, f"{case['name']}: {e}"
            return
        if "xml" in expect:
            assert built.to_xml() == expect["xml"]
            assert str(built) == expect["xml"]
            assert built.ends_call == ("<next>" not in expect["xml"])
        else:
            with pytest.raises(yunhuni.ValidationError) as err:
                built.to_xml()
            assert err.value.field == python_field(expect["field"])
            assert err.value.kind == "validation"
    except Inexpressible:
        pass


def written_pairs() -> Set[Tuple[str, str]]:
    """(element, attribute) of every attribute some written vector document carries."""
    pairs: Set[Tuple[str, str]] = set()

    def walk(el: Any) -> None:
        if isinstance(el, dict):
            for key in el.get("attrs") or {}:
                pairs.add((el["name"], key))
            if el.get("text") is not None:
                pairs.add((el["name"], "#text"))
            for child in el.get("children") or []:
                walk(child)

    for case in DOCUMENTS:
        if "xml" in case["expect"]:
            for action in case["response"].get("actions") or []:
                walk(action)
    return pairs


def method_pairs() -> Set[Tuple[str, str]]:
    """(element, attribute) of every parameter of every generated method; an element's text is
    its first positional parameter when it is called file, keys or number."""
    pairs: Set[Tuple[str, str]] = set()
    classes = [
        getattr(ivr, n)
        for n in ivr.__all__
        if isinstance(getattr(ivr, n), type) and issubclass(getattr(ivr, n), ivr._Step)
    ]
    for cls in classes:
        for name, fn in vars(cls).items():
            if name.startswith("_") or not callable(fn):
                continue
            for p in list(inspect.signature(fn).parameters.values())[1:]:
                if p.kind == p.POSITIONAL_OR_KEYWORD and p.name in ("file", "keys", "number"):
                    pairs.add((name, "#text"))
                elif p.name.endswith("_") and p.name[:-1] in KEYWORDS:
                    pairs.add((name, p.name[:-1]))
                else:
                    pairs.add((name, p.name))
    return pairs


def test_every_method_and_keyword_is_written_by_a_vector() -> None:
    methods = method_pairs()
    written = written_pairs()
    assert methods <= written, sorted(methods - written)
    # And every element the vectors write has its method.
    assert {e for e, _ in written} <= {m for m, _ in methods}


def test_the_brief_example_reads_like_the_document() -> None:
    xml = Response().get(max_keys=1, finish_keys="#").play("menu.wav").next("https://app/ivr/menu").to_xml()
    assert xml == (
        '<?xml version="1.0" encoding="UTF-8"?><response><get max_keys="1" finish_keys="#">'
        "<play>menu.wav</play></get><next>https://app/ivr/menu</next></response>"
    )


def test_errors_name_the_verb_and_attribute() -> None:
    with pytest.raises(yunhuni.ValidationError) as err:
        Response().get(max_keys=0).play("menu.wav").next("https://app/x").to_xml()
    assert err.value.field == "get.max_keys" and "max_keys" in str(err.value)
    with pytest.raises(yunhuni.ValidationError) as err:
        Response().dial(from_="").number("13800000002").end_call().to_xml()
    assert err.value.field == "dial.from_"
    with pytest.raises(yunhuni.ValidationError) as err:
        Response().play("menu.mp3").end_call().to_xml()
    assert err.value.field == "play" and ".wav" in str(err.value)
    with pytest.raises(yunhuni.ValidationError) as err:
        Response().play("menu.wav").to_xml()
    assert err.value.field == "next" and "end_call" in str(err.value)
    with pytest.raises(yunhuni.ValidationError) as err:
        Response().play("a.wav").play("b.wav").end_call().to_xml()
    assert err.value.field == "play" and "only the first action" in str(err.value)
    assert Response().hangup().to_xml().endswith("<response><hangup/></response>")
    assert Response().hangup().ends_call


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda: Response().get(max_keys="1"), "max_keys"),  # type: ignore[arg-type]
        (lambda: Response().get(max_keys=1.5), "max_keys"),  # type: ignore[arg-type]
        (lambda: Response().get(if_break_on_key=1), "if_break_on_key"),  # type: ignore[arg-type]
        (lambda: Response().play(b"menu.wav"), "file"),  # type: ignore[arg-type]
        (lambda: Response().play("menu\udc80.wav"), "file"),
        (lambda: Response().pause(None), "pause.duration"),  # type: ignore[arg-type]
        (lambda: Response().next(5), "next"),  # type: ignore[arg-type]
    ],
)
def test_wrong_types_name_the_attribute(call: Any, field: str) -> None:
    with pytest.raises(yunhuni.ValidationError) as err:
        call().to_xml()
    assert err.value.field == field


def test_huge_and_hostile_text_is_escaped_or_refused() -> None:
    big = "x" * 2_000_000 + ".wav"
    assert f"<play>{big}</play>" in Response().play(big).end_call().to_xml()
    xml = Response().enqueue(user_data='<a&"b">').route().agent("1001").end_call().to_xml()
    assert 'user_data="&lt;a&amp;&quot;b&quot;&gt;"' in xml
    with pytest.raises(yunhuni.ValidationError) as err:
        Response().enqueue(user_data="a\x00b").route().agent("1001").end_call().to_xml()
    assert err.value.field == "enqueue.user_data"


def test_elements_added_later_are_written() -> None:
    response = Response()
    dial = response.dial()
    response.next("https://app/after-dial")
    dial.number("13800000002")
    assert "<number>13800000002</number>" in response.to_xml()


@pytest.mark.parametrize("case", IVR["ivr_start"], ids=[c["name"] for c in IVR["ivr_start"]])
def test_ivr_start_vector(case: Dict[str, Any]) -> None:
    body = bytes.fromhex(case["body_hex"])
    expect = case["expect"]
    if "type" in expect:
        start = yunhuni.parse_event(body)
        assert isinstance(start, yunhuni.IvrStart)
        assert start.to_dict() == expect
        assert start.call_id == expect["call_id"] and start.kind == expect["kind"]
        assert start.from_ == expect["from"] and start.user_data == expect["user_data"]
        assert start.subaccount_id == expect["subaccount_id"]
        assert start.is_inbound == (expect["kind"] == "ivr_incoming")
    elif expect["field"] == "action":
        # Not an ivr_start request: read as the webhook event it is, or refused.
        try:
            event = yunhuni.parse_event(body)
        except yunhuni.DecodeError:
            return
        assert not isinstance(event, yunhuni.IvrStart)
    else:
        with pytest.raises(yunhuni.DecodeError) as err:
            yunhuni.parse_event(body)
        assert err.value.field == expect["field"]


@pytest.mark.parametrize("case", IVR["next"], ids=[c["name"] for c in IVR["next"]])
def test_next_vector(case: Dict[str, Any]) -> None:
    expect = case["expect"]
    if "type" in expect:
        for query in (case["query"], case["query"].encode("utf-8")):
            nxt = parse_ivr_next(query)
            view = nxt.to_dict()
            assert view == expect
            assert [list(p) for p in nxt.params] == expect["params"]
            for key in ("call_id", "action", "keys", "record_id", "error"):
                assert getattr(nxt, key) == expect[key]
            assert nxt.succeeded == (expect["error"] is None)
    else:
        with pytest.raises(yunhuni.DecodeError) as err:
            parse_ivr_next(case["query"])
        assert err.value.field == expect["field"]


@pytest.mark.parametrize("case", IVR["events"], ids=[c["name"] for c in IVR["events"]])
def test_ivr_event_vector(case: Dict[str, Any]) -> None:
    body = bytes.fromhex(case["body_hex"])
    expect = case["expect"]
    if "type" not in expect:
        with pytest.raises(yunhuni.DecodeError):
            yunhuni.parse_event(body)
        return
    event = yunhuni.parse_event(body)
    class_name = "".join(p.capitalize() for p in expect["type"].replace(".", "_").split("_"))
    assert type(event).__name__ == class_name
    assert isinstance(event, getattr(yunhuni, class_name))
    assert event.to_dict() == expect
    for key, value in expect.items():
        if key != "type":
            assert getattr(event, key) == value, key


def test_next_query_bad_input() -> None:
    with pytest.raises(yunhuni.DecodeError):
        parse_ivr_next("x" * (65 * 1024))
    with pytest.raises(yunhuni.DecodeError) as err:
        parse_ivr_next("type=conference")
    assert err.value.field == "type"
    with pytest.raises(TypeError):
        parse_ivr_next(5)  # type: ignore[arg-type]
    nxt = parse_ivr_next(b"step=caf\xe9&type=get&keys=1")
    assert nxt.param("step") == "café" and nxt.param("nope", "d") == "d"
