"""The native half of the package; import ``yunhuni`` instead. Its public classes and
functions are declared in ``yunhuni/__init__.pyi`` and re-exported here."""

from typing import Any, Literal, Mapping, final

from . import CallCreated as CallCreated
from . import Event as Event
from . import PlayItem as PlayItem
from . import sign as sign
from . import string_to_sign as string_to_sign
from . import timestamp_now as timestamp_now
from ._events import *
from ._events import __all__ as __all__

VERSION: str
CONTENT_TYPE: str
DEFAULT_BASE_URL: str

@final
class Client:
    """The native client that ``yunhuni.Client`` wraps."""

    def __new__(
        cls,
        app_id: str,
        cert_id: str,
        secret_key: str,
        *,
        base_url: str | None = None,
        account_id: str | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        user_agent: str | None = None,
        connect_retries: int = 0,
        proxy: str | Literal[False] | None = None,
        max_idle_connections: int = 64,
    ) -> Client: ...
    @staticmethod
    def from_env(
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        user_agent: str | None = None,
        connect_retries: int = 0,
        proxy: str | Literal[False] | None = None,
        max_idle_connections: int = 64,
    ) -> Client: ...
    def with_options(self, *, timeout: float | None = None) -> Client: ...
    @property
    def app_id(self) -> str: ...
    @property
    def cert_id(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def api_root(self) -> str: ...
    def request(self, name: str, /, **fields: Any) -> Any: ...
    def post(self, operation: str, body: Any) -> Any: ...

@final
class _Sandbox:
    def __new__(
        cls,
        *,
        listen: str,
        callback_url: str | None,
        time_scale: float,
        api_delay: float,
        utf8_webhooks: bool,
        webhook_timeout: float,
        log: bool,
        app_settings: Mapping[str, Any] | None,
        confirm_delay: float,
        expiry_minutes: int,
        ivr_url: str | None = None,
        ivr_timeout: float = 5.0,
    ) -> _Sandbox: ...
    @property
    def base_url(self) -> str: ...
    @property
    def app_id(self) -> str: ...
    @property
    def cert_id(self) -> str: ...
    @property
    def secret_key(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def sub_account(self) -> tuple[str, str, str]: ...
    @property
    def sim_now_ms(self) -> int: ...
    @property
    def callback_url(self) -> str | None: ...
    def set_callback_url(self, url: str | None) -> None: ...
    @property
    def ivr_url(self) -> str | None: ...
    def set_ivr_url(self, url: str | None) -> None: ...
    def inbound_call(self, from_: str, to: str) -> str: ...
    def ivr_requests(self, call_id: str) -> list[dict[str, Any]] | None: ...
    def audit_template(self, temp_id: str, approve: bool, reason: str | None = None) -> None: ...
    def set_template_audit(self, rule: Mapping[str, Any]) -> None: ...
    def template_audit(self) -> dict[str, Any]: ...
    def set_mobile_outcome(self, mobile: str, outcome: str | None) -> None: ...
    def template(self, temp_id: str) -> dict[str, Any] | None: ...
    def msg_request(self, msg_key: str) -> dict[str, Any] | None: ...
    def recordings(self) -> list[dict[str, Any]]: ...
    def set_behavior(self, number: str, behavior: Any) -> None: ...
    def clear_behavior(self, number: str) -> None: ...
    def behavior(self, number: str) -> Any: ...
    def set_app_settings(self, app_id: str, settings: Any) -> None: ...
    def app_settings(self, app_id: str) -> Any: ...
    def calls(self) -> Any: ...
    def call(self, call_id: str) -> Any: ...
    def webhooks(self, call_id: str | None = None) -> list[dict[str, Any]]: ...
    def wait_for_end(self, call_id: str, timeout: float) -> dict[str, Any] | None: ...
    def close(self) -> None: ...

__all__ += [
    "VERSION",
    "CONTENT_TYPE",
    "DEFAULT_BASE_URL",
    "Client",
    "CallCreated",
    "PlayItem",
    "Event",
    "sign",
    "string_to_sign",
    "timestamp_now",
    "_Sandbox",
]

# IVR (yunhuni.ivr holds the public classes; these are what it builds on).
from .ivr import IvrNext as IvrNext
from .ivr import IvrStart as IvrStart
from .ivr import parse_ivr_next as parse_ivr_next

@final
class _Node:
    """One element of an IVR document being written (``yunhuni.ivr`` wraps it)."""

    def __new__(cls, name: str) -> _Node: ...
    @property
    def name(self) -> str: ...
    def set(self, name: str, value: object) -> None: ...
    def set_text(self, value: str) -> None: ...
    def add(self, child: _Node) -> None: ...

@final
class _Response:
    """An IVR document being written (``yunhuni.ivr.Response`` wraps it)."""

    def __new__(cls) -> _Response: ...
    def add(self, action: _Node) -> None: ...
    def next(self, url: str) -> None: ...
    def end_call(self) -> None: ...
    @property
    def ends_call(self) -> bool: ...
    def validate(self) -> None: ...
    def to_xml(self) -> str: ...
    def to_dict(self) -> Any: ...

def _ivr_xml_of(description: Any, casing: str = "python") -> str: ...

__all__ += ["_Node", "_Response", "IvrStart", "IvrNext", "parse_ivr_next", "_ivr_xml_of"]

# Webhooks (yunhuni.webhook holds the public classes and the helpers; these are core's).
from .webhook import Delivery as Delivery
from .webhook import MemoryStore as MemoryStore
from .webhook import Receiver as Receiver
from .webhook import new_owner as new_owner

WEBHOOK_REDIS_KEY_PREFIX: str
WEBHOOK_DEFAULT_TTL: float
WEBHOOK_MAX_TTL: float
WEBHOOK_DEFAULT_MAX_BODY: int
WEBHOOK_DEFAULT_TOKEN_PARAM: str
WEBHOOK_RESPONSE_STATUS: int
WEBHOOK_RESPONSE_BODY: str
WEBHOOK_MAX_TOKEN_BYTES: int
WEBHOOK_DEFAULT_LEASE: float
WEBHOOK_DEFAULT_WAIT: float
WEBHOOK_DEFAULT_POLL: float
WEBHOOK_PENDING_PREFIX: str
WEBHOOK_DONE_VALUE: str
WEBHOOK_REDIS_CLAIM_SCRIPT: str
WEBHOOK_REDIS_RENEW_SCRIPT: str
WEBHOOK_REDIS_COMPLETE_SCRIPT: str
WEBHOOK_REDIS_RELEASE_SCRIPT: str

__all__ += [
    "Receiver",
    "Delivery",
    "MemoryStore",
    "WEBHOOK_REDIS_KEY_PREFIX",
    "WEBHOOK_DEFAULT_TTL",
    "WEBHOOK_MAX_TTL",
    "WEBHOOK_DEFAULT_MAX_BODY",
    "WEBHOOK_DEFAULT_TOKEN_PARAM",
    "WEBHOOK_RESPONSE_STATUS",
    "WEBHOOK_RESPONSE_BODY",
    "WEBHOOK_MAX_TOKEN_BYTES",
    "WEBHOOK_DEFAULT_LEASE",
    "WEBHOOK_DEFAULT_WAIT",
    "WEBHOOK_DEFAULT_POLL",
    "WEBHOOK_PENDING_PREFIX",
    "WEBHOOK_DONE_VALUE",
    "WEBHOOK_REDIS_CLAIM_SCRIPT",
    "WEBHOOK_REDIS_RENEW_SCRIPT",
    "WEBHOOK_REDIS_COMPLETE_SCRIPT",
    "WEBHOOK_REDIS_RELEASE_SCRIPT",
    "new_owner",
]
