"""The course's own notebooks grade as written: plots with matplotlib, `%matplotlib inline`,
`!pip install`, Colab's `google.colab`, and Jupyter's `.py` export with `get_ipython()`. Training
in a top-level cell is left out of what the grader imports and said so; training the static look
cannot recognise runs, and its CPU stop is explained in notebook terms."""

from __future__ import annotations

import json
import textwrap

import pytest

from .conftest import REFERENCE, grade_files, with_limits

GUARD = 'if __name__ == "__main__":\n'
FUNCTIONS, MAIN = REFERENCE.read_text(encoding="utf-8").split(GUARD)
PLOT_CELL = "plt.plot([3.0, 2.0, 1.5])\nplt.title('cost')\nplt.show()\n"
HIDDEN_TRAINING = ("model = build_model()\noptimizer = make_optimizer(model)\nfor step in range(10 ** 9):\n"
                   "    loss = model(torch.rand(100, 784)).sum()\n    getattr(loss, 'backward')()\n"
                   "    getattr(optimizer, 'step')()\n")
COLAB_CELL = "!pip install torchvision\nfrom google.colab import drive\ndrive.mount('/content/gdrive')\n"


def _notebook(*cells: str) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}
        for source in cells]})


@pytest.fixture(scope="module")
def graded(config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    top_level_training = textwrap.dedent(MAIN)
    sources = {
        # As the course writes it: magics, Colab, a plot at top level, the full run in a guarded cell.
        "course.ipynb": _notebook("%matplotlib inline\nimport matplotlib.pyplot as plt", COLAB_CELL,
                                  FUNCTIONS, PLOT_CELL, GUARD + MAIN),
        # Jupyter's "Download as .py": magics become get_ipython() calls.
        "exported.py": "get_ipython().run_line_magic('matplotlib', 'inline')\nget_ipython().system('pip install torch')\n"
                       "import matplotlib.pyplot as plt\n" + FUNCTIONS + PLOT_CELL,
        # The course's training cell left at top level: the grader leaves its training out.
        "trains.ipynb": _notebook(FUNCTIONS, top_level_training),
        # Training the static look cannot recognise: the import trains until the CPU limit.
        "hidden.ipynb": _notebook(FUNCTIONS, HIDDEN_TRAINING),
        "tensorflow.py": "import tensorflow as tf\n" + FUNCTIONS,
    }
    files = {}
    for name, text in sources.items():
        files[name.split(".")[0]] = folder / name
        files[name.split(".")[0]].write_text(text, encoding="utf-8")
    return grade_files(with_limits(config, cpu_s=10), files)


@pytest.mark.parametrize("student", ["course", "exported"])
def test_the_course_style_grades_as_written(graded, student):
    result = graded[student]
    assert result.score == result.max_score, [c.message for c in result.checks if c.status != "passed"]
    assert result.warnings == [] and result.fix_first == []


def test_top_level_training_in_a_notebook_is_left_out_and_said_so(graded):
    result = graded["trains"]
    assert result.score == result.max_score, [c.message for c in result.checks if c.status != "passed"]
    [note] = result.warnings
    assert note.startswith("trains.ipynb cell 2, line ") and "trains a model" in note and "skipped" in note
    assert "train()" in note and "compare_hidden_sizes()" in note and result.fix_first == []


def test_training_the_grader_cannot_see_is_explained_for_notebooks(graded):
    result = graded["hidden"]
    assert result.warnings == []
    [cause] = result.fix_first
    assert "used up its 10 s of CPU time" in cause
    assert 'in a notebook __name__ is "__main__"' in cause and "the grader skips it" in cause
    assert result.sandbox.limit == "cpu"


def test_a_package_the_grader_does_not_have_is_named_before_and_after(graded):
    result = graded["tensorflow"]
    [warning] = result.warnings
    assert "tensorflow.py line 1" in warning and "`tensorflow` is not installed" in warning
    [cause] = result.fix_first
    assert "tensorflow" in cause and "matplotlib" in cause  # what is missing, and what is there
