"""What one student reads, in the course's languages: `feedback.md`, `feedback.html` and the
terminal table of `autograde check`.

A result holds its words in English plus a translation per catalog language (`results.Texts`); a
feedback page shows them in the language `[report] language` names: `ko`, `en`, or `both` (Korean
first, the English under it, for a Korean course whose students also read English documentation).
The page's own words (headings, "Score") come from the catalog too (`catalog/*/feedback.po`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from .catalog import Text, msg, render
from .results import SubmissionResult, write_atomic
from .untrusted_text import fence, for_terminal, markdown_inline

Language = Literal["ko", "en", "both"]
STATUS = {"passed": msg("feedback.status.passed"), "failed": msg("feedback.status.failed"),
          "error": msg("feedback.status.error")}
COLUMNS = (msg("feedback.column.check"), msg("feedback.column.result"), msg("feedback.column.points"),
           msg("feedback.column.saw"))


def languages(setting: Language) -> tuple[str, ...]:
    """The catalog languages a setting shows, in the order shown."""
    return ("ko", "en") if setting == "both" else (setting,)


def say(text: Text, setting: Language) -> list[str]:
    """A message in every language a setting shows, each distinct text once."""
    return list(dict.fromkeys(render(text, language) for language in languages(setting)))


def points(value: float) -> str:
    return f"{value:g}"


class Words:
    """One result's words in every language a page shows, each text once when two languages agree."""

    def __init__(self, result: SubmissionResult, setting: Language):
        self.setting, self.languages = setting, languages(setting)
        self.views = [result.in_language(language) for language in self.languages]
        self.result = result

    def say(self, text: Text) -> list[str]:
        return say(text, self.setting)

    def section(self, field: str) -> list[list[str]]:
        """A list of the result (`fix_first`, `warnings`, `notes`): each item in every language."""
        return [list(dict.fromkeys(items)) for items in zip(*(getattr(view, field) for view in self.views))]

    def check(self, index: int, field: str) -> list[str]:
        return list(dict.fromkeys(getattr(view.checks[index], field) for view in self.views))

    def sections(self) -> list[tuple[list[str], list[list[str]]]]:
        """The lists before the table: causes that stopped several checks, warnings from the source,
        notes about the files handed in; only those that have items."""
        titles = {"fix_first": msg("feedback.fix_first"), "warnings": msg("feedback.warnings"),
                  "notes": msg("feedback.notes")}
        return [(self.say(title), self.section(field)) for field, title in titles.items() if self.section(field)]

    def header(self) -> list[list[str]]:
        r, sandbox = self.result, self.result.sandbox
        return [self.say(msg("feedback.score", score=points(r.score), max_score=points(r.max_score))),
                self.say(msg("feedback.graded", submission=r.submission, duration=r.duration_s, tier=sandbox.tier,
                             device=sandbox.device or msg("feedback.no_device"), cpu=sandbox.cpu_s,
                             cpu_limit=sandbox.cpu_limit_s))]


def _md(text: str) -> str:
    """A table cell: one line, no raw HTML, and a `|` that does not end the cell."""
    return markdown_inline(text).replace("|", "\\|")


def feedback_markdown(result: SubmissionResult, setting: Language = "both") -> str:
    words = Words(result, setting)
    score, graded = words.header()
    lines = ["# " + " / ".join(words.say(msg("feedback.title", student=result.student, assignment=result.assignment))),
             "", "**" + " / ".join(score) + "**  ", "  \n".join(map(markdown_inline, graded)), ""]
    for title, items in words.sections():  # notes name the student's files: their text, one line each
        lines += ["## " + " / ".join(title), "",
                  *("- " + "  \n  ".join(map(markdown_inline, item)) for item in items), ""]
    columns = [" / ".join(words.say(column)) for column in COLUMNS]
    lines += ["| " + " | ".join(columns) + " |", "| --- | --- | --- | --- |"]
    for index, check in enumerate(result.checks):
        title = "<br>".join(_md(t) for t in words.check(index, "title"))
        message = "<br>".join(_md(m) for m in words.check(index, "message"))
        lines.append(f"| `{check.id}`: {title} | {' / '.join(words.say(STATUS[check.status]))} | "
                     f"{points(check.score)}/{points(check.max_score)} | {message} |")
    if result.output:
        lines += ["", "## " + " / ".join(words.say(msg("feedback.printed"))), "",
                  "  \n".join(words.say(msg("feedback.printed.why"))), "", fence(result.output.rstrip())]
    lines += ["", "  \n".join(words.say(msg("feedback.check_before"))), ""]
    return "\n".join(lines)


