"""Shared by the course server's tests (no tests here): a course folder with the cheapest lab,
softmax_tips, its database, a grading worker process, and API helpers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

from fastapi.testclient import TestClient  # noqa: E402

from autograder.server.app import create_app  # noqa: E402
from autograder.server.context import Server  # noqa: E402
from autograder.server.db import open_engine, sessions  # noqa: E402
from autograder.server.roster import add_ta, import_roster  # noqa: E402
from autograder.server.storage import Course, Store  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference" / "softmax_tips.py"
ROSTER = [("20240001", "김민수"), ("20240002", "이서연"), ("20240003", "박지훈")]


def course_toml(policy: str = "") -> str:
    """grader.toml with softmax_tips only (paths made absolute) and the given [server.policy] lines."""
    text = (REPO / "grader.toml").read_text(encoding="utf-8")
    start = text.index("[assignments.softmax_tips]")
    end = text.index("\n[assignments.", text.index("[assignments.softmax_tips.checks.standardize]"))
    lab = re.sub(r'^(reference|skeleton|source|release) = "([^"]+)"', lambda m: f'{m[1]} = "{REPO / m[2]}"',
                 text[start:end], flags=re.M)
    lab = re.sub(r"\[assignments\.softmax_tips\.policy\][^\[]*", "", lab)  # the test's own policy instead
    return (f'[grader]\njobs = 2\n\n[data]\nroot = "{REPO.parent / "shared" / "data"}"\n\n[report]\nlanguage = "both"\n\n'
            f"[server]\nupload_mb = 1\n\n[server.policy]\n{policy}\n\n{lab}\n")


@dataclass
class Course_:
    folder: Path
    url: str
    server: Server
    codes: dict[str, str]
    ta_code: str

    def worker(self, *extra: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "autograder.server.worker", "--db", self.url, "--store",
                                 str(self.folder / "server"), "--config", str(self.folder / "grader.toml"), *extra])

    def client(self) -> TestClient:
        return TestClient(create_app(self.server))


def make_course(folder: Path, url: str | None = None, policy: str = "") -> Course_:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "grader.toml").write_text(course_toml(policy), encoding="utf-8")
    url = url or f"sqlite:///{folder / 'course.db'}"
    make = sessions(open_engine(url))
    with make() as db:
        codes = {number: code for number, _, code in import_roster(db, ROSTER)}
        ta_code = add_ta(db, "ta_kim")
    server = Server(make, Store(folder / "server"), Course(folder / "grader.toml"))
    return Course_(folder, url, server, codes, ta_code)


def token(client: TestClient, user: str, secret: str) -> dict[str, str]:
    reply = client.post("/api/token", json={"user": user, "password": secret})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def upload(client: TestClient, headers: dict[str, str], path: Path = REFERENCE, name: str | None = None,
           assignment: str = "softmax_tips"):  # type: ignore[no-untyped-def]
    return client.post(f"/api/assignments/{assignment}/submissions", headers=headers,
                       files={"file": (name or path.name, path.read_bytes())})


def wait_done(client: TestClient, headers: dict[str, str], ids: list[int], timeout: float = 120) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        states = [client.get(f"/api/submissions/{i}", headers=headers).json() for i in ids]
        if all(s["status"] in ("done", "error") for s in states):
            return states
        assert time.monotonic() < deadline, json.dumps(states)
        time.sleep(0.2)


def postgres_url() -> str | None:
    """AUTOGRADE_TEST_POSTGRES (set by .ci/run when it started PostgreSQL), else None."""
    return os.environ.get("AUTOGRADE_TEST_POSTGRES") or None
