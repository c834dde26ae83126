"""`autograde roster import` and `autograde roster add-ta`: accounts from the LMS's roster CSV.

The roster is what an LMS exports: UTF-8 with or without a BOM (Excel adds one), a header row,
the student number in the first column and the name in the second (Korean names as they are).
A header naming `student number`/`학번` and `name`/`이름` columns is followed wherever they sit.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .auth import audit, set_code
from .models import User

NUMBER_HEADERS = ("student number", "student_number", "student id", "id", "학번", "number")
NAME_HEADERS = ("name", "이름", "성명", "student name")


class RosterError(Exception):
    """A roster file the TA must fix; the message names the line."""


def _column(header: list[str], names: tuple[str, ...], default: int) -> int:
    lowered = [cell.strip().lower() for cell in header]
    return next((lowered.index(name) for name in names if name in lowered), default)


def read_roster(path: Path) -> list[tuple[str, str]]:
    """(student number, name) for every row; an empty or short row is an error naming its line."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(f"{path}: not UTF-8 (save it from Excel as 'CSV UTF-8')") from None
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        raise RosterError(f"{path}: no rows")
    header = rows[0]
    has_header = any(cell.strip().lower() in NUMBER_HEADERS + NAME_HEADERS for cell in header)
    number, name = (_column(header, NUMBER_HEADERS, 0), _column(header, NAME_HEADERS, 1)) if has_header else (0, 1)
    people = []
    for line, row in enumerate(rows[1:] if has_header else rows, 2 if has_header else 1):
        if len(row) <= max(number, name) or not row[number].strip():
            raise RosterError(f"{path}: line {line}: needs a student number and a name")
        people.append((row[number].strip(), unicodedata.normalize("NFC", row[name].strip())))
    return people


def import_roster(db: Session, people: list[tuple[str, str]], actor: str = "cli") -> list[tuple[str, str, str]]:
    """Create the students not yet in the database; (number, name, code) of each one created.
    Students already there keep their accounts (re-importing a grown roster is safe)."""
    created = []
    for number, name in people:
        if db.scalar(select(User).where(User.login == number)) is not None:
            continue
        user = User(login=number, name=name, role="student")
        created.append((number, name, set_code(user)))
        db.add(user)
    audit(db, actor, "roster_import", f"{len(created)} new of {len(people)}")
    db.commit()
    return created


def add_ta(db: Session, name: str, actor: str = "cli") -> str:
    """Make `name` a TA (or give an existing TA a fresh code); the one-time code."""
    user = db.scalar(select(User).where(User.login == name))
    if user is None:
        user = User(login=name, name=name, role="ta")
        db.add(user)
    elif user.role != "ta":
        raise RosterError(f"{name!r} is a student's login; choose another name for the TA")
    code = set_code(user)
    audit(db, actor, "add_ta", name)
    db.commit()
    return code


def write_codes(path: Path, created: list[tuple[str, str, str]]) -> None:
    """codes.csv for the TA to hand out: student number, name, code (UTF-8 with BOM, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["student_number", "name", "code"])
    writer.writerows(created)
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    path.chmod(0o600)  # the codes log students in: for the TA only
