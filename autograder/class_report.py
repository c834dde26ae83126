"""The class report a TA looks at: `report.html` of one assignment's results (the course page that
links them is course_report.py; outputs.py writes both, with the gradebooks, from the results on
disk). Self-contained: plots are inline SVG (plots.py), no script, no network; everything students
can influence (messages, names, output) is HTML-escaped.

What it shows: the score distribution (mean, median, how many could not run); each check's
pass/fail/error counts across the class, the least passed first, with its most common messages in
the report's languages (item analysis: which lesson did not land; every number in a message is
replaced by `#`, so one mistake groups as one); for checks that measure something (an accuracy),
the measured values against the threshold; who needs a TA's eyes (a limit or crash, checks that
could not run, training at import), each line wholly in one language; similar submissions
(similarity.py: a hint, not a verdict); grading time, sandbox tier and device; each student's score
with a link to their feedback page. Its words are in the catalog (`class_report.po`) and in
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
from .catalog import SOURCE, Text, msg
from .feedback import Language, code_spans, languages, say
from .results import SubmissionResult, load_result, write_atomic
from .eyes import needs_eyes

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
    messages: list[tuple[str, int, tuple[str, ...]]]  # most common non-passing messages: grouped English
    # text, count, and an example in each language shown
    measured: list[float]
    threshold: float | None

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errors

    @property
    def not_passed_rate(self) -> float:
        return (self.failed + self.errors) / self.total if self.total else 0.0

    @property
    def passed_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def load_results(folder: Path) -> list[SubmissionResult]:
    """Every `<student>/result.json` under one assignment's results folder, by student."""
    found = []
    for path in sorted(folder.glob("*/result.json")):
        try:
            found.append(load_result(path))
        except (OSError, ValueError):
            continue
    return found


# A number as messages write one: signed, with a decimal part, thousands separators, an exponent or a
# percent sign; glued to letters or arrows too (`lr=0.1`, `784→100`, `fc2`), since the catalog's
# templates put values anywhere.
NUMBER = re.compile(r"[-+−]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][-+]?\d+)?%?")


def grouped(text: str) -> str:
    """A message with every number replaced by `#`: "accuracy 0.71" and "accuracy 0.69" are one
    mistake, and the item analysis should count them as one."""
    return NUMBER.sub("#", text)


def item_analysis(results: list[SubmissionResult], shown_in: tuple[str, ...] = (SOURCE,)) -> list[Item]:
    """Each check's outcomes across the class, the least passed first; messages grouped by their
    English words (the same in every language), each group with an example in every language of
    `shown_in`."""
    ids = list(dict.fromkeys(check.id for result in results for check in result.checks))
    views = [(result, [result.in_language(language) for language in shown_in]) for result in results]
    items = []
    for check_id in ids:
        found = [(c, tuple(view.checks[i] for view in shown)) for r, shown in views
                 for i, c in enumerate(r.checks) if c.id == check_id]
        status = Counter(c.status for c, _ in found)
        groups = Counter(grouped(c.message) for c, _ in found if c.status != "passed")
        example = {grouped(c.message): tuple(v.message for v in seen) for c, seen in found if c.status != "passed"}
        measured = [c.measured for c, _ in found if c.measured is not None]
        threshold = next((c.threshold for c, _ in found if c.threshold is not None), None)
        items.append(Item(check_id, found[0][1][0].title, status["passed"], status["failed"], status["error"],
                          [(text, count, example[text]) for text, count in groups.most_common(MOST_MESSAGES)],
                          measured, threshold))
    return sorted(items, key=lambda item: -item.not_passed_rate)


class Page:
    """Words of one page in the report's languages, HTML-escaped: `say` on one line ("ko / en", for
    headings and table heads), `lines` one language under the other (for sentences)."""

    def __init__(self, setting: Language):
        self.setting = setting
        self.languages = languages(setting)

    def say(self, text: Text) -> str:
        return html.escape(" / ".join(say(text, self.setting)))

    def lines(self, texts: list[str] | tuple[str, ...]) -> str:
        """Texts that are the same words in each language shown: the first in the line, the others
        dimmed under it (a text equal to another is shown once); `code` spans as code."""
        shown = list(dict.fromkeys(texts))
        return "".join(f'<span class="{"first" if i == 0 else "en"}">{code_spans(text)}</span>'
                       for i, text in enumerate(shown))

    def sentence(self, text: Text) -> str:
        """A catalog message as `lines`: for sentences, where "ko / en" on one line reads badly."""
        return self.lines(say(text, self.setting))


STYLE = """body{font-family:"NanumGothic","Noto Sans CJK KR","Noto Sans KR",sans-serif;margin:2em;max-width:72em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
ul{margin:0;padding-left:1.2em}li{margin-bottom:.3em}.en{display:block;color:#555;font-size:.92em}
td.score{text-align:right}"""


def shell(title: str, body: str) -> str:
    """A self-contained page: its style inline, no script, nothing from the network."""
    return (f"<!doctype html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<style>{STYLE}</style></head>\n<body><h1>{title}</h1>\n{body}</body></html>\n")


def summary(results: list[SubmissionResult]) -> Text:
    """Count, mean, median and how many could not run."""
    scores = [r.score for r in results]
    maximum = max((r.max_score for r in results), default=0.0)
    not_run = sum(r.sandbox.exit == "not run" for r in results)
    return msg("class_report.summary", count=len(results), mean=statistics.fmean(scores),
               median=statistics.median(scores), maximum=maximum, not_run=not_run)


