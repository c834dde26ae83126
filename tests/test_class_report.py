"""The class report (`autograde report`, and written after every batch): what it shows is what the
results hold, student-controlled text is escaped, and the page needs nothing from the network."""

from __future__ import annotations

import re

import pytest

from autograder.catalog import msg, render
from autograder.class_report import grouped, item_analysis, needs_eyes, render_assignment
from autograder.cli import main
from autograder.course_report import render_course
from autograder.results import CheckResult, SandboxInfo, SubmissionResult, Texts, save_result


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
    assert "choi" in eyes and "stopped at the CPU time limit (60 s)" in eyes and "kim" not in eyes
    assert "CPU 시간 제한(60초)에 걸려 멈췄습니다" in eyes
    assert 'href="kim/feedback.html"' in page and 'href="kim/feedback.md"' in page
    measured = page.split('id="measured-shapes"')[1].split("<svg")[0]
    assert "3 values: lowest 0.8123, median 0.9377, highest 0.9512; threshold 0.9; 1 below it" in measured


def test_the_course_page_links_every_assignment_report_and_says_the_pass_rate_of_the_least_passed_check():
    page = render_course({"mnist_bn": RESULTS, "xor": RESULTS[:2]}, {"mnist_bn": "MNIST BN"})
    assert 'href="mnist_bn/report.html">MNIST BN</a>' in page and 'href="xor/report.html">xor</a>' in page
    assert "학생 4명, 과제 2개 / 4 students, 2 assignments" in page
    # "order" passed for 1 of 4 (park): the column headed "least passed" says so, not the 75 % that did not pass
    least = page.split('id="assignment-mnist_bn"')[1].split('class="least">')[1].split("</td>")[0]
    assert least == '<span class="first">order: 4개 중 1개 통과 (25%)</span><span class="en">order: 1 of 4 passed (25%)</span>'
    assert "75%" not in page


@pytest.mark.parametrize("first, second", [
    ("accuracy 0.71 is below 0.80", "accuracy 0.69 is below 0.80"),
    ("ran 3 of 4 calls", "ran 12 of 40 calls"),
    ("cost rose by 12%", "cost rose by 3.5%"),
    ("the mean was -0.25, not 0", "the mean was 1.75, not 0"),
    ("SGD(lr=0.1) stepped", "SGD(lr=0.01) stepped"),
    ("Linear 784→100 then 100→10", "Linear 1→2 then 20→5"),
    ("the loss was 1e-3", "the loss was 2.5E+4"),
    ("fc1 has 1,000 weights", "fc2 has 250 weights"),
    ("at line 27 (in toy_data)", "at line 3 (in toy_data)"),
])
def test_messages_that_differ_only_in_numbers_are_one_group(first, second):
    assert grouped(first) == grouped(second) and not re.search(r"\d", grouped(first))
    assert grouped("accuracy 0.71") == "accuracy #" and grouped("lr=0.1, 784→100, -3, 71%") == "lr=#, #→#, #, #"


def _translated(result: SubmissionResult, messages: dict[str, str], fix_first: list[str] = (),
                warnings: list[str] = ()) -> SubmissionResult:
    texts = Texts(messages=messages, fix_first=list(fix_first), warnings=list(warnings),
                  titles={c.id: f"{c.id} 검사" for c in result.checks})
    return result.model_copy(update={"translations": {"ko": texts}})


def test_the_most_common_messages_are_in_both_languages_in_both_mode():
    results = [_translated(_result(name, {"acc": "failed"}, f"accuracy {value} is below 0.8"),
                           {"acc": f"정확도 {value}, 기준 0.8보다 낮습니다"}) for name, value in [("a", 0.71), ("b", 0.69)]]
    items = item_analysis(results, ("ko", "en"))
    assert items[0].messages == [("accuracy # is below #", 2, ("정확도 0.69, 기준 0.8보다 낮습니다",
                                                                 "accuracy 0.69 is below 0.8"))]
    row = render_assignment(results, "t", "both").split('id="item-acc"')[1].split("</tr>")[0]
    assert "2× " in row and "정확도 #, 기준 #보다 낮습니다" in row and "accuracy # is below #" in row
    assert "accuracy" not in render_assignment(results, "t", "ko").split('id="item-acc"')[1].split("</tr>")[0]
    assert "정확도" not in render_assignment(results, "t", "en").split('id="item-acc"')[1].split("</tr>")[0]


