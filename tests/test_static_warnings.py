"""The static look at a file warns about training at import only where importing it would train:
never for a notebook the course hands out untouched (its full run is guarded by
`if __name__ == "__main__" and not os.environ.get("NBGRADER_EXECUTION"):`), always for a
top-level training loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.catalog import SOURCE, render
from autograder.environment import is_available
from autograder.notebook import notebook_to_module
from autograder.source import location, static_warnings

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*(ROOT / "assignments").glob("*/*.ipynb"), *(ROOT / "reference").glob("*.ipynb")])


def _warnings(source: str, notebook: bool) -> list[str]:
    return [render(text, SOURCE) for text in static_warnings(source, notebook, location("f.py"), is_available)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: f"{path.parent.name}-{path.stem}")
def test_a_handed_out_notebook_gets_no_warning(path):
    converted = notebook_to_module(path.read_text(encoding="utf-8"), path.name)
    assert _warnings(converted.source, notebook=True) == []


TRAIN = "def train(model, opt):\n    loss = model().sum()\n    loss.backward()\n    opt.step()\n"


@pytest.mark.parametrize("guard", ['__name__ == "__main__"', '"__main__" == __name__',
                                   '__name__ == "__main__" and not os.environ.get("NBGRADER_EXECUTION")',
                                   'os.environ.get("X") is None and __name__ == "__main__"'])
def test_training_under_a_main_guard_is_no_warning(guard):
    assert _warnings(f"import os\n{TRAIN}if {guard}:\n    train(None, None)\n", notebook=False) == []


@pytest.mark.parametrize("guard", ["True", '__name__ != "__main__"', '__name__ == "__main__" or True'])
def test_training_that_runs_at_import_is_warned_about(guard):
    [warning] = _warnings(f"{TRAIN}if {guard}:\n    train(None, None)\n", notebook=False)
    assert "train" in warning
