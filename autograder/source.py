"""Reading a student's source text in the trusted process: parsed, never executed."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path
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


def read_regular(path: Path, limit: int = 20 * 1024 * 1024) -> bytes:
    """The bytes of `path` if it is a regular file: a FIFO or a device is never read (reading a FIFO
    blocks forever), and a file over `limit` bytes is refused rather than read into memory."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path.name} is not a regular file (a pipe, socket or device), so it was not read")
        if info.st_size > limit:
            raise OSError(f"{path.name} is {info.st_size / 1e6:.0f} MB, more than a source file can be")
        return handle.read(limit)


def sentence(text: str) -> str:
    """`text` with its first letter upper-cased and nothing else touched (unlike str.capitalize(),
    which lower-cases the rest and turns `ToTensor()` into `totensor()`), ending in a period."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def guard_advice(notebook: bool) -> str:
    """How to keep script code from running when the grader imports the file."""
    guard = '`if __name__ == "__main__":`'
    if notebook:
        return (f"The grader runs every code cell of your notebook when it imports it, training cells included. "
                f"Put the code of cells that train or download under {guard} (indent the cell's code below it): "
                "Jupyter still runs it, because in a notebook __name__ is \"__main__\", and the grader skips it, "
                "then calls your functions itself.")
    return (f"Code at module level runs on import: keep training and downloads under {guard}; the grader "
            "calls your functions itself.")


def _is_main_guard(node: ast.stmt) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


def _trains(node: ast.AST, trainers: set[str]) -> str | None:
    """What in `node` trains a model: a `.backward()` / `.step()` call or a call of a function that does."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            func = inner.func
            if isinstance(func, ast.Attribute) and func.attr in ("backward", "step"):
                return f".{func.attr}()"
            if isinstance(func, ast.Name) and func.id in trainers:
                return f"{func.id}()"
    return None


def static_warnings(source: str, notebook: bool, locate: Callable[[int], str],
                    available: Callable[[str], bool]) -> list[str]:
    """What a look at the source (never running it) says will go wrong when the grader imports it:
    training at module level, and packages the grading environment does not have."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    trainers = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and _trains(node, set())}
    warnings, trained = [], False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Try)) or _is_main_guard(node):
            continue
        modules = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                   [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
        for module in modules:
            if not available(module):
                warnings.append(f"{locate(node.lineno)}: `{module}` is not installed where the grader runs your "
                                "code, so importing your file will fail. Remove the import, or move it under "
                                '`if __name__ == "__main__":` if only your own script part needs it.')
        what = None if trained else _trains(node, trainers)
        if what:
            trained = True
            warnings.append(f"{locate(node.lineno)}: this code trains a model (it calls {what}) as soon as the file "
                            "is imported, before any check, and its time counts against your time limit. "
                            + guard_advice(notebook))
    return warnings
