"""The class report a TA looks at: `report.html` for one assignment's results, and one for a
course's results folder that links them. Self-contained: plots are inline SVG (plots.py), no script,
no network; everything students can influence (messages, names, output) is HTML-escaped.

What it shows, for an assignment: the score distribution (mean, median, how many could not run);
each check's pass/fail/error rate across the class, the least passed first, with its most common
messages (item analysis: which lesson did not land; numbers in messages are replaced by `#`, so
one mistake groups as one); for checks that measure something (an accuracy), the measured values
against the threshold; who needs a TA's eyes (errors, limits, sandbox kills); similar submissions
(similarity.py: a hint, not a verdict); grading time, sandbox tier and device; each student's
score with a link to their feedback page. Its words are in the catalog (`class_report.po`) and in
`[report] language`.
"""

from __future__ import annotations

import html
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import plots, similarity
from .catalog import Text, msg
from .feedback import Language, code_spans, languages, say
from .results import SubmissionResult, load_result, write_atomic

MOST_MESSAGES = 3
MOST_PAIRS = 30
STUDENTS = msg("class_report.plot.students")  # the plots' count axis


@dataclass(frozen=True)
class Item:
    """One check across the class."""

    id: str
    title: str
    passed: int
    failed: int
    errors: int
    messages: list[tuple[str, int, str]]  # most common non-passing messages: grouped text, count, an example
    measured: list[float]
    threshold: float | None

    @property
    def not_passed_rate(self) -> float:
        total = self.passed + self.failed + self.errors
        return (self.failed + self.errors) / total if total else 0.0


def load_results(folder: Path) -> list[SubmissionResult]:
    """Every `<student>/result.json` under one assignment's results folder, by student."""
    found = []
    for path in sorted(folder.glob("*/result.json")):
        try:
            found.append(load_result(path))
        except (OSError, ValueError):
            continue
    return found


def _grouped(text: str) -> str:
    return re.sub(r"\d+(\.\d+)?", "#", text)


def item_analysis(results: list[SubmissionResult], language: str = "en") -> list[Item]:
    """Each check's outcomes across the class, the least passed first; messages grouped by their
    English words, shown in `language`."""
    ids = list(dict.fromkeys(check.id for result in results for check in result.checks))
    shown = [(result, result.in_language(language)) for result in results]
    items = []
    for check_id in ids:
        pairs = [(c, view.checks[i]) for r, view in shown for i, c in enumerate(r.checks) if c.id == check_id]
        status = Counter(c.status for c, _ in pairs)
        groups = Counter(_grouped(c.message) for c, _ in pairs if c.status != "passed")
        example = {_grouped(c.message): shown.message for c, shown in pairs if c.status != "passed"}
        measured = [c.measured for c, _ in pairs if c.measured is not None]
        threshold = next((c.threshold for c, _ in pairs if c.threshold is not None), None)
        items.append(Item(check_id, pairs[0][1].title, status["passed"], status["failed"], status["error"],
                          [(text, count, example[text]) for text, count in groups.most_common(MOST_MESSAGES)],
                          measured, threshold))
    return sorted(items, key=lambda item: -item.not_passed_rate)


def needs_eyes(result: SubmissionResult) -> Text | None:
    """Why a TA should look at this submission, if they should."""
    if result.sandbox.limit:
        return msg("class_report.eyes.limit", limit=result.sandbox.limit, exit=result.sandbox.exit)
    if result.sandbox.exit not in ("exit 0", "not run"):
        return msg("class_report.eyes.ended", exit=result.sandbox.exit)
    errors = [c.id for c in result.checks if c.status == "error"]
    if errors and len(errors) == len(result.checks):
        return msg("class_report.eyes.nothing_ran", cause=result.fix_first[0][:160] if result.fix_first else "-")
    if errors:
        return msg("class_report.eyes.some_errors", count=len(errors), checks=", ".join(errors))
    return None


class _Page:
    """Words of one page in the report's languages, HTML-escaped."""

    def __init__(self, setting: Language):
        self.setting = setting

    def say(self, text: Text) -> str:
        return html.escape(" / ".join(say(text, self.setting)))


STYLE = """body{font-family:"NanumGothic","Noto Sans CJK KR","Noto Sans KR",sans-serif;margin:2em;max-width:72em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
ul{margin:0;padding-left:1.2em}.ko{display:block}.en{display:block;color:#555;font-size:.92em}"""


