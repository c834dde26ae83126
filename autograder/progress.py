"""Progress on the terminal while grading: one line per finished submission, and word of the ones
that take long, so that a slow import never looks like a hang.

A submission still in the sandbox after `quiet_s` seconds is reported every `every_s` seconds with
what it is doing and how much of its CPU-time budget it has used. On a terminal, a single
submission (`autograde check`) gets one status line that updates in place instead.
"""

from __future__ import annotations

import sys
import unicodedata
from typing import TextIO

from .regrade import finished_note
from .results import SubmissionResult
from .untrusted_text import for_terminal


def pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns: Hangul and other wide characters take two."""
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - columns)


class ConsoleProgress:
    def __init__(self, cpu_limit_s: float, stream: TextIO | None = None, live: bool = False,
                 quiet_s: float = 5.0, every_s: float = 15.0):
        self.cpu_limit_s = cpu_limit_s
        self.stream = stream or sys.stderr  # looked up now, not at import: tests and redirections replace it
        self.live = live and self.stream.isatty()
        self.quiet_s = quiet_s
        self.every_s = every_s
        self._last: dict[str, float] = {}  # student -> wall time of the last line about it
        self._open_line = False

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def _end_live_line(self) -> None:
        if self._open_line:
            self._write("\r\033[K")
            self._open_line = False

    def running(self, student: str, doing: str, cpu_s: float, wall_s: float) -> None:
        doing = for_terminal(doing)  # names and phases come from submissions
        budget = f"{cpu_s:.0f} of {self.cpu_limit_s:g} s CPU time used"
        if self.live:
            self._write(f"\r\033[K  {doing}... {budget} ({wall_s:.0f} s)")
            self._open_line = True
            return
        last = self._last.get(student)
        if wall_s < self.quiet_s or (last is not None and wall_s - last < self.every_s):
            return
        self._last[student] = wall_s
        # `doing` is a phase's name ("the import of your module", "train() (the grading run)") or a
        # word ("starting", "finishing"): in parentheses, the line reads right with any of them
        self._write(f"  ... {for_terminal(student)}: still running ({doing}; {budget}, {wall_s:.0f} s so far)\n")

    def again(self, student: str, why: str) -> None:
        """A submission starts again alone (regrade.py): said at once, and its clock starts again."""
        self._end_live_line()
        self._last.pop(student, None)
        self._write(f"  ... {for_terminal(student)}: {why}\n")

    def finished(self, done: int, total: int, result: SubmissionResult, reused: bool) -> None:
        self._end_live_line()
        self._last.pop(result.student, None)
        runs = finished_note(result.sandbox.attempts, result.sandbox.alone)
        note = " (unchanged, result re-used)" if reused else f"  {result.duration_s:5.1f} s" + (f" ({runs})" if runs else "")
        errors = sum(c.status == "error" for c in result.checks)
        flag = f"  {errors} check(s) could not run" if errors else ""
        name = pad(for_terminal(result.student), 24)
        self._write(f"[{done:>{len(str(total))}}/{total}] {name} {result.score:g}/{result.max_score:g}"
                    f"{note}{flag}\n")

    def close(self) -> None:
        self._end_live_line()
