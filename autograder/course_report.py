"""The course page, `results/report.html` of a course's results folder: what a TA opens first after
`autograde course/ --out results/`. One row per assignment (its report, how the class did, its least
passed check, its spreadsheets), then one row per student (each assignment's total, linked to that
student's feedback page for it, and the course total as `course_gradebook.csv` counts it), and the
course's own spreadsheets. Every link is relative, into the same results folder, so the folder can
be moved or zipped as a whole. Self-contained like the class report (class_report.py): no script,
no network, the students' names escaped.
"""

from __future__ import annotations

import html
from pathlib import Path

from .catalog import msg
from .class_report import Page, item_analysis, shell, summary
from .feedback import Language, points
from .results import SubmissionResult, write_atomic

GRADEBOOK = "gradebook.csv"
LONG = "results_long.csv"
COURSE_GRADEBOOK = "course_gradebook.csv"
ASSIGNMENT_COLUMNS = (msg("class_report.column.assignment"), msg("class_report.column.summary"),
                      msg("class_report.column.least_passed"), msg("class_report.column.files"))


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def _assignments(page: Page, course: dict[str, list[SubmissionResult]], titles: dict[str, str]) -> str:
    rows = []
    for name, results in course.items():
        worst = item_analysis(results)[0] if results else None
        least = (page.sentence(msg("class_report.least_passed", check=worst.id, passed=worst.passed,
                                   total=worst.total, rate=worst.passed_rate)) if worst else "")
        files = f"{_link(f'{name}/{GRADEBOOK}', GRADEBOOK)}<br>{_link(f'{name}/{LONG}', LONG)}"
        rows.append(f"<tr id=\"assignment-{html.escape(name)}\"><td>{_link(f'{name}/report.html', titles.get(name, name))}"
                    f"</td><td>{page.sentence(summary(results))}</td><td class=\"least\">{least}</td><td>{files}</td></tr>")
    head = "".join(f"<th>{page.say(column)}</th>" for column in ASSIGNMENT_COLUMNS)
    return f"<table id=\"assignments\"><tr>{head}</tr>{''.join(rows)}</table>"


def _students(page: Page, course: dict[str, list[SubmissionResult]], bonus: frozenset[str]) -> str:
    """One row per student: each assignment's total linked to its feedback page (empty: nothing handed
    in), the course total and its maximum (bonus assignments apart), as course_gradebook.csv has them."""
    by = {(name, r.student): r for name, results in course.items() for r in results}
    maximum = {name: max((r.max_score for r in results), default=0.0) for name, results in course.items()}
    counted = [name for name in course if name not in bonus]
    extra = [name for name in course if name in bonus]
    head = (f"<th>{page.say(msg('class_report.column.name'))}</th>"
            + "".join(f"<th><code>{html.escape(name)}</code> ({points(maximum[name])})</th>" for name in course)
            + f"<th>{page.say(msg('class_report.column.total', maximum=sum(maximum[n] for n in counted)))}</th>"
            + (f"<th>{page.say(msg('class_report.column.bonus', maximum=sum(maximum[n] for n in extra)))}</th>"
               if extra else ""))
    rows = []
    for student in sorted({student for _, student in by}):
        cells = "".join(
            f"<td class=\"score\">{_link(f'{name}/{student}/feedback.html', points(by[name, student].score))}</td>"
            if (name, student) in by else "<td></td>" for name in course)
        total = sum(by[name, student].score for name in counted if (name, student) in by)
        bonus_cell = (f"<td class=\"score\">{points(sum(by[n, student].score for n in extra if (n, student) in by))}"
                      "</td>" if extra else "")
        rows.append(f"<tr><td>{html.escape(student)}</td>{cells}<td class=\"score\">{points(total)}</td>{bonus_cell}</tr>")
    return (f"<p>{page.sentence(msg('class_report.course.students_how'))}</p>"
            f"<table id=\"course-students\"><tr>{head}</tr>{''.join(rows)}</table>")


def render_course(course: dict[str, list[SubmissionResult]], titles: dict[str, str], setting: Language = "both",
                  bonus: frozenset[str] = frozenset()) -> str:
    """The course page: `course` maps each assignment (a subfolder of the results folder) to its
    results, `titles` an assignment to its title, `bonus` names the assignments apart from the total."""
    page = Page(setting)
    students = len({r.student for results in course.values() for r in results})
    files = (f"<li>{_link(COURSE_GRADEBOOK, COURSE_GRADEBOOK)}: {page.sentence(msg('class_report.course.gradebook'))}</li>"
             f"<li>{_link(LONG, LONG)}: {page.sentence(msg('class_report.course.long'))}</li>")
    body = (f"<p id=\"summary\">{page.say(msg('class_report.course.summary', students=students, count=len(course)))}"
            f"</p>{_assignments(page, course, titles)}"
            f"<h2>{page.say(msg('class_report.students'))}</h2>{_students(page, course, bonus)}"
            f"<h2>{page.say(msg('class_report.course.files'))}</h2><ul id=\"files\">{files}</ul>")
    return shell(page.say(msg("class_report.course.title")), body)


def write_course_page(folder: Path, course: dict[str, list[SubmissionResult]], titles: dict[str, str],
                      setting: Language = "both", bonus: frozenset[str] = frozenset()) -> Path:
    """The course's `report.html`, linking each assignment's (in `folder/<assignment>/`)."""
    path = folder / "report.html"
    write_atomic(path, render_course(course, titles, setting, bonus))
    return path
