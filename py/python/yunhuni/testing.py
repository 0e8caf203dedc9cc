"""Test helpers: the platform simulator, in-process.

``Sandbox`` starts a local simulator of the platform on a free loopback port: it checks
signatures like the real gateway, validates requests with the real server's rules and error
codes, runs each call in simulated time, and POSTs the end events to your webhook byte for
byte as the platform does (ISO-8859-1, up to four immediate attempts)::

    from yunhuni.testing import Sandbox

    with Sandbox(time_scale=100) as sb:
        client = sb.client()
        call = client.duo_callback("13800000001", "13800000002", 60)
        delivery = sb.wait_for_end(call.call_id)
        assert delivery.parse().outcome == "connected"

Numbers behave as scripted with ``set_behavior``, else as reserved (``13900000001`` busy,
``13900000002`` no answer, ``13900000003`` unreachable, ``13900000004`` answers then hangs up,
``13900000005`` answers and never hangs up, ``13900000009`` engine failure), else by default
(ring 2 s, answer, hang up 5 s after being connected).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from ._async import DEFAULT_MAX_WORKERS, AsyncClient
from . import Client, DuoCallbackEnd, Event, NotifyCallEnd, VerifyCallEnd, parse_event
from ._native import _Sandbox

__all__ = ["Sandbox", "Delivery", "WebhookAttempt", "RESERVED_NUMBERS"]

#: The reserved numbers of the sandbox, which behave a fixed way with no setup.
RESERVED_NUMBERS: Dict[str, str] = {
    "13900000001": "busy: rejects after 1 s of ringing",
    "13900000002": "no answer: rings until max_dial_duration",
    "13900000003": "unreachable: fails at once",
    "13900000004": "answers after 2 s, hangs up 3 s after being connected",
    "13900000005": "answers after 2 s, never hangs up",
    "13900000009": "engine failure: the whole call fails",
}

AnyEvent = Union[DuoCallbackEnd, NotifyCallEnd, VerifyCallEnd, Event]


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST of an end event to a webhook URL."""

    #: The call the event is about.
    call_id: str
    #: The event name in the body (``duo_callback.end``, ``notify_call.end``, ...).
    event: str
    #: The URL posted to.
    url: str
    #: 1 to 4.
    attempt: int
    #: The HTTP status received, if a response came back.
    status: Optional[int]
    #: Why no response came back (connection refused, timeout, ...).
    error: Optional[str]
    #: Simulated epoch milliseconds when the attempt was made.
    sim_time_ms: int
    #: The exact body bytes sent.
    body: bytes
    #: Whether the body is UTF-8 (otherwise ISO-8859-1, as the platform sends it).
    utf8: bool

    @property
    def succeeded(self) -> bool:
        """Whether this attempt counted as delivered (HTTP 200 exactly)."""
        return self.status == 200

    def parse(self) -> AnyEvent:
        """The body, parsed with ``yunhuni.parse_event``."""
        return parse_event(self.body)

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> "WebhookAttempt":
        return cls(**d)


@dataclass(frozen=True)
class Delivery:
    """A call's end event once settled: its body and every attempt to deliver it."""

    #: The call the event is about.
    call_id: str
    #: The event name in the body.
    event: str
    #: The URL it was sent to; ``None`` when there was no callback URL (nothing was sent).
    url: Optional[str]
    #: The exact body bytes (also when nothing was sent).
    body: bytes
    #: Whether the body is UTF-8 (otherwise ISO-8859-1, as the platform sends it).
    utf8: bool
    #: Whether an attempt got HTTP 200.
    delivered: bool
    #: Every attempt, in order (at most 4).
    attempts: Tuple[WebhookAttempt, ...]

    def parse(self) -> AnyEvent:
        """The body, parsed with ``yunhuni.parse_event``."""
        return parse_event(self.body)

    @classmethod
    def _from_native(cls, d: Mapping[str, Any]) -> "Delivery":
        fields = dict(d)
        fields["attempts"] = tuple(WebhookAttempt._from_native(a) for a in d["attempts"])
        return cls(**fields)


