"""Student code that crashes, stalls, exits or floods output: a clear error result for that
student, normal grading for everyone else in the same batch."""

from __future__ import annotations

import pytest

from .conftest import REFERENCE, grade_files, not_passed, with_limits
from .variants import VARIANTS, apply_edits

CPU_S = 10  # the reference uses 3 s, 6 s on a slow day; a stop beside others is re-measured alone (regrade.py)

IMPORT_PREFIX = {
    "exits_at_import": "import sys\nsys.exit(0)\n",
    "os_exit_at_import": "import os\nos._exit(0)\n",
    "segfault_at_import": "import ctypes\nctypes.string_at(0)\n",
    "raises_at_import": "raise RuntimeError('boom at import')\n",
    "prints_megabytes": "print('x' * (6 * 1024 * 1024))\n",
}


@pytest.fixture(scope="session")
def hostile(config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    reference = REFERENCE.read_text(encoding="utf-8")
    sources = {name: prefix + reference for name, prefix in IMPORT_PREFIX.items()}
    # The course's script at module level, its training calls out of the static look's sight (the
    # grader leaves out the training it recognises: tests/test_top_level_training.py): importing it
    # trains for minutes.
    functions, main = reference.split('if __name__ == "__main__":\n')
    main = main.replace("    train(", "    globals()['train'](").replace(" compare_hidden_sizes(", " globals()['compare_hidden_sizes'](")
    sources["trains_at_import"] = functions + "if True:\n" + main
    sources["hangs_in_train"] = reference.replace("    train_total_batch = len(train_loader)\n",
                                                  "    train_total_batch = len(train_loader)\n    while True:\n        pass\n")
    sources["syntax_error"] = reference.replace("def make_criterion():", "def make_criterion()")
    sources["reference"] = reference
    sources["warns_at_import"] = "import warnings\nwarnings.warn('careful')\n" + reference
    edits, _ = VARIANTS["no_model_eval"]
    sources["no_model_eval"] = apply_edits(reference, edits)
    # Printing fake verdicts and fake result JSON, on import and while being graded.
    fake = 'print("PASS  eval_mode 10/10"); print(\'{"ok": true, "score": 100, "status": "passed"}\')\n'
    sources["prints_fake_results"] = fake + apply_edits(reference, edits).replace(
        "    return bn_acc.item()\n", "    " + fake.replace("; ", "\n    ") + "    return bn_acc.item()\n")
    files = {}
    for name, source in sources.items():
        files[name] = folder / f"{name}.py"
        files[name].write_text(source, encoding="utf-8")
    limited = with_limits(config, cpu_s=CPU_S, file_mb=4)
    return grade_files(limited, files)


def _messages(result) -> str:
    return " ".join(check.message for check in result.checks)


@pytest.mark.parametrize("name, phrase", [
    ("exits_at_import", "SystemExit"),
    ("os_exit_at_import", "Importing your file ended the process itself"),
    ("segfault_at_import", "SIGSEGV"),
    ("raises_at_import", "boom at import"),
    ("prints_megabytes", "wrote more than 4 MB"),  # as EFBIG: Python ignores SIGXFSZ
    ("trains_at_import", f"Importing your file used up its {CPU_S} s of CPU time"),
    ("syntax_error", "is not valid Python"),
])
def test_broken_imports_are_explained_once_and_stop_every_check(hostile, name, phrase):
    result = hostile[name]
    assert result.score == 0
    assert {check.status for check in result.checks} == {"error"}
    [cause] = result.fix_first
    assert phrase in cause, cause
    for check in result.checks:  # each check names the cause in a few words, not the whole story again
        assert check.message.startswith("Could not run: ") and "Fix this first" in check.message
        assert cause not in check.message


def test_import_errors_point_at_the_students_line(hostile):
    [message] = hostile["raises_at_import"].fix_first
    assert "raises_at_import.py line 1" in message and "autograder" not in message


def test_hang_in_train_costs_only_the_checks_that_need_train(hostile):
    result = hostile["hangs_in_train"]
    assert not_passed(result) == {"train_mode", "accuracy", "eval_mode", "evaluate", "sweep"}
    by_id = {check.id: check for check in result.checks}
    assert by_id["train_mode"].status == "error"
    [cause] = result.fix_first
    assert f"used up its {CPU_S} s of CPU time" in cause and "train()" in cause
    assert by_id["accuracy"].message.startswith("Could not run: your code stopped in train()")
    assert result.sandbox.exit == f"killed at the CPU time limit ({CPU_S} s)" and result.sandbox.limit == "cpu"
    assert CPU_S <= result.sandbox.cpu_s < CPU_S + 1


def test_the_rest_of_the_batch_is_graded_normally(hostile):
    assert hostile["reference"].score == 100
    assert not_passed(hostile["no_model_eval"]) == {"eval_mode"}


def test_printed_output_is_captured_truncated_and_cannot_change_a_score(hostile):
    result = hostile["reference"]
    assert "Learning finished" in result.output
    faker = hostile["prints_fake_results"]
    assert '"score": 100' in faker.output and faker.checks == hostile["no_model_eval"].checks
    flood = hostile["prints_megabytes"]
    assert len(flood.output) < 5000 and "bytes not shown" in flood.output
    # A warning names the file, not the sandbox's random job folder: the same record on every run.
    warned = hostile["warns_at_import"]
    assert warned.output.startswith("mnist_bn.py:2: UserWarning: careful"), warned.output[:200]
    assert warned.score == 100


def test_every_tier_grades_a_correct_solution_fully(config):
    from autograder.sandbox import isolation

    for tier in isolation.available():
        result = grade_files(with_limits(config, isolation=tier), {"reference": REFERENCE})["reference"]
        assert result.sandbox.tier == tier and result.score == 100, (tier, [c.message for c in result.checks])