TRAINS_EN = render(msg("source.warning.trains", place="kim.py line 3", call=".backward()",
                       advice=msg("source.guard_advice.script")), "en")
TRAINS_KO = render(msg("source.warning.trains", place="kim.py 3번째 줄", call=".backward()",
                       advice=msg("source.guard_advice.script")), "ko")


def test_a_file_that_trains_at_import_needs_a_tas_eyes_in_each_language_wholly():
    passed = _result("kim", {"acc": "passed"}).model_copy(update={"warnings": [TRAINS_EN]})
    passed = _translated(passed, {}, warnings=[TRAINS_KO])
    assert needs_eyes(passed, "en") == ["trains a model as soon as the file is imported: kim.py line 3: this code trains "
                                        "a model (it calls .backward()) as soon as the file is imported, before any "
                                        "check, and its time counts against your time limit."]
    [korean] = needs_eyes(passed, "ko")
    assert korean.startswith("파일을 import하자마자 모델을 학습합니다: kim.py 3번째 줄: 이 코드는")
    assert needs_eyes(_result("lee", {"acc": "passed"}), "en") == []

    cause_en = ("Importing your file used up its 60 s of CPU time and was stopped, so nothing could be checked. "
                "Code at module level runs on import.")
    cause_ko = "제출한 파일을 가져오는(import) 중에 코드가 CPU 시간 60초를 모두 써서 중지되었습니다. 그래서 검사할 수 없었습니다."
    stopped = _result("choi", {"acc": "error"}, "Could not run: importing your file did not finish (see above).",
                      exit="killed at the CPU time limit (60 s)", limit="cpu")
    stopped = _translated(stopped.model_copy(update={"fix_first": [cause_en], "warnings": [TRAINS_EN]}),
                          {"acc": "실행할 수 없었습니다"}, [cause_ko], [TRAINS_KO])
    english, trains = needs_eyes(stopped, "en")
    assert english == ("stopped at the CPU time limit (60 s): Importing your file used up its 60 s of CPU time and was "
                       "stopped, so nothing could be checked.") and trains.startswith("trains a model")
    for line in needs_eyes(stopped, "ko"):  # no English sentence in a Korean line (code and file names aside)
        assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", line.replace("import", "")), line
    empty = _translated(_result("park", {"acc": "error"}).model_copy(
        update={"fix_first": ["park.py holds no code: it is empty."], "sandbox": stopped.sandbox.model_copy(
            update={"exit": "not run", "limit": None})}), {}, ["park.py에 코드가 없습니다. 빈 파일입니다."])
    assert needs_eyes(empty, "en") == ["no check could run: park.py holds no code: it is empty."]
    assert needs_eyes(empty, "ko") == ["어떤 검사도 실행하지 못했습니다: park.py에 코드가 없습니다."]
    page = render_assignment([passed, stopped, empty], "t", "both").split('id="eyes">')[1].split("</ul>")[0]
    assert page.count("<li>") == 3 and page.count('class="first"') == 4 and page.count('class="en"') == 4


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


def test_how_a_run_ended_is_said_in_each_language_from_the_catalog():
    def eyes(exit: str, language: str) -> list[str]:
        return needs_eyes(_result("kim", {"acc": "passed"}, exit=exit), language)

    assert eyes("signal 9", "en") == ["the run was ended by signal 9"] and eyes("signal 9", "ko") == ["실행이 끝난 방식: 시그널 9"]
    assert eyes("exit 1", "en") == ["the run ended with exit code 1"] and eyes("exit 1", "ko") == ["실행이 끝난 방식: 종료 코드 1"]
    assert eyes("lost (grading worker died)", "ko")[0].startswith("실행할 때마다 채점 작업자를 잃었습니다")
    assert eyes("exit 0", "en") == eyes("not run", "ko") == []
