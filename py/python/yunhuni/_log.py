"""``YUNHUNI_LOG``: the one switch that turns the SDK's log records on from the environment.

The SDK logs through the standard ``logging`` module, logger ``yunhuni``: one DEBUG record per
request (method, path, status, platform code, error kind, duration, attempts; never the secret
key or the signature) and one per parsed event. Nothing is logged unless the application's
logging configuration enables DEBUG for ``yunhuni`` (``logging.basicConfig(level=DEBUG)``,
``logging.getLogger("yunhuni").setLevel(logging.DEBUG)``, ...), or ``YUNHUNI_LOG`` asks for it.
This module is imported only when ``YUNHUNI_LOG`` is set: ``import yunhuni`` does not import
``logging`` otherwise.
"""

from __future__ import annotations

import logging
import warnings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional

__all__ = ["LOGGER_NAME", "configure_from_env"]

#: The logger every record of the SDK goes to.
LOGGER_NAME = "yunhuni"

#: The values of ``YUNHUNI_LOG`` (the same in every language of the SDK) and the level each
#: sets. ``off`` changes nothing; Python has no ``trace`` level, so it is ``DEBUG``.
LEVELS: Dict[str, Optional[int]] = {
    "off": None,
    "error": logging.ERROR,
    "warn": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": logging.DEBUG,
}


def configure_from_env(value: str) -> None:
    """Applies a value of ``YUNHUNI_LOG``: sets the level of the ``yunhuni`` logger, and gives it
    a handler writing to stderr when it has none. A value that is not a level is named in a
    ``RuntimeWarning`` and changes nothing."""
    text = value.strip().lower()
    if not text:
        return
    if text not in LEVELS:
        shown = ascii(value[:50]) + ("..." if len(value) > 50 else "")
        warnings.warn(
            f"YUNHUNI_LOG={shown} is not one of off, error, warn, info, debug, trace; ignored",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    level = LEVELS[text]
    if level is None:
        return
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level)
    if not logger.handlers:
        handler = logging.StreamHandler()  # stderr
        handler.setFormatter(logging.Formatter("[yunhuni %(levelname)s] %(message)s"))
        logger.addHandler(handler)
