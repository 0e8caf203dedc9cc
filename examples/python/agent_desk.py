"""An agent desk backend: the call center's state from its events, and what the desk does about it.

Callers dial the app's number; the platform asks this app what to do (``ivr_start``) and the
app answers with an ``<enqueue>``: the platform queues the caller, picks an idle agent by the
queue condition, rings the agent's phone, and connects them. Every step comes back as a typed
``callcenter.*`` event, which this desk turns into a view of the floor (who is free, who talks
to whom, who waits) served as JSON at ``GET /desk``. It also acts:

- an agent who lets a call ring out or rejects it is put ``away`` (``agent_set_state``), so
  that the platform stops offering callers to an empty seat; the caller is queued again once;
- a caller who waited the condition's ``queue_timeout`` is told "we will call you back", and the
  first agent to become free while nobody waits calls back (``agent_call_out``).

Agents' own screens talk to the desk: ``POST /agents`` (log in with a phone number),
``POST /agents/NAME/state`` (``{"state":"idle"}`` back from a break), ``POST /agents/NAME/reject``
(refuse the call ringing now), ``POST /conversations/ID/hangup``. Put them behind your own login;
here they are open, for a desk on a trusted network. The state lives in this process: serve it
with one process (threads are fine)::

    export YUNHUNI_APP_ID=... YUNHUNI_CERT_ID=... YUNHUNI_SECRET_KEY=...
    export YUNHUNI_WEBHOOK_TOKEN=a-long-random-secret DESK_PUBLIC_URL=https://desk.example.com
    gunicorn --workers 1 --threads 8 -b 0.0.0.0:8000 'agent_desk:create_app()'
    # the app's callback URL: https://desk.example.com/yunhuni/events?token=$YUNHUNI_WEBHOOK_TOKEN

``python examples/python/agent_desk.py --port 8000`` serves it with the standard library
instead. ``DESK_CONDITION_ID`` uses an existing queue condition; without it the desk creates one
(every agent; ``DESK_QUEUE_TIMEOUT`` seconds of waiting, default 120; ``DESK_FETCH_TIMEOUT``
seconds of ringing, default 20). ``test_agent_desk.py`` runs it under gunicorn against the sandbox.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import yunhuni
from yunhuni.ivr import IvrNext, Response
from yunhuni.webhook import Receiver, WSGIApp

log = logging.getLogger("agent_desk")

EVENTS_PATH = "/yunhuni/events"
QUEUED_PATH = "/yunhuni/ivr/queued"
#: How many times a caller is queued before the desk promises a call back instead.
MAX_TRIES = 2
#: How many times the desk tries to call a caller back.
MAX_CALLBACK_TRIES = 3
#: Finished waits, conversations and call backs kept (for late events and the view); past it,
#: the oldest half goes. A real desk writes its history to a database.
HISTORY = 10_000

# A wait moves forward only: an event that arrives late (the platform POSTs from several threads,
# so events of one call may cross on the way) never moves it back.
RANK = {"waiting": 0, "ringing": 1, "talking": 2, "over": 3}


@dataclass
class Ticket:
    """One wait of one caller in the queue. Its id is the ``<enqueue>``'s ``user_data``, which
    the platform echoes in every ``callcenter.queue.*`` and ``conversation.*`` event of it."""

    id: str
    call_id: str
    caller: str
    attempt: int
    since: float = field(default_factory=time.monotonic)
    state: str = "waiting"
    agent: Optional[str] = None
    task_id: Optional[str] = None  # the platform's queue task: what agent_reject names
    conversation: Optional[str] = None
    cause: Optional[str] = None
    missed_handled: bool = False
    reply: Optional[str] = None  # the answer to its <next> request, for the platform's re-sends
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def advance(self, state: str) -> bool:
        if RANK[state] <= RANK[self.state]:
            return False
        self.state = state
        return True


@dataclass
class Callback:
    """A caller the desk promised to call back (their wait timed out)."""

    id: str
    number: str
    state: str = "pending"  # pending, dialing, talking, done, failed
    agent: Optional[str] = None
    conversation: Optional[str] = None
    tries: int = 0


@dataclass
class Seat:
    """An agent as the desk knows it."""

    name: str
    phone: str
    extension: str
    state: str = "idle"
    missed: int = 0
    answered: int = 0
    asked: int = 0  # questions about the state (and the desk's own changes), numbered
    seen: int = 0  # the latest of them whose answer is in ``state``

    def note(self, state: str) -> None:
        """A state the desk set itself: newer than any answer still on the way."""
        self.asked += 1
        self.seen, self.state = self.asked, state


@dataclass
class Talk:
    """A conversation: a queued caller (``ticket``) or a call back (``callback``) with an agent."""

    id: str
    kind: str
    ticket: Optional[str] = None
    callback: Optional[str] = None
    ended: bool = False


class Desk:
    """The desk: ``handle`` takes each webhook event, ``after_queue`` each IVR ``<next>``
    request after an ``<enqueue>``; the other methods are what agents' screens call."""

    def __init__(self, client: yunhuni.Client, public_url: str, token: Optional[str], condition_id: str) -> None:
        self.client = client
        self.condition_id = condition_id
        self.queued_url = f"{public_url.rstrip('/')}{QUEUED_PATH}"
        self.token = token
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.seats: Dict[str, Seat] = {}
        self.tickets: Dict[str, Ticket] = {}
        self.callbacks: Dict[str, Callback] = {}
        self.talks: Dict[str, Talk] = {}
        self.handled = 0

    # -- the caller's side: the IVR documents -------------------------------------------------

    def enqueue(self, call_id: str, caller: str, attempt: int) -> Response:
        """A new ticket, and the ``<enqueue>`` that queues the caller under it. ``lru``: the
        agent idle the longest takes the call; when the queue fails (no agent within the
        condition's ``queue_timeout``, or the agent's phone did not answer) or the conversation
        is over, the platform requests ``<next>`` with ``error=timeout``, ``error=error`` or no
        error."""
        with self._lock:
            ticket = Ticket(f"q{next(self._ids)}", call_id, caller, attempt)
            self.tickets[ticket.id] = ticket
            self._trim()
        log.info("%s: caller %s queued (try %d)", ticket.id, caller, attempt)
        # The <next> URL names the ticket (the platform adds call_id, type and error to it).
        query = urlencode({**({"token": self.token} if self.token else {}), "ticket": ticket.id})
        return (
            Response()
            .enqueue(choice="lru", wait_voice="please-hold.wav", user_data=ticket.id)
            .route()
            .condition(self.condition_id)
            .next(f"{self.queued_url}?{query}")
        )

    def after_queue(self, nxt: IvrNext) -> str:
        """The ``<next>`` request after an ``<enqueue>``, as XML. The platform sends it again
        when it gets no 200 within 5 s: the same ticket gets the same answer."""
        ticket = self._ticket(nxt.param("ticket"))
        if ticket is None:
            return Response().play("goodbye.wav").end_call().to_xml()
        with ticket.lock:
            if ticket.reply is None:
                ticket.reply = self._after(ticket, nxt.error).to_xml()
            return ticket.reply

    def _after(self, ticket: Ticket, error: Optional[str]) -> Response:
        if error is None:  # the conversation is over
            return Response().play("thanks-for-calling.wav").end_call()
        if error == "error" and ticket.state == "ringing":
            # The agent's phone rang and the call was not taken (rejected, or rang out). The
            # queue.fail event says the same; whichever comes first acts, and this request
            # waits for it so that the caller is not offered to that agent again.
            self.ring_failed(ticket)
        self._close(ticket, error)
        if error == "error" and ticket.attempt < MAX_TRIES:
            return self.enqueue(ticket.call_id, ticket.caller, ticket.attempt + 1)
        self.promise_callback(ticket)
        return Response().play("we-will-call-you-back.wav").end_call()

    # -- the platform's events ---------------------------------------------------------------

    def handle(self, event: Any) -> Optional[Response]:
        """Each webhook event, once (the receiver drops the platform's repeated deliveries).
        Returns the IVR document for ``ivr_start``."""
        if isinstance(event, yunhuni.IvrStart):
            return self.enqueue(event.call_id or "", event.from_ or "", 1)
        if isinstance(event, yunhuni.CallcenterQueueSelect):
            ticket = self._ticket(event.user_data)
            if ticket:
                with self._lock:
                    if ticket.advance("ringing"):
                        ticket.agent, ticket.task_id = event.agent_name, event.id
                log.info("%s: %s's phone rings", ticket.id, event.agent_name)
        elif isinstance(event, yunhuni.CallcenterQueueSuccess):
            ticket = self._ticket(event.user_data)
            if ticket:
                with self._lock:
                    ticket.advance("talking")
                    ticket.agent = event.agent_name
                    seat = self.seats.get(event.agent_name or "")
                    if seat:
                        seat.answered += 1
        elif isinstance(event, yunhuni.CallcenterQueueFail):
            ticket = self._ticket(event.user_data)
            log.info("queue failed for %s: %s", event.user_data, event.cause)
            if ticket is None:
                return None
            with self._lock:
                ticket.agent = ticket.agent or event.agent_name  # its queue.select may be late
            if event.cause == "call_fail":
                self.ring_failed(ticket)  # the chosen agent did not take the call
            self._close(ticket, event.cause)
            if event.cause == "timeout":
                self.promise_callback(ticket)  # no agent within the condition's queue_timeout
        elif isinstance(event, yunhuni.CallcenterConversationBegin):
            self._conversation_began(event)
        elif isinstance(event, yunhuni.CallcenterConversationEnd):
            self._conversation_ended(event)
        elif isinstance(event, yunhuni.CallcenterAgentStateChanged):
            self._agent_changed(event.name or "", event.latest_state)
        # Other events (callcenter.conversation.parts_changed, agent.conversation_changed, the
        # IVR call's ivr.*) add nothing this desk shows.
        return None

    def _trim(self) -> None:
        """Forgets the oldest finished records past ``HISTORY``. Called with the lock held."""
        if len(self.tickets) > HISTORY:
            for old in [t for t in self.tickets.values() if t.state == "over"][: HISTORY // 2]:
                del self.tickets[old.id]
        if len(self.talks) > HISTORY:
            for talk in [t for t in self.talks.values() if t.ended][: HISTORY // 2]:
                del self.talks[talk.id]
        if len(self.callbacks) > HISTORY:
            for cb in [c for c in self.callbacks.values() if c.state in ("done", "failed")][: HISTORY // 2]:
                del self.callbacks[cb.id]

    def _ticket(self, ticket_id: Optional[str]) -> Optional[Ticket]:
        with self._lock:
            return self.tickets.get(ticket_id or "")

    def _close(self, ticket: Ticket, cause: Optional[str]) -> None:
        with self._lock:
            if ticket.advance("over"):
                ticket.cause = cause

    def _conversation_began(self, event: yunhuni.CallcenterConversationBegin) -> None:
        # user_data is what the conversation was made with: the ticket of a queued caller, the
        # callback's id for agent_call_out.
        with self._lock:
            talk = self.talks.setdefault(event.id or "", Talk(event.id or "", event.kind or ""))
            if talk.ended:
                return  # its end came first
            ticket = self.tickets.get(event.user_data or "")
            callback = self.callbacks.get(event.user_data or "")
            if ticket:
                talk.ticket, ticket.conversation = ticket.id, talk.id
                ticket.advance("talking")
            elif callback:
                talk.callback, callback.conversation, callback.state = callback.id, talk.id, "talking"

    def _conversation_ended(self, event: yunhuni.CallcenterConversationEnd) -> None:
        with self._lock:
            talk = self.talks.setdefault(event.id or "", Talk(event.id or "", event.kind or ""))
            if talk.ended:
                return
            talk.ended = True
            self.handled += 1
            self._trim()
            ticket = self.tickets.get(event.user_data or "")
            callback = self.callbacks.get(event.user_data or "")
            if ticket:
                ticket.advance("over")
            if callback:
                callback.state = "done"

    def _agent_changed(self, name: str, latest: Optional[str]) -> None:
        """An agent's state changed on the platform. The events may arrive out of order, so
        the desk asks for the agent's state of now instead of trusting the event's; and as the
        answers may cross too, it keeps one only if no later question was answered first."""
        with self._lock:
            seat = self.seats.get(name)
            if seat is None:
                return
            seat.asked += 1
            question = seat.asked
        try:
            state = self.client.agent_get(name).get("state") or latest
        except yunhuni.YunhuniError as e:
            log.warning("agent_get %s: %s", name, e)
            state = latest
        with self._lock:
            if question < seat.seen or not state:
                return  # a later answer is in already
            seat.seen, seat.state = question, state
            for cb in self.callbacks.values():
                # A call back that never became a conversation (the agent's phone did not
                # answer) is tried again.
                if cb.state == "dialing" and cb.agent == name and state == "idle":
                    cb.state = "pending" if cb.tries < MAX_CALLBACK_TRIES else "failed"
        if state == "idle":
            self.call_back(name)

    # -- what the desk does ------------------------------------------------------------------

    def ring_failed(self, ticket: Ticket) -> None:
        """The agent chosen for ``ticket`` did not take the call: put the agent away."""
        with ticket.lock:  # once per ticket; a second caller of this waits for the first
            if ticket.missed_handled or not ticket.agent:
                return
            ticket.missed_handled = True
            name = ticket.agent
            try:
                self.client.agent_set_state(name, "away")
            except yunhuni.YunhuniError as e:
                # 040203: the platform gave the agent another call meanwhile; leave it so.
                log.warning("could not put %s away: %s", name, e)
                return
            with self._lock:
                seat = self.seats.get(name)
                if seat:
                    seat.missed += 1
                    seat.note("away")
            log.info("%s missed %s: put away", name, ticket.id)

    def promise_callback(self, ticket: Ticket) -> None:
        with self._lock:
            if any(cb.id == f"cb-{ticket.id}" for cb in self.callbacks.values()):
                return
            self.callbacks[f"cb-{ticket.id}"] = Callback(f"cb-{ticket.id}", ticket.caller)
        log.info("%s: %s will be called back", ticket.id, ticket.caller)

    def call_back(self, name: str) -> None:
        """An agent is free: when nobody waits, the agent calls back the oldest promise."""
        with self._lock:
            if any(t.state in ("waiting", "ringing") for t in self.tickets.values()):
                return  # callers in the queue come first
            pending = [cb for cb in self.callbacks.values() if cb.state == "pending"]
            if not pending:
                return
            cb = pending[0]
            cb.state, cb.agent, cb.tries = "dialing", name, cb.tries + 1
        try:
            # The platform rings the agent's phone, then the caller's number, and connects
            # them: a conversation of type call_out, whose events carry this user_data.
            self.client.agent_call_out(name, cb.number, max_dial_seconds=30, user_data=cb.id)
            log.info("%s calls %s back (%s)", name, cb.number, cb.id)
        except yunhuni.YunhuniError as e:
            log.warning("call back of %s by %s failed: %s", cb.number, name, e)
            with self._lock:
                cb.state = "pending"

    def login(self, name: str, phone: str) -> Seat:
        """An agent starts work at a phone: an extension of type 3 (a phone number) and a login
        as ``idle``. Idle agents take queued callers at once."""
        extension = self.client.ext_create("3", telnum=phone)["id"]
        with self._lock:
            seat = self.seats[name] = Seat(name, phone, extension)
        self.client.agent_login(name, extension, state="idle")
        log.info("%s logged in at %s", name, phone)
        self.call_back(name)
        return seat

    def set_state(self, name: str, state: str) -> None:
        """The agent's own choice (``idle``, ``busy``, ``away``...). The platform sends no event
        for a state set by the API, so the desk notes it itself."""
        self.client.agent_set_state(name, state)
        with self._lock:
            if name in self.seats:
                self.seats[name].note(state)
        if state == "idle":
            self.call_back(name)

    def reject(self, name: str) -> bool:
        """The agent refuses the call ringing its phone now (then the queue fails with
        ``call_fail``, and the desk puts the agent away as for a missed call)."""
        with self._lock:
            ringing = [t for t in self.tickets.values() if t.state == "ringing" and t.agent == name]
        if not ringing or not ringing[0].task_id:
            return False
        return self.client.agent_reject(name, ringing[0].task_id)

    def hangup(self, conversation_id: str) -> bool:
        return self.client.conversation_dismiss(conversation_id)

    # -- the view -----------------------------------------------------------------------------

    def snapshot(self) -> Dict[str, Any]:
        """What ``GET /desk`` answers."""
        with self._lock:
            now = time.monotonic()
            talks = []
            for talk in self.talks.values():
                if talk.ended:
                    continue
                ticket = self.tickets.get(talk.ticket or "")
                cb = self.callbacks.get(talk.callback or "")
                agent = ticket.agent if ticket else cb.agent if cb else None
                customer = ticket.caller if ticket else cb.number if cb else None
                talks.append({"id": talk.id, "kind": talk.kind, "agent": agent, "customer": customer})
            on_call = {t["agent"]: t for t in talks}
            return {
                "agents": [
                    {
                        "name": s.name,
                        "phone": s.phone,
                        "state": s.state,
                        "missed": s.missed,
                        "answered": s.answered,
                        "conversation": on_call.get(s.name, {}).get("id"),
                        "customer": on_call.get(s.name, {}).get("customer"),
                    }
                    for s in self.seats.values()
                ],
                "waiting": [
                    {
                        "ticket": t.id,
                        "caller": t.caller,
                        "try": t.attempt,
                        "state": t.state,
                        "agent": t.agent,
                        "waited_s": round(now - t.since, 1),
                    }
                    for t in self.tickets.values()
                    if t.state in ("waiting", "ringing")
                ],
                "conversations": talks,
                "callbacks": [
                    {"id": c.id, "number": c.number, "state": c.state, "agent": c.agent,
                     "conversation": c.conversation}
                    for c in self.callbacks.values()
                ],
                "handled": self.handled,
            }


# -- HTTP -------------------------------------------------------------------------------------

Start = Callable[[str, List[Tuple[str, str]]], Any]


def create_app(desk: Optional[Desk] = None, receiver: Optional[Receiver] = None) -> Callable[..., Iterable[bytes]]:
    """The WSGI application: the platform's POSTs through ``yunhuni.webhook.WSGIApp``, the IVR's
    ``<next>`` requests, and the desk's own JSON endpoints. Without arguments, from the
    environment (see the module's docs)."""
    token = os.environ.get("YUNHUNI_WEBHOOK_TOKEN") or None
    receiver = receiver or Receiver(token)
    if desk is None:
        client = yunhuni.Client.from_env()
        condition = os.environ.get("DESK_CONDITION_ID") or client.condition_create(
            "true;",
            int(os.environ.get("DESK_QUEUE_TIMEOUT") or 120),
            fetch_timeout=int(os.environ.get("DESK_FETCH_TIMEOUT") or 20),
            remark="agent desk: every agent",
        )["conditionId"]
        desk = Desk(client, os.environ.get("DESK_PUBLIC_URL") or "http://127.0.0.1:8000", token, condition)
    hook = WSGIApp(receiver, desk.handle)
    the_desk = desk

    def application(environ: Dict[str, Any], start_response: Start) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO") or "/"
        parts = path.strip("/").split("/")
        try:
            if path == EVENTS_PATH:
                status, headers, body = hook.respond(environ)
                return _reply(start_response, status, body, headers)
            if path == QUEUED_PATH and method == "GET":
                query = environ.get("QUERY_STRING", "")
                receiver.check_head(query, None)  # the URL token, as for the POSTs
                document = the_desk.after_queue(yunhuni.parse_ivr_next(query))
                return _reply(start_response, 200, document.encode(), [("Content-Type", "text/xml; charset=utf-8")])
            if path == "/desk" and method == "GET":
                return _json(start_response, 200, the_desk.snapshot())
            if method == "POST" and parts[0] == "agents":
                fields = _read_json(environ)
                if len(parts) == 1:
                    seat = the_desk.login(str(fields["name"]), str(fields["phone"]))
                    return _json(start_response, 200, {"name": seat.name, "extension": seat.extension})
                if len(parts) == 3 and parts[2] == "state":
                    the_desk.set_state(parts[1], str(fields["state"]))
                    return _json(start_response, 200, {"ok": True})
                if len(parts) == 3 and parts[2] == "reject":
                    return _json(start_response, 200, {"rejected": the_desk.reject(parts[1])})
            if method == "POST" and len(parts) == 3 and parts[0] == "conversations" and parts[2] == "hangup":
                return _json(start_response, 200, {"ok": the_desk.hangup(parts[1])})
            return _json(start_response, 404, {"error": f"no {method} {path}"})
        except yunhuni.YunhuniError as e:
            # auth: the URL token of a request of the platform; validation: a value the SDK
            # refused before sending; decode: not the platform's request; api: the platform
            # refused (its code is e.code); the others: the platform could not be reached.
            status = {"auth": e.status or 401, "validation": 400, "decode": 400, "api": 400}.get(e.kind, 502)
            return _json(start_response, status, {"error": str(e), "code": e.code})
        except (KeyError, ValueError) as e:
            return _json(start_response, 400, {"error": f"bad request: {e}"})

    return application


def _read_json(environ: Mapping[str, Any]) -> Dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > 64 * 1024:
        raise ValueError("body too large")
    raw = environ["wsgi.input"].read(length) if length else b"{}"
    body = json.loads(raw or b"{}")
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    return body


def _json(start_response: Start, status: int, value: Any) -> Iterable[bytes]:
    return _reply(start_response, status, json.dumps(value).encode(), [("Content-Type", "application/json")])


def _reply(start_response: Start, status: int, body: bytes, headers: List[Tuple[str, str]]) -> Iterable[bytes]:
    headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(body))))
    start_response(f"{status} {'OK' if status == 200 else 'Error'}", headers)
    return [body]


class ThreadingServer(ThreadingMixIn, WSGIServer):
    """wsgiref with a thread per request: the desk calls the platform while the platform
    POSTs the next events."""

    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="An agent desk backend for the platform's call center.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ.setdefault("DESK_PUBLIC_URL", f"http://{args.host}:{args.port}")
    server = make_server(args.host, args.port, create_app(), server_class=ThreadingServer, handler_class=QuietHandler)
    log.info("desk on http://%s:%d/desk", args.host, server.server_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
