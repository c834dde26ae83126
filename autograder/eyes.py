"""Who among a class needs a TA's eyes, and why, for the class report (class_report.py): the sandbox
stopped the run (a limit, a signal, an exit code, a lost worker), no check or some checks could not
run, the trained model could not be rebuilt outside the student's code (checks/rebuilt.py), or the
file trains a model as soon as it is imported. Each reason is said wholly in one
language: the sandbox's own exit text is English, so the reasons are catalog messages built from
its fields, and the cause the student was told comes from the result's translation.
"""

from __future__ import annotations

import re
import string
from functools import cache

from .catalog import SOURCE, Text, catalog, join, msg, render
from .results import SubmissionResult
from .run_record import LOST

# Warnings (source.py) that say the file trains a model as soon as it is imported: a TA should know,
# whether or not the time it took stopped the file. Results keep the words, not the keys, so the
# English templates are matched; a key the catalog does not have is left out.
TRAINS_AT_IMPORT = ("source.warning.trains", "source.skipped_training")
EXIT_CODE, SIGNAL = re.compile(r"exit (-?\d+)"), re.compile(r"signal (\d+)")  # run_record.exit_text
CUT = 200  # characters of a cause or a warning shown in the list


@cache
def _template(key: str) -> re.Pattern[str] | None:
    """The English template of `key` as a pattern its rendered texts match."""
    template = catalog(SOURCE).get(key)
    if template is None:
        return None
    return re.compile("".join(re.escape(literal) + ("(.*?)" if name is not None else "")
                              for literal, name, _, _ in string.Formatter().parse(template)), re.S)


def trains_at_import(result: SubmissionResult) -> int | None:
    """The index in `warnings` of the grader's warning that the file trains a model on import."""
    patterns = [pattern for key in TRAINS_AT_IMPORT if (pattern := _template(key))]
    return next((i for i, text in enumerate(result.warnings) if any(p.fullmatch(text) for p in patterns)), None)


def unreplayed(result: SubmissionResult) -> str | None:
    """The op that kept the grader from rebuilding the trained model outside the student's code, as a
    check's message says it (`checks/rebuilt.unreplayed_note`); None when it was rebuilt."""
    pattern = _template("model.unreplayed")
    found = next((m for check in result.checks if pattern and (m := pattern.search(check.message))), None)
    return found[1] if found else None


def _cut(text: str) -> str:
    """A cause's first sentence (the rest is advice to the student), at most CUT characters."""
    first = re.match(r"(.+?[.!?])\s", text + " ", re.S)
    text = first[1] if first else text
    return text if len(text) <= CUT else text[:CUT - 1].rstrip() + "…"


def _stopped(result: SubmissionResult) -> Text | None:
    """How the sandbox ended the run, if not normally: a limit, a signal, an exit code, a lost worker."""
    sandbox = result.sandbox
    limits = {"cpu": msg("class_report.eyes.limit.cpu", seconds=sandbox.cpu_limit_s),
              "wall": msg("class_report.eyes.limit.wall", seconds=sandbox.wall_limit_s),
              "processes": msg("class_report.eyes.limit.processes", count=sandbox.process_limit),
              "disk": msg("class_report.eyes.limit.disk", size=sandbox.disk_limit_mb or sandbox.file_limit_mb)}
    if sandbox.limit:
        return limits[sandbox.limit]
    if sandbox.exit in ("exit 0", "not run"):
        return None
    if sandbox.exit == LOST:
        return msg("class_report.eyes.lost")
    if code := EXIT_CODE.fullmatch(sandbox.exit):
        return msg("class_report.eyes.exit_code", code=int(code[1]))
    if signal := SIGNAL.fullmatch(sandbox.exit):
        return msg("class_report.eyes.signal", code=int(signal[1]))
    return msg("class_report.eyes.ended", exit=sandbox.exit)  # an exit text of another grader version


def needs_eyes(result: SubmissionResult, language: str = SOURCE) -> list[str]:
    """Why a TA should look at this submission (nothing: they need not), every reason entirely in
    `language`: the sandbox stopped it (a limit, a crash), it trains a model as soon as it is
    imported, or checks could not run; with the cause the student was told, in that language."""
    view = result.in_language(language)
    cause = _cut(view.fix_first[-1]) if view.fix_first else ""
    errors = [c.id for c in result.checks if c.status == "error"]
    reasons: list[Text] = []
    stopped = _stopped(result)
    if stopped is not None:
        reasons.append(join([stopped, cause], ": ") if cause else stopped)
    elif errors and len(errors) == len(result.checks):
        reasons.append(msg("class_report.eyes.nothing_ran", cause=cause or "-"))
    elif errors:
        reasons.append(msg("class_report.eyes.some_errors", count=len(errors), checks=", ".join(errors)))
    op = unreplayed(result)
    if op is not None:  # its accuracy and layers rest on what the student's own process reported
        reasons.append(msg("model.eyes.unreplayed", op=op))
    trains = trains_at_import(result)
    if trains is not None:
        reasons.append(msg("class_report.eyes.trains", warning=_cut(view.warnings[trains])))
    return [render(reason, language) for reason in reasons]
