"""Progress on the terminal while grading: one line per finished submission, and word of the ones
that take long, so that a slow import never looks like a hang.

A submission still in the sandbox after `quiet_s` seconds is reported every `every_s` seconds with
what it is doing and how much of its CPU-time budget it has used. On a terminal, a single
submission (`autograde check`) gets one status line that updates in place instead, in the
student's languages (`[report] language`), cut to the terminal's width so that it can be redrawn.

Names are aligned by terminal columns, not characters: Hangul and other East Asian wide characters
take two columns, so `김민수` and `kim` must be padded differently for the scores to line up.
"""

from __future__ import annotations

import shutil
import sys
import unicodedata
from typing import Literal, TextIO

from .catalog import MissingMessage, Text, msg, plural, render
from .regrade import finished_note
from .results import SubmissionResult
from .untrusted_text import for_terminal

NAME_COLUMNS = 24  # a progress line's name column


def columns(text: str) -> int:
    """Terminal columns `text` takes: East Asian wide and full-width characters take two, combining
    marks none."""
    return sum(0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
               for char in text)


def truncate(text: str, width: int) -> str:
    """`text` cut to at most `width` terminal columns, ending in "…" when cut (never half a
    wide character)."""
    if columns(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        if used + columns(char) > width - 1:
            break
        kept.append(char)
        used += columns(char)
    return "".join(kept) + "…"


def pad(text: str, width: int) -> str:
    """`text` in exactly `width` terminal columns: cut (with "…") when longer, padded when shorter."""
    text = truncate(text, width)
    return text + " " * max(0, width - columns(text))


def _phase_text(doing: str) -> Text:
    """The sandbox reports what it is doing as a phase's English label (checks/observations.doing);
    a student reads it in their language, so the label is looked up in the phase table again.
    Anything else (a label this version does not know) is shown as it came."""
    from .sandbox.protocol import PHASES, label, phase_text

    if doing in ("starting", "finishing"):
        return msg("progress.doing.starting") if doing == "starting" else msg("progress.doing.finishing")
    for phase in PHASES:
        try:
            if label(phase) == doing:
                return phase_text(phase)
        except MissingMessage:  # a phase without its catalog name (tests/test_catalog.py catches it): skip
            continue
    return doing


class ConsoleProgress:
    def __init__(self, cpu_limit_s: float, stream: TextIO | None = None, live: bool = False,
                 quiet_s: float = 5.0, every_s: float = 15.0, setting: Literal["ko", "en", "both"] = "en"):
        self.cpu_limit_s = cpu_limit_s
        self.setting = setting  # the live line's languages (a TA's batch lines stay English)
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
            self._write("\r\033[K" + self.live_line(doing, cpu_s, wall_s))
            self._open_line = True
            return
        last = self._last.get(student)
        if wall_s < self.quiet_s or (last is not None and wall_s - last < self.every_s):
            return
        self._last[student] = wall_s
        if self.setting != "en":  # a student's `check` without a terminal (Colab's `!autograde check`)
            self._write(f"  ... {for_terminal(student)}: {for_terminal(self._status(doing, cpu_s, wall_s))}\n")
            return
        # `doing` is a phase's name ("the import of your module", "train() (the grading run)") or a
        # word ("starting", "finishing"): in parentheses, the line reads right with any of them
        self._write(f"  ... {for_terminal(student)}: still running ({doing}; {budget}, {wall_s:.0f} s so far)\n")

    def _status(self, doing: str, cpu_s: float, wall_s: float) -> str:
        """What one submission is doing, in the student's languages."""
        text = msg("progress.live", doing=_phase_text(doing), cpu=cpu_s, limit=self.cpu_limit_s, wall=wall_s)
        return " / ".join(dict.fromkeys(render(text, language) for language in
                                        (("ko", "en") if self.setting == "both" else (self.setting,))))

    def live_line(self, doing: str, cpu_s: float, wall_s: float) -> str:
        """The status line of one submission (`autograde check`), in the student's languages: one
        line, no wider than the terminal, or "\\r" could not redraw it."""
        return truncate("  " + for_terminal(self._status(doing, cpu_s, wall_s)),
                        shutil.get_terminal_size((100, 24)).columns - 1)

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
        flag = f"  {plural(errors, 'check')} could not run" if errors else ""
        name = pad(for_terminal(result.student), NAME_COLUMNS)
        self._write(f"[{done:>{len(str(total))}}/{total}] {name} {result.score:g}/{result.max_score:g}"
                    f"{note}{flag}\n")

    def close(self) -> None:
        self._end_live_line()
