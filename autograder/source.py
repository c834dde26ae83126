"""Reading a student's source text in the trusted process: parsed, never executed."""

from __future__ import annotations

import ast
import errno
import os
import stat
from pathlib import Path
from typing import Callable

from .catalog import SOURCE, Text, msg, render

BLANK = "Fill this blank!"


def location(filename: str) -> Callable[[int], Text]:
    """Where a line of a .py file is, as a student reads it: "hw.py line 7"."""
    return lambda line: msg("source.location", file=filename, line=line)


def syntax_problem(source: str, filename: str, locate: Callable[[int], Text]) -> Text | None:
    """A student-facing description of why `source` is not valid Python, or None."""
    try:
        compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        place = locate(exc.lineno or 0)
        where = msg("source.location.column", place=place, column=exc.offset) if exc.offset else place
        code = (exc.text or "").strip()
        if code:
            return msg("source.syntax_error.code", error=exc.msg, where=where, code=code)
        return msg("source.syntax_error", error=exc.msg, where=where)
    except ValueError as exc:  # e.g. NUL bytes
        return msg("source.not_python", file=filename, error=str(exc))
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


class NotText(UnicodeDecodeError):
    """A file that is neither UTF-8 nor cp949 text; `message` says so to the student."""

    def __init__(self, raw: bytes, filename: str):
        self.message = msg("source.not_text", file=filename)
        super().__init__("utf-8", raw, 0, 1, render(self.message, SOURCE))


class Unreadable(OSError):
    """A file the grader refuses to read; `message` says why to the student."""

    def __init__(self, message: Text):
        self.message = message
        super().__init__(render(message, SOURCE))


def decode(raw: bytes, filename: str) -> str:
    """Student files come from many editors: UTF-8 (with or without BOM), else Korean Windows cp949."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NotText(raw, filename)


def read_regular(path: Path, limit: int = 20 * 1024 * 1024) -> bytes:
    """The bytes of `path` if it is a regular file: a FIFO or a device is never read (reading a FIFO
    blocks forever), a symbolic link is not followed (it could point at another student's file or
    the reference; discovery refuses linked folders above it, student_files.py), and a file over
    `limit` bytes is refused rather than read into memory."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Unreadable(msg("source.link", file=path.name)) from None
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(msg("source.not_regular", file=path.name))
        if info.st_size > limit:
            raise Unreadable(msg("source.too_large", file=path.name, mb=info.st_size / 1e6))
        return handle.read(limit)


def sentence(text: str) -> str:
    """`text` with its first letter upper-cased and nothing else touched (unlike str.capitalize(),
    which lower-cases the rest and turns `ToTensor()` into `totensor()`), ending in a period."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def guard_advice(notebook: bool) -> Text:
    """How to keep script code from running when the grader imports the file."""
    return msg("source.guard_advice.notebook" if notebook else "source.guard_advice.script")


def _is_main_test(test: ast.expr) -> bool:
    """`__name__ == "__main__"`, either way round."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    return (any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides)
            and any(isinstance(side, ast.Constant) and side.value == "__main__" for side in sides))


def _is_main_guard(node: ast.stmt) -> bool:
    """An `if` that is false when the grader imports the file: `__name__ == "__main__"`, alone or as
    one operand of an `and` (the generated notebooks' `... and not os.environ.get("NBGRADER_EXECUTION")`)."""
    test = node.test if isinstance(node, ast.If) else None
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(_is_main_test(value) for value in test.values)
    return test is not None and _is_main_test(test)


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


def static_warnings(source: str, notebook: bool, locate: Callable[[int], Text],
                    available: Callable[[str], bool]) -> list[Text]:
    """What a look at the source (never running it) says will go wrong when the grader imports it:
    training at module level, and packages the grading environment does not have."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    trainers = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and _trains(node, set())}
    warnings: list[Text] = []
    trained = False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Try)) or _is_main_guard(node):
            continue
        modules = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                   [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
        for module in modules:
            if not available(module):
                warnings.append(msg("source.warning.not_installed", place=locate(node.lineno), module=module))
        what = None if trained else _trains(node, trainers)
        if what:
            trained = True
            warnings.append(msg("source.warning.trains", place=locate(node.lineno), call=what,
                                advice=guard_advice(notebook)))
    return warnings
