"""Calling student code and describing what went wrong in the student's own terms.

A failure is described by the function the grader called, the exception, and the first and last
lines of the traceback that lie in the student's file: never the grader's internals.
"""

from __future__ import annotations

import ast
import importlib.util
import linecache
import re
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


def _through(tb: Any, path: str) -> list[str]:
    """The names of the functions the error went through below the student's last line (torch's
    `mse_loss`, say), innermost last: what a hint may recognise (`checks/hints.py`), never shown."""
    frames = traceback.extract_tb(tb)
    last = max((i for i, frame in enumerate(frames) if frame.filename == path), default=-1)
    return [str(frame.name)[:60] for frame in frames[last + 1:]][-8:]


NO_ATTRIBUTE = re.compile(r"'(int|float|bool|complex)' object has no attribute '(\w+)'")


def _origin(message: str, frame: dict[str, Any] | None, path: str) -> dict[str, Any] | None:
    """For "'float' object has no attribute 'item'" raised at `accuracy.item()`: the student's line
    that last assigned `accuracy` before, in the same function (often the one that made it a Python
    number, while the line that raised may be one the skeleton gave). None when it cannot tell."""
    found = NO_ATTRIBUTE.search(message)
    if not found or not frame or not isinstance(frame.get("line"), int):
        return None
    used = re.search(rf"\b([A-Za-z_]\w*)\s*\.\s*{found.group(2)}\b", frame.get("code", ""))
    if not used:
        return None
    name, line = used.group(1), frame["line"]
    try:
        tree = ast.parse(open(path, encoding="utf-8").read())
    except (OSError, SyntaxError, ValueError):
        return None
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and node.lineno <= line <= (node.end_lineno or node.lineno)]
    scope = max(functions, key=lambda node: node.lineno) if functions else tree
    assigned = [node.lineno for node in ast.walk(scope) if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
                and node.lineno < line and any(isinstance(target, ast.Name) and target.id == name
                                               for target in getattr(node, "targets", [getattr(node, "target", None)]))]
    if not assigned:
        return None
    made = max(assigned)
    return {"name": name, "type": found.group(1), "attribute": found.group(2), "line": made,
            "function": getattr(scope, "name", "<module>"), "code": linecache.getline(path, made).strip()[:200]}


def describe_exception(exc: BaseException, function: str, path: str) -> dict[str, Any]:
    frames = _frames_in(exc.__traceback__, path)
    message = str(exc)
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + " ..."
    info = {
        "kind": "raised",
        "function": function,
        "exception": type(exc).__name__,
        "message": message,
        "first": frames[0] if frames else None,
        "last": frames[-1] if len(frames) > 1 else None,
        "through": _through(exc.__traceback__, path),
    }
    try:
        origin = _origin(message, frames[-1] if frames else None, path)
    except Exception:  # noqa: BLE001 - a hint's detail must never cost the error itself
        origin = None
    if origin:
        info["origin"] = origin
    return info


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