def _shell(title: str, body: str) -> str:
    return (f"<!doctype html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<style>{STYLE}</style></head>\n<body><h1>{title}</h1>\n{body}</body></html>\n")


def _summary(page: _Page, results: list[SubmissionResult]) -> str:
    scores = [r.score for r in results]
    maximum = max((r.max_score for r in results), default=0.0)
    not_run = sum(r.sandbox.exit == "not run" for r in results)
    return page.say(msg("class_report.summary", count=len(results), mean=statistics.fmean(scores),
                        median=statistics.median(scores), maximum=maximum, not_run=not_run))


def render_assignment(results: list[SubmissionResult], title: str, setting: Language = "both") -> str:
    page, first = _Page(setting), languages(setting)[0]
    maximum = max((r.max_score for r in results), default=0.0)
    parts = [f'<p id="summary">{_summary(page, results)}</p>',
             plots.histogram([r.score for r in results], 0, maximum, plots.label(msg("class_report.plot.score")),
                             plots.label(STUDENTS))]
    items = item_analysis(results, first)
    rows = "".join(
        f"<tr id=\"item-{html.escape(item.id)}\"><td><code>{html.escape(item.id)}</code> {html.escape(item.title)}</td>"
        f"<td>{item.passed}</td><td>{item.failed}</td><td>{item.errors}</td><td>{item.not_passed_rate:.0%}</td><td><ul>"
        + "".join(f"<li>{count}× {code_spans(example if count == 1 else _grouped(example))}</li>"
                  for _, count, example in item.messages) + "</ul></td></tr>" for item in items)
    parts.append(f"<h2>{page.say(msg('class_report.items'))}</h2><table id=\"items\"><tr>"
                 + "".join(f"<th>{page.say(column)}</th>" for column in ITEM_COLUMNS) + f"</tr>{rows}</table>")
    parts += [_measured(page, item) for item in items if item.measured]
    eyes = [(r, why) for r in results if (why := needs_eyes(r))]
    parts.append(f"<h2>{page.say(msg('class_report.eyes', count=len(eyes)))}</h2><ul id=\"eyes\">"
                 + "".join(f"<li>{html.escape(r.student)}: {page.say(why)}</li>" for r, why in eyes) + "</ul>")
    parts.append(_similar(page, results))
    parts.append(_timing(page, results))
    students = "".join(
        f"<tr><td><a href=\"{html.escape(r.student)}/feedback.html\">{html.escape(r.student)}</a> "
        f"(<a href=\"{html.escape(r.student)}/feedback.md\">md</a>)</td><td class=\"score\">{r.score:g}</td>"
        f"<td>{r.duration_s:.1f} s</td><td>{html.escape(r.sandbox.tier)}</td>"
        f"<td>{html.escape(r.sandbox.device or '')}</td></tr>" for r in results)
    parts.append(f"<h2>{page.say(msg('class_report.students'))}</h2><table id=\"students\"><tr>"
                 + "".join(f"<th>{page.say(column)}</th>" for column in STUDENT_COLUMNS) + f"</tr>{students}</table>")
    return _shell(html.escape(title), "\n".join(parts))


ITEM_COLUMNS = (msg("class_report.column.check"), msg("class_report.column.passed"), msg("class_report.column.failed"),
                msg("class_report.column.error"), msg("class_report.column.not_passed"),
                msg("class_report.column.messages"))
STUDENT_COLUMNS = (msg("class_report.column.student"), msg("class_report.column.score"),
                   msg("class_report.column.time"), msg("class_report.column.tier"), msg("class_report.column.device"))
COURSE_COLUMNS = (msg("class_report.column.assignment"), msg("class_report.column.summary"),
                  msg("class_report.column.least_passed"))


def _measured(page: _Page, item: Item) -> str:
    values = item.measured
    below = sum(value < item.threshold for value in values) if item.threshold is not None else 0
    low, high = min(values + [item.threshold or values[0]]), max(values + [item.threshold or values[0]])
    plot = plots.histogram(values, low - 0.02, high + 0.02, plots.label(msg("class_report.plot.measured")),
                           plots.label(STUDENTS), item.threshold, plots.label(msg("class_report.plot.threshold")))
    summary = msg("class_report.measured.summary", count=len(values), low=min(values), median=statistics.median(values),
                  high=max(values), threshold=item.threshold if item.threshold is not None else "-", below=below)
    return (f"<h2 id=\"measured-{html.escape(item.id)}\">{page.say(msg('class_report.measured', check=item.id))}</h2>"
            f"<p>{page.say(summary)}</p>{plot}")


