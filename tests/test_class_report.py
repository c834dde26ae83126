"""The class report (`autograde report`, and written after every batch): what it shows is what the
results hold, student-controlled text is escaped, and the page needs nothing from the network."""

from __future__ import annotations

import re

from autograder.catalog import msg
from autograder.class_report import item_analysis, render_assignment, render_course
from autograder.cli import main
from autograder.results import CheckResult, SandboxInfo, SubmissionResult, save_result


def _result(student: str, statuses: dict[str, str], message: str = "measured 0.12", exit: str = "exit 0",
            limit: str | None = None, accuracy: float | None = None) -> SubmissionResult:
    checks = [CheckResult(id=check_id, title=f"the {check_id} check", status=status,
                          score=10.0 if status == "passed" else 0.0, max_score=10.0,
                          message="fine" if status == "passed" else message,
                          measured=accuracy if check_id == "shapes" else None,
                          threshold=0.9 if check_id == "shapes" and accuracy is not None else None)
              for check_id, status in statuses.items()]
    sandbox = SandboxInfo(tier="bwrap", device="cpu", cpu_limit_s=60, wall_limit_s=300, memory_limit_mb=4096,
                          file_limit_mb=64, process_limit=32, exit=exit, limit=limit)
    return SubmissionResult(student=student, assignment="mnist_bn", submission=f"{student}.py",
                            score=sum(c.score for c in checks), max_score=10.0 * len(checks), checks=checks,
                            duration_s=1.5, sandbox=sandbox, fingerprint="x")


RESULTS = [
    _result("kim", {"shapes": "passed", "order": "failed"}, "ran Linear → ReLU in 3 of 4 calls", accuracy=0.9512),
    _result("lee", {"shapes": "passed", "order": "failed"}, "ran Linear → ReLU in 2 of 4 calls", accuracy=0.9377),
    _result("park", {"shapes": "passed", "order": "passed"}, accuracy=0.8123),
    _result("choi", {"shapes": "error", "order": "error"}, "<script>alert(1)</script>", exit="killed at the CPU time "
            "limit (60 s)", limit="cpu"),
]


def test_item_analysis_sorts_by_failure_and_groups_messages_that_differ_in_numbers():
    items = item_analysis(RESULTS)
    assert [item.id for item in items] == ["order", "shapes"]
    order = items[0]
    assert (order.passed, order.failed, order.errors) == (1, 2, 1)
    assert order.messages[0][:2] == ("ran Linear → ReLU in # of # calls", 2)
    assert items[1].measured == [0.9512, 0.9377, 0.8123] and items[1].threshold == 0.9


def test_the_page_shows_the_results_escaped_and_self_contained():
    page = render_assignment(RESULTS, "MNIST BN: class report")
    assert "4 submissions; mean 10.0, median 10 of 20; 0 could not run" in page
    assert "제출물 4개; 평균 10.0, 중앙값 10 / 20" in page
    assert "<svg" in page and "<script>" not in page and "&lt;script&gt;" in page
    assert not re.search(r"""(src|href)=["']https?:""", page)
    eyes = page.split('id="eyes">')[1].split("</ul>")[0]
    assert "choi" in eyes and "cpu limit" in eyes and "kim" not in eyes
    assert 'href="kim/feedback.html"' in page and 'href="kim/feedback.md"' in page
    measured = page.split('id="measured-shapes"')[1].split("<svg")[0]
    assert "3 values: lowest 0.8123, median 0.9377, highest 0.9512; threshold 0.9; 1 below it" in measured


def test_the_course_page_links_every_assignment_report():
    page = render_course({"mnist_bn": RESULTS, "xor": RESULTS[:2]}, {"mnist_bn": "MNIST BN"})
    assert 'href="mnist_bn/report.html">MNIST BN</a>' in page and 'href="xor/report.html">xor</a>' in page
    assert "학생 4명, 과제 2개 / 4 students, 2 assignments" in page
    assert "order: 75%" in page


def test_autograde_report_writes_report_html_for_a_results_folder(tmp_path, capsys):
    for result in RESULTS:
        save_result(result, tmp_path / "results" / result.student / "result.json")
    assert main(["report", str(tmp_path / "results")]) == 0
    page = (tmp_path / "results" / "report.html").read_text(encoding="utf-8")
    assert "class report" in page and "park" in page
    assert main(["report", str(tmp_path / "empty-but-missing")]) == 2


def test_plots_fall_back_to_english_labels_without_a_korean_font(monkeypatch):
    from autograder import plots

    score, students = msg("class_report.plot.score"), msg("class_report.plot.students")
    monkeypatch.setattr(plots, "korean_font", lambda: None)
    assert plots.label(score) == "score"
    svg = plots.histogram([1, 2, 3], 0, 4, plots.label(score), plots.label(students))
    assert "score" in svg and not re.search("[가-힣]", svg)
    monkeypatch.setattr(plots, "korean_font", lambda: "NanumGothic")
    assert plots.label(score) == "점수 / score"
