"""What one student reads, in Korean, English or both: feedback.md, feedback.html, `autograde check`'s
table, the nbgrader cell line, and `[report] language` / `--language`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder.catalog import msg
from autograder.config import ConfigError, load_config
from autograder.feedback import check_line, console_table, feedback_html, feedback_markdown
from autograder.results import SandboxInfo
from autograder.verdicts import CheckVerdict, Judged

HANGUL = re.compile("[가-힣]")


def _result(tmp_path=None):
    """A result built the way grading builds one: verdicts as catalog messages, rendered in English
    with a Korean translation."""
    from autograder.results import SubmissionResult

    judged = Judged([CheckVerdict("shapes", msg("feedback.column.check"), "passed", 10, 10,
                                  msg("verdicts.internal_error", exception="E", detail="0.25 <b>x</b>")),
                     CheckVerdict("order", msg("feedback.column.result"), "failed", 0, 5,
                                  msg("verdicts.not_implemented.one", functions="`build_model()`"))],
                    [msg("verdicts.fill_blanks.one", functions="`build_model()`")])
    sandbox = SandboxInfo(tier="bwrap", device="cpu", cpu_limit_s=60, wall_limit_s=300, memory_limit_mb=4096,
                          file_limit_mb=64, process_limit=32, exit="exit 0", cpu_s=2.5)
    checks = judged.results()
    return SubmissionResult(student="kim", assignment="mnist_bn", submission="kim.py", score=10, max_score=15,
                            checks=checks, fix_first=[], duration_s=3.2, sandbox=sandbox, fingerprint="x",
                            output="loss 0.5 <script>", translations=judged.translations([], []))


def test_both_shows_korean_first_then_english_with_the_same_numbers():
    page = feedback_markdown(_result(), "both")
    assert page.startswith("# kim의 피드백: mnist_bn / Feedback for kim: mnist_bn")
    assert "**점수: 10 / 15 / Score: 10 / 15**" in page
    row = next(line for line in page.splitlines() if line.startswith("| `shapes`"))
    korean, english = row.split("|")[4].split("<br>")
    assert "조교에게" in korean and "tell your TA" in english and "0.25" in korean and "0.25" in english


@pytest.mark.parametrize("language", ["ko", "en"])
def test_one_language_shows_only_that_language(language):
    page = feedback_markdown(_result(), language)
    assert bool(HANGUL.search(page.replace("kim의", ""))) == (language == "ko")
    table = console_table(_result(), language)
    assert ("통과" in table) == (language == "ko") and ("PASS" in table) == (language == "en")


def test_feedback_html_is_self_contained_escaped_and_in_korean():
    page = feedback_html(_result(), "both")
    assert page.startswith("<!DOCTYPE html>") and 'lang="ko"' in page and '<meta charset="utf-8">' in page
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert not re.search(r"""(src|href)=["']https?:""", page)
    row = page.split('id="check-order"')[1].split("</tr>")[0]
    assert "아직 구현되지 않았습니다" in row and "Not implemented yet" in row and 'class="failed"' in row


def test_the_nbgrader_line_carries_both_languages():
    line = check_line(_result(), "order", "both")
    assert line.startswith("실패 / FAIL order (0/5): 아직 구현되지 않았습니다") and "\nNot implemented yet" in line
    assert check_line(_result(), "missing") is None


def test_report_language_is_validated_and_named_in_the_error(tmp_path):
    text = (Path(__file__).resolve().parents[1] / "grader.toml").read_text(encoding="utf-8")
    bad = tmp_path / "grader.toml"
    assert 'language = "both"' in text
    bad.write_text(text.replace('language = "both"', 'language = "fr"', 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"report\.language"):
        load_config(bad)


def test_the_terminal_table_wraps_korean_by_columns_not_characters():
    from autograder.feedback import _columns, fill

    text = "모델의 출력을 계산하는 순서는 Linear → ReLU → BatchNorm → Dropout → Linear입니다. " * 3
    lines = fill(text, 60, "  ", "  ").splitlines()
    assert len(lines) > 2 and all(_columns(line) <= 60 for line in lines)
    assert " ".join(line.strip() for line in lines) == " ".join(text.split())


def test_printed_output_says_why_its_numbers_are_not_the_models():
    """An `evaluate()` at import prints an accuracy against decoy labels: the page says so beside it,
    on every page and in every language shown."""
    result = _result()
    pages = {"markdown": feedback_markdown(result, "both"), "html": feedback_html(result, "both"),
             "terminal": console_table(result, "both")}
    for name, page in pages.items():
        flat = " ".join(page.split())
        assert "therefore not your model" in flat, name
        assert "여러분 모델의 결과가 아닙니다" in flat, name
        assert flat.index("therefore not your model") < flat.index("loss 0.5"), name
