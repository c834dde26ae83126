"""Lab `mnist_softmax` end to end, in one graded batch: the reference gets full marks, the skeleton
0 with "Not implemented yet", each single-bug variant fails exactly the checks listed for it (every
check alone for at least one), and other correct styles pass."""

from __future__ import annotations

import ast
import re

import pytest

from autograder.skeleton import stale_skeletons

from .conftest import ROOT
from .labs.contract import (assert_fails_exactly, assert_reference_full_marks, assert_skeleton_not_implemented,
                             grade_lab, message)
from .labs.mnist_softmax import ASSIGNMENT, REFERENCE, SEED_DEPENDENT_ACCURACY, VARIANTS

SKELETON = ROOT / "assignments" / "mnist_softmax" / "mnist_softmax.py"
CONTRACT = ["load_mnist", "make_loaders", "build_model", "make_criterion", "make_optimizer", "train", "evaluate"]


@pytest.fixture(scope="module")
def results(config, tmp_path_factory):
    return grade_lab(config, ASSIGNMENT, REFERENCE, SKELETON, VARIANTS, tmp_path_factory.mktemp("mnist_softmax_variants"))


def test_rubric_is_the_labs(config):
    lab = config.assignments[ASSIGNMENT]
    assert list(lab.checks.enabled()) == ["shapes", "loaders", "loss", "optimizer", "evaluate", "accuracy"]
    assert lab.max_score == 100
    assert lab.checks.first("optimizer").name == "SGD" and lab.learning_rate == 0.1 and lab.batch_size == 100


def test_generated_files_are_up_to_date(config):
    assert not stale_skeletons(config, [ASSIGNMENT]), "run `autograde assign mnist_softmax`"


def test_skeleton_has_the_contract_a_blank_per_step_and_no_solution():
    source = SKELETON.read_text(encoding="utf-8")
    functions = [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
    assert functions == CONTRACT
    assert "SOLUTION" not in source and "torch.optim.SGD(" not in source and "CrossEntropyLoss()" not in source
    assert sum(line.strip() == "'Fill this blank!'" for line in source.splitlines()) == len(CONTRACT)
    for line in ("learning_rate = 0.1", "training_epochs = 15", "batch_size = 100"):
        assert line in source


def test_every_korean_comment_has_an_english_line_under_it():
    reference = REFERENCE.read_text(encoding="utf-8").splitlines()
    korean = [i for i, line in enumerate(reference) if line.strip().startswith("#") and re.search("[가-힣]", line)]
    assert len(korean) >= 10
    for i in korean:
        following = reference[i + 1].strip()
        assert following.startswith("#") and not re.search("[가-힣]", following), reference[i]


def test_reference_scores_full_marks(results):
    assert_reference_full_marks(results["reference"])


def test_skeleton_scores_zero_with_not_implemented_everywhere(results):
    assert_skeleton_not_implemented(results["skeleton"])


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_fails_exactly_its_checks(results, name):
    assert_fails_exactly(results[name], VARIANTS[name][1], {"accuracy"} if name in SEED_DEPENDENT_ACCURACY else set())


def test_every_check_is_failed_alone_by_some_variant(config):
    alone = {next(iter(expected)) for _, expected in VARIANTS.values() if len(expected) == 1}
    assert alone == set(config.assignments[ASSIGNMENT].checks.enabled())


def test_messages_say_what_to_fix(results):
    assert "784→100, 100→10" in message(results, "hidden_layer", "shapes")
    assert "batch size is 64" in message(results, "batch_64", "loaders")
    assert "shuffle" in message(results, "no_shuffle", "loaders")
    assert "drop_last" in message(results, "no_drop_last", "loaders")
    assert "sum over the batch" in message(results, "sum_loss", "loss")
    assert "Adam" in message(results, "course_adam", "optimizer")
    assert "learning rate is 0.001" in message(results, "course_adam", "optimizer")
    assert "learning rate is 0.01" in message(results, "lr_001", "optimizer")
    assert "1 of the model's 2 parameter tensors" in message(results, "weights_only_optimizer", "optimizer")
    assert "percentage" in message(results, "percent_evaluate", "evaluate")
    assert "optimizer.zero_grad() ran 0 times" in message(results, "no_zero_grad", "accuracy")
    assert "optimizer.step() found no gradients" in message(results, "zero_grad_after_backward", "accuracy")
    assert "ends in softmax" in message(results, "softmax_output", "accuracy")
    assert "minimum 90%" in message(results, "reference", "accuracy")
