"""Test helpers: the platform simulator, in-process. Type stub."""

from dataclasses import dataclass
from typing import Any, Mapping, Union

from . import AsyncClient, Client, DuoCallbackEnd, Event, NotifyCallEnd, VerifyCallEnd

#: The reserved numbers of the sandbox and how they behave.
RESERVED_NUMBERS: dict[str, str]

AnyEvent = Union[DuoCallbackEnd, NotifyCallEnd, VerifyCallEnd, Event]

@dataclass(frozen=True)
class WebhookAttempt:
    """One POST of an end event to a webhook URL."""

    call_id: str
    event: str
    url: str
    attempt: int
    status: int | None
    error: str | None
    sim_time_ms: int
    body: bytes
    utf8: bool
    @property
    def succeeded(self) -> bool:
        """Whether this attempt counted as delivered (HTTP 200 exactly)."""

    def parse(self) -> AnyEvent:
        """The body, parsed with ``yunhuni.parse_event``."""

@dataclass(frozen=True)
class Delivery:
    """A call's end event once settled: its body and every attempt to deliver it."""

    call_id: str
    event: str
    url: str | None
    body: bytes
    utf8: bool
    delivered: bool
    attempts: tuple[WebhookAttempt, ...]
    def parse(self) -> AnyEvent:
        """The body, parsed with ``yunhuni.parse_event``."""

class Sandbox:
    """The platform simulator, started in-process on a free loopback port."""

    def __init__(
        self,
        *,
        callback_url: str | None = None,
        time_scale: float = 1.0,
        api_delay: float = 0.0,
        utf8_webhooks: bool = False,
        webhook_timeout: float = 5.0,
        listen: str = "127.0.0.1:0",
        log: bool = False,
        app_settings: Mapping[str, Any] | None = None,
        confirm_delay: float = 0.0,
        expiry_minutes: int = 50,
        ivr_url: str | None = None,
        ivr_timeout: float = 5.0,
    ) -> None: ...
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: pass it as a client's ``base_url``."""

    @property
    def app_id(self) -> str:
        """The development AppID."""

    @property
    def cert_id(self) -> str:
        """The development CertID (also the account id in API paths)."""

    @property
    def secret_key(self) -> str:
        """The development secret key."""

    @property
    def account_id(self) -> str:
        """The account id in API paths."""

    @property
    def sub_account(self) -> tuple[str, str, str]:
        """The development sub-account: ``(sub_account_id, cert_id, secret_key)``."""

    @property
    def sim_now_ms(self) -> int:
        """The simulated time now, in epoch milliseconds."""

    @property
    def callback_url(self) -> str | None:
        """Where end events go, for calls placed from now."""

    @callback_url.setter
    def callback_url(self, url: str | None) -> None: ...
    @property
    def ivr_url(self) -> str | None:
        """Where ``ivr_start`` goes for calls from now (``None``: the callback URL)."""

    @ivr_url.setter
    def ivr_url(self, url: str | None) -> None: ...
    def inbound_call(self, from_: str, to: str) -> str:
        """A caller dials ``to``: the platform runs the IVR application; returns the call id."""

    def audit_template(self, temp_id: str, approve: bool, reason: str | None = None) -> None:
        """Audits a pending template now (``msg.template_complete`` follows)."""

    @property
    def template_audit(self) -> dict[str, Any]:
        """The rule that audits templates (sandbox JSON form)."""

    @template_audit.setter
    def template_audit(self, rule: Mapping[str, Any]) -> None: ...
    def set_mobile_outcome(self, mobile: str, outcome: str | None) -> None:
        """What the SMS/USSD supplier does with messages to ``mobile``."""

    def template(self, temp_id: str) -> dict[str, Any]:
        """A template's status and its ``msg.template_complete`` bodies."""

    def msg_request(self, msg_key: str) -> dict[str, Any]:
        """An SMS/USSD request's state and its ``msg.sending_complete`` bodies."""

    def ivr_requests(self, call_id: str) -> list[dict[str, Any]]:
        """Every request made to the IVR application for a call, one per attempt."""

    def recordings(self) -> list[dict[str, Any]]:
        """The recordings made by ``<record>``."""

    def client(
        self,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        connect_retries: int = 0,
        max_idle_connections: int = 64,
    ) -> Client:
        """A ``yunhuni.Client`` for this sandbox."""

    def async_client(
        self, *, timeout: float = 30.0, connect_timeout: float = 5.0, max_workers: int = 64
    ) -> AsyncClient:
        """A ``yunhuni.AsyncClient`` for this sandbox."""

    def set_behavior(
        self,
        number: str,
        answer: str | Mapping[str, Any] | None = None,
        *,
        ms: int | None = None,
        hangup_after_ms: int | None = None,
        code: str | None = None,
        keys: list[str] | None = None,
        key_interval_ms: int | None = None,
    ) -> None:
        """Scripts how ``number`` behaves in calls placed from now."""

    def set_app_settings(
        self, settings: Mapping[str, Any], *, app_id: str | None = None
    ) -> None:
        """Sets the app's state as the platform sees it."""

    def app_settings(self, *, app_id: str | None = None) -> dict[str, Any]:
        """The app's settings now."""

    def clear_behavior(self, number: str) -> None:
        """Removes a number's script."""

    def behavior(self, number: str) -> dict[str, Any]:
        """The behaviour ``number`` has now."""

    def calls(self) -> list[dict[str, Any]]:
        """Every call kept, oldest first."""

    def call(self, call_id: str) -> dict[str, Any] | None:
        """One call, or ``None`` when unknown."""

    def webhooks(self, call_id: str | None = None) -> list[WebhookAttempt]:
        """Every webhook attempt kept (or only those for ``call_id``), oldest first."""

    def wait_for_end(self, call_id: str, timeout: float = 30.0) -> Delivery:
        """Waits until the call's end event is settled and returns it."""

    def close(self) -> None:
        """Stops the sandbox. Idempotent."""

    def __enter__(self) -> Sandbox: ...
    def __exit__(self, *exc_info: object) -> None: ...

__all__ = ["Sandbox", "Delivery", "WebhookAttempt", "RESERVED_NUMBERS"]
