"""From observations to the checks of one result, with every root cause explained once.

Each enabled check is judged on its own (`checks/`). Then two things a beginner needs are added:
a check that does not pass while a function it exercises still holds the skeleton's blank is
"not implemented yet" (failed, not an error), and a cause that stops several checks (a file that
does not import, a `build_model()` that raises) is written once under "Fix this first", each
check then saying in a few words which cause stopped it. Twelve copies of one NameError teach
nothing; one, at the top, says where to start.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .checks import REGISTRY, Observations, Unavailable
from .config import Assignment
from .results import CheckResult, Status

SEE_ABOVE = "see “Fix this first” above"


@dataclass
class Draft:
    """One check's verdict before root causes are gathered."""

    id: str
    status: Status
    message: str
    short: str | None = None  # the cause in a few words, for errors
    cause: str = ""  # the cause in full (errors that share one are explained once)
    blanks: tuple[str, ...] = ()  # the skeleton's blanks left in the functions this check exercises
    key: str = ""  # what makes two causes the same one (defaults to the cause's text)
    located: bool = False  # the cause points at a line of the student's file


@dataclass(frozen=True)
class Judged:
    checks: list[CheckResult]
    fix_first: list[str]


def judge(obs: Observations, assignment: Assignment, unfilled: set[str]) -> Judged:
    """Run every enabled check on the observations of one submission."""
    drafts = []
    for check_id, cfg in assignment.checks.enabled().items():
        spec = REGISTRY[cfg.kind]
        blanks = tuple(name for name in spec.functions_for(cfg) if name in unfilled)
        try:
            verdict = spec.judge(obs, cfg, assignment)
        except Unavailable as exc:
            drafts.append(Draft(check_id, "error", str(exc), exc.short, exc.cause, blanks, exc.key, exc.located))
        except Exception as exc:  # a grader bug must cost one check of one student, not the batch
            drafts.append(Draft(check_id, "error", f"Internal grader error in this check ({type(exc).__name__}: "
                                f"{exc}); tell your TA.", None, "", blanks))
        else:
            drafts.append(Draft(check_id, "passed" if verdict.passed else "failed", verdict.message, None, "", blanks))
    return explain_once(drafts, assignment)


def not_run(assignment: Assignment, message: str, short: str) -> Judged:
    """Every check stopped by one cause found before anything ran (a syntax error, no file)."""
    return explain_once([Draft(check_id, "error", message, short, message) for check_id in assignment.checks.enabled()],
                        assignment)


def _code_list(names: list[str]) -> str:
    return ", ".join(f"`{name}()`" for name in names)


def explain_once(drafts: list[Draft], assignment: Assignment) -> Judged:
    """Final messages: repeated causes and the skeleton's blanks go under "Fix this first"."""
    fix_first: list[str] = []
    unfinished = [d for d in drafts if d.status != "passed" and d.blanks]
    if unfinished:
        names = list(dict.fromkeys(name for d in unfinished for name in d.blanks))
        fix_first.append(f"Fill the blanks first: {_code_list(names)} still "
                         f"{'holds' if len(names) == 1 else 'hold'} the skeleton's 'Fill this blank!'. Every check "
                         "that needs one of them counts as not implemented yet.")
    errors = [d for d in drafts if d.status == "error" and d.cause]
    counts = Counter(d.key or d.cause for d in errors)
    # One text per repeated cause: the first, in rubric order, that points at a line of the
    # student's file, else simply the first.
    told: dict[str, str] = {}
    located: set[str] = set()
    for draft in errors:
        key = draft.key or draft.cause
        if counts[key] > 1 and (key not in told or (draft.located and key not in located)):
            told[key] = draft.cause
            if draft.located:
                located.add(key)
    fix_first += told.values()
    checks = []
    configured = assignment.checks.enabled()
    for draft in drafts:
        status, message, cause = draft.status, draft.message, ""
        hoisted = status == "error" and (draft.key or draft.cause) in told
        if hoisted:
            cause = told[draft.key or draft.cause]
            message = (f"Could not run: {draft.short} ({SEE_ABOVE})." if draft.short
                       else "Could not run because of the problem under “Fix this first” above.")
        if status != "passed" and draft.blanks:
            status = "failed"
            has = "has" if len(draft.blanks) == 1 else "have"
            detail = "" if hoisted else f" ({draft.message})"
            message = f"Not implemented yet: {_code_list(list(draft.blanks))} still {has} a 'Fill this blank!' blank.{detail}"
            cause = ""
        cfg = configured[draft.id]
        checks.append(CheckResult(id=draft.id, title=REGISTRY[cfg.kind].title_for(cfg), status=status,
                                  score=cfg.points if status == "passed" else 0.0, max_score=cfg.points,
                                  message=message, cause=cause))
    return Judged(checks, fix_first)