def _similar(page: _Page, results: list[SubmissionResult]) -> str:
    pairs = similarity.similar_pairs({r.student: r.code_prints for r in results})
    how = msg("class_report.similar.how", k=similarity.K, w=similarity.W, threshold=similarity.THRESHOLD,
              least=similarity.MIN_FINGERPRINTS)
    rows = "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td><td>{score:.0%}</td></tr>"
                   for a, b, score in pairs[:MOST_PAIRS])
    table = (f"<table id=\"similar\"><tr><th>A</th><th>B</th><th>Jaccard</th></tr>{rows}</table>" if pairs
             else f"<p id=\"similar\">{page.say(msg('class_report.similar.none'))}</p>")
    return f"<h2>{page.say(msg('class_report.similar', count=len(pairs)))}</h2><p>{page.say(how)}</p>{table}"


def _timing(page: _Page, results: list[SubmissionResult]) -> str:
    times = [r.duration_s for r in results]
    tiers = Counter(f"{r.sandbox.tier}, {r.sandbox.device or '-'}" for r in results)
    plot = plots.histogram(times, 0, max(times) * 1.05, plots.label(msg("class_report.plot.time")),
                           plots.label(STUDENTS))
    summary = msg("class_report.timing.summary", median=statistics.median(times), high=max(times), total=sum(times),
                  tiers=", ".join(f"{name}: {count}" for name, count in tiers.most_common()))
    return f"<h2>{page.say(msg('class_report.timing'))}</h2><p id=\"timing\">{page.say(summary)}</p>{plot}"


def render_course(assignments: dict[str, list[SubmissionResult]], titles: dict[str, str],
                  setting: Language = "both") -> str:
    """The course's page: one row per assignment, linking its report."""
    page, first = _Page(setting), languages(setting)[0]
    rows = []
    for name, results in assignments.items():
        worst = item_analysis(results, first)[0] if results else None
        rows.append(f"<tr><td><a href=\"{html.escape(name)}/report.html\">{html.escape(titles.get(name, name))}</a></td>"
                    f"<td>{_summary(page, results)}</td><td>{html.escape(f'{worst.id}: {worst.not_passed_rate:.0%}') if worst else ''}"
                    "</td></tr>")
    students = len({r.student for results in assignments.values() for r in results})
    head = "".join(f"<th>{page.say(column)}</th>" for column in COURSE_COLUMNS)
    body = (f"<p id=\"summary\">{page.say(msg('class_report.course.summary', students=students, count=len(assignments)))}</p>"
            f"<table id=\"assignments\"><tr>{head}</tr>{''.join(rows)}</table>")
    return _shell(page.say(msg("class_report.course.title")), body)


def write_assignment_report(folder: Path, results: list[SubmissionResult], title: str,
                            setting: Language = "both") -> Path:
    """`report.html` of one assignment's results folder; `title`: the assignment's."""
    path = folder / "report.html"
    write_atomic(path, render_assignment(results, f"{title}: " + " / ".join(say(msg("class_report.title"), setting)),
                                         setting))
    return path


def write_course_page(folder: Path, course: dict[str, list[SubmissionResult]], titles: dict[str, str],
                      setting: Language = "both") -> Path:
    """The course's `report.html`, linking each assignment's (in `folder/<assignment>/`)."""
    path = folder / "report.html"
    write_atomic(path, render_course(course, titles, setting))
    return path


def write_reports(folder: Path, titles: dict[str, str],
                  setting: Language = "both") -> dict[Path, list[SubmissionResult]]:
    """`report.html` in `folder` if it holds one assignment's results, else in each subfolder that
    does (a course's `results/<assignment>/`) and a course page in `folder`; `titles`: assignment
    name -> its title. Returns each page written with the results it shows (none: a course page)."""
    here = load_results(folder)
    found = {folder: here} if here else {p: rows for p in sorted(folder.iterdir()) if p.is_dir() and (rows := load_results(p))}
    written = {write_assignment_report(place, results, titles.get(results[0].assignment, results[0].assignment),
                                       setting): results for place, results in found.items()}
    if found and folder not in found:
        course = {results[0].assignment: results for results in found.values()}
        written[write_course_page(folder, course, titles, setting)] = []
    return written
