"""What a TA reads after grading a course folder: every derived file (each assignment's gradebook.csv,
results_long.csv and report.html, the course's course_gradebook.csv, results_long.csv and course
page) agrees with the result.json files on disk after every command that writes results: a whole
course, `--only` one student, `autograde report`. And the files that cannot be graded (an empty
`.py`, a `.hwp`) say why in the gradebook. Two copies of the cheapest lab (softmax_tips, no MNIST),
one of them a bonus, make the course: grading it takes seconds."""

from __future__ import annotations

import csv
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder.class_report import load_results
from autograder.cli import main
from autograder.results import save_result

from .conftest import DATA_ROOT, ROOT

SKELETON = ROOT / "assignments" / "softmax_tips" / "softmax_tips.py"
REFERENCE = ROOT / "reference" / "softmax_tips.py"


def _config(folder: Path) -> Path:
    """grader.toml with softmax_tips and a renamed copy of it, `tips_bonus`, a bonus assignment."""
    text = (ROOT / "grader.toml").read_text(encoding="utf-8").replace('root = "../shared/data"', f'root = "{DATA_ROOT}"')
    blocks = re.split(r"(?m)^(?=\[)", text)
    common = "".join(block for block in blocks if not block.startswith("[assignments."))
    tips = "".join(block for block in blocks if block.startswith("[assignments.softmax_tips"))
    tips = tips.replace('"reference/', f'"{ROOT}/reference/').replace('"assignments/', f'"{ROOT}/assignments/')
    bonus = tips.replace("[assignments.softmax_tips", "[assignments.tips_bonus").replace(
        "[assignments.tips_bonus]\n", "[assignments.tips_bonus]\nbonus = true\n", 1)
    path = folder / "grader.toml"
    path.write_text(common + tips + bonus, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """A course folder graded once: softmax_tips (alice right, bob the skeleton, an empty file, a .hwp)
    and tips_bonus (alice and carol right)."""
    root = tmp_path_factory.mktemp("course")
    tips, extra = root / "course" / "softmax_tips", root / "course" / "tips_bonus"
    tips.mkdir(parents=True)
    extra.mkdir()
    shutil.copy(REFERENCE, tips / "alice.py")
    shutil.copy(SKELETON, tips / "bob.py")
    (tips / "empty.py").write_text("", encoding="utf-8")
    (tips / "kim.hwp").write_bytes(b"\xd0\xcf\x11\xe0 a Hangul document")
    shutil.copy(REFERENCE, extra / "alice.py")
    shutil.copy(REFERENCE, extra / "carol.py")
    config = _config(root)
    assert main([str(root / "course"), "--out", str(root / "results"), "--config", str(config), "--data-root",
                 str(DATA_ROOT), "--quiet"]) == 0
    return root


@pytest.fixture
def course(graded, tmp_path) -> Path:
    """A copy of the graded course that a test may change."""
    shutil.copytree(graded, tmp_path / "copy")
    return tmp_path / "copy"


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


class _Page(HTMLParser):
    """Links and table rows (cell texts) of one page."""

    def __init__(self, path: Path | str):
        super().__init__()
        self.links: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(path.read_text(encoding="utf-8") if isinstance(path, Path) else path)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a":
            self.links.append(found["href"] or "")
        elif tag == "table":
            self._table = found.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def assert_consistent(out: Path) -> None:
    """Every derived file of a course's results folder says what the result.json files say."""
    course = {name: {r.student: r for r in load_results(out / name)} for name in ("softmax_tips", "tips_bonus")}
    for name, results in course.items():
        rows = {row["student"]: row for row in _csv(out / name / "gradebook.csv")}
        assert set(rows) == set(results), name
        for student, result in results.items():
            assert float(rows[student]["score"]) == result.score
            assert all(float(rows[student][c.id]) == c.score for c in result.checks)
        long = _csv(out / name / "results_long.csv")
        assert sorted((r["student"], r["check"], float(r["score"])) for r in long) == sorted(
            (s, c.id, c.score) for s, r in results.items() for c in r.checks)
        report = _Page(out / name / "report.html").tables["students"][1:]
        assert {row[0].split(" (md)")[0]: float(row[1]) for row in report} == {s: r.score for s, r in results.items()}
    book = {row["student"]: row for row in _csv(out / "course_gradebook.csv")}
    students = sorted({s for results in course.values() for s in results})
    assert sorted(book) == students
    page = _Page(out / "report.html").tables["course-students"]
    assert page[0][1:3] == ["softmax_tips (100)", "tips_bonus (100)"]
    shown = {row[0]: row[1:] for row in page[1:]}
    for student in students:
        scores = [f"{course[n][student].score:g}" if student in course[n] else "" for n in course]
        assert [book[student][n] for n in course] == scores
        total = course["softmax_tips"][student].score if student in course["softmax_tips"] else 0
        assert shown[student] == [*scores, f"{total:g}", scores[1] or "0"]
        assert book[student]["total"] == f"{total:g}" and book[student]["bonus"] == (scores[1] or "0")
    long = _csv(out / "results_long.csv")
    assert len(long) == sum(len(r.checks) for results in course.values() for r in results.values())


def test_a_course_page_links_the_reports_the_csvs_and_every_students_feedback(graded):
    out = graded / "results"
    assert_consistent(out)
    page = _Page(out / "report.html")
    assert page.links and all((out / link).is_file() for link in page.links), [l for l in page.links if not (out / l).is_file()]
    for link in ("course_gradebook.csv", "results_long.csv", "softmax_tips/report.html", "softmax_tips/gradebook.csv",
                 "softmax_tips/results_long.csv", "tips_bonus/gradebook.csv", "tips_bonus/results_long.csv",
                 "softmax_tips/kim/feedback.html", "tips_bonus/carol/feedback.html"):
        assert link in page.links
    assert "softmax_tips/carol/feedback.html" not in page.links  # carol handed in nothing for it: an empty cell
    # the least passed check with its pass rate: every check of softmax_tips passed for alice alone
    least = [row[2] for row in page.tables["assignments"][1:]]
    assert least[0].endswith("1 of 4 passed (25%)") and least[1].endswith("2 of 2 passed (100%)"), least


def test_files_that_cannot_be_graded_say_why_in_the_gradebook_and_the_long_csv_has_no_pointer_above(graded):
    out = graded / "results" / "softmax_tips"
    rows = {row["student"]: row for row in _csv(out / "gradebook.csv")}
    assert rows["empty"]["score"] == "0" and "empty.py holds no code: it is empty" in rows["empty"]["notes"]
    assert "build_model" not in rows["empty"]["notes"]
    assert rows["kim"]["score"] == "0" and "kim.hwp is not a .py or .ipynb file" in rows["kim"]["notes"]
    assert rows["alice"]["notes"] == "" and rows["bob"]["notes"] == ""  # a skeleton's 0 is its checks' doing
    long = _csv(out / "results_long.csv")
    assert not [row for row in long if "Fix this first" in row["message"] or "above" in row["message"]]
    assert {row["message"] for row in long if row["student"] == "kim"} == {rows["kim"]["notes"]}
    eyes = (out / "report.html").read_text(encoding="utf-8").split('id="eyes">')[1].split("</ul>")[0]
    assert "kim.hwp" in eyes and "empty.py" in eyes


def test_only_one_student_regraded_leaves_every_file_consistent(course):
    shutil.copy(REFERENCE, course / "course" / "softmax_tips" / "bob.py")  # bob hands in his work late
    assert main([str(course / "course"), "--out", str(course / "results"), "--config", str(course / "grader.toml"),
                 "--data-root", str(DATA_ROOT), "--only", "bob", "--quiet"]) == 0
    assert {r.student: r.score for r in load_results(course / "results" / "softmax_tips")}["bob"] == 100
    book = {row["student"]: row for row in _csv(course / "results" / "course_gradebook.csv")}
    assert book["bob"]["softmax_tips"] == "100" and book["carol"]["tips_bonus"] == "100"  # bob has no tips_bonus
    assert_consistent(course / "results")


def test_autograde_report_rewrites_the_gradebooks_too(course):
    out = course / "results"
    path = out / "softmax_tips" / "alice" / "result.json"
    [alice] = [r for r in load_results(out / "softmax_tips") if r.student == "alice"]
    checks = [c.model_copy(update={"score": 0.0, "status": "failed"}) if c.id == "test" else c for c in alice.checks]
    save_result(alice.model_copy(update={"checks": checks, "score": sum(c.score for c in checks)}), path)
    for stale in ("course_gradebook.csv", "softmax_tips/gradebook.csv"):
        (out / stale).write_text("stale\n", encoding="utf-8")
    assert main(["report", str(out), "--config", str(course / "grader.toml")]) == 0
    assert_consistent(out)
    assert {row["student"]: row["softmax_tips"] for row in _csv(out / "course_gradebook.csv")}["alice"] == "75"


def test_the_course_page_loads_in_a_browser_with_every_students_total(graded, tmp_path):
    from .browser import element_text, find_chromium, render

    if find_chromium() is None:
        pytest.skip("no chromium: install Debian's chromium (bash .ci/setup does) to run the browser tests")
    rendered = render(graded / "results" / "report.html", tmp_path / "course")
    assert rendered.errors == []
    assert element_text(rendered.dom, "summary") == "학생 5명, 과제 2개 / 5 students, 2 assignments"
    rows = {row[0]: row[1:] for row in _Page(rendered.dom).tables["course-students"][1:]}
    assert rows == {"alice": ["100", "100", "100", "100"], "bob": ["0", "", "0", "0"], "carol": ["", "100", "0", "100"],
                    "empty": ["0", "", "0", "0"], "kim": ["0", "", "0", "0"]}
