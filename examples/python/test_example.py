"""How to test your own code with ``yunhuni.testing.Sandbox``::

    pytest examples/python/test_example.py

The sandbox runs in this process on a free port: it checks signatures and request rules as the
platform does, runs calls in simulated time (here 100 times faster), and produces the exact
webhook bodies the platform would POST.
"""

from __future__ import annotations

from typing import Iterator

import pytest

import yunhuni
from yunhuni.testing import Sandbox

# --- The application code under test ---------------------------------------------------


def connect_agent(client: yunhuni.Client, agent: str, customer: str, order_id: str) -> str:
    """Calls the agent first, then the customer, about an order. Returns the call id."""
    return client.duo_callback(agent, customer, 600, max_dial_duration=30, user_data=order_id).call_id


def on_webhook(body: bytes) -> str:
    """What the application's webhook does with an end event: a status for the order."""
    event = yunhuni.parse_event(body)
    if not isinstance(event, yunhuni.DuoCallbackEnd):
        return "ignored"
    if event.outcome == "connected":
        return f"order {event.user_data}: talked {event.talk_seconds} s"
    return f"order {event.user_data}: {event.outcome}"


# --- The tests ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(time_scale=100) as sb:
        yield sb


@pytest.fixture
def client(sandbox: Sandbox) -> yunhuni.Client:
    return sandbox.client()


def test_agent_and_customer_talk(sandbox: Sandbox, client: yunhuni.Client) -> None:
    call_id = connect_agent(client, "13800000001", "13800000002", "A-1")
    delivery = sandbox.wait_for_end(call_id)
    assert on_webhook(delivery.body) == "order A-1: talked 5 s"


def test_customer_is_busy(sandbox: Sandbox, client: yunhuni.Client) -> None:
    sandbox.set_behavior("13800000012", "busy")
    call_id = connect_agent(client, "13800000001", "13800000012", "A-2")
    assert on_webhook(sandbox.wait_for_end(call_id).body) == "order A-2: party2_not_reached"


def test_agent_does_not_answer(sandbox: Sandbox, client: yunhuni.Client) -> None:
    call_id = connect_agent(client, "13900000002", "13800000002", "A-3")  # reserved: no answer
    assert on_webhook(sandbox.wait_for_end(call_id).body) == "order A-3: party1_not_reached"


def test_customer_hangs_up_after_a_minute(sandbox: Sandbox, client: yunhuni.Client) -> None:
    sandbox.set_behavior("13800000013", "after", ms=3000, hangup_after_ms=60_000)
    call_id = connect_agent(client, "13900000005", "13800000013", "A-4")  # reserved: never hangs up
    assert on_webhook(sandbox.wait_for_end(call_id).body) == "order A-4: talked 60 s"


def test_same_number_twice_is_refused_before_sending(client: yunhuni.Client) -> None:
    with pytest.raises(yunhuni.ValidationError) as err:
        connect_agent(client, "13800000001", "13800000001", "A-5")
    assert err.value.field == "to2"
