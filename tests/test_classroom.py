"""A class of 40 generated submissions (tests/classroom.py) graded by the batch command, and
everything a TA and the students get from it: gradebook, long CSV, feedback pages in both languages,
the class report (item analysis, similar pairs, timing), `--only` and `autograde show`. The lab is
softmax_tips, whose checks need no MNIST training, so the whole class grades in seconds."""

from __future__ import annotations

import csv
import io

import pytest

from autograder.class_report import load_results
from autograder.cli import main

from .classroom import make_class
from .labs import softmax_tips

ASSIGNMENT = "softmax_tips"


@pytest.fixture(scope="module")
def graded(config, tmp_path_factory):
    root = tmp_path_factory.mktemp("class40")
    handed = make_class(softmax_tips, config.path(config.assignments[ASSIGNMENT].skeleton), root / "submissions")
    assert len(handed) == 40
    code = main(["grade", str(root / "submissions"), "--out", str(root / "results"), "--assignment", ASSIGNMENT,
                 "--quiet"])
    assert code == 0
    return root, handed, {r.student: r for r in load_results(root / "results")}


def _csv(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_every_student_has_a_result_and_feedback_pages_in_both_languages(graded):
    root, handed, results = graded
    assert set(results) == set(handed)
    for student, result in results.items():
        folder = root / "results" / student
        page = (folder / "feedback.html").read_text(encoding="utf-8")
        assert f"{student}의 피드백" in page and f"Feedback for {student}" in page
        assert f"{result.score:g} / {result.max_score:g}" in page
    assert results["김민준"].score == results["이서연"].score == 100
    skeleton = next(s for s, what in handed.items() if what == "skeleton")
    assert results[skeleton].score == 0 and "아직 구현되지 않았습니다" in (root / "results" / skeleton / "feedback.md").read_text(encoding="utf-8")


def test_the_long_csv_has_one_row_per_student_and_check_matching_the_results(graded):
    root, _, results = graded
    rows = _csv(root / "results" / "results_long.csv")
    assert len(rows) == sum(len(r.checks) for r in results.values())
    for row in rows:
        check = next(c for c in results[row["student"]].checks if c.id == row["check"])
        assert (row["status"], float(row["score"]), float(row["max_score"])) == (check.status, check.score, check.max_score)


def test_the_class_report_shows_the_numbers_of_the_results_and_finds_the_copied_pairs(graded):
    root, handed, results = graded
    page = (root / "results" / "report.html").read_text(encoding="utf-8")
    assert "제출물 40개" in page and "40 submissions" in page
    for check_id in [c.id for c in next(iter(results.values())).checks]:
        passed = sum(c.status == "passed" for r in results.values() for c in r.checks if c.id == check_id)
        row = page.split(f'id="item-{check_id}"')[1].split("</tr>")[0]
        assert f"<td>{passed}</td>" in row
    similar = page.split('id="similar"')[1].split("</table>")[0]
    pairs = {frozenset((a, b)) for a in handed for b in handed if a < b and handed[a] == handed[b]
             and handed[a].startswith("copied")}
    assert len(pairs) == 2
    for pair in pairs:
        a, b = sorted(pair)
        assert f"<td>{a}</td><td>{b}</td>" in similar
    assert similar.count("<tr>") == 1 + len(pairs), "only the copied pairs are similar"
    assert page.count('/feedback.html"') == 40


def test_only_regrades_one_student_and_keeps_everyone_in_the_gradebook(graded, capsys):
    root, _, results = graded
    student = "kang_jimin"
    assert main(["grade", str(root / "submissions"), "--out", str(root / "results"), "--assignment", ASSIGNMENT,
                 "--only", student, "--force", "--quiet"]) == 0
    assert "Grading 1 submission " in capsys.readouterr().err
    assert len(_csv(root / "results" / "gradebook.csv")) == 40
    assert main(["grade", str(root / "submissions"), "--out", str(root / "results"), "--assignment", ASSIGNMENT,
                 "--only", "kang_jimn"]) == 2
    assert "did you mean kang_jimin" in capsys.readouterr().err


def test_show_prints_one_students_feedback(graded, capsys):
    root, _, results = graded
    assert main(["show", str(root / "results"), "박지후", "--language", "ko"]) == 0
    out = capsys.readouterr().out
    assert "박지후.py: 100/100점" in out and "PASS" not in out
    assert main(["show", str(root / "results"), "박지호"]) == 2
    err = capsys.readouterr().err
    assert "did you mean" in err and "박지후" in err


def test_the_report_and_a_feedback_page_load_in_a_browser_with_the_results_numbers(graded, tmp_path):
    from .browser import element_text, find_chromium, render

    if find_chromium() is None:
        pytest.skip("no chromium: install Debian's chromium (bash .ci/setup does) to run the browser tests")
    root, _, results = graded
    report = render(root / "results" / "report.html", tmp_path / "report")
    assert report.errors == []
    scores = [r.score for r in results.values()]
    summary = element_text(report.dom, "summary")
    assert f"제출물 {len(scores)}개" in summary and f"mean {sum(scores) / len(scores):.1f}" in summary
    shown = report.dom.split('id="students"')[1]
    assert shown.count('class="score"') == len(results)
    student = "이서연"
    page = render(root / "results" / student / "feedback.html", tmp_path / "feedback")
    assert page.errors == []
    result = results[student]
    assert element_text(page.dom, "score").startswith(f"점수: {result.score:g} / {result.max_score:g}")
