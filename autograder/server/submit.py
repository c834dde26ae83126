"""Taking a submission: checks, the file stored, the row committed, all before the answer; and what
the API and the pages say about a submission afterwards."""

from __future__ import annotations

from datetime import datetime, tzinfo

from fastapi import UploadFile
from sqlalchemy.orm import Session

from ..catalog import msg
from .context import Server
from .models import Upload, User, now
from .policy import days_late, deadline, counting, next_allowed
from .storage import Rejected


def shown_zone(server: Server, assignment: str) -> tzinfo | None:
    """Times are shown in the deadline's zone (the course's), else the server's own."""
    due = server.course.config.policy(assignment).deadline
    return due.tzinfo if due else None


def local(moment: datetime, zone: tzinfo | None) -> datetime:
    return moment.astimezone(zone)


def accept(server: Server, db: Session, user: User, assignment: str, upload: UploadFile) -> Upload:
    """Store `upload` and queue it; Rejected (with the student's message) for an unknown assignment,
    the limit on graded submissions, or a file of the wrong type or size."""
    config = server.course.config
    if assignment not in config.assignments:
        raise Rejected(msg("server.upload.no_assignment", assignment=assignment), 404)
    policy = config.policy(assignment)
    again = next_allowed(db, policy, user.id, assignment, now())
    if again is not None:
        raise Rejected(msg("server.upload.rate_limited", count=policy.graded_per_window,
                           minutes=f"{policy.window_minutes:g}",
                           time=local(again, shown_zone(server, assignment)).strftime("%H:%M")), 429)
    stored, digest = server.store.save(upload.file, upload.filename or "upload", int(config.server.upload_mb * 2**20))
    row = Upload(user_id=user.id, assignment=assignment, filename=(upload.filename or "upload")[:300], stored=stored,
                 sha256=digest, status="queued", uploaded_at=now())
    db.add(row)
    db.commit()  # before the answer: an accepted upload is never lost
    return row


def describe(server: Server, db: Session, row: Upload) -> dict[str, object]:
    """The JSON API's view of a submission (GET /api/submissions/{id})."""
    policy = server.course.config.policy(row.assignment)
    due = deadline(db, policy, row.user_id, row.assignment)
    standing = counting(db, policy, row.user_id, row.assignment)
    return {"id": row.id, "student": row.user.login, "assignment": row.assignment, "status": row.status,
            "score": row.score, "max_score": row.max_score, "late": days_late(row.uploaded_at, due) > 0,
            "counts": standing.upload is not None and standing.upload.id == row.id,
            "uploaded_at": row.uploaded_at.isoformat(), "filename": row.filename}


def visible(user: User, row: Upload | None) -> bool:
    """A student sees only their own submissions; a TA sees all."""
    return row is not None and (user.role == "ta" or row.user_id == user.id)
