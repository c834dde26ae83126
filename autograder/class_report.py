"""The class report a TA looks at: `report.html` for one assignment's results, self-contained (the
score histogram is inline SVG drawn by matplotlib's Agg backend; no script, no network).

What it shows: the score distribution (mean, median, how many could not run), each check's
pass/fail/error rate across the class sorted by failure rate with its most common messages (item
analysis: which lesson did not land; numbers in messages are replaced by `#` so that one mistake
groups as one), the students who need a TA's eyes (errors, limits, sandbox kills), grading time,
tier and device, and a link to each student's feedback. Everything students can influence
(messages, names, output) is HTML-escaped.
"""

from __future__ import annotations

import html
import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .results import SubmissionResult, load_result

MOST_MESSAGES = 3


@dataclass(frozen=True)
class Item:
    """One check across the class."""

    id: str
    title: str
    passed: int
    failed: int
    errors: int
    messages: list[tuple[str, int]]  # the most common non-passing messages, numbers as `#`, with counts

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


def item_analysis(results: list[SubmissionResult]) -> list[Item]:
    """Each check's outcomes across the class, the least passed first."""
    ids = list(dict.fromkeys(check.id for result in results for check in result.checks))
    items = []
    for check_id in ids:
        checks = [c for r in results for c in r.checks if c.id == check_id]
        status = Counter(c.status for c in checks)
        messages = Counter(re.sub(r"\d+(\.\d+)?", "#", c.message) for c in checks if c.status != "passed")
        items.append(Item(check_id, checks[0].title, status["passed"], status["failed"], status["error"],
                          messages.most_common(MOST_MESSAGES)))
    return sorted(items, key=lambda item: -item.not_passed_rate)


def needs_eyes(result: SubmissionResult) -> str | None:
    """Why a TA should look at this submission, if they should."""
    if result.sandbox.limit:
        return f"stopped by the {result.sandbox.limit} limit ({result.sandbox.exit})"
    if result.sandbox.exit not in ("exit 0", "not run"):
        return f"ended: {result.sandbox.exit}"
    errors = [c.id for c in result.checks if c.status == "error"]
    if errors and len(errors) == len(result.checks):
        return "no check could run: " + (result.fix_first[0][:160] if result.fix_first else "see feedback")
    if errors:
        return f"{len(errors)} check(s) could not run: {', '.join(errors)}"
    return None


def histogram_svg(scores: list[float], maximum: float) -> str:
    """The score distribution as inline SVG (matplotlib, Agg), in English labels only."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(6, 2.6))
    axes.hist(scores, bins=10, range=(0, maximum or 1), color="#4c72b0", edgecolor="white")
    axes.set_xlabel("score")
    axes.set_ylabel("students")
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    pyplot.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def _e(text: object) -> str:
    return html.escape(str(text))


def render(results: list[SubmissionResult], title: str) -> str:
    scores = [r.score for r in results]
    maximum = max((r.max_score for r in results), default=0.0)
    not_run = sum(r.sandbox.exit == "not run" for r in results)
    summary = (f"{len(results)} submissions; mean {statistics.fmean(scores):.1f}, median {statistics.median(scores):g} "
               f"of {maximum:g}; {not_run} could not run" if results else "no results")
    rows = []
    for item in item_analysis(results):
        messages = "".join(f"<li>{count}× {_e(message)}</li>" for message, count in item.messages)
        rows.append(f"<tr><td><code>{_e(item.id)}</code> {_e(item.title)}</td><td>{item.passed}</td><td>{item.failed}</td>"
                    f"<td>{item.errors}</td><td>{item.not_passed_rate:.0%}</td><td><ul>{messages}</ul></td></tr>")
    eyes = [(r, why) for r in results if (why := needs_eyes(r))]
    students = "".join(
        f"<tr><td><a href=\"{_e(r.student)}/feedback.md\">{_e(r.student)}</a></td><td>{r.score:g}</td>"
        f"<td>{r.duration_s:.1f} s</td><td>{_e(r.sandbox.tier)}</td><td>{_e(r.sandbox.device or '')}</td></tr>"
        for r in results)
    return f"""<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{_e(title)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .5em;vertical-align:top}}ul{{margin:0;padding-left:1.2em}}</style></head>
<body><h1>{_e(title)}</h1>
<p id="summary">{_e(summary)}</p>
{histogram_svg(scores, maximum) if results else ""}
<h2>Checks, the least passed first</h2>
<table id="items"><tr><th>check</th><th>passed</th><th>failed</th><th>error</th><th>not passed</th>
<th>most common messages (numbers as #)</th></tr>{"".join(rows)}</table>
<h2>Needs a TA's eyes ({len(eyes)})</h2>
<ul id="eyes">{"".join(f"<li>{_e(r.student)}: {_e(why)}</li>" for r, why in eyes)}</ul>
<h2>Students</h2>
<table id="students"><tr><th>student (feedback)</th><th>score</th><th>grading time</th><th>tier</th><th>device</th></tr>
{students}</table></body></html>
"""


def write_reports(folder: Path, titles: dict[str, str]) -> list[Path]:
    """`report.html` in `folder` if it holds one assignment's results, else in each subfolder that
    does (a course's `results/<assignment>/`); `titles`: assignment name -> its title."""
    from .results import write_atomic

    places = [folder] if load_results(folder) else [p for p in sorted(folder.iterdir()) if p.is_dir() and load_results(p)]
    written = []
    for place in places:
        results = load_results(place)
        name = results[0].assignment
        write_atomic(place / "report.html", render(results, f"{titles.get(name, name)}: class report"))
        written.append(place / "report.html")
    return written
