"""Top-level training is graded as written: the grader leaves it out of what it imports (as it
leaves out a `__main__` block), says so in the student's notes, and explains a later NameError
for a name only that training set. A course-style notebook that trains in a top-level cell, and a
`.py` that trains without a `__main__` guard, score what their guarded twin scores."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from autograder.catalog import SOURCE, render
from autograder.environment import is_available
from autograder.source import SKIPPED_LINE, location, skip_training, static_warnings

from .conftest import ROOT, grade_files

LAB = "softmax_tips"  # the cheapest lab to grade
REFERENCE = ROOT / "reference" / f"{LAB}.py"

TRAIN = "def train(model, opt):\n    for _ in range(3):\n        model().sum().backward()\n        opt.step()\n"


def _skip(source: str) -> tuple[str, list[int]]:
    skipped, items = skip_training(source)
    return skipped, [item.line for item in items]


def test_a_training_loop_and_a_call_of_a_trainer_are_left_out_line_numbers_kept():
    source = (TRAIN + "model = object()\n"
              "for epoch in range(15):\n    loss = model()\n    loss.backward()\n    opt.step()\n"
              "costs = train(model, opt)\n"
              "print('done')\n")
    skipped, lines = _skip(source)
    assert lines == [6, 10]
    assert len(skipped.splitlines()) == len(source.splitlines())
    assert skipped.splitlines()[5] == SKIPPED_LINE and skipped.splitlines()[9] == SKIPPED_LINE
    assert "model = object()" in skipped and "print('done')" in skipped and "def train" in skipped
    ast.parse(skipped)


def test_what_is_kept():
    kept = [
        TRAIN + 'if __name__ == "__main__":\n    train(None, None)\n',  # a main block: never run anyway
        "x = w * 2\nx.backward()\nprint(w.grad)\n",  # a one-off backward: later code reads the gradients
        TRAIN + "a = 1; train(None, None)\n",  # shares its line with other code
        "def helper():\n    return 1\nhelper()\n",  # calls a function that does not train
    ]
    for source in kept:
        assert skip_training(source) == (source, [])


def test_a_function_that_calls_a_trainer_is_a_trainer_whatever_the_order():
    source = "def run():\n    train(None, None)\n" + TRAIN + "run()\n"
    assert _skip(source)[1] == [len(source.splitlines())]


def test_the_note_says_it_once_and_no_training_warning_is_left():
    source = TRAIN + "train(None, None)\nfor i in range(3):\n    train(None, None)\n"
    skipped, items = skip_training(source)
    texts = [render(text, SOURCE) for text in static_warnings(skipped, False, location("hw.py"), is_available, items)]
    assert len(texts) == 1
    assert "hw.py line 5; hw.py line 6" in texts[0] and "skipped" in texts[0]


def _course_notebook(tail: list[str]) -> dict:
    """The lab's solution notebook without its guarded full run, then the course's style: cells that
    build and train at the top level."""
    notebook = json.loads((ROOT / "reference" / f"{LAB}.ipynb").read_text(encoding="utf-8"))
    notebook["cells"] = [cell for cell in notebook["cells"]
                         if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "full_run"]
    notebook["cells"] += [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": text}
                          for text in tail]
    return notebook


SETUP = "x_train, y_train, x_test, y_test = toy_data()\nmodel = build_model()\noptimizer = optim.SGD(model.parameters(), lr=0.1)\n"
# Without the skipping this runs until the CPU limit: the test cannot pass by luck.
FOREVER = ("while True:\n    cost = F.cross_entropy(model(x_train), y_train)\n    optimizer.zero_grad()\n"
           "    cost.backward()\n    optimizer.step()\n")


@pytest.fixture(scope="module")
def graded(config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("training")
    files = {}
    for name, tail in {"notebook": [SETUP, FOREVER, "test(model, x_test, y_test)\n"],
                       "needs_costs": [SETUP, "costs = train(model, optimizer, x_train, y_train)\n", "print(costs[-1])\n"]}.items():
        files[name] = folder / f"{name}" / f"{LAB}.ipynb"
        files[name].parent.mkdir()
        files[name].write_text(json.dumps(_course_notebook(tail)), encoding="utf-8")
    files["script"] = folder / "script" / f"{LAB}.py"
    files["script"].parent.mkdir()
    reference = REFERENCE.read_text(encoding="utf-8")
    files["script"].write_text(reference[:reference.index('if __name__ == "__main__":')] + SETUP + FOREVER, encoding="utf-8")
    files["twin"] = REFERENCE
    return grade_files(config, files, assignment=LAB)


def test_a_course_style_notebook_scores_like_its_py_twin(graded):
    twin = graded["twin"]
    assert twin.score == twin.max_score
    for name in ("notebook", "script"):
        result = graded[name]
        assert result.score == twin.score, (name, result.fix_first, [c.message for c in result.checks])
        assert result.sandbox.limit is None
        [note] = result.warnings
        assert "skipped" in note and ".backward()" in note
        assert "trains your functions itself" in note
    assert "cell" in graded["notebook"].warnings[0]
    assert "셀" in graded["notebook"].in_language("ko").warnings[0]


def test_later_code_that_needs_the_skipped_training_is_told_why(graded):
    result = graded["needs_costs"]
    assert result.score == 0
    [cause] = result.fix_first
    assert "NameError" in cause and "`costs` is set only by the training at" in cause
    assert "which the grader skipped" in cause