STYLE = """body{font-family:"NanumGothic","Noto Sans CJK KR","Noto Sans KR",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.5}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;
padding:.4rem;vertical-align:top;text-align:left}.en{color:#555;font-size:.92em}.passed{color:#1a7f37}
.failed{color:#b35900}.error{color:#c62828}pre{background:#f6f6f6;padding:.6rem;overflow-x:auto}code{font-size:.95em}"""


def code_spans(text: str) -> str:
    """Escaped text with the messages' `code` spans as <code> (the catalog writes code in backticks)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _both(texts: list[str], tag: str = "div") -> str:
    """Texts in the languages shown: the first as is, the others (English under Korean) dimmed."""
    return "".join(f'<{tag} class="{"" if i == 0 else "en"}">{code_spans(text)}</{tag}>' for i, text in enumerate(texts))


def feedback_html(result: SubmissionResult, setting: Language = "both") -> str:
    """The same page as `feedback_markdown`, self-contained (no script, no network) for a browser."""
    words = Words(result, setting)
    score, graded = words.header()
    title = " / ".join(words.say(msg("feedback.title", student=result.student, assignment=result.assignment)))
    parts = [f"<!DOCTYPE html><html lang=\"{words.languages[0]}\"><head><meta charset=\"utf-8\">",
             f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>", f"<p id=\"score\"><strong>{html.escape(' / '.join(score))}</strong></p>",
             _both(graded)]
    for heading, items in words.sections():
        parts.append(f"<h2>{html.escape(' / '.join(heading))}</h2><ul>"
                     + "".join(f"<li>{_both(item)}</li>" for item in items) + "</ul>")
    columns = "".join(f"<th>{html.escape(' / '.join(words.say(column)))}</th>" for column in COLUMNS)
    rows = "".join(
        f"<tr id=\"check-{html.escape(check.id)}\"><td><code>{html.escape(check.id)}</code>"
        f"{_both(words.check(index, 'title'))}</td>"
        f"<td class=\"{check.status}\">{html.escape(' / '.join(words.say(STATUS[check.status])))}</td>"
        f"<td class=\"points\">{points(check.score)}/{points(check.max_score)}</td>"
        f"<td>{_both(words.check(index, 'message'))}</td></tr>" for index, check in enumerate(result.checks))
    parts.append(f"<table><thead><tr>{columns}</tr></thead><tbody>{rows}</tbody></table>")
    if result.output:
        parts.append(f"<h2>{html.escape(' / '.join(words.say(msg('feedback.printed'))))}</h2>"
                     f"{_both(words.say(msg('feedback.printed.why')), 'p')}"
                     f"<pre>{html.escape(result.output.rstrip())}</pre>")
    parts.append(f"<footer>{_both(words.say(msg('feedback.check_before')), 'p')}</footer></body></html>")
    return "\n".join(parts) + "\n"


def check_line(result: SubmissionResult, check_id: str, setting: Language = "both") -> str | None:
    """One check alone, as a notebook's test cell shows it (nbgrader): its cause in place of a pointer
    to a "Fix this first" the cell does not have. None for a check the result lacks."""
    index = next((i for i, c in enumerate(result.checks) if c.id == check_id), None)
    if index is None:
        return None
    words, check = Words(result, setting), result.checks[index]
    texts = "\n".join(dict.fromkeys(view.checks[index].standalone_message for view in words.views))
    return (f"{' / '.join(words.say(STATUS[check.status]))} {check.id} ({points(check.score)}/"
            f"{points(check.max_score)}): {texts}")


def write_feedback(folder: Path, result: SubmissionResult, setting: Language) -> None:
    """A student's feedback pages, each written atomically."""
    write_atomic(folder / "feedback.md", feedback_markdown(result, setting))
    write_atomic(folder / "feedback.html", feedback_html(result, setting))


