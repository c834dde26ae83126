"""The course server under a class's load, bounded: 60 students upload within a minute (in a few
seconds here), `kill -9` of the server mid-queue, a restart; every submission is graded and
recorded exactly once, and scores equal the batch command's for the same files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import select

from autograder.config import load_config
from autograder.grading import Grader
from autograder.server.auth import new_token
from autograder.server.models import Upload, User
from autograder.submissions import Submission
from tests.test_server_browser import free_port
from tests.test_server_fixtures import REFERENCE, REPO, make_course

STUDENTS = 60
KINDS = {"full": REFERENCE.read_text(encoding="utf-8"),
         "skeleton": (REPO / "assignments" / "softmax_tips" / "softmax_tips.py").read_text(encoding="utf-8")}


def serve(course, port: int) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    process = subprocess.Popen([sys.executable, "-m", "autograder", "serve", "--config",
                                str(course.folder / "grader.toml"), "--db", course.url, "--store",
                                str(course.folder / "server"), "--port", str(port)])
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
            return process
        except httpx.HTTPError:
            assert time.monotonic() < deadline and process.poll() is None, "autograde serve did not start"
            time.sleep(0.2)


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(word) for word in out.split()]


def test_sixty_uploads_kill_9_mid_queue_restart_each_graded_once(tmp_path: Path) -> None:
    course = make_course(tmp_path / "course", policy="graded_per_window = 0")
    people = [(f"2024{n:04d}", f"학생{n}") for n in range(100, 100 + STUDENTS)]
    with course.server.make_session() as db:  # logged in before the rush (argon2 is tested in test_server_api)
        users = [User(login=number, name=name, role="student") for number, name in people]
        db.add_all(users)
        db.flush()
        tokens = {user.login: new_token(db, user) for user in users}
        db.commit()
    files = {}
    for index, (number, _) in enumerate(people):  # each file its own (no cache hits), two kinds of work
        kind = "full" if index % 3 else "skeleton"
        files[number] = (kind, f"{KINDS[kind]}\n# {number}\n".encode())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(course, port)

    def submit(number: str) -> int:
        with httpx.Client(base_url=base, timeout=30) as client:
            reply = client.post("/api/assignments/softmax_tips/submissions",
                                headers={"Authorization": f"Bearer {tokens[number]}"},
                                files={"file": ("softmax_tips.py", files[number][1])})
            assert reply.status_code == 202, reply.text
            return reply.json()["id"]

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(submit, files))
    assert time.monotonic() - started < 60 and len(set(ids)) == STUDENTS

    def done() -> int:
        with course.server.make_session() as db:
            return sum(row.status == "done" for row in db.scalars(select(Upload)))

    while done() < 10:  # mid-queue: some graded, most still queued or running
        assert time.monotonic() - started < 120 and server.poll() is None
        time.sleep(0.1)
    workers = children(server.pid)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    time.sleep(1)
    assert all(not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
               for pid in workers), "the worker outlived the server"
    assert done() < STUDENTS
    server = serve(course, port)  # the restart: the running rows go back to the queue
    try:
        while done() < STUDENTS:
            assert time.monotonic() - started < 240, f"{done()} of {STUDENTS} graded"
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(30)
    with course.server.make_session() as db:
        rows = list(db.scalars(select(Upload).order_by(Upload.id)))
        login = {row.id: row.user.login for row in rows}
    assert len(rows) == STUDENTS and all(row.status == "done" and row.gradings == 1 for row in rows)
    # The batch command's scores for the same files (a sample of each kind: the batch grades them all again).
    batch = tmp_path / "batch"
    batch.mkdir()
    sample = [row for row in rows if files[login[row.id]][0] == "skeleton"][:3] + \
             [row for row in rows if files[login[row.id]][0] == "full"][:3]
    for row in sample:
        (batch / f"{login[row.id]}.py").write_bytes(files[login[row.id]][1])
    grader = Grader(load_config(course.folder / "grader.toml"), "softmax_tips")
    results = {r.student: r.score for r in grader.grade([Submission(p.stem, p) for p in sorted(batch.glob("*.py"))])}
    assert {login[row.id]: row.score for row in sample} == results
    assert len(set(results.values())) == 2  # the two kinds differ
