"""Text a student controls (printed output, file names, notes) where it could do more than be read:
feedback.md (a fence it cannot close, lines it cannot start), a TA's terminal (no escape sequences,
no bidi overrides; `autograde show`, `check`, progress lines) and a spreadsheet (no formulas)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from autograder.cli import main
from autograder.feedback import console_table, feedback_markdown
from autograder.progress import ConsoleProgress
from autograder.report import gradebook_csv, long_csv
from autograder.results import write_atomic
from autograder.untrusted_text import for_terminal

from .conftest import DATA_ROOT
from .test_feedback import _result

# Clear the screen, set the window title, a fake green PASS line, C1 CSI, DEL, backspace, a lone
# CR that overwrites the line, a right-to-left override and an isolate, NUL.
HOSTILE = ("\x1b[2J\x1b[H\x1b]0;owned\x07\x1b[32mPASS 100/100\x1b[0m\x9b31m\x7f\x08"
           "fake\roverwritten \u202egnp.py\u2066 \x00")
DANGEROUS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _hostile_result():
    return _result().model_copy(update={"output": f"loss 0.5\n{HOSTILE}\n", "submission": f"kim{HOSTILE}.py",
                                        "notes": [f"also found kim/{HOSTILE}.py"]})


# feedback.md

def test_printed_output_cannot_close_its_fence_or_add_headings_or_html():
    mistune = pytest.importorskip("mistune")
    output = "epoch 1\n```\n\n# Score: 100/100\n<img src=x onerror=alert(1)>\n`````\n~~~\nlast line"
    page = feedback_markdown(_result().model_copy(update={"output": output}), "en")
    fence = re.search(r"^(`{3,})text$", page, re.M).group(1)
    assert len(fence) == 6  # longer than the longest run of backticks in the output (5)
    html = mistune.html(page)
    assert "<img" not in html and "&lt;img src=x" in html
    assert re.findall(r"<h1>(.*?)</h1>", html) == ["Feedback for kim: mnist_bn"]
    assert "# Score: 100/100\n" in html.split("<pre><code")[1]  # shown, inside the code block
    assert html.rstrip().endswith("</p>")  # the page's last paragraph is outside the block again


def test_file_names_in_the_header_and_notes_stay_on_their_line():
    mistune = pytest.importorskip("mistune")
    name = "kim\n# Score: 100/100\n<img src=x onerror=alert(1)>\n```\n.py"
    page = feedback_markdown(_result().model_copy(update={"submission": name, "notes": [f"also found {name}"],
                                                          "output": ""}), "en")
    html = mistune.html(page)
    assert "<img" not in html and "<pre>" not in html
    assert re.findall(r"<h1>(.*?)</h1>", html) == ["Feedback for kim: mnist_bn"]
    assert not DANGEROUS.search(feedback_markdown(_hostile_result(), "both"))  # `cat feedback.md` is safe too


# The terminal: one helper, every path

def test_for_terminal_keeps_text_and_shows_every_control_as_an_escape():
    assert for_terminal("김민수 PASS\tok\n") == "김민수 PASS\tok\n"
    shown = for_terminal(HOSTILE + "\udcff")  # a lone surrogate: a file name that is not UTF-8
    assert not DANGEROUS.search(shown)
    assert "\\u001b[2J" in shown and "\\u009b31m" in shown and "\\u202egnp.py" in shown and "\\udcff" in shown
    assert "fake\noverwritten" in shown  # a lone CR is a new line, not an overwrite
    assert for_terminal("a\r\nb") == "a\nb"


def test_json_stays_json_with_the_same_values():
    value = {"output": HOSTILE, "name": "김민수\x85\u202e"}
    text = for_terminal(json.dumps(value, ensure_ascii=False, indent=2))
    assert not DANGEROUS.search(text) and json.loads(text) == value


def test_check_and_show_print_no_escape_sequences(tmp_path, capsys):
    table = console_table(_hostile_result(), "both")
    assert not DANGEROUS.search(table) and "PASS 100/100" in table  # shown, as text
    folder = tmp_path / "results" / "kim"
    folder.mkdir(parents=True)
    write_atomic(folder / "result.json", _hostile_result().model_dump_json())
    assert main(["show", str(tmp_path / "results"), "kim"]) == 0
    out, err = capsys.readouterr()
    assert "loss 0.5" in out and not DANGEROUS.search(out + err)


def test_progress_lines_print_no_escape_sequences():
    stream = io.StringIO()
    progress = ConsoleProgress(60, stream=stream, quiet_s=0, every_s=0)
    progress.running(f"kim{HOSTILE}", f"train(){HOSTILE}", 1.0, 6.0)
    progress.finished(1, 1, _hostile_result().model_copy(update={"student": f"kim{HOSTILE}"}), reused=False)
    assert "kim" in stream.getvalue() and not DANGEROUS.search(stream.getvalue())


def test_skipped_entries_are_named_without_escape_sequences(tmp_path, capsys):
    """A FIFO is never opened, only named, in the TA's terminal."""
    import os

    folder = tmp_path / "submissions"
    folder.mkdir()
    os.mkfifo(folder / "\x1b]0;owned\x07\x1b[2Jpipe.py")
    main([str(folder), "--assignment", "mnist_bn", "--out", str(tmp_path / "results"), "--data-root", str(DATA_ROOT)])
    err = capsys.readouterr().err
    assert "skipped: \\u001b]0;owned\\u0007\\u001b[2Jpipe.py" in err and not DANGEROUS.search(err)


# Spreadsheets

@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "  =1", "\u3000=1",
                                  "\uff1dHYPERLINK(\"x\")", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", " \uff1d1",
                                  "\u3000\uff0b1", "\ufe66 small equals", "\ufe62 small plus"])
def test_cells_a_spreadsheet_would_take_for_a_formula_are_neutralised(cell):
    result = _result()
    result = result.model_copy(update={"submission": cell, "notes": [cell],
                                       "checks": [c.model_copy(update={"message": cell}) for c in result.checks]})
    for text in (gradebook_csv([result], ["shapes"]), long_csv([result])):
        rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
        cells = [row[key] for row in rows for key in ("submission", "notes", "message") if key in row]
        assert cells and all(value == "'" + cell.replace("\r", "\n") for value in cells), cells


@pytest.mark.parametrize("cell", ["kim.py", "김민수.zip:hw/mnist_bn.py", "a=b", "1-2", "mail@example.com"])
def test_ordinary_cells_are_left_alone(cell):
    rows = list(csv.DictReader(io.StringIO(gradebook_csv([_result().model_copy(update={"submission": cell})],
                                                         ["shapes"]).removeprefix("\ufeff"))))
    assert rows[0]["submission"] == cell


def test_a_carriage_return_inside_a_cell_cannot_start_a_forged_row():
    forged = "kim.py\rmallory,mnist_bn,x.py,,10,100,100,0"
    text = gradebook_csv([_result().model_copy(update={"submission": forged})], ["shapes"])
    assert "\r" not in text
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert len(rows) == 2 and rows[1][2] == "kim.py\nmallory,mnist_bn,x.py,,10,100,100,0"
