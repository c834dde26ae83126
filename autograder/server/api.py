"""The JSON API (docs/server.md), for scripts and the pages' tests. Every call but POST /api/token
takes `Authorization: Bearer TOKEN`; a student's call never sees another student's work."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..catalog import render
from .auth import audit, check_login, new_token
from .context import api_user, db_session, server
from .exports import gradebook_csv, results_long
from .models import Extension, ManualPoints, Upload, User
from .policy import counting, deadline
from .storage import Rejected
from .pages import feedback_page
from .submit import accept, describe, visible

router = APIRouter(prefix="/api")
CSV = "text/csv; charset=utf-8"


class Credentials(BaseModel):
    user: str = Field(max_length=100)
    password: str = Field(max_length=200)


def rejected(exc: Rejected) -> JSONResponse:
    return JSONResponse({"error": render(exc.message, "en"), "error_ko": render(exc.message, "ko")}, exc.status)


def ta(user: User) -> User:
    if user.role != "ta":
        raise HTTPException(403, "for TAs only")
    return user


@router.post("/token")
def token(body: Credentials, request: Request, db: Session = Depends(db_session)) -> dict[str, object]:
    """A bearer token for the password or the one-time code; `must_set_password` after a code."""
    address = request.client.host if request.client else "?"
    if not server(request).logins.allow(f"{address}|{body.user}"):
        raise HTTPException(429, "too many login attempts: wait five minutes")
    user, by_code = check_login(db, body.user, body.password)
    if user is None:
        raise HTTPException(401, "wrong user or password")
    value = new_token(db, user)
    db.commit()
    return {"token": value, "role": user.role, "must_set_password": by_code or user.password_hash is None}


@router.get("/assignments")
def assignments(request: Request, db: Session = Depends(db_session)) -> list[dict[str, object]]:
    user = api_user(request, db)
    config = server(request).course.config
    return [{"name": name, "title": a.title, "max_score": a.max_score,
             "deadline": due.isoformat() if (due := deadline(db, config.policy(name), user.id, name)) else None}
            for name, a in config.assignments.items()]


@router.post("/assignments/{assignment}/submissions", status_code=202)
def submit(assignment: str, request: Request, file: UploadFile = File(...),
           db: Session = Depends(db_session)) -> object:
    user = api_user(request, db)
    try:
        row = accept(server(request), db, user, assignment, file)
    except Rejected as exc:
        return rejected(exc)
    return {"id": row.id, "status": row.status}


def _own(request: Request, db: Session, submission: int) -> Upload:
    row = db.get(Upload, submission)
    if not visible(api_user(request, db), row):
        raise HTTPException(404, "no such submission")  # the same answer whether it exists or not
    return row  # type: ignore[return-value]


@router.get("/submissions/{submission}")
def status(submission: int, request: Request, db: Session = Depends(db_session)) -> dict[str, object]:
    return describe(server(request), db, _own(request, db, submission))


@router.get("/submissions/{submission}/feedback", response_class=HTMLResponse)
def feedback(submission: int, request: Request, db: Session = Depends(db_session)) -> Response:
    row = _own(request, db, submission)
    if row.status != "done" or not row.result:
        raise HTTPException(409, f"not graded yet ({row.status})")
    return HTMLResponse(feedback_page(request, db, row))


@router.get("/gradebook.csv")
def gradebook(request: Request, db: Session = Depends(db_session)) -> Response:
    ta(api_user(request, db))
    return Response(gradebook_csv(server(request), db), media_type=CSV)


@router.get("/results_long.csv")
def long(request: Request, db: Session = Depends(db_session)) -> Response:
    ta(api_user(request, db))
    return Response(results_long(server(request), db), media_type=CSV)


class Manual(BaseModel):
    student: str
    assignment: str
    points: float = Field(ge=-1000, le=1000)
    comment: str = Field(min_length=1, max_length=2000)


def _student(db: Session, login: str) -> User:
    user = db.scalar(select(User).where(User.login == login, User.role == "student"))
    if user is None:
        raise HTTPException(404, f"no student {login!r}")
    return user


def set_manual(db: Session, by: User, body: Manual) -> None:
    """Record manual points (the latest row is in force; the older ones are the trail)."""
    student = _student(db, body.student)
    db.add(ManualPoints(user_id=student.id, assignment=body.assignment, points=body.points, comment=body.comment,
                        by_id=by.id))
    audit(db, by.login, "manual_points", f"{body.student} {body.assignment} {body.points:g}: {body.comment}")
    db.commit()


@router.post("/manual")
def manual(body: Manual, request: Request, db: Session = Depends(db_session)) -> dict[str, str]:
    set_manual(db, ta(api_user(request, db)), body)
    return {"status": "recorded"}


class Regrade(BaseModel):
    assignment: str
    student: str | None = None  # None: everyone's counting submission


def queue_regrade(request: Request, db: Session, by: User, body: Regrade) -> int:
    """Queue the counting submissions again (one student's or all); how many. An unchanged
    grader and configuration re-use their results (the cache); a changed threshold grades afresh."""
    policy = server(request).course.config.policy(body.assignment)
    students = [_student(db, body.student)] if body.student else list(
        db.scalars(select(User).where(User.role == "student")))
    ids = [s.upload.id for user in students if (s := counting(db, policy, user.id, body.assignment)).upload]
    if ids:
        db.execute(update(Upload).where(Upload.id.in_(ids), Upload.status.in_(("done", "error")))
                   .values(status="queued"))
    audit(db, by.login, "regrade", f"{body.assignment} {body.student or 'all'}: {len(ids)}")
    db.commit()
    return len(ids)


@router.post("/regrade")
def regrade(body: Regrade, request: Request, db: Session = Depends(db_session)) -> dict[str, int]:
    return {"queued": queue_regrade(request, db, ta(api_user(request, db)), body)}


class Extend(BaseModel):
    student: str
    assignment: str
    until: datetime


def set_extension(db: Session, by: User, body: Extend) -> None:
    if body.until.utcoffset() is None:
        raise HTTPException(422, "until needs its time zone, e.g. 2025-05-09T23:59:00+09:00")
    student = _student(db, body.student)
    db.add(Extension(user_id=student.id, assignment=body.assignment, until=body.until, by_id=by.id))
    audit(db, by.login, "extension", f"{body.student} {body.assignment} until {body.until.isoformat()}")
    db.commit()


@router.post("/extensions")
def extension(body: Extend, request: Request, db: Session = Depends(db_session)) -> dict[str, str]:
    set_extension(db, ta(api_user(request, db)), body)
    return {"status": "recorded"}
