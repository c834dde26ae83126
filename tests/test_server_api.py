"""The course server's JSON API on SQLite (and PostgreSQL when .ci/run started one): accounts,
uploads graded by the worker process, privacy between students, policy, TA exports."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from tests.test_server_fixtures import REFERENCE, make_course, postgres_url, token, upload, wait_done


@pytest.fixture(params=["sqlite", "postgresql"])
def course(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = None
    if request.param == "postgresql":
        url = postgres_url()
        if url is None:
            pytest.skip("no PostgreSQL: .ci/run sets AUTOGRADE_TEST_POSTGRES when it starts one")
        from sqlalchemy import create_engine, text
        with create_engine(url.replace("postgresql://", "postgresql+psycopg://")).begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    return make_course(tmp_path / "course", url, policy="graded_per_window = 3\nwindow_minutes = 10")


def test_students_upload_get_graded_once_and_see_only_their_own(course) -> None:  # type: ignore[no-untyped-def]
    worker = course.worker()
    try:
        with course.client() as client:
            kim = token(client, "20240001", course.codes["20240001"])
            lee = token(client, "20240002", course.codes["20240002"])
            assert client.post("/api/token", json={"user": "20240001", "password": course.codes["20240001"]}
                               ).status_code == 401  # the code is spent
            first = upload(client, kim)
            assert first.status_code == 202 and first.json()["status"] == "queued"
            broken = upload(client, lee, name="softmax_tips.py", path=REFERENCE.parent.parent / "assignments"
                            / "softmax_tips" / "softmax_tips.py")
            park = token(client, "20240003", course.codes["20240003"])
            archive = io.BytesIO()
            with zipfile.ZipFile(archive, "w") as handle:  # as an LMS or a student's zip tool makes it
                handle.writestr("hw/softmax_tips.py", REFERENCE.read_bytes())
            zipped = client.post("/api/assignments/softmax_tips/submissions", headers=park,
                                 files={"file": ("박지훈.zip", archive.getvalue())})
            done = wait_done(client, kim, [first.json()["id"]])[0]
            assert done["status"] == "done" and done["score"] == done["max_score"] == 100
            assert done["student"] == "20240001" and done["counts"] and not done["late"]
            # another student's submission is not there for you (404, as for one that does not exist)
            assert client.get(f"/api/submissions/{first.json()['id']}", headers=lee).status_code == 404
            assert client.get(f"/api/submissions/{first.json()['id']}/feedback", headers=lee).status_code == 404
            assert client.get("/api/submissions/99999", headers=lee).status_code == 404
            skeleton = wait_done(client, lee, [broken.json()["id"]])[0]
            assert skeleton["status"] == "done" and skeleton["score"] < 100
            page = client.get(f"/api/submissions/{first.json()['id']}/feedback", headers=kim)
            assert page.status_code == 200 and "20240001" in page.text and "softmax_tips" in page.text
            # the same file again: served from the cache, recorded as a grading of its own
            again = upload(client, kim)
            assert wait_done(client, kim, [again.json()["id"]])[0]["score"] == 100
            assert upload(client, kim).status_code == 202
            limited = upload(client, kim)  # the fourth in ten minutes
            assert limited.status_code == 429 and "try again at" in limited.json()["error"]
            assert "다시 제출하세요" in limited.json()["error_ko"]
            assert wait_done(client, park, [zipped.json()["id"]])[0]["score"] == 100
            # TAs only: the gradebook over the roster, zeros for nothing handed in
            assert client.get("/api/gradebook.csv", headers=kim).status_code == 403
            ta = token(client, "ta_kim", course.ta_code)
            rows = list(csv.reader(io.StringIO(client.get("/api/gradebook.csv", headers=ta).text.lstrip("\ufeff"))))
            assert rows[0] == ["student_number", "name", "softmax_tips [100]", "total"]
            by_number = {row[0]: row for row in rows[1:]}
            assert by_number["20240001"][1:] == ["김민수", "100", "100"]
            assert by_number["20240003"][2:] == ["100", "100"]  # from the zip
            assert client.post("/api/manual", headers=ta, json={"student": "20240002", "assignment": "softmax_tips",
                                                               "points": 5, "comment": "Q1-2 토론"}).status_code == 200
            rows = list(csv.reader(io.StringIO(client.get("/api/gradebook.csv", headers=ta).text.lstrip("\ufeff"))))
            assert float({row[0]: row for row in rows}["20240002"][2]) == skeleton["score"] + 5
            extended = {"student": "20240002", "assignment": "softmax_tips", "until": "2026-04-12T23:59:00+09:00"}
            assert client.post("/api/extensions", headers=lee, json=extended).status_code == 403
            assert client.post("/api/extensions", headers=ta, json=extended).status_code == 200
            assert client.get("/api/assignments", headers=lee).json()[0]["deadline"] == "2026-04-12T14:59:00+00:00"
            assert client.get("/api/assignments", headers=kim).json()[0]["deadline"] is None
            long = client.get("/api/results_long.csv", headers=ta).text
            assert "20240001,softmax_tips" in long
            # a re-grade (after a threshold changed): TAs only, the counting submission graded again
            again_lee = {"assignment": "softmax_tips", "student": "20240002"}
            assert client.post("/api/regrade", headers=lee, json=again_lee).status_code == 403
            assert client.post("/api/regrade", headers=ta, json=again_lee).json() == {"queued": 1}
            regraded = wait_done(client, lee, [broken.json()["id"]])[0]
            assert regraded["status"] == "done" and regraded["score"] == skeleton["score"]
    finally:
        worker.kill()
        worker.wait()
    from sqlalchemy import select
    from autograder.server.models import Upload
    with course.server.make_session() as db:
        # each recorded once, and lee's re-graded submission once more
        assert [row.gradings for row in db.scalars(select(Upload).order_by(Upload.id))] == [1, 2, 1, 1, 1]


def test_uploads_are_refused_by_type_size_and_without_a_token(course, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with course.client() as client:
        assert client.post("/api/assignments/softmax_tips/submissions", files={"file": ("a.py", b"x")}).status_code == 401
        kim = token(client, "20240001", course.codes["20240001"])
        bad = client.post("/api/assignments/softmax_tips/submissions", headers=kim, files={"file": ("a.exe", b"x")})
        assert bad.status_code == 400 and ".py" in bad.json()["error"]
        big = client.post("/api/assignments/softmax_tips/submissions", headers=kim,
                          files={"file": ("a.py", b"#" * (2 << 20))})
        assert big.status_code == 413
        assert upload(client, kim, assignment="nope").status_code == 404
        assert not list((course.folder / "server" / "uploads").glob("*"))  # nothing refused was kept
        for _ in range(10):
            client.post("/api/token", json={"user": "20240003", "password": "wrong"})
        assert client.post("/api/token", json={"user": "20240003", "password": course.codes["20240003"]}
                           ).status_code == 429


def test_late_penalty_best_and_extension() -> None:
    from datetime import datetime, timedelta, timezone
    from autograder.config import Policy
    from autograder.server.policy import days_late, penalised

    due = datetime(2026, 4, 10, 23, 59, tzinfo=timezone(timedelta(hours=9)))
    policy = Policy(deadline=due, late_penalty_per_day=0.1, late_penalty_max=0.25)
    assert days_late(due, due) == 0 and days_late(due + timedelta(minutes=1), due) == 1
    assert days_late(due + timedelta(days=1, seconds=1), due) == 2
    assert penalised(100, 2, policy) == pytest.approx(80) and penalised(100, 9, policy) == pytest.approx(75)
    with pytest.raises(ValueError, match="time zone"):
        Policy(deadline=datetime(2026, 4, 10))


def test_roster_import_and_add_ta_commands(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The LMS's roster (UTF-8 with BOM, Korean header and names) -> accounts and codes.csv; a second
    import adds only the new students; add-ta prints the TA's code as its last line."""
    from autograder.cli import main
    from tests.test_server_fixtures import course_toml

    (tmp_path / "grader.toml").write_text(course_toml(), encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_bytes("\ufeff학번,이름,학과\r\n20240001,김민수,컴퓨터\r\n20240002,이서연,수학\r\n".encode())
    url = f"sqlite:///{tmp_path / 'course.db'}"
    common = ["--db", url, "--config", str(tmp_path / "grader.toml")]
    assert main(["roster", "import", str(roster), "--codes", str(tmp_path / "codes.csv"), *common]) == 0
    rows = list(csv.reader(io.StringIO((tmp_path / "codes.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["student_number", "name", "code"] and [r[:2] for r in rows[1:]] == [
        ["20240001", "김민수"], ["20240002", "이서연"]]
    assert (tmp_path / "codes.csv").stat().st_mode & 0o077 == 0
    roster.write_bytes("\ufeff학번,이름\r\n20240002,이서연\r\n20240003,박지훈\r\n".encode())
    assert main(["roster", "import", str(roster), "--codes", str(tmp_path / "more.csv"), *common]) == 0
    assert [r[0] for r in csv.reader(io.StringIO((tmp_path / "more.csv").read_text(encoding="utf-8-sig")))] == [
        "student_number", "20240003"]
    capsys.readouterr()
    assert main(["roster", "add-ta", "조교김", *common]) == 0
    code = capsys.readouterr().out.strip().splitlines()[-1]
    from autograder.server.auth import check_login
    from autograder.server.db import open_engine, sessions
    with sessions(open_engine(url))() as db:
        user, by_code = check_login(db, "조교김", code)
        assert user is not None and user.role == "ta" and by_code


def test_serve_grades_on_the_dask_cluster_it_is_given(tmp_path: Path) -> None:
    """`serve --scheduler ADDRESS` (or `--cluster local:N`) hands the worker's gradings to Dask: with a
    scheduler nobody runs, the submission ends in `error`, not graded on this machine behind the
    TA's back."""
    course = make_course(tmp_path / "course")
    worker = course.worker("--scheduler", "tcp://127.0.0.1:9")
    try:
        with course.client() as client:
            kim = token(client, "20240001", course.codes["20240001"])
            sent = upload(client, kim)
            assert wait_done(client, kim, [sent.json()["id"]])[0]["status"] == "error"
    finally:
        worker.kill()
        worker.wait()


def test_a_late_submission_counts_with_its_penalty_in_the_gradebook(tmp_path: Path) -> None:
    """End to end: a deadline two and a half days ago, 10 % per day begun: the upload is graded in
    full, marked late, and the gradebook counts 100 × (1 − 0.3)."""
    from datetime import datetime, timedelta, timezone

    due = (datetime.now(timezone.utc) - timedelta(days=2, hours=12)).astimezone(timezone(timedelta(hours=9)))
    course = make_course(tmp_path / "course", policy=f'deadline = "{due.isoformat(timespec="seconds")}"\n'
                         "late_penalty_per_day = 0.1\nlate_penalty_max = 0.5")
    worker = course.worker()
    try:
        with course.client() as client:
            kim = token(client, "20240001", course.codes["20240001"])
            done = wait_done(client, kim, [upload(client, kim).json()["id"]])[0]
            assert done["status"] == "done" and done["score"] == 100 and done["late"]
            ta = token(client, "ta_kim", course.ta_code)
            rows = list(csv.reader(io.StringIO(client.get("/api/gradebook.csv", headers=ta).text.lstrip("\ufeff"))))
            assert {row[0]: row for row in rows}["20240001"][2:] == ["70", "70"]
            page = client.get(f"/api/submissions/{done['id']}/feedback", headers=kim).text
            assert "counts 70/100 in the gradebook" in page and "성적표에서 70/100점" in page
    finally:
        worker.kill()
        worker.wait()
