"""Every file a TA reads that is derived from the results, rewritten from the `result.json` files on
disk: for an assignment's results folder `gradebook.csv`, `results_long.csv` and `report.html`; for a
course's results folder (`results/<assignment>/<student>/`) also `course_gradebook.csv`, the course's
`results_long.csv` and its course page.

Why from disk, every time: a command that writes results for some students (`--only kim`, one
assignment of a course) or none (`autograde report`) must still leave every file agreeing with
every other, and the results on disk are the one record all of them come from. Writing only what a
command graded left the course gradebook with kim's old score after `--only kim`, and the
gradebooks behind the report after `autograde report`.
"""

from __future__ import annotations

from pathlib import Path

from .class_report import load_results, write_assignment_report
from .config import Config
from .course_report import COURSE_GRADEBOOK, GRADEBOOK, LONG, write_course_page
from .report import course_gradebook_csv, gradebook_csv, long_csv
from .results import SubmissionResult, write_atomic


def _check_ids(config: Config, name: str, results: list[SubmissionResult]) -> list[str]:
    """The gradebook's check columns: the assignment's checks as configured, then any other check a
    result holds (graded before a check was switched off), so no score is left out."""
    configured = list(config.assignments[name].checks.enabled()) if name in config.assignments else []
    return list(dict.fromkeys([*configured, *(check.id for result in results for check in result.checks)]))


def write_assignment_files(folder: Path, results: list[SubmissionResult], config: Config, name: str) -> list[Path]:
    """An assignment's gradebook, long CSV and class report, from `results` (everyone in `folder`)."""
    title = config.assignments[name].title if name in config.assignments else name
    write_atomic(folder / GRADEBOOK, gradebook_csv(results, _check_ids(config, name, results)))
    write_atomic(folder / LONG, long_csv(results))
    report = write_assignment_report(folder, results, title, config.report.language)
    return [folder / GRADEBOOK, folder / LONG, report]


def rewrite_assignment(folder: Path, config: Config, name: str | None = None) -> list[SubmissionResult]:
    """Rewrite an assignment's files from the results in `folder` (of assignment `name`, when given:
    a results folder re-used for another assignment keeps the other's results out); its results."""
    results = [r for r in load_results(folder) if name is None or r.assignment == name]
    if results:
        write_assignment_files(folder, results, config, name or results[0].assignment)
    return results


def course_results(out: Path, config: Config) -> dict[str, list[SubmissionResult]]:
    """Each assignment subfolder of a course's results folder that holds results, in grader.toml's
    order (any other after, by name)."""
    found = {p.name: rows for p in sorted(out.iterdir()) if p.is_dir() and (rows := load_results(p))}
    order = [name for name in config.assignments if name in found] + [name for name in found
                                                                     if name not in config.assignments]
    return {name: found[name] for name in order}


def write_course_files(out: Path, course: dict[str, list[SubmissionResult]], config: Config) -> list[Path]:
    """The course's gradebook, long CSV and page, from every assignment's results."""
    known = config.assignments
    max_scores = {name: known[name].max_score if name in known else max(r.max_score for r in rows)
                  for name, rows in course.items()}
    bonus = frozenset(name for name in course if name in known and known[name].bonus)
    write_atomic(out / COURSE_GRADEBOOK, course_gradebook_csv(course, max_scores, bonus))
    write_atomic(out / LONG, long_csv([r for rows in course.values() for r in rows]))
    titles = {name: known[name].title for name in course if name in known}
    page = write_course_page(out, course, titles, config.report.language, bonus)
    return [out / COURSE_GRADEBOOK, out / LONG, page]


def rewrite_course(out: Path, config: Config) -> dict[str, list[SubmissionResult]]:
    """Rewrite the course's own files from every assignment subfolder's results on disk (not only
    those a command just graded); each assignment's results."""
    course = course_results(out, config)
    if course:
        write_course_files(out, course, config)
    return course


def rewrite_all(out: Path, config: Config) -> dict[Path, list[SubmissionResult]]:
    """Every derived file of a results folder, an assignment's or a course's (`autograde report`):
    each folder rewritten -> its results. Empty when `out` holds no results."""
    here = load_results(out)
    if here:
        write_assignment_files(out, here, config, here[0].assignment)
        return {out: here}
    course = course_results(out, config)
    for name, results in course.items():
        write_assignment_files(out / name, results, config, name)
    if course:
        write_course_files(out, course, config)
    return {out / name: results for name, results in course.items()}
