"""What every request handler needs: the database, the server's folder, grader.toml, who is asking
(a session cookie for pages, a bearer token for the API), and the CSRF token of forms."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from .auth import token_user
from .models import User
from .storage import Course, Store


@dataclass
class Limiter:
    """At most `count` events per key in `window_s` (logins per address and name), in memory: a
    restart forgets it, which costs an attacker nothing they could not get by waiting."""

    count: int
    window_s: float
    seen: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def allow(self, key: str) -> bool:
        moment = time.monotonic()
        events = self.seen[key]
        while events and events[0] < moment - self.window_s:
            events.popleft()
        if len(events) >= self.count:
            return False
        events.append(moment)
        return True


@dataclass
class Server:
    make_session: sessionmaker[Session]
    store: Store
    course: Course
    logins: Limiter = field(default_factory=lambda: Limiter(10, 300.0))

    def file(self, relative: Path) -> Path:
        return self.course.config.path(relative)


def server(request: Request) -> Server:
    return request.app.state.server


def db_session(request: Request):  # type: ignore[no-untyped-def]
    with server(request).make_session() as db:
        yield db


def page_user(request: Request, db: Session) -> User | None:
    """The logged-in user of a page, from the signed session cookie."""
    user_id = request.session.get("user")
    return db.get(User, user_id) if user_id is not None else None


def api_user(request: Request, db: Session) -> User:
    """The user of an API call, from `Authorization: Bearer TOKEN`; 401 without a valid one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    user = token_user(db, token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        raise HTTPException(401, "a bearer token from POST /api/token is needed",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


def csrf_token(request: Request) -> str:
    """The session's form token: every form posts it back, and a post without it is refused."""
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(24)
    return request.session["csrf"]


def check_csrf(request: Request, given: str) -> None:
    if not hmac.compare_digest(str(request.session.get("csrf", "")), given or ""):
        raise HTTPException(403, "the form is stale or was sent from another site: reload the page and try again")
