"""The course server's pages in Debian's headless Chromium, against `autograde serve` itself (its
worker process included): a student logs in with a one-time code, sets a password, uploads a
notebook and sees its feedback; a TA sees the report, sets manual points, exports the gradebook;
a second student cannot open the first one's pages. With SERVER_SCREENSHOTS=DIR the pages are
also saved as PNGs there (docs/server_*.png)."""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.browser import find_chromium
from tests.test_server_fixtures import REPO, make_course

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no chromium (bash .ci/setup installs it)")
NOTEBOOK = REPO / "reference" / "softmax_tips.ipynb"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live(tmp_path: Path):  # type: ignore[no-untyped-def]
    course = make_course(tmp_path / "course", policy='deadline = "2030-04-10T23:59:00+09:00"\nlate_penalty_per_day = 0.1\n'
                         'late_penalty_max = 0.5\ngraded_per_window = 3\nwindow_minutes = 10')
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "autograder", "serve", "--config", str(course.folder / "grader.toml"),
                               "--db", course.url, "--store", str(course.folder / "server"), "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/login", timeout=2)
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline and server.poll() is None, "autograde serve did not start"
            time.sleep(0.2)
    yield course, base
    server.terminate()
    server.wait(30)


def first_login(tab, base: str, user: str, code: str, password: str) -> None:  # type: ignore[no-untyped-def]
    tab.go(base + "/login")
    tab.fill("#user", user)
    tab.fill("#password", code)
    tab.click("#login")
    tab.wait("location.pathname === '/password'")
    tab.fill("#new-password", password)
    tab.click("#save-password")
    tab.wait("location.pathname === '/'")


def test_student_and_ta_pages_in_chromium(live, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.test_server_cdp import Browser

    course, base = live
    shots = Path(os.environ["SERVER_SCREENSHOTS"]) if os.environ.get("SERVER_SCREENSHOTS") else None
    browser = Browser(tmp_path / "profile")
    try:
        kim = browser.tab()
        first_login(kim, base, "20240001", course.codes["20240001"], "kim-password-1")
        assert "softmax_tips" in kim.text() or "Softmax" in kim.text()
        kim.go(base + "/a/softmax_tips")
        assert "2030-04-10 23:59" in kim.text(), kim.text()  # in the deadline's own time zone
        kim.upload("#file", NOTEBOOK)
        kim.click("#submit")
        kim.wait("document.getElementById('score') !== null", timeout=120)  # the feedback page, once graded
        feedback_url = str(kim.js("location.href"))
        assert "100/100" in kim.text().replace(" ", "") or "100 / 100" in kim.text()
        if shots:
            kim.screenshot(shots / "server_feedback.png")
        kim.go(base + "/a/softmax_tips")
        assert "softmax_tips.ipynb" in kim.text()
        if shots:
            kim.screenshot(shots / "server_student.png")

        lee = browser.tab()
        first_login(lee, base, "20240002", course.codes["20240002"], "lee-password-1")
        lee.go(feedback_url)
        assert "100" not in lee.text() and "Not Found" in lee.text() or "no such submission" in lee.text()
        lee.go(base + "/ta")
        assert "TAs only" in lee.text()

        ta = browser.tab()
        first_login(ta, base, "ta_kim", course.ta_code, "ta-password-1")
        ta.go(base + "/ta")
        gradebook = ta.text()
        assert "20240001" in gradebook and "미제출" in gradebook  # 20240002, 20240003 handed in nothing
        if shots:
            ta.screenshot(shots / "server_ta.png")
        ta.go(base + "/ta/report/softmax_tips/")
        assert "20240001" in ta.text()
        ta.go(base + "/ta/student/20240001")
        ta.fill("#work-softmax_tips input[name=points]", "7")
        ta.fill("#work-softmax_tips input[name=comment]", "Q1-2 토론: 좋은 답")
        ta.click("#work-softmax_tips form[action='/ta/manual'] button")
        ta.wait("document.querySelector('.trail') !== null")
        assert "Q1-2 토론: 좋은 답" in ta.text() and "ta_kim" in ta.text()
        cookies = ta.cookies()
        exported = httpx.get(base + "/ta/gradebook.csv", cookies=cookies).text.lstrip("\ufeff")
        rows = {row[0]: row for row in csv.reader(io.StringIO(exported))}
        assert rows["20240001"][2] == "107" and rows["20240003"][2] == "0"
        assert httpx.get(base + "/ta/gradebook.csv", cookies=lee.cookies()).status_code == 403
        page = httpx.get(base + "/login")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        # a form posted without its CSRF token (another site's form) is refused
        assert httpx.post(base + "/ta/manual", cookies=cookies, data={"student": "20240001", "assignment": "softmax_tips",
                                                                     "points": "50", "comment": "x"}).status_code == 403
    finally:
        browser.close()
