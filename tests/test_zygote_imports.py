"""What the zygote imports before it forks (sandbox/zygote.py): matplotlib only for a batch where
some file names it (`BatchSettings.plots`); a file that imports it another way still runs, paying
the import itself. softmax_tips is the lab: no MNIST, so each zygote starts in seconds."""

from __future__ import annotations

from .conftest import ROOT, grade_files

ASSIGNMENT = "softmax_tips"
REFERENCE = (ROOT / "reference" / f"{ASSIGNMENT}.py").read_text(encoding="utf-8")
# Names the module without the word, so that this file alone does not ask for it. (Its sys.modules
# costs it softmax_tips's `test` check, which reads what code out of the grader's sight could do:
# its score is not the point here.)
ASKS = 'import sys\nprint("preloaded:", ("matplot" + "lib.pyplot") in sys.modules)\n'
PLOTS_UNNAMED = 'import importlib\nplt = importlib.import_module("matplot" + "lib.pyplot")\nplt.plot([0, 1])\nprint("plotted")\n'


def _write(folder, sources):
    paths = {}
    for name, source in sources.items():
        paths[name] = folder / f"{name}.py"
        paths[name].write_text(source, encoding="utf-8")
    return paths


def test_matplotlib_is_imported_before_the_fork_only_for_a_batch_that_names_it(config, tmp_path):
    alone = grade_files(config, _write(tmp_path, {"asks": ASKS + REFERENCE}), assignment=ASSIGNMENT)["asks"]
    assert "preloaded: False" in alone.output
    (tmp_path / "batch").mkdir()
    beside = grade_files(config, _write(tmp_path / "batch", {"asks": ASKS + REFERENCE,
                                                             "plots": "import matplotlib.pyplot as plt\n" + REFERENCE}),
                         assignment=ASSIGNMENT)
    assert "preloaded: True" in beside["asks"].output
    assert beside["plots"].score == beside["plots"].max_score


def test_a_file_that_imports_matplotlib_unnamed_still_plots(config, tmp_path):
    result = grade_files(config, _write(tmp_path, {"hidden": PLOTS_UNNAMED + REFERENCE}), assignment=ASSIGNMENT)["hidden"]
    assert "plotted" in result.output
    assert {check.id for check in result.checks if check.status != "passed"} <= {"test"}  # importlib: as above
