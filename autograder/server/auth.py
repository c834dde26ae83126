"""Accounts: one-time login codes, argon2 passwords, bearer tokens, and the audit log.

A code is shown once (codes.csv, or add-ta's last line) and kept only as an argon2 hash; at first
login it is spent and the student sets a password. A token is 32 random bytes; the database keeps
its SHA-256, so a copy of the database logs no one in.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Audit, Token, User

HASHER = PasswordHasher()
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or copied from paper
MIN_PASSWORD = 8


def new_code() -> str:
    """A one-time code: 10 characters of 32, about 50 bits, grouped for reading (`ABCDE-FGHJK`)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _verify(stored: str | None, given: str) -> bool:
    if not stored:
        return False
    try:
        return HASHER.verify(stored, given)
    except (VerificationError, InvalidHashError):
        return False


def _normal_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")


def set_code(user: User) -> str:
    """Give `user` a fresh one-time code (a TA resets a forgotten password this way); the code."""
    code = new_code()
    user.code_hash = HASHER.hash(code)
    return code


def check_login(db: Session, login: str, secret: str) -> tuple[User | None, bool]:
    """(the user, whether they logged in with their one-time code) or (None, False). The code,
    once it has logged in, is spent: the student must set a password now."""
    user = db.scalar(select(User).where(User.login == login.strip()))
    if user is None:
        HASHER.hash(secret)  # the same time for an unknown login as for a wrong password
        return None, False
    if _verify(user.password_hash, secret):
        return user, False
    if user.code_hash and _verify(user.code_hash, _normal_code(secret)):
        user.code_hash = None
        audit(db, user.login, "code_used")
        return user, True
    return None, False


def set_password(db: Session, user: User, password: str) -> bool:
    if len(password) < MIN_PASSWORD:
        return False
    user.password_hash = HASHER.hash(password)
    audit(db, user.login, "password_set")
    return True


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(db: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.add(Token(digest=digest(token), user_id=user.id))
    return token


def token_user(db: Session, token: str) -> User | None:
    row = db.get(Token, digest(token))
    return row.user if row else None


def audit(db: Session, actor: str, action: str, detail: str = "") -> None:
    """Record one event; committed with the change it describes."""
    db.add(Audit(actor=actor, action=action, detail=detail))
