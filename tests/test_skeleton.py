"""Skeletons are generated from reference/ and may not drift from it."""

from __future__ import annotations

import ast
import re

import pytest

from autograder.config import load_config
from autograder.skeleton import SkeletonError, make_skeleton, stale_skeletons

from .conftest import REFERENCE, ROOT, SKELETON

CONTRACT = ["load_mnist", "make_loaders", "build_model", "make_criterion", "make_optimizer", "train", "evaluate",
            "compare_hidden_sizes"]


def test_committed_skeletons_without_a_lab_contract_are_what_their_references_generate():
    """A lab with a contract test (tests/test_lab_<name>.py) checks its own generated files; the
    others (the homework) are checked here, so every assignment is checked once."""
    config = load_config(ROOT / "grader.toml")
    rest = [name for name in config.assignments if not (ROOT / "tests" / f"test_lab_{name}.py").is_file()]
    assert "mnist_bn" in rest
    assert stale_skeletons(config, rest) == []


def test_skeleton_is_valid_python_with_the_contract_and_no_solution():
    source = SKELETON.read_text(encoding="utf-8")
    tree = ast.parse(source)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert list(functions) == CONTRACT
    assert "SOLUTION" not in source and "xavier_uniform_" not in source and "Adam(" not in source
    # The course's 10 blanks (data, loaders, layers, Xavier, Sequential, loss, optimizer, epoch, batch,
    # test) plus one for Q1-2.
    assert sum(line.strip() == "'Fill this blank!'" for line in source.splitlines()) == 11
    for line in ("learning_rate = 0.1", "training_epochs = 15", "batch_size = 100"):
        assert line in source


def test_every_course_comment_is_kept_with_an_english_line_under_it():
    reference = REFERENCE.read_text(encoding="utf-8").splitlines()
    skeleton = SKELETON.read_text(encoding="utf-8")
    korean = [i for i, line in enumerate(reference) if line.strip().startswith("#") and re.search("[가-힣]", line)]
    assert len(korean) >= 12
    for i in korean:
        assert reference[i] in skeleton
        following = reference[i + 1].strip()
        assert following.startswith("#") and not re.search("[가-힣]", following), reference[i]
    for phrase in ["cost 값 초기 설정(0으로)과 model의 train 설정 꼭 할 것", "model의 evaluation mode 설정 꼭 할 것",
                   "쌓는 순서: linear-Batch Normalization Layer - ReLU- DropOut", "DropOut 사용 (p=0.3)",
                   "xavier initialization을 이용하여", "Adam optimizer를 사용할 것", "CrossEntropy를 사용할 것"]:
        assert phrase in skeleton


def test_markers_must_balance():
    with pytest.raises(SkeletonError, match="line 2: ### END SOLUTION without"):
        make_skeleton("x = 1\n### END SOLUTION\n")
    with pytest.raises(SkeletonError, match="never closed"):
        make_skeleton("def f():\n    ### BEGIN SOLUTION\n    return 1\n")
    assert make_skeleton("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n") == \
        "def f():\n    'Fill this blank!'\n"


def test_py_and_ipynb_skeletons_hold_the_same_functions():
    import json

    from autograder.notebook import notebook_to_module

    release = (ROOT / "assignments" / "mnist_bn" / "mnist_bn.ipynb").read_text(encoding="utf-8")
    notebook = ast.parse(notebook_to_module(release, "mnist_bn.ipynb").source)
    script = ast.parse(SKELETON.read_text(encoding="utf-8"))

    def functions(tree):
        return {node.name: ast.dump(node) for node in tree.body if isinstance(node, ast.FunctionDef)}

    assert functions(notebook) == functions(script)
    cells = json.loads(release)["cells"]
    graded = {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"].get("points") for c in cells
              if c["metadata"]["nbgrader"].get("grade")}
    config = load_config(ROOT / "grader.toml")
    checks = config.assignments["mnist_bn"].checks.enabled()
    assert graded == {**{f"test_{i}": c.points for i, c in checks.items()}, "q1_2_discussion": 10.0}
    assert not any("HIDDEN TESTS" in "".join(c["source"]) for c in cells)
