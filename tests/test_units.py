"""Small pieces, tested directly: Xavier statistics, notebooks, discovery, data errors, CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from autograder.checks.data import check_loaders
from autograder.checks.hints import hint
from autograder.checks.observations import describe_error
from autograder.checks.init_stats import layer_stats
from autograder.environment import provided_names
from autograder.cli import main
from autograder.data import DataError, ensure_mnist, make_sandbox_root, read_test_labels
from autograder.notebook import NotebookError, notebook_to_module
from autograder.source import decode, unfilled_functions
from autograder.submissions import discover

from .conftest import DATA_ROOT, REFERENCE, ROOT, SKELETON

SHAPES = [(100, 784), (100, 100), (10, 100)]


def _xavier(rng, shape, normal):
    fan_out, fan_in = shape
    var = 2 / (fan_in + fan_out)
    return rng.normal(0, math.sqrt(var), shape) if normal else rng.uniform(-math.sqrt(3 * var), math.sqrt(3 * var), shape)


@pytest.mark.parametrize("normal", [False, True])
def test_xavier_passes_across_many_draws(normal):
    rng = np.random.default_rng(1)
    alpha = 1e-6 / 6
    for _ in range(300):
        for shape in SHAPES:
            assert layer_stats(_xavier(rng, shape, normal).astype(np.float32), alpha).ok


@pytest.mark.parametrize("name, std", [
    ("default", lambda fan_in, fan_out: 1 / math.sqrt(3 * fan_in)),
    ("he", lambda fan_in, fan_out: math.sqrt(2 / fan_in)),
    ("normal01", lambda fan_in, fan_out: 1.0),
])
def test_common_wrong_inits_are_rejected(name, std):
    rng = np.random.default_rng(2)
    for _ in range(50):
        verdicts = [layer_stats(rng.normal(0, std(s[1], s[0]), s).astype(np.float32), 1e-6 / 6).ok for s in SHAPES]
        assert not all(verdicts), name


def test_shifted_init_fails_on_its_mean():
    rng = np.random.default_rng(3)
    weight = _xavier(rng, (100, 784), False) + 0.01
    stats = layer_stats(weight, 1e-6 / 6)
    assert not stats.ok and abs(stats.mean_z) > stats.mean_limit


def test_notebook_cells_become_a_module_with_magics_neutralised_and_lines_mapped():
    notebook = {"nbformat": 4, "cells": [
        {"cell_type": "markdown", "source": ["# title"]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "import torch\n", "!pip install x"]},
        {"cell_type": "code", "source": "%%time\nx = 1\nif x:\n    !ls\n"},
        {"cell_type": "code", "source": []},
        {"cell_type": "code", "source": "from autograder.nbgrader_cells import show\nshow('shapes')"},
        {"cell_type": "code", "source": "assert True", "metadata": {"nbgrader": {"grade": True, "solution": False}}},
        {"cell_type": "code", "source": "y = 2"},
    ]}
    converted = notebook_to_module(json.dumps(notebook), "nb.ipynb")
    compile(converted.source, "nb.ipynb", "exec")
    assert "import torch" in converted.source and "x = 1" in converted.source
    assert "pass  # (not run by the grader) %matplotlib inline" in converted.source
    assert "    pass  # (not run by the grader) !ls" in converted.source
    assert "show(" not in converted.source and "assert True" not in converted.source
    lines = converted.source.splitlines()
    assert str(converted.locate(lines.index("y = 2") + 1)) == "nb.ipynb cell 7, line 1"
    assert str(converted.locate(lines.index("x = 1") + 1)) == "nb.ipynb cell 3, line 2"


def test_broken_notebook_is_a_clear_error():
    with pytest.raises(NotebookError, match="JSON is broken"):
        notebook_to_module("{not json", "nb.ipynb")
    with pytest.raises(NotebookError, match="no list of cells"):
        notebook_to_module("[]", "nb.ipynb")


def test_non_utf8_notebook_is_read():
    text = json.dumps({"cells": [{"cell_type": "code", "source": "# 한국어 주석\nx = 1"}]}, ensure_ascii=False)
    converted = notebook_to_module(decode(text.encode("cp949"), "nb.ipynb"), "nb.ipynb")
    assert "# 한국어 주석" in converted.source


def test_decode_accepts_korean_windows_files():
    text = "# 주석\nx = 1\n"
    assert decode(text.encode("cp949"), "a.py") == text
    assert decode(b"\xef\xbb\xbf" + text.encode(), "a.py") == text


def test_unfilled_functions_are_found_in_the_skeleton_only():
    assert unfilled_functions(SKELETON.read_text(encoding="utf-8")) == {
        "load_mnist", "make_loaders", "build_model", "make_criterion", "make_optimizer", "train", "evaluate",
        "compare_hidden_sizes"}
    assert unfilled_functions(REFERENCE.read_text(encoding="utf-8")) == set()


def test_discover_understands_files_and_folders(tmp_path):
    scratch, tmp_path = tmp_path / "scratch", tmp_path / "submissions"
    scratch.mkdir()
    tmp_path.mkdir()
    (tmp_path / "alice.py").write_text("x = 1")
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "homework.ipynb").write_text("{}")
    (tmp_path / "carol").mkdir()
    (tmp_path / "carol" / "a.py").write_text("")
    (tmp_path / "carol" / "b.py").write_text("")
    (tmp_path / "dave").mkdir()
    (tmp_path / "dave" / "helpers.py").write_text("")
    (tmp_path / "dave" / "mnist_bn.py").write_text("")
    (tmp_path / "erin" / "mnist_bn").mkdir(parents=True)  # nbgrader's submitted/<student>/<assignment>/
    (tmp_path / "erin" / "mnist_bn" / "mnist_bn.ipynb").write_text("{}")
    (tmp_path / "erin" / "mnist_bn" / "timestamp.txt").write_text("2026-11-23 10:00:00 UTC")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / ".DS_Store").write_text("")
    found, skipped = discover(tmp_path, "mnist_bn", scratch)
    by = {s.student: s for s in found}
    assert sorted(by) == ["alice", "bob", "carol", "dave", "erin", "notes"]
    assert by["erin"].path == tmp_path / "erin" / "mnist_bn" / "mnist_bn.ipynb"
    assert by["bob"].path.name == "homework.ipynb"
    assert by["carol"].path is None and "2 candidate files" in str(by["carol"].problem)
    assert by["dave"].path.name == "mnist_bn.py"
    assert by["notes"].path is None and "notes.txt is not a .py or .ipynb file" in str(by["notes"].problem)
    assert skipped == []


def test_sandbox_data_root_hides_the_test_labels(tmp_path):
    root = make_sandbox_root(DATA_ROOT, tmp_path / "data", seed=0)
    real, decoy = read_test_labels(DATA_ROOT), read_test_labels(root)
    assert decoy.shape == real.shape and (decoy == real).mean() < 0.2


def test_missing_data_without_network_says_how_to_provide_it(tmp_path):
    with pytest.raises(DataError) as error:
        ensure_mnist(tmp_path / "nowhere", download=False)
    text = str(error.value)
    assert "t10k-labels-idx1-ubyte" in text and "--data-root" in text


def test_cli_help_and_usage_errors(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    assert "autograde check mnist_bn.py" in capsys.readouterr().out
    assert main(["grade", str(tmp_path / "missing")]) == 2
    assert "not a folder of submissions" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "x.txt")]) == 2
    bad = tmp_path / "grader.toml"
    bad.write_text("[grader]\nthreads = 0\n")
    assert main(["assign", "--check", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "grader.threads" in err and "Traceback" not in err


def test_cli_assign_check_passes_on_the_repository():  # one small lab: every lab's files are checked by its tests
    assert main(["assign", "--check", "softmax_tips", "--config", str(ROOT / "grader.toml")]) == 0


def test_cli_check_on_the_reference_exits_zero_and_on_the_skeleton_one(tmp_path):
    def run(path):
        return subprocess.run([sys.executable, "-m", "autograder", "check", str(path), "--data-root", str(DATA_ROOT)],
                              capture_output=True, text=True, cwd=ROOT, timeout=600)

    good, bad = run(REFERENCE), run(SKELETON)
    assert good.returncode == 0, good.stderr
    assert "100/100점 / 100/100 points" in good.stdout and "통과 / PASS accuracy" in good.stdout
    printed = good.stdout.split("코드가 출력한 내용 / What your code printed:\n", 1)[1]
    assert "the checks above are." in " ".join(printed.split()) and "\nEpoch: 0001" in printed
    assert bad.returncode == 1 and "Not implemented yet" in bad.stdout and "아직 구현되지 않았습니다" in bad.stdout


def _raised(exception, message, function="build_model"):
    return {"kind": "raised", "function": function, "exception": exception, "message": message}


@pytest.mark.parametrize("exception, message, expected", [
    ("ValueError", "expected 4D input (got 2D input)", "after a Linear layer (N×features) use torch.nn.BatchNorm1d"),
    ("NameError", "name 'nn' is not defined", "Add `import torch.nn as nn`"),
    ("NameError", "name 'F' is not defined", "Add `import torch.nn.functional as F`"),
    ("NameError", "name 'dsets' is not defined", "Add `import torchvision.datasets as dsets`"),
    ("NameError", "name 'plt' is not defined", "Add `import matplotlib.pyplot as plt`"),
    ("RuntimeError", "mat1 and mat2 shapes cannot be multiplied (2800x28 and 784x100)", "X.view(-1, 28 * 28)"),
])
def test_hints_name_the_fix(exception, message, expected):
    assert expected in str(hint(_raised(exception, message)))


def test_hint_for_a_missing_package_lists_what_the_grader_has():
    advice = str(hint(_raised("ModuleNotFoundError", "No module named 'sklearn'", "<import>")))
    assert "imports sklearn" in advice and provided_names() in advice and '`if __name__ == "__main__":`' in advice


@pytest.mark.parametrize("info", [
    _raised("NameError", "name 'my_helper' is not defined"),  # not one of the course's imports
    _raised("RuntimeError", "mat1 and mat2 shapes cannot be multiplied (100x100 and 784x100)"),  # not unflattened images
    {"kind": "missing", "function": "train"},
])
def test_no_hint_where_none_applies(info):
    assert hint(info) is None


def test_describe_error_ends_with_the_hint():
    info = {**_raised("ValueError", "expected 4D input (got 2D input)", "forward"),
            "first": {"line": 7, "function": "build_model", "code": "bn1 = nn.BatchNorm2d(100)"}}
    message = str(describe_error(info, "hw.py", lambda line: f"hw.py line {line}"))
    assert message.startswith("`forward()` raised ValueError: expected 4D input (got 2D input) — at hw.py line 7")
    assert message.endswith("`. You used BatchNorm2d, which is for images shaped N×C×H×W; after a Linear layer "
                            "(N×features) use torch.nn.BatchNorm1d.")


class _Phases:
    def __init__(self, **phases):
        self.phases = phases

    def phase(self, name):
        return self.phases[name]


def test_loaders_message_keeps_the_case_of_code(config):
    assignment = config.assignments["mnist_bn"]
    data = {"sizes": [60000, 60000], "sample": {"type": "Image"}, "batch_size": 100, "drop_last": True,
            "sampler": "RandomSampler", "batches": 600}
    verdict = check_loaders(_Phases(data=data), assignment.checks.first("loaders"), assignment)
    message = str(verdict.message)
    assert not verdict.passed
    assert message.startswith("The sets from load_mnist() hold 60000 and 60000 images")
    assert "(train=True / train=False)" in message
    assert "use transform=transforms.ToTensor() so" in message


def test_skeleton_says_what_compare_hidden_sizes_returns():
    import ast

    tree = ast.parse(SKELETON.read_text(encoding="utf-8"))
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "compare_hidden_sizes")
    doc = ast.get_docstring(function) or ""
    assert all(key in doc for key in ('"hidden": (hidden1, hidden2)', '"train_cost"', '"test_accuracy"', "[0, 1]"))


def test_a_wrong_type_is_said_in_the_catalogs_words_and_a_forged_record_as_plain_text():
    from autograder.catalog import render
    from autograder.checks.observations import describe_error

    info = {"kind": "wrong_type", "function": "load_mnist", "expected": "pair",
            "details": {"names": "mnist_train, mnist_test"}, "got": "list"}
    text = describe_error(info, "hw.py", lambda line: f"line {line}", 64)
    assert "a pair (mnist_train, mnist_test)" in render(text, "en") and "list" in render(text, "en")
    assert "두 값의 쌍 (mnist_train, mnist_test)" in render(text, "ko")
    for forged in ({**info, "details": {}}, {**info, "expected": "no_such"}, {**info, "details": {"names": 3}}):
        shown = render(describe_error(forged, "hw.py", lambda line: f"line {line}", 64), "ko")
        assert str(forged["expected"]) in shown
