"""Calling student code and describing what went wrong in the student's own terms.

A failure is described by the function the grader called, the exception, and the first and last
lines of the traceback that lie in the student's file: never the grader's internals.
"""

from __future__ import annotations

import importlib.util
import linecache
import sys
import traceback
from types import ModuleType
from typing import Any

MAX_MESSAGE = 600


class StudentError(Exception):
    """Student code did not give the grader what the contract promises; `info` goes to JSON."""

    def __init__(self, info: dict[str, Any]):
        super().__init__(info.get("message", ""))
        self.info = info


def _frames_in(tb: Any, path: str) -> list[dict[str, Any]]:
    frames = []
    for frame in traceback.extract_tb(tb):
        if frame.filename == path:
            code = (frame.line or linecache.getline(path, frame.lineno or 0)).strip()
            frames.append({"line": frame.lineno, "function": frame.name, "code": code[:200]})
    return frames


def describe_exception(exc: BaseException, function: str, path: str) -> dict[str, Any]:
    frames = _frames_in(exc.__traceback__, path)
    message = str(exc)
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + " ..."
    return {
        "kind": "raised",
        "function": function,
        "exception": type(exc).__name__,
        "message": message,
        "first": frames[0] if frames else None,
        "last": frames[-1] if len(frames) > 1 else None,
    }


def import_module(name: str, path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too: nothing may stop the grader
        raise StudentError(describe_exception(exc, "<import>", path)) from None
    return module


def call(module: ModuleType, path: str, function: str, *args: Any, **kwargs: Any) -> Any:
    target = getattr(module, function, None)
    if not callable(target):
        raise StudentError({"kind": "missing", "function": function})
    try:
        value = target(*args, **kwargs)
    except BaseException as exc:
        raise StudentError(describe_exception(exc, function, path)) from None
    if value is None:
        raise StudentError({"kind": "returned_none", "function": function})
    return value


def wrong_type(function: str, expected: str, value: Any, **details: str) -> StudentError:
    """`function` returned the wrong kind of value. `expected` names what it should have returned:
    the catalog's `expected.<name>` (catalog/*/student.po), whose template shows `details`."""
    return StudentError({"kind": "wrong_type", "function": function, "expected": expected, "details": details,
                         "got": type(value).__name__})
