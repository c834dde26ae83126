"""The pages everyone uses: login with the one-time code, setting a password, the assignments, an
assignment's page (deadline, downloads, upload, history) and a submission's feedback."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog import msg, render
from ..feedback import feedback_html, languages
from ..results import load_result
from .auth import check_login, set_password
from .context import check_csrf, db_session, page_user, server
from .models import Upload, User
from .policy import counting, days_late, deadline, penalised
from .storage import Rejected
from .submit import accept, local, shown_zone, visible
from .views import page
from .words import say

router = APIRouter()


def _said(request: Request, text: object) -> str:
    return " / ".join(render(text, language) for language in languages(server(request).course.config.report.language))


def _user(request: Request, db: Session) -> User:
    user = page_user(request, db)
    if user is None:
        raise HTTPException(303, headers={"Location": "/login"})
    if user.password_hash is None:
        raise HTTPException(303, headers={"Location": "/password"})
    return user


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return page(request, "login.html", title="Login")


@router.post("/login")
def login(request: Request, user: str = Form(max_length=100), password: str = Form(max_length=200),
          csrf: str = Form(""), db: Session = Depends(db_session)) -> Response:
    check_csrf(request, csrf)
    address = request.client.host if request.client else "?"
    if not server(request).logins.allow(f"{address}|{user}"):
        return page(request, "login.html", 429, title="Login", error=_said(request, msg("server.login.limited")))
    found, by_code = check_login(db, user, password)
    db.commit()
    if found is None:
        return page(request, "login.html", 401, title="Login", error=_said(request, msg("server.login.failed")))
    request.session.clear()  # a fresh session at login: no fixation
    request.session["user"] = found.id
    return RedirectResponse("/password" if by_code or found.password_hash is None else "/", 303)


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request) -> Response:
    return page(request, "password.html", title="Password")


@router.post("/password")
def password(request: Request, password: str = Form(max_length=200), csrf: str = Form(""),
             db: Session = Depends(db_session)) -> Response:
    check_csrf(request, csrf)
    user = page_user(request, db)
    if user is None:
        return RedirectResponse("/login", 303)
    if not set_password(db, user, password):
        return page(request, "password.html", 400, title="Password",
                    error=_said(request, msg("server.password.short", minimum=8)))
    db.commit()
    return RedirectResponse("/", 303)


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/login", 303)


def _when(request: Request, assignment: str, moment: object) -> str:
    return local(moment, shown_zone(server(request), assignment)).strftime("%Y-%m-%d %H:%M %Z")  # type: ignore[arg-type]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: Session = Depends(db_session)) -> Response:
    user = _user(request, db)
    config = server(request).course.config
    rows = []
    for name, assignment in config.assignments.items():
        policy = config.policy(name)
        due = deadline(db, policy, user.id, name)
        total = counting(db, policy, user.id, name).total
        rows.append({"name": name, "title": assignment.title, "deadline": _when(request, name, due) if due else None,
                     "total": None if total is None else f"{total:g}", "max": f"{assignment.max_score:g}"})
    return page(request, "home.html", title="Assignments", rows=rows)


def _assignment(request: Request, name: str):  # type: ignore[no-untyped-def]
    config = server(request).course.config
    if name not in config.assignments:
        raise HTTPException(404, "no such assignment")
    return config.assignments[name]


def assignment_page(request: Request, db: Session, user: User, name: str, error: str = "",
                    status_code: int = 200) -> Response:
    assignment = _assignment(request, name)
    policy = server(request).course.config.policy(name)
    due = deadline(db, policy, user.id, name)
    standing = counting(db, policy, user.id, name)
    history = [{"id": row.id, "uploaded": _when(request, name, row.uploaded_at), "filename": row.filename,
                "status": row.status, "score": None if row.score is None else f"{row.score:g}",
                "max": f"{row.max_score or assignment.max_score:g}",
                "late": _said(request, msg("server.late_days", days=late)) if (late := days_late(row.uploaded_at, due)) else "",
                "counts": standing.upload is not None and standing.upload.id == row.id}
               for row in db.scalars(select(Upload).where(Upload.user_id == user.id, Upload.assignment == name)
                                     .order_by(Upload.id.desc()))]
    rules = say(server(request).course.config, msg(
        "server.rules", counts=msg("server.counts.best" if policy.counts == "best" else "server.counts.last"),
        per_day=f"{policy.late_penalty_per_day:.0%}", cap=f"{policy.late_penalty_max:.0%}",
        limit=policy.graded_per_window or "∞", minutes=f"{policy.window_minutes:g}"))
    return page(request, "assignment.html", status_code, title=assignment.title, name=name,
                module=assignment.module_name, notebook=assignment.notebook is not None,
                deadline=_when(request, name, due) if due else None, history=history, error=error, rules=rules)


@router.get("/a/{name}", response_class=HTMLResponse)
def assignment(name: str, request: Request, db: Session = Depends(db_session)) -> Response:
    return assignment_page(request, db, _user(request, db), name)


@router.get("/a/{name}/{kind}")
def download(name: str, kind: str, request: Request, db: Session = Depends(db_session)) -> Response:
    """The skeleton or the released notebook: never the reference, never the hidden data."""
    _user(request, db)
    assignment = _assignment(request, name)
    if kind == "skeleton":
        path = server(request).file(assignment.skeleton)
    elif kind == "notebook" and assignment.notebook is not None:
        path = server(request).file(assignment.notebook.release)
    else:
        raise HTTPException(404, "no such file")
    return FileResponse(path, filename=path.name)


@router.post("/a/{name}/upload")
def upload(name: str, request: Request, file: UploadFile = File(...), csrf: str = Form(""),
           db: Session = Depends(db_session)) -> Response:
    check_csrf(request, csrf)
    user = _user(request, db)
    try:
        row = accept(server(request), db, user, name, file)
    except Rejected as exc:
        return assignment_page(request, db, user, name, _said(request, exc.message), exc.status)
    return RedirectResponse(f"/s/{row.id}", 303)


@router.get("/s/{submission}", response_class=HTMLResponse)
def submission(submission: int, request: Request, db: Session = Depends(db_session)) -> Response:
    """The feedback page once graded (the same page as feedback.html); until then a page that
    reloads itself every two seconds (no script needed)."""
    user = _user(request, db)
    row = db.get(Upload, submission)
    if not visible(user, row) or row is None:
        raise HTTPException(404, "no such submission")
    if row.status != "done" or not row.result:
        return page(request, "pending.html", title=f"#{row.id}", status=row.status, assignment=row.assignment,
                    refresh=2 if row.status in ("queued", "running") else None)
    back = f'<p><a id="back" href="/a/{row.assignment}">← {say(server(request).course.config, msg("server.page.back"))}</a></p>'
    return HTMLResponse(feedback_page(request, db, row, back))


def feedback_page(request: Request, db: Session, row: Upload, top: str = "") -> str:
    """A graded submission's feedback.html, with `top` and, when it was late, what the late penalty
    makes of its score (the checks are judged the same on time or late; the gradebook's count is not)."""
    config = server(request).course.config
    result = load_result(server(request).store.root / row.result).model_copy(update={"student": row.user.login})
    policy = config.policy(row.assignment)
    late = days_late(row.uploaded_at, deadline(db, policy, row.user_id, row.assignment))
    if late:
        notice = msg("server.feedback_late", days=late, score=format(penalised(result.score, late, policy), "g"),
                     max=format(result.max_score, "g"))
        top += f'<p id="late">{say(config, notice)}</p>'
    return feedback_html(result, config.report.language).replace("<body>", "<body>" + top, 1)


