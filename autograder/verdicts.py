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

from .catalog import LANGUAGES, SOURCE, Text, join, msg, render
from .checks import REGISTRY, Observations, Unavailable
from .config import Assignment
from .results import CheckResult, Status, Texts


@dataclass
class Draft:
    """One check's verdict before root causes are gathered."""

    id: str
    status: Status
    message: Text
    short: Text | None = None  # the cause in a few words, for errors
    cause: Text = ""  # the cause in full (errors that share one are explained once)
    blanks: tuple[str, ...] = ()  # the skeleton's blanks left in the functions this check exercises
    key: str = ""  # what makes two causes the same one (defaults to the cause's text)
    located: bool = False  # the cause points at a line of the student's file
    measured: float | None = None
    threshold: float | None = None


@dataclass(frozen=True)
class CheckVerdict:
    """One check's final verdict, its words not yet in a language."""

    id: str
    title: Text
    status: Status
    score: float
    max_score: float
    message: Text
    cause: Text = ""
    measured: float | None = None
    threshold: float | None = None


@dataclass(frozen=True)
class Judged:
    checks: list[CheckVerdict]
    fix_first: list[Text]

    def results(self, language: str = SOURCE) -> list[CheckResult]:
        return [CheckResult(id=v.id, title=render(v.title, language), status=v.status, score=v.score,
                            max_score=v.max_score, message=render(v.message, language),
                            cause=render(v.cause, language), measured=v.measured, threshold=v.threshold)
                for v in self.checks]

    def translations(self, warnings: list[Text], notes: list[Text]) -> dict[str, Texts]:
        """The words of a result in every language of the catalog but its source language."""
        return {language: Texts(titles={v.id: render(v.title, language) for v in self.checks},
                                messages={v.id: render(v.message, language) for v in self.checks},
                                causes={v.id: render(v.cause, language) for v in self.checks},
                                fix_first=[render(t, language) for t in self.fix_first],
                                warnings=[render(t, language) for t in warnings],
                                notes=[render(t, language) for t in notes])
                for language in LANGUAGES if language != SOURCE}


def judge(obs: Observations, assignment: Assignment, unfilled: set[str]) -> Judged:
    """Run every enabled check on the observations of one submission."""
    drafts = []
    for check_id, cfg in assignment.checks.enabled().items():
        spec = REGISTRY[cfg.kind]
        blanks = tuple(name for name in spec.functions_for(cfg) if name in unfilled)
        try:
            verdict = spec.judge(obs, cfg, assignment)
        except Unavailable as exc:
            drafts.append(Draft(check_id, "error", exc.message, exc.short, exc.cause, blanks, exc.key, exc.located))
        except Exception as exc:  # a grader bug must cost one check of one student, not the batch
            drafts.append(Draft(check_id, "error", msg("verdicts.internal_error", exception=type(exc).__name__,
                                                       detail=str(exc)), None, "", blanks))
        else:
            drafts.append(Draft(check_id, "passed" if verdict.passed else "failed", verdict.message, None, "", blanks,
                                measured=verdict.measured, threshold=verdict.threshold))
    return explain_once(drafts, assignment)


def not_run(assignment: Assignment, message: Text, short: Text) -> Judged:
    """Every check stopped by one cause found before anything ran (a syntax error, no file)."""
    return explain_once([Draft(check_id, "error", message, short, message) for check_id in assignment.checks.enabled()],
                        assignment)


def _code_list(names: list[str]) -> Text:
    return join((f"`{name}()`" for name in names), ", ")


def _key(draft: Draft) -> str:
    """What makes two causes one (`Unavailable.key`, else the cause's words)."""
    return draft.key or render(draft.cause, SOURCE)


def explain_once(drafts: list[Draft], assignment: Assignment) -> Judged:
    """Final messages: repeated causes and the skeleton's blanks go under "Fix this first"."""
    fix_first: list[Text] = []
    unfinished = [d for d in drafts if d.status != "passed" and d.blanks]
    if unfinished:
        names = list(dict.fromkeys(name for d in unfinished for name in d.blanks))
        fix_first.append(msg("verdicts.fill_blanks.one" if len(names) == 1 else "verdicts.fill_blanks.many",
                             functions=_code_list(names)))
    errors = [d for d in drafts if d.status == "error" and d.cause]
    counts = Counter(_key(d) for d in errors)
    # One text per repeated cause: the first, in rubric order, that points at a line of the
    # student's file, else simply the first.
    told: dict[str, Text] = {}
    located: set[str] = set()
    for draft in errors:
        key = _key(draft)
        if counts[key] > 1 and (key not in told or (draft.located and key not in located)):
            told[key] = draft.cause
            if draft.located:
                located.add(key)
    fix_first += told.values()
    checks: list[CheckVerdict] = []
    configured = assignment.checks.enabled()
    for draft in drafts:
        status, message, cause = draft.status, draft.message, ""
        hoisted = status == "error" and _key(draft) in told
        if hoisted:
            cause = told[_key(draft)]
            message = (msg("verdicts.could_not_run", cause=draft.short) if draft.short
                       else msg("verdicts.could_not_run.see_above"))
        if status != "passed" and draft.blanks:
            status = "failed"
            functions = _code_list(list(draft.blanks))
            one = len(draft.blanks) == 1
            message = (msg("verdicts.not_implemented.one" if one else "verdicts.not_implemented.many",
                           functions=functions) if hoisted else
                       msg("verdicts.not_implemented.one.why" if one else "verdicts.not_implemented.many.why",
                           functions=functions, why=draft.message))
            cause = ""
        cfg = configured[draft.id]
        checks.append(CheckVerdict(id=draft.id, title=REGISTRY[cfg.kind].title_for(cfg), status=status,
                                   score=cfg.points if status == "passed" else 0.0, max_score=cfg.points,
                                   message=message, cause=cause, measured=draft.measured, threshold=draft.threshold))
    return Judged(checks, fix_first)
