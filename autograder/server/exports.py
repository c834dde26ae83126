"""The TA's views over the roster, built from the database and the results on disk: the course
gradebook (every student, zeros for nothing handed in), the LMS CSV, results_long.csv, and the
class report of one assignment fed with each student's counting submission."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..class_report import render_assignment
from ..report import excel_csv, long_csv
from ..results import SubmissionResult, load_result
from .context import Server
from .models import User
from .policy import Standing, counting


@dataclass
class Row:
    student: User
    standings: dict[str, Standing]


def roster(db: Session) -> list[User]:
    return list(db.scalars(select(User).where(User.role == "student").order_by(User.login)))


def gradebook(server: Server, db: Session) -> list[Row]:
    """One row per student of the roster, one standing per assignment."""
    config = server.course.config
    return [Row(student, {name: counting(db, config.policy(name), student.id, name) for name in config.assignments})
            for student in roster(db)]


def _points(value: float) -> str:
    return f"{round(value, 2):g}"


def gradebook_csv(server: Server, db: Session) -> str:
    """The LMS layout (docs/server.md): student_number, name, one column per assignment headed
    `<assignment> [<max points>]`, then the total of the non-bonus ones. A student with nothing
    handed in has 0; every cell is a number, as LMS imports need."""
    config = server.course.config
    names = list(config.assignments)
    header = ["student_number", "name"] + [f"{name} [{_points(config.assignments[name].max_score)}]" for name in names]
    rows = []
    for row in gradebook(server, db):
        totals = [row.standings[name].total or 0.0 for name in names]
        course = sum(total for name, total in zip(names, totals) if not config.assignments[name].bonus)
        rows.append([row.student.login, row.student.name, *map(_points, totals), _points(course)])
    return excel_csv(header + ["total"], rows)


def counting_results(server: Server, db: Session, assignment: str) -> list[SubmissionResult]:
    """The result of each student's counting submission, named by student number."""
    results = []
    policy = server.course.config.policy(assignment)
    for student in roster(db):
        upload = counting(db, policy, student.id, assignment).upload
        if upload is not None and upload.result:
            result = load_result(server.store.root / upload.result)
            results.append(result.model_copy(update={"student": student.login}))
    return results


def results_long(server: Server, db: Session) -> str:
    return long_csv([r for name in server.course.config.assignments for r in counting_results(server, db, name)])


def class_report(server: Server, db: Session, assignment: str) -> str:
    config = server.course.config
    return render_assignment(counting_results(server, db, assignment), config.assignments[assignment].title,
                             config.report.language)
