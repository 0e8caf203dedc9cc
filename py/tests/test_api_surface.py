"""The public API: documented everywhere, and the type stubs match the runtime module."""

from __future__ import annotations

import importlib.util
import inspect
import pathlib
import subprocess
import sys
from typing import Any, Iterator, Tuple

import pytest

import yunhuni
import yunhuni.testing

PACKAGE = pathlib.Path(yunhuni.__file__).parent


def public_names() -> Iterator[Tuple[str, Any]]:
    for module, names in [
        (yunhuni, [*yunhuni.__all__, "TimeoutError"]),
        (yunhuni.testing, yunhuni.testing.__all__),
    ]:
        for name in names:
            yield f"{module.__name__}.{name}", getattr(module, name)


def documented(obj: Any) -> bool:
    return bool((getattr(obj, "__doc__", None) or "").strip())


@pytest.mark.parametrize("qualname,obj", list(public_names()), ids=[n for n, _ in public_names()])
def test_every_public_name_has_a_docstring(qualname: str, obj: Any) -> None:
    if isinstance(obj, (str, dict)):
        return  # constants: documented in the stub and the module docstring
    assert documented(obj), qualname
    if not inspect.isclass(obj) or issubclass(obj, BaseException):
        return
    for attr, value in vars(obj).items():
        if attr.startswith("_") or isinstance(value, int):
            continue
        assert documented(value), f"{qualname}.{attr}"


def test_modules_are_documented() -> None:
    assert documented(yunhuni) and documented(yunhuni.testing)


def test_package_ships_its_type_information() -> None:
    for name in ["py.typed", "__init__.pyi", "testing.pyi", "_native.pyi"]:
        assert (PACKAGE / name).is_file(), name
    native = [p.name for p in PACKAGE.iterdir() if p.name.startswith("_native") and p.suffix in (".so", ".pyd")]
    assert len(native) == 1 and (".abi3." in native[0] or native[0].endswith(".pyd")), native


def test_version() -> None:
    assert yunhuni.__version__.count(".") == 2


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_stubs_match_the_runtime_module() -> None:
    """mypy's stubtest compares every stub (signatures, defaults, kinds, finality) with what
    the installed module really has."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "yunhuni"],
        capture_output=True,
        text=True,
        cwd=str(PACKAGE.parent.parent),
    )
    assert result.returncode == 0, result.stdout + result.stderr