def _columns(text: str) -> int:
    """Terminal columns: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def fill(text: str, width: int, first: str, rest: str) -> str:
    """`textwrap.fill` by terminal columns rather than characters, so Korean lines are as wide as
    English ones; `first` and `rest` prefix the first and the following lines. Lines break between
    words only: a word longer than a line keeps a line of its own rather than being cut."""
    lines, prefix, words = [], first, []
    for word in text.split():
        if words and _columns(prefix + " ".join([*words, word])) > width:
            lines.append(prefix + " ".join(words))
            prefix, words = rest, []
        words.append(word)
    lines.append(prefix + " ".join(words))
    return "\n".join(lines)


def _padded(text: str, width: int) -> str:
    return text + " " * max(0, width - _columns(text))


def _printed(output: str, tail: int | None, cut: Callable[[int], Text] | None, words: Words) -> list[str]:
    """What the student's code printed: all of it, or its last `tail` lines after a line that says
    how many were left out and where they are (`cut(count)`), so the verdicts stay on screen."""
    lines = output.rstrip().splitlines()
    if tail is None or len(lines) <= tail:
        return lines
    hidden = len(lines) - tail
    note = [f"[... {text}]" for text in words.say(cut(hidden))] if cut else [f"[... {hidden}]"]
    return [*note, *lines[-tail:]]


def console_table(result: SubmissionResult, setting: Language = "both", width: int = 100, *,
                  skip: tuple[str, ...] = (), by_hand: Text | None = None, tail: int | None = None,
                  cut: Callable[[int], Text] | None = None) -> str:
    """What `autograde check` and `autograde show` print: the score, the lists, one block per check,
    then what the student's code printed; safe for a terminal (`for_terminal`), since all of it may
    hold the student's text. `skip` leaves out lists already shown (check prints the warnings
    before grading), `by_hand` says which points a TA grades by hand, and `tail` keeps only the last
    lines of the printed output (`cut(count)` says where the rest is)."""
    words = Words(result, setting)
    lines = [f"{result.submission}: " + " / ".join(words.say(msg("feedback.console.score", score=points(result.score),
                                                                 max_score=points(result.max_score))))]
    if by_hand is not None:
        lines += [fill(text, width, "  ", "  ") for text in words.say(by_hand)]
    lines.append("")
    titles = {"fix_first": msg("feedback.fix_first"), "warnings": msg("feedback.warnings"), "notes": msg("feedback.notes")}
    for field, title in titles.items():
        items = words.section(field) if field not in skip else []
        if not items:
            continue
        lines.append(" / ".join(words.say(title)))
        for item in items:
            for number, text in enumerate(item):
                lines.append(fill(text, width, "- " if number == 0 else "  ", "  "))
        lines.append("")
    for index, check in enumerate(result.checks):
        mark = " / ".join(words.say(STATUS[check.status]))
        head = f"  {_padded(mark, 5)} {check.id:<16} {points(check.score):>3}/{points(check.max_score):<3} "
        lines.append(fill(" / ".join(words.check(index, "title")), width, head, " " * 8))
        for text in words.check(index, "message"):
            lines.append(fill(text, width, " " * 8, " " * 8))
    if result.output:
        lines += ["", " / ".join(words.say(msg("feedback.printed"))) + ":",
                  *(fill(text, width, "  ", "  ") for text in words.say(msg("feedback.printed.why"))),
                  *_printed(result.output, tail, cut, words)]
    return for_terminal("\n".join(lines))
