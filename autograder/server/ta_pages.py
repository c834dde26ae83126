"""The TA's pages: the course gradebook over the roster, the live class report of an assignment,
one student's work with manual points, an extension and a re-grade, the exports and the audit log.
Every change is a form with the CSRF token, and is written to the audit log."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..feedback import feedback_html
from .api import CSV, Extend, Manual, Regrade, queue_regrade, set_extension, set_manual
from .context import check_csrf, db_session, page_user, server
from .exports import class_report, counting_results, gradebook, gradebook_csv, results_long
from .models import Audit, ManualPoints, Upload, User
from .policy import counting
from .views import page

router = APIRouter(prefix="/ta")


def _ta(request: Request, db: Session) -> User:
    user = page_user(request, db)
    if user is None or user.password_hash is None:
        raise HTTPException(303, headers={"Location": "/login"})
    if user.role != "ta":
        raise HTTPException(403, "for TAs only")
    return user


@router.get("", response_class=HTMLResponse)
def course(request: Request, db: Session = Depends(db_session)) -> Response:
    _ta(request, db)
    config = server(request).course.config
    return page(request, "ta.html", title="Gradebook", rows=gradebook(server(request), db),
                assignments=config.assignments)


@router.get("/report/{assignment}/", response_class=HTMLResponse)
def report(assignment: str, request: Request, db: Session = Depends(db_session)) -> Response:
    _ta(request, db)
    if assignment not in server(request).course.config.assignments:
        raise HTTPException(404, "no such assignment")
    body = class_report(server(request), db, assignment)
    return HTMLResponse(body.replace("<body>", '<body><p><a id="back" href="/ta">← gradebook</a></p>', 1))


@router.get("/report/{assignment}/{login}/feedback.html", response_class=HTMLResponse)
def report_feedback(assignment: str, login: str, request: Request, db: Session = Depends(db_session)) -> Response:
    """The class report's links: the feedback of the student's counting submission."""
    _ta(request, db)
    results = [r for r in counting_results(server(request), db, assignment) if r.student == login]
    if not results:
        raise HTTPException(404, "no graded submission")
    return HTMLResponse(feedback_html(results[0], server(request).course.config.report.language))


@router.get("/report/{assignment}/{login}/feedback.md")
def report_markdown(assignment: str, login: str) -> Response:
    return RedirectResponse(f"/ta/report/{assignment}/{login}/feedback.html", 303)


@router.get("/student/{login}", response_class=HTMLResponse)
def student(login: str, request: Request, db: Session = Depends(db_session)) -> Response:
    _ta(request, db)
    user = db.scalar(select(User).where(User.login == login, User.role == "student"))
    if user is None:
        raise HTTPException(404, "no such student")
    config = server(request).course.config
    work = []
    for name in config.assignments:
        standing = counting(db, config.policy(name), user.id, name)
        uploads = list(db.scalars(select(Upload).where(Upload.user_id == user.id, Upload.assignment == name)
                                  .order_by(Upload.id.desc())))
        trail = list(db.scalars(select(ManualPoints).where(ManualPoints.user_id == user.id,
                                                           ManualPoints.assignment == name).order_by(ManualPoints.id)))
        work.append({"name": name, "standing": standing, "uploads": uploads, "trail": trail})
    return page(request, "ta_student.html", title=user.name, student=user, work=work)


@router.post("/manual")
def manual(request: Request, student: str = Form(), assignment: str = Form(), points: float = Form(),
           comment: str = Form(max_length=2000), csrf: str = Form(""), db: Session = Depends(db_session)) -> Response:
    check_csrf(request, csrf)
    set_manual(db, _ta(request, db), Manual(student=student, assignment=assignment, points=points, comment=comment))
    return RedirectResponse(f"/ta/student/{student}", 303)


@router.post("/extension")
def extension(request: Request, student: str = Form(), assignment: str = Form(), until: str = Form(),
              csrf: str = Form(""), db: Session = Depends(db_session)) -> Response:
    check_csrf(request, csrf)
    try:
        moment = datetime.fromisoformat(until)
    except ValueError:
        raise HTTPException(422, "until: a date and time with its zone, e.g. 2025-05-09T23:59+09:00") from None
    set_extension(db, _ta(request, db), Extend(student=student, assignment=assignment, until=moment))
    return RedirectResponse(f"/ta/student/{student}", 303)


@router.post("/regrade")
def regrade(request: Request, assignment: str = Form(), student: str = Form(""), csrf: str = Form(""),
            db: Session = Depends(db_session)) -> Response:
    check_csrf(request, csrf)
    queue_regrade(request, db, _ta(request, db), Regrade(assignment=assignment, student=student or None))
    return RedirectResponse(f"/ta/student/{student}" if student else "/ta", 303)


@router.get("/gradebook.csv")
def gradebook_file(request: Request, db: Session = Depends(db_session)) -> Response:
    _ta(request, db)
    return Response(gradebook_csv(server(request), db), media_type=CSV,
                    headers={"Content-Disposition": 'attachment; filename="gradebook.csv"'})


@router.get("/results_long.csv")
def long_file(request: Request, db: Session = Depends(db_session)) -> Response:
    _ta(request, db)
    return Response(results_long(server(request), db), media_type=CSV,
                    headers={"Content-Disposition": 'attachment; filename="results_long.csv"'})


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request, db: Session = Depends(db_session)) -> Response:
    _ta(request, db)
    return page(request, "audit.html", title="Audit",
                events=list(db.scalars(select(Audit).order_by(Audit.id.desc()).limit(500))))
