"""A secret key never appears in any repr, exception text or traceback."""

from __future__ import annotations

import asyncio
import pickle
import traceback
from typing import Callable, List

import pytest

import yunhuni
from yunhuni.testing import Sandbox

SECRET = "S3cr3t-Never-Shown-7f3a9c"


def texts_of(error: BaseException) -> List[str]:
    return [
        str(error),
        repr(error),
        repr(error.args),
        repr(vars(error)),
        "".join(traceback.format_exception(type(error), error, error.__traceback__)),
    ]


def assert_hidden(*texts: str, secret: str = SECRET) -> None:
    for text in texts:
        assert secret not in text
        assert secret.lower() not in text.lower()


def raised_by(fn: Callable[[], object]) -> yunhuni.YunhuniError:
    with pytest.raises(yunhuni.YunhuniError) as err:
        fn()
    return err.value


def test_client_reprs_hide_the_secret(sandbox: Sandbox) -> None:
    client = yunhuni.Client(sandbox.app_id, sandbox.cert_id, SECRET, base_url=sandbox.base_url)
    aclient = yunhuni.AsyncClient.from_client(client)
    try:
        assert_hidden(repr(client), str(client), repr(aclient), str(aclient))
        assert not hasattr(client, "secret_key")
        assert all(SECRET not in repr(getattr(client, name, None)) for name in dir(client))
        with pytest.raises(TypeError):
            pickle.dumps(client)
    finally:
        aclient.close()


def test_sandbox_repr_hides_its_secret(sandbox: Sandbox) -> None:
    assert_hidden(repr(sandbox), str(sandbox), secret=sandbox.secret_key)


def test_no_error_text_shows_the_secret(
    sandbox: Sandbox, server_500: str, server_junk: str, silent_server: str, closed_port: str
) -> None:
    def client(base_url: str, timeout: float = 30.0) -> yunhuni.Client:
        return yunhuni.Client(sandbox.app_id, sandbox.cert_id, SECRET, base_url=base_url, timeout=timeout)

    errors = [
        raised_by(lambda: client(sandbox.base_url).duo_callback("13800000001", "13800000001", 60)),
        raised_by(lambda: client(sandbox.base_url).duo_callback("13800000001", "13800000002", 60)),  # auth
        raised_by(lambda: client(server_500).duo_callback("13800000001", "13800000002", 60)),
        raised_by(lambda: client(server_junk).duo_callback("13800000001", "13800000002", 60)),
        raised_by(lambda: client(silent_server, timeout=0.3).duo_callback("13800000001", "13800000002", 60)),
        raised_by(lambda: client(closed_port).duo_callback("13800000001", "13800000002", 60)),
        raised_by(lambda: yunhuni.Client("a", "c", SECRET + "\n")),
        raised_by(lambda: yunhuni.Client("a", "c", SECRET, base_url=SECRET)),
    ]
    good = sandbox.client()
    errors.append(raised_by(lambda: good.cancel_duo_callback("0123456789abcdef0123456789abcdef")))
    errors.append(raised_by(lambda: yunhuni.parse_event(b"{")))
    kinds = {e.kind for e in errors}
    assert kinds == {"validation", "auth", "http", "decode", "timeout", "transport", "api"}
    for e in errors:
        if e.field != "base_url":  # the base URL given is shown, whatever it is
            assert_hidden(*texts_of(e))
        assert_hidden(*texts_of(e), secret=sandbox.secret_key)


def test_async_errors_hide_the_secret(sandbox: Sandbox) -> None:
    async def main() -> yunhuni.YunhuniError:
        client = yunhuni.AsyncClient(sandbox.app_id, sandbox.cert_id, SECRET, base_url=sandbox.base_url)
        try:
            await client.duo_callback("13800000001", "13800000002", 60)
        except yunhuni.YunhuniError as e:
            return e
        finally:
            client.close()
        raise AssertionError("no error")

    error = asyncio.run(main())
    assert isinstance(error, yunhuni.AuthError)
    assert_hidden(*texts_of(error))
