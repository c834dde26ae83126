"""Reading a student's source text in the trusted process: parsed, never executed."""

from __future__ import annotations

import ast
from typing import Callable

BLANK = "Fill this blank!"


def syntax_problem(source: str, filename: str, locate: Callable[[int], str]) -> str | None:
    """A student-facing description of why `source` is not valid Python, or None."""
    try:
        compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        where = locate(exc.lineno or 0) + (f", column {exc.offset}" if exc.offset else "")
        code = (exc.text or "").strip()
        return f"Your code is not valid Python: {exc.msg} at {where}" + (f": `{code}`" if code else "") + "."
    except ValueError as exc:  # e.g. NUL bytes
        return f"{filename} is not valid Python: {exc}."
    return None


def unfilled_functions(source: str) -> set[str]:
    """Names of the functions that still hold a 'Fill this blank!' string of the skeleton."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str) and BLANK in inner.value:
                    found.add(node.name)
                    break
    return found


def decode(raw: bytes, filename: str) -> str:
    """Student files come from many editors: UTF-8 (with or without BOM), else Korean Windows cp949."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", raw, 0, 1, f"{filename} is neither UTF-8 nor cp949 text")
