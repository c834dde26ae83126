"""Reading a student's source text in the trusted process: parsed, never executed."""

from __future__ import annotations

import ast
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .catalog import SOURCE, Text, join, msg, render

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


def _loop_trains(node: ast.AST, trainers: set[str]) -> str | None:
    """What trains inside a loop in `node` (a training loop, not a one-off `.backward()` demo), or
    a call of a function that runs one."""
    for inner in ast.walk(node):
        if isinstance(inner, (ast.For, ast.AsyncFor, ast.While)):
            what = _trains(inner, trainers)
            if what:
                return what
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id in trainers:
            return f"{inner.func.id}()"
    return None


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _trainers(tree: ast.Module, found: Callable[[ast.AST, set[str]], str | None]) -> set[str]:
    """The top-level functions that train by `found`'s measure, directly or by calling one that
    does (`run()` calling `train()`): a fixpoint, so the order of definitions does not matter."""
    trainers: set[str] = set()
    while True:
        more = {node.name for node in _functions(tree) if node.name not in trainers and found(node, trainers)}
        if not more:
            return trainers
        trainers |= more


def _script_code(node: ast.stmt) -> bool:
    """A top-level statement that runs on import and is neither a definition nor a `__main__` block."""
    return not (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))
                or _is_main_guard(node))


@dataclass(frozen=True)
class Skipped:
    """A top-level statement that trains, left out of what the grader imports."""

    line: int
    call: str  # what trains in it: ".step()", "train()"
    names: frozenset[str]  # the names it binds, which later code may need


def _owns_lines(node: ast.stmt, body: list[ast.stmt], lines: list[str]) -> bool:
    """Whether `node` is alone on its lines (no `a = 1; train()`), so blanking them removes it only."""
    if node.col_offset != 0 or node.end_lineno is None or node.end_col_offset is None:
        return False
    rest = lines[node.end_lineno - 1][node.end_col_offset:].strip()
    if rest and not rest.startswith("#"):
        return False
    return not any(other is not node and other.lineno <= node.end_lineno and other.end_lineno >= node.lineno
                   for other in body)


def skip_training(source: str) -> tuple[str, list[Skipped]]:
    """`source` with its top-level training left out, and what was left out.

    The course's notebooks train their 15 epochs in a top-level cell; run on import, that uses up
    the time budget before any check, and the grader trains the student's functions itself anyway.
    A statement is left out when it runs a training loop (`.backward()` or `.step()` inside a loop)
    or calls a function that does; its lines become blank (one `pass`), so every line number, and
    every message that points at one, stays the same. A one-off `loss.backward()` outside a loop
    is kept: later code is likely to read its gradients. A student gains nothing by dodging this:
    the grader never uses what the student's own training produced.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source, []
    lines = source.splitlines()
    trainers = _trainers(tree, _loop_trains)
    skipped: list[Skipped] = []
    for node in tree.body:
        what = _loop_trains(node, trainers) if _script_code(node) else None
        if not what or not _owns_lines(node, tree.body, lines):
            continue
        names = frozenset(inner.id for inner in ast.walk(node)
                          if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store))
        skipped.append(Skipped(node.lineno, what, names))
        first, last = node.lineno - 1, node.end_lineno or node.lineno
        lines[first:last] = [SKIPPED_LINE] + [""] * (last - first - 1)
    if not skipped:
        return source, []
    return "\n".join(lines) + "\n", skipped


SKIPPED_LINE = "pass  # (skipped by the grader: this code trains a model)"


def static_warnings(source: str, notebook: bool, locate: Callable[[int], Text],
                    available: Callable[[str], bool], skipped: list[Skipped] = ()) -> list[Text]:
    """What a look at the source (never running it) says will go wrong when the grader imports it:
    training at module level, and packages the grading environment does not have. `skipped` is
    the training `skip_training` left out of `source`: each is said once, as a note that it costs
    nothing."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    trainers = _trainers(tree, _trains)
    warnings: list[Text] = []
    if skipped:
        calls = sorted({item.call for item in skipped})
        warnings.append(msg("source.skipped_training", places=join([locate(item.line) for item in skipped], "; "),
                            calls=join(calls, ", ")))
    trained = bool(skipped)
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