def render_assignment(results: list[SubmissionResult], title: str, setting: Language = "both") -> str:
    page = Page(setting)
    maximum = max((r.max_score for r in results), default=0.0)
    parts = [f'<p id="summary">{page.say(summary(results))}</p>',
             plots.histogram([r.score for r in results], 0, maximum, plots.label(msg("class_report.plot.score")),
                             plots.label(STUDENTS))]
    items = item_analysis(results, page.languages)
    rows = "".join(
        f"<tr id=\"item-{html.escape(item.id)}\"><td><code>{html.escape(item.id)}</code> {html.escape(item.title)}</td>"
        f"<td>{item.passed}</td><td>{item.failed}</td><td>{item.errors}</td><td>{item.not_passed_rate:.0%}</td><td><ul>"
        + "".join(f"<li>{count}× {page.lines(examples if count == 1 else [grouped(e) for e in examples])}</li>"
                  for _, count, examples in item.messages) + "</ul></td></tr>" for item in items)
    parts.append(f"<h2>{page.say(msg('class_report.items'))}</h2><table id=\"items\"><tr>"
                 + "".join(f"<th>{page.say(column)}</th>" for column in ITEM_COLUMNS) + f"</tr>{rows}</table>")
    parts += [_measured(page, item) for item in items if item.measured]
    eyes = [(r, why) for r in results if (why := [needs_eyes(r, language) for language in page.languages])[0]]
    parts.append(f"<h2>{page.say(msg('class_report.eyes', count=len(eyes)))}</h2><ul id=\"eyes\">"
                 + "".join(f"<li><strong>{html.escape(r.student)}</strong>"
                           + "".join(f"<div>{page.lines([reasons[i] for reasons in why])}</div>" for i in range(len(why[0])))
                           + "</li>"
                           for r, why in eyes) + "</ul>")
    parts.append(_similar(page, results))
    parts.append(_timing(page, results))
    students = "".join(
        f"<tr><td><a href=\"{html.escape(r.student)}/feedback.html\">{html.escape(r.student)}</a> "
        f"(<a href=\"{html.escape(r.student)}/feedback.md\">md</a>)</td><td class=\"score\">{r.score:g}</td>"
        f"<td>{r.duration_s:.1f} s</td><td>{html.escape(r.sandbox.tier)}</td>"
        f"<td>{html.escape(r.sandbox.device or '')}</td></tr>" for r in results)
    parts.append(f"<h2>{page.say(msg('class_report.students'))}</h2><table id=\"students\"><tr>"
                 + "".join(f"<th>{page.say(column)}</th>" for column in STUDENT_COLUMNS) + f"</tr>{students}</table>")
    return shell(html.escape(title), "\n".join(parts))


ITEM_COLUMNS = (msg("class_report.column.check"), msg("class_report.column.passed"), msg("class_report.column.failed"),
                msg("class_report.column.error"), msg("class_report.column.not_passed"),
                msg("class_report.column.messages"))
STUDENT_COLUMNS = (msg("class_report.column.student"), msg("class_report.column.score"),
                   msg("class_report.column.time"), msg("class_report.column.tier"), msg("class_report.column.device"))


def _measured(page: Page, item: Item) -> str:
    values = item.measured
    below = sum(value < item.threshold for value in values) if item.threshold is not None else 0
    low, high = min(values + [item.threshold or values[0]]), max(values + [item.threshold or values[0]])
    plot = plots.histogram(values, low - 0.02, high + 0.02, plots.label(msg("class_report.plot.measured")),
                           plots.label(STUDENTS), item.threshold, plots.label(msg("class_report.plot.threshold")))
    text = msg("class_report.measured.summary", count=len(values), low=min(values), median=statistics.median(values),
               high=max(values), threshold=item.threshold if item.threshold is not None else "-", below=below)
    return (f"<h2 id=\"measured-{html.escape(item.id)}\">{page.say(msg('class_report.measured', check=item.id))}</h2>"
            f"<p>{page.say(text)}</p>{plot}")


def _similar(page: Page, results: list[SubmissionResult]) -> str:
    pairs = similarity.similar_pairs({r.student: r.code_prints for r in results})
    how = msg("class_report.similar.how", k=similarity.K, w=similarity.W, threshold=similarity.THRESHOLD,
              least=similarity.MIN_FINGERPRINTS)
    rows = "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td><td>{score:.0%}</td></tr>"
                   for a, b, score in pairs[:MOST_PAIRS])
    table = (f"<table id=\"similar\"><tr><th>A</th><th>B</th><th>Jaccard</th></tr>{rows}</table>" if pairs
             else f"<p id=\"similar\">{page.say(msg('class_report.similar.none'))}</p>")
    return f"<h2>{page.say(msg('class_report.similar', count=len(pairs)))}</h2><p>{page.say(how)}</p>{table}"


def _timing(page: Page, results: list[SubmissionResult]) -> str:
    times = [r.duration_s for r in results]
    tiers = Counter(f"{r.sandbox.tier}, {r.sandbox.device or '-'}" for r in results)
    plot = plots.histogram(times, 0, max(times) * 1.05, plots.label(msg("class_report.plot.time")),
                           plots.label(STUDENTS))
    text = msg("class_report.timing.summary", median=statistics.median(times), high=max(times), total=sum(times),
               tiers=", ".join(f"{name}: {count}" for name, count in tiers.most_common()))
    return f"<h2>{page.say(msg('class_report.timing'))}</h2><p id=\"timing\">{page.say(text)}</p>{plot}"


def write_assignment_report(folder: Path, results: list[SubmissionResult], title: str,
                            setting: Language = "both") -> Path:
    """`report.html` of one assignment's results folder; `title`: the assignment's."""
    path = folder / "report.html"
    write_atomic(path, render_assignment(results, f"{title}: " + " / ".join(say(msg("class_report.title"), setting)),
                                         setting))
    return path
