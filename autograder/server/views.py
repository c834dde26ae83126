"""Rendering a page: the template with the user, the form token and the course's words."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from .context import Server, csrf_token, page_user
from .words import word


def page(request: Request, template: str, status_code: int = 200, **context: object) -> HTMLResponse:
    """A page in the course's languages, with the user, the form token and the words helper."""
    server: Server = request.app.state.server
    config = server.course.config
    with server.make_session() as db:
        user = page_user(request, db)
    return request.app.state.templates.TemplateResponse(request, template, {
        "user": user, "csrf": csrf_token(request), "t": lambda key: word(config, key),
        "lang": "ko" if config.report.language != "en" else "en", "course_title": "모두를 위한 딥러닝 시즌2",
        **context}, status_code=status_code)
