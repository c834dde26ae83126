"""Every word the pages show, as catalog messages (catalog/*/server_pages.po), so that a page is in
the course's language setting like the feedback it shows; templates name them by short key."""

from __future__ import annotations

from markupsafe import Markup, escape

from ..catalog import Text, msg, render
from ..feedback import languages
from ..config import Config

WORDS: dict[str, Text] = {
    "login": msg("server.page.login"), "user": msg("server.page.user"), "password": msg("server.page.password"),
    "login_help": msg("server.page.login_help"),
    "set_password": msg("server.page.set_password"), "password_help": msg("server.page.password_help"),
    "logout": msg("server.page.logout"),
    "assignments": msg("server.page.assignments"), "deadline": msg("server.page.deadline"),
    "no_deadline": msg("server.page.no_deadline"), "download": msg("server.page.download"),
    "skeleton": msg("server.page.skeleton"), "notebook": msg("server.page.notebook"),
    "upload": msg("server.page.upload"), "upload_help": msg("server.page.upload_help"),
    "history": msg("server.page.history"), "uploaded": msg("server.page.uploaded"),
    "file": msg("server.page.file"), "status": msg("server.page.status"), "score": msg("server.page.score"),
    "late": msg("server.page.late"), "counts": msg("server.page.counts"), "feedback": msg("server.page.feedback"),
    "grading": msg("server.page.grading"), "nothing_yet": msg("server.page.nothing_yet"),
    "status.queued": msg("server.status.queued"), "status.running": msg("server.status.running"),
    "status.done": msg("server.status.done"), "status.error": msg("server.status.error"),
    "gradebook": msg("server.page.gradebook"), "report": msg("server.page.report"),
    "not_submitted": msg("server.page.not_submitted"), "student": msg("server.page.student"),
    "name": msg("server.page.name"), "total": msg("server.page.total"), "manual": msg("server.page.manual"),
    "points": msg("server.page.points"), "comment": msg("server.page.comment"), "save": msg("server.page.save"),
    "regrade": msg("server.page.regrade"), "regrade_all": msg("server.page.regrade_all"),
    "extension": msg("server.page.extension"), "exports": msg("server.page.exports"),
    "audit": msg("server.page.audit"), "back": msg("server.page.back"), "by": msg("server.page.by"),
    "when": msg("server.page.when"), "rules": msg("server.page.rules"),
}


def say(config: Config, text: Text) -> Markup:
    """`text` in the course's languages: Korean, and English beneath it when the setting is "both"."""
    shown = [render(text, language) for language in languages(config.report.language)]
    return Markup("").join(Markup('<span class="{}">{}</span>').format("" if i == 0 else "en", escape(line))
                           for i, line in enumerate(shown))


def word(config: Config, key: str) -> Markup:
    return say(config, WORDS[key])
