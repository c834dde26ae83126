"""What the zygote imports before it forks (sandbox/zygote.py): everything grading the homework
imports on first use, never the real `torch._dynamo`, and matplotlib only for a batch where some
file names it (`BatchSettings.plots`); a file that imports it another way still runs, paying the
import itself. softmax_tips is the lab where MNIST is not needed, so each zygote starts in seconds."""

from __future__ import annotations

from .conftest import REFERENCE as HOMEWORK, ROOT, grade_files

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


# Reports every module imported after it, i.e. whatever the child had to import itself.
LAZY = """import sys
class _Reports:
    def find_spec(self, name, path=None, target=None):
        print("imported in the child:", name)
sys.meta_path.insert(0, _Reports())
"""


def test_grading_the_homework_imports_nothing_the_zygote_could_have(config, tmp_path):
    """Each module a child imports costs every submission its CPU time (sympy alone 0.6 s); the real
    `torch._dynamo` (2 s) is not imported at all (sandbox/lazy_dynamo.py)."""
    result = grade_files(config, _write(tmp_path, {"mnist_bn": LAZY + HOMEWORK.read_text(encoding="utf-8")}))["mnist_bn"]
    assert result.score == result.max_score
    assert "imported in the child" not in result.output, result.output[:2000]
