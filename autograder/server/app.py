"""The web application: FastAPI, signed-cookie sessions, security headers, the API and the pages.
It stores uploads and reads results; it never runs or imports student code (worker.py grades)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from . import api, pages, ta_pages
from .context import Server

HERE = Path(__file__).resolve().parent
HEADERS = {
    # No script anywhere (forms and links only); styles from our own file and the feedback pages' inline one.
    "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages show grades: not kept by a shared computer's browser
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(server: Server, secure_cookies: bool = False) -> FastAPI:
    app = FastAPI(title="autograde serve", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.server = server
    app.state.templates = Jinja2Templates(directory=HERE / "templates")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.add_middleware(SessionMiddleware, secret_key=server.store.secret(), session_cookie="autograde_session",
                       max_age=14 * 24 * 3600, same_site="lax", https_only=secure_cookies)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")  # a file, never a listing
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(ta_pages.router)
    return app
