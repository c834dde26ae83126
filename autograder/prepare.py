"""Reading one submission in the trusted process, before anything runs: the file's bytes, its text,
a notebook's code, the syntax check and the static look (what the grader warns about, the code's
fingerprints for similarity, the top-level training it leaves out of what it imports:
`source.skip_training`). Nothing here executes student code.

Each step is a unit whose failure, whatever the exception, is this student's "the grader could not
read your file: <step> failed" (`NotRun.unprocessable`), never the batch's: a 400 KB expression
whose compile recurses too deeply, a notebook nested 100,000 levels, metadata of a type nobody
expected. The grader turns a `NotRun` into the student's row (grading.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import environment, similarity
from .catalog import SOURCE, Msg, Text, msg, render
from .notebook import NotebookError, notebook_to_module
from .source import (NotText, Skipped, Unreadable, decode, location, read_regular, sentence, skip_training,
                     static_warnings, syntax_problem)
from .student_files import Submission


@dataclass
class Prepared:
    submission: Submission
    source: str
    fingerprint: str
    started: float
    warnings: list[Text] = field(default_factory=list)
    prints: list[int] = field(default_factory=list)  # similarity.fingerprints of the student's own code
    skipped: list[Skipped] = field(default_factory=list)  # top-level training left out of `source`
    locate: Callable[[int], Text] = location("")  # replaced once the file is read


@dataclass(frozen=True)
class NotRun:
    """Why a submission is not run: the message every check shows, its short form, and whether a
    step of the grader's own failed (`autograde check` then exits 2: bad input, not failing checks)."""

    message: Text
    short: Text
    unprocessable: bool = False


def unprocessable(step: Msg, exc: BaseException) -> NotRun:
    detail = str(exc)[:300] or type(exc).__name__
    return NotRun(msg("grading.unprocessable", step=step, exception=type(exc).__name__, detail=detail),
                  msg("grading.short.unprocessable"), unprocessable=True)


def prepare(submission: Submission, fingerprint: Callable[[bytes], str],
            given: set[str]) -> tuple[Prepared, NotRun | None]:
    """The submission read and vetted, and why it cannot run, if it cannot. `fingerprint` hashes
    the file's bytes (with the grader's version); `given` are the skeleton's lines, left out of the
    similarity fingerprints. Never raises."""
    step: list[Msg] = [msg("grading.step.read")]  # the step under way, named in the message when one fails
    try:
        return _steps(submission, fingerprint, given, step)
    except Exception as exc:  # noqa: BLE001 - see the module's docstring
        # Failed before the file's bytes were hashed: a fingerprint no later run matches, so the
        # next run reads the file again rather than re-using this result.
        prepared = Prepared(submission, "", fingerprint(f"unread:{time.time_ns()}".encode()), time.monotonic())
        return prepared, unprocessable(step[0], exc)


def _steps(submission: Submission, fingerprint: Callable[[bytes], str], given: set[str],
           step: list[Msg]) -> tuple[Prepared, NotRun | None]:
    started = time.monotonic()
    if submission.path is None:
        problem = submission.problem  # a sentence, with its period (student_files.py)
        return (Prepared(submission, "", fingerprint(render(problem, SOURCE).encode()), started),
                NotRun(problem, msg("grading.short.no_file")))
    try:
        raw = read_regular(submission.path)
    except OSError as exc:
        # The grader's own refusals start with the file's name (no capitalising); the system's
        # (`Permission denied`) are made a sentence.
        reason = (msg("grading.unreadable", reason=exc.message) if isinstance(exc, Unreadable) else
                  msg("grading.unreadable.system", reason=sentence(exc.strerror or str(exc))))
        return (Prepared(submission, "", fingerprint(render(reason, SOURCE).encode()), started),
                NotRun(reason, msg("grading.short.unreadable")))
    prepared = Prepared(submission, "", fingerprint(raw), started)
    name = submission.path.name
    notebook = submission.path.suffix == ".ipynb"
    try:
        step[0] = msg("grading.step.decode")
        text = decode(raw, name)
        if notebook:
            step[0] = msg("grading.step.notebook")
            converted = notebook_to_module(text, name)
            prepared.source, prepared.locate = converted.source, converted.locate
        else:
            prepared.source, prepared.locate = text, location(name)
        if not prepared.source.strip():  # an empty file, or a notebook whose code cells are all empty
            return prepared, NotRun(msg("grading.empty", file=name), msg("grading.short.empty"))
        step[0] = msg("grading.step.syntax")
        problem = syntax_problem(prepared.source, name, prepared.locate)
        if problem:
            return prepared, NotRun(problem, msg("grading.short.not_python"))
        step[0] = msg("grading.step.vetting")
        prepared.prints = similarity.fingerprints(prepared.source, given)
        step[0] = msg("grading.step.skipping")
        prepared.source, prepared.skipped = skip_training(prepared.source)
        step[0] = msg("grading.step.vetting")
        prepared.warnings = static_warnings(prepared.source, notebook, prepared.locate, environment.is_available,
                                            prepared.skipped)
    except (NotText, NotebookError) as exc:
        return prepared, NotRun(exc.message, msg("grading.short.unreadable"))
    except Exception as exc:  # noqa: BLE001 - the same file always fails the same way: its own fingerprint
        return prepared, unprocessable(step[0], exc)
    return prepared, None
