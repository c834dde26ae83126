"""The course policy of grader.toml applied: a student's deadline (with a TA's extension), the late
penalty, which submission counts, and the limit on graded submissions."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Policy
from .models import Extension, ManualPoints, Upload


def deadline(db: Session, policy: Policy, user_id: int, assignment: str) -> datetime | None:
    """The student's deadline: the TA's latest extension, else the assignment's."""
    extension = db.scalar(select(Extension).where(Extension.user_id == user_id, Extension.assignment == assignment)
                          .order_by(Extension.id.desc()).limit(1))
    return extension.until if extension else policy.deadline


def days_late(uploaded: datetime, due: datetime | None) -> int:
    """Days (each part of one a whole day) after the deadline; 0 when on time or without one."""
    if due is None or uploaded <= due:
        return 0
    return math.ceil((uploaded - due) / timedelta(days=1))


def penalised(score: float, late_days: int, policy: Policy) -> float:
    return score * (1 - min(policy.late_penalty_per_day * late_days, policy.late_penalty_max))


@dataclass
class Standing:
    """What counts of one student's work on one assignment."""

    upload: Upload | None  # the submission that counts
    late_days: int
    score: float | None  # after the late penalty, before manual points
    manual: ManualPoints | None

    @property
    def total(self) -> float | None:
        if self.score is None and self.manual is None:
            return None
        return (self.score or 0.0) + (self.manual.points if self.manual else 0.0)


def counting(db: Session, policy: Policy, user_id: int, assignment: str) -> Standing:
    """The submission that counts: with counts = "last", the last graded one before the deadline,
    else the last late one; with "best", the best after the late penalty."""
    due = deadline(db, policy, user_id, assignment)
    graded = list(db.scalars(select(Upload).where(Upload.user_id == user_id, Upload.assignment == assignment,
                                                  Upload.status == "done").order_by(Upload.id)))
    manual = db.scalar(select(ManualPoints).where(ManualPoints.user_id == user_id, ManualPoints.assignment == assignment)
                       .order_by(ManualPoints.id.desc()).limit(1))
    if not graded:
        return Standing(None, 0, None, manual)
    scored = [(penalised(u.score or 0.0, days_late(u.uploaded_at, due), policy), u) for u in graded]
    if policy.counts == "best":
        score, chosen = max(scored, key=lambda pair: (pair[0], pair[1].id))
    else:
        on_time = [pair for pair in scored if days_late(pair[1].uploaded_at, due) == 0]
        score, chosen = (on_time or scored)[-1]
    return Standing(chosen, days_late(chosen.uploaded_at, due), score, manual)



def next_allowed(db: Session, policy: Policy, user_id: int, assignment: str, at: datetime) -> datetime | None:
    """When the student may submit again, if the limit on graded submissions is reached now; else None."""
    if policy.graded_per_window == 0:
        return None
    since = at - timedelta(minutes=policy.window_minutes)
    recent = list(db.scalars(select(Upload.uploaded_at).where(
        Upload.user_id == user_id, Upload.assignment == assignment, Upload.uploaded_at > since)
        .order_by(Upload.uploaded_at.desc()).limit(policy.graded_per_window)))
    if len(recent) < policy.graded_per_window:
        return None
    return recent[-1] + timedelta(minutes=policy.window_minutes)


