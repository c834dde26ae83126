"""The graded cells of a notebook grade what the kernel holds, not every input it was ever given:
a cell that was not valid Python ran nothing, so once it is fixed and run again the graded cells
pass, and what they point at is a cell as Jupyter numbers it ("[12]"), never a file the student
has never seen."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.nbgrader_cells import history_notebook
from autograder.notebook import notebook_to_module

from .conftest import ROOT

LAB = "softmax_tips"  # the cheapest lab to grade


def test_inputs_that_ran_nothing_and_the_test_cells_are_left_out_counts_kept():
    inputs = ["", "import torch\n", "def f(:\n", "def f():\n    return 1\n",
              'from autograder.nbgrader_cells import show\nshow("model")\n', "%matplotlib inline\nx = f()\n"]
    notebook = json.loads(history_notebook(inputs, LAB))
    assert [cell["execution_count"] for cell in notebook["cells"]] == [1, 3, 5]
    converted = notebook_to_module(json.dumps(notebook), f"{LAB}.ipynb")
    line = converted.source.splitlines().index("x = f()") + 1
    assert str(converted.locate(line)) == "the cell run as [5], line 2"


def _code(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.pop("id", None)
    return cell


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> list[str]:
    """A student's session, run in a real kernel: a cell with a syntax error, the same cell fixed,
    a graded cell; then a cell that raises, and the graded cell again."""
    reference = json.loads((ROOT / "reference" / f"{LAB}.ipynb").read_text(encoding="utf-8"))
    solution = [cell["source"] for cell in reference["cells"] if cell["cell_type"] == "code"
                and not cell["metadata"]["nbgrader"].get("grade") and cell["metadata"]["nbgrader"]["grade_id"] != "full_run"]
    model = next(source for source in solution if "def build_model" in source)
    graded = f'from autograder.nbgrader_cells import show\nshow("model", assignment="{LAB}")'
    cells = [*(_code(source) for source in solution if source is not model),
             _code(model.replace("def build_model():", "def build_model()")), _code(model), _code(graded),
             _code("x = undefined_name\n"), _code(graded)]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=reference["metadata"])
    NotebookClient(notebook, timeout=120, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path_factory.mktemp("kernel"))}}).execute()
    # A cell's printed text, and its error if it raised (so a failure says what happened).
    return ["".join(output.get("text", "") or f"{output.get('ename')}: {output.get('evalue')}"
                    for output in cell.outputs) for cell in notebook.cells[-3:]]


def test_a_fixed_syntax_error_no_longer_fails_the_graded_cells(outputs):
    assert "PASS model (15/15)" in outputs[0], outputs[0]
    assert "not valid Python" not in outputs[0]


def test_a_failing_cell_is_named_by_its_execution_count_with_what_to_do(outputs):
    text = outputs[2]
    assert "ERROR model (0/15)" in text
    assert "at the cell run as [" in text and f"{LAB}.py" not in text and f"{LAB}.ipynb" not in text
    assert "Restart Kernel and Run All Cells" in text