class Sandbox:
    """The platform simulator, started in-process on a free loopback port.

    Use it as a context manager, or call ``close()``. ``callback_url`` is where end events
    are POSTed (``None``: nowhere, but they can still be read with ``wait_for_end``).
    ``time_scale`` makes simulated time run faster (at 100, a 60 s call takes 0.6 s).
    ``api_delay`` makes every API response wait that many seconds in real time (requests are
    served concurrently). ``utf8_webhooks`` sends UTF-8 instead of the platform's ISO-8859-1.
    ``webhook_timeout`` bounds each delivery attempt. ``api_delay`` and ``webhook_timeout``
    are at most a day (``ValueError`` naming the setting otherwise). ``log`` prints one line
    per request. ``app_settings`` sets the app's state as the platform sees it (online or
    not, test numbers, disabled services, balance, quota, lines, audited files, or a forced
    code: the sandbox's JSON form, see ``set_app_settings``). ``confirm_delay`` is how long (in
    simulated seconds) the switch takes to confirm a call; a cancel before then gets
    ``000004``. ``expiry_minutes`` is how old a request's timestamp may be (the server's 50).
    ``ivr_url`` is where the platform POSTs ``ivr_start`` for ``ivr_call`` and inbound calls
    (``None``: the callback URL, as on the platform, where one URL serves events and IVR);
    ``ivr_timeout`` bounds each request to it (seconds, the platform's 5).

    The credentials are the fixed development ones: use ``client()``, or ``base_url``,
    ``app_id``, ``cert_id`` and ``secret_key``.
    """

    def __init__(
        self,
        *,
        callback_url: Optional[str] = None,
        time_scale: float = 1.0,
        api_delay: float = 0.0,
        utf8_webhooks: bool = False,
        webhook_timeout: float = 5.0,
        listen: str = "127.0.0.1:0",
        log: bool = False,
        app_settings: Optional[Mapping[str, Any]] = None,
        confirm_delay: float = 0.0,
        expiry_minutes: int = 50,
        ivr_url: Optional[str] = None,
        ivr_timeout: float = 5.0,
    ) -> None:
        self._native = _Sandbox(
            listen=listen,
            callback_url=callback_url,
            time_scale=float(time_scale),
            api_delay=float(api_delay),
            utf8_webhooks=bool(utf8_webhooks),
            webhook_timeout=float(webhook_timeout),
            log=bool(log),
            app_settings=app_settings,
            confirm_delay=float(confirm_delay),
            expiry_minutes=int(expiry_minutes),
            ivr_url=ivr_url,
            ivr_timeout=float(ivr_timeout),
        )

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: pass it as a client's ``base_url``."""
        return self._native.base_url

    @property
    def app_id(self) -> str:
        """The development AppID."""
        return self._native.app_id

    @property
    def cert_id(self) -> str:
        """The development CertID (also the account id in API paths)."""
        return self._native.cert_id

    @property
    def secret_key(self) -> str:
        """The development secret key."""
        return self._native.secret_key

    @property
    def account_id(self) -> str:
        """The account id in API paths (the same as ``cert_id``)."""
        return self._native.account_id

    @property
    def sub_account(self) -> Tuple[str, str, str]:
        """The development sub-account: ``(sub_account_id, cert_id, secret_key)``."""
        return self._native.sub_account

    @property
    def sim_now_ms(self) -> int:
        """The simulated time now, in epoch milliseconds."""
        return self._native.sim_now_ms

    @property
    def callback_url(self) -> Optional[str]:
        """Where end events go, for calls placed from now. Settable (``None``: nowhere)."""
        return self._native.callback_url

    @callback_url.setter
    def callback_url(self, url: Optional[str]) -> None:
        self._native.set_callback_url(url)

    @property
    def ivr_url(self) -> Optional[str]:
        """Where ``ivr_start`` goes for calls from now (``None``: the callback URL). Settable."""
        return self._native.ivr_url

    @ivr_url.setter
    def ivr_url(self, url: Optional[str]) -> None:
        self._native.set_ivr_url(url)

    def inbound_call(self, from_: str, to: str) -> str:
        """A caller (``from_``) dials ``to``, a number of the app: the platform POSTs
        ``ivr_start`` (``type`` ``ivr_incoming``) to the IVR URL and runs the app's documents.
        The caller behaves as ``from_``'s behaviour says (``keys`` it presses in each
        ``<get>``, ``hangup_after_ms`` after the answer). Returns the call id; follow it with
        ``call()``, ``ivr_requests()``, ``webhooks()`` and ``wait_for_end()``.

        Raises ``ValueError`` for a blank number and ``PermissionError`` when the platform
        would ignore the call (IVR service disabled, no balance, no line, or an offline app
        and a caller that is not one of its test numbers).
        """
        call_id: str = self._native.inbound_call(from_, to)
        return call_id

    def audit_template(self, temp_id: str, approve: bool, reason: Optional[str] = None) -> None:
        """Audits a pending template (status 0) now, as the platform's operator console does:
        approves it (status 1) or rejects it (status -1, with ``reason``), and sends
        ``msg.template_complete``. Raises ``KeyError`` for an unknown template and
        ``ValueError`` for one that is not pending."""
        self._native.audit_template(temp_id, approve, reason)

    @property
    def template_audit(self) -> Dict[str, Any]:
        """The rule that audits new and updated templates, in the sandbox's JSON form (default
        ``{"rule": "approve", "after_ms": 10000}``, simulated milliseconds)."""
        result: Dict[str, Any] = self._native.template_audit()
        return result

    @template_audit.setter
    def template_audit(self, rule: Mapping[str, Any]) -> None:
        """``{"rule": "approve", "after_ms": N}``, ``{"rule": "reject", "after_ms": N,
        "reason": "..."}`` or ``{"rule": "manual"}`` (pending until ``audit_template``)."""
        self._native.set_template_audit(dict(rule))

    def set_mobile_outcome(self, mobile: str, outcome: Optional[str]) -> None:
        """What the SMS/USSD supplier does with messages to ``mobile``: ``"delivered"`` (the
        default, also ``None``), ``"undelivered"`` (listed in ``failMobiles``), ``"refused"``
        (a send answers ``state`` 0), ``"no_supplier"`` (050106), ``"supplier_down"``
        (050105)."""
        self._native.set_mobile_outcome(mobile, outcome)

    def template(self, temp_id: str) -> Dict[str, Any]:
        """A template's ``status``, ``reason`` and the ``msg.template_complete`` bodies sent
        for it (``events``). Raises ``KeyError`` for an unknown template."""
        result: Optional[Dict[str, Any]] = self._native.template(temp_id)
        if result is None:
            raise KeyError(f"the sandbox has no template {temp_id!r}")
        return result

    def msg_request(self, msg_key: str) -> Dict[str, Any]:
        """An SMS/USSD request's ``state`` (0 waiting, 1 success, -1 failure), ``send_type``,
        ``is_mass`` and its ``msg.sending_complete`` bodies (``events``). Raises ``KeyError``
        for an unknown ``msgKey``."""
        result: Optional[Dict[str, Any]] = self._native.msg_request(msg_key)
        if result is None:
            raise KeyError(f"the sandbox has no request {msg_key!r}")
        return result

    def ivr_requests(self, call_id: str) -> List[Dict[str, Any]]:
        """Every request the platform made to the IVR application for a call, one per attempt,
        oldest first: ``method``, ``url``, ``attempt``, ``body`` (``ivr_start``), ``status``,
        ``error``, ``reply`` (the document), ``sim_time_ms``. Raises ``KeyError`` for an
        unknown call."""
        result: Optional[List[Dict[str, Any]]] = self._native.ivr_requests(call_id)
        if result is None:
            raise KeyError(f"the sandbox has no IVR call {call_id!r}")
        return result

    def recordings(self) -> List[Dict[str, Any]]:
        """The recordings made by ``<record>``: ``id`` (the ``record_id``), ``call_id``,
        ``begin_ms``, ``end_ms``, ``duration``, ``size``, ..."""
        result: List[Dict[str, Any]] = self._native.recordings()
        return result

    def client(
        self,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        connect_retries: int = 0,
        max_idle_connections: int = 64,
    ) -> Client:
        """A ``yunhuni.Client`` for this sandbox, with the development credentials."""
        return Client(
            self.app_id,
            self.cert_id,
            self.secret_key,
            base_url=self.base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            connect_retries=connect_retries,
            max_idle_connections=max_idle_connections,
        )

    def async_client(
        self,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        max_workers: int = DEFAULT_MAX_WORKERS,
    ) -> AsyncClient:
        """A ``yunhuni.AsyncClient`` for this sandbox, with the development credentials."""
        return AsyncClient.from_client(
            self.client(timeout=timeout, connect_timeout=connect_timeout), max_workers=max_workers
        )

    def set_behavior(
        self,
        number: str,
        answer: Optional[Union[str, Mapping[str, Any]]] = None,
        *,
        ms: Optional[int] = None,
        hangup_after_ms: Optional[int] = None,
        code: Optional[str] = None,
        keys: Optional[List[str]] = None,
        key_interval_ms: Optional[int] = None,
    ) -> None:
        """Scripts how ``number`` behaves in calls placed from now.

        ``code`` makes every call to the number answer that platform code instead (for
        example ``'020001'``, or ``'020002:用户号码没有可用线路'`` with the server's message).

        ``answer`` is ``'busy'``, ``'no_answer'``, ``'unreachable'``, ``'engine_failure'`` or
        ``'after'`` (answers after ``ms`` milliseconds of ringing); ``hangup_after_ms`` hangs
        up that long after being connected (default: never; for an IVR caller, after the
        answer). ``keys`` are the keys an IVR caller presses: entry *n* in the call's *n*-th
        ``<get>`` (``["1", "42#"]``), each ``key_interval_ms`` (default 1000) after the previous
        one; given alone, the number answers at once. A dict in the sandbox's JSON form
        (``{"answer": "after", "ms": 300}``) is accepted instead. Raises ``ValueError`` for a
        behaviour the sandbox does not know.
        """
        ivr: Dict[str, Any] = {}
        if keys is not None:
            if isinstance(keys, (str, bytes)):
                raise TypeError("keys must be a list of strings, one per <get>, such as ['1', '2#']")
            ivr["keys"] = list(keys)
        if key_interval_ms is not None:
            ivr["key_interval_ms"] = key_interval_ms
        if isinstance(answer, Mapping):
            if ms is not None or hangup_after_ms is not None or code is not None or ivr:
                raise TypeError("give either a behaviour dict or keywords, not both")
            behavior: Dict[str, Any] = dict(answer)
        elif code is not None and answer is None and ms is None and hangup_after_ms is None:
            behavior = {"code": code}
        else:
            if answer is None and ms is None and ivr:
                # An IVR caller scripted by its keys alone answers at once.
                answer, ms = "after", 0
            if answer is None:
                answer = "after" if ms is not None else None
            if answer is None:
                raise TypeError("set_behavior() needs answer= (or ms= for 'after', or code=)")
            behavior = {"answer": answer}
            if code is not None:
                behavior["code"] = code
            if ms is not None:
                behavior["ms"] = ms
            if hangup_after_ms is not None:
                behavior["hangup_after_ms"] = hangup_after_ms
        if ivr and not isinstance(answer, Mapping):
            behavior.update(ivr)
        self._native.set_behavior(number, behavior)

    def set_app_settings(
        self, settings: Mapping[str, Any], *, app_id: Optional[str] = None
    ) -> None:
        """Sets the app's state as the platform sees it (default: the sandbox's own app).

        ``settings`` is the sandbox's JSON form, for example ``{"online": False,
        "test_numbers": ["13800000001"]}``, ``{"disabled_services": ["notify_call"]}``,
        ``{"balance_exhausted": True}``, ``{"audited_files": ["welcome.wav"]}`` or
        ``{"code": "010003"}``. Raises ``ValueError`` for settings or an app it does not know.
        """
        self._native.set_app_settings(app_id or self.app_id, dict(settings))

    def app_settings(self, *, app_id: Optional[str] = None) -> Dict[str, Any]:
        """The app's settings now, in the sandbox's JSON form."""
        result: Dict[str, Any] = self._native.app_settings(app_id or self.app_id)
        return result

    def clear_behavior(self, number: str) -> None:
        """Removes a number's script: it behaves as reserved or by default again."""
        self._native.clear_behavior(number)

    def behavior(self, number: str) -> Dict[str, Any]:
        """The behaviour ``number`` has now, in the sandbox's JSON form."""
        result: Dict[str, Any] = self._native.behavior(number)
        return result

    def calls(self) -> List[Dict[str, Any]]:
        """Every call kept, oldest first, as dicts (``id``, ``kind``, ``state``, ``numbers``,
        ``user_data``, ``timeline``, ``end_event``, ...)."""
        result: List[Dict[str, Any]] = self._native.calls()
        return result

    def call(self, call_id: str) -> Optional[Dict[str, Any]]:
        """One call as a dict (see ``calls()``), or ``None`` when unknown."""
        result: Optional[Dict[str, Any]] = self._native.call(call_id)
        return result

    def webhooks(self, call_id: Optional[str] = None) -> List[WebhookAttempt]:
        """Every webhook attempt kept (or only those for ``call_id``), oldest first."""
        return [WebhookAttempt._from_native(a) for a in self._native.webhooks(call_id)]

    def wait_for_end(self, call_id: str, timeout: float = 30.0) -> Delivery:
        """Waits (with the GIL released) until the call's end event is settled: delivered,
        failed four times, or not sent for lack of a callback URL; returns it.

        Raises ``KeyError`` for an unknown call id and the builtin ``TimeoutError`` if the
        event does not settle within ``timeout`` seconds of real time (``float("inf")``: no
        limit).
        """
        delivery = self._native.wait_for_end(call_id, float(timeout))
        if delivery is None:
            if self._native.call(call_id) is None:
                raise KeyError(f"the sandbox has no call {call_id!r}")
            raise TimeoutError(f"the end event of call {call_id!r} did not settle within {timeout} s")
        return Delivery._from_native(delivery)

    def close(self) -> None:
        """Stops the sandbox and joins its threads. Idempotent; events not yet delivered are
        dropped."""
        self._native.close()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Sandbox(base_url={self.base_url!r})"
