"""The course's tables (SQLAlchemy 2). The schema is created and changed only by Alembic
(migrations/), so a course database made by an older version is upgraded, never re-created."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def now() -> datetime:
    """Aware UTC: deadlines carry their own zone, and SQLite and PostgreSQL must compare alike."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stored as UTC, read back aware (SQLite drops the zone, PostgreSQL keeps it), so that both
    databases compare times alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


class User(Base):
    """A student (login: the student number) or a TA (login: the name `roster add-ta` got)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))  # "student" or "ta"
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    code_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)  # the one-time code, until used
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class Token(Base):
    """A bearer token of the JSON API; only its SHA-256 is kept, so a leaked database grants nothing."""

    __tablename__ = "tokens"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    user: Mapped[User] = relationship()


class Upload(Base):
    """One submission: the stored file and its grading. `status` moves queued -> running -> done
    (or error); a `running` row whose worker died goes back to queued (worker.py)."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignment: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(300))  # as the student named it (shown, never used as a path)
    stored: Mapped[str] = mapped_column(String(300))  # the file under the server's folder, named by its hash
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    graded_version: Mapped[str | None] = mapped_column(String(200), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)  # the grader's, before any penalty
    max_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    result: Mapped[str | None] = mapped_column(String(300), nullable=True)  # result.json, relative
    gradings: Mapped[int] = mapped_column(Integer, default=0)  # completed gradings (the load test counts them)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    user: Mapped[User] = relationship()
    __table_args__ = (Index("ix_submissions_user_assignment", "user_id", "assignment"),
                      Index("ix_submissions_status", "status"))


class ManualPoints(Base):
    """Points a TA adds or removes by hand (the Q1-2 discussion, a regrade), with why; the latest
    row of a student and assignment is in force, older rows are the trail."""

    __tablename__ = "manual_points"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignment: Mapped[str] = mapped_column(String(100))
    points: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    by: Mapped[User] = relationship(foreign_keys=[by_id])


class Extension(Base):
    """A student's own deadline for one assignment, set by a TA (the latest row is in force)."""

    __tablename__ = "extensions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignment: Mapped[str] = mapped_column(String(100))
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class Audit(Base):
    """Every TA action and every account event, in order: who, what, when."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str] = mapped_column(Text, default="")
