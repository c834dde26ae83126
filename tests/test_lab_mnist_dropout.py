"""Lab `mnist_dropout` end to end, in one graded batch: the reference gets full marks, the skeleton
0 with "Not implemented yet", each single-bug variant fails exactly the check for the rule it
breaks, and other correct styles pass."""

from __future__ import annotations

import pytest

from autograder.skeleton import stale_skeletons

from .conftest import ROOT
from .labs.contract import (assert_fails_exactly, assert_reference_full_marks, assert_skeleton_not_implemented,
                             grade_lab, message)
from .labs.mnist_dropout import ASSIGNMENT, REFERENCE, VARIANTS

SKELETON = ROOT / "assignments" / "mnist_dropout" / "mnist_dropout.py"


@pytest.fixture(scope="module")
def results(config, tmp_path_factory):
    return grade_lab(config, ASSIGNMENT, REFERENCE, SKELETON, VARIANTS, tmp_path_factory.mktemp("mnist_dropout_variants"))


def test_rubric_is_the_labs(config):
    lab = config.assignments[ASSIGNMENT]
    assert set(lab.checks.enabled()) == {"shapes", "order", "dropout", "init", "optimizer", "train_mode",
                                         "eval_mode", "evaluate", "accuracy"}
    assert lab.max_score == 100


def test_generated_files_are_up_to_date(config):
    assert not stale_skeletons(config, [ASSIGNMENT]), "run `autograde assign mnist_dropout`"


def test_reference_scores_full_marks(results):
    assert_reference_full_marks(results["reference"])


def test_skeleton_scores_zero_with_not_implemented_everywhere(results):
    assert_skeleton_not_implemented(results["skeleton"])


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_fails_exactly_its_check(results, name):
    assert_fails_exactly(results[name], VARIANTS[name][1])


def test_every_check_is_failed_alone_by_some_variant(config):
    alone = {next(iter(expected)) for _, expected in VARIANTS.values() if len(expected) == 1}
    assert alone == set(config.assignments[ASSIGNMENT].checks.enabled())


def test_messages_say_what_to_fix(results):
    assert "p = 0.5" in message(results, "dropout_p05", "dropout")
    assert "Dropout → ReLU" in message(results, "dropout_before_relu", "order")
    assert "784→256" in message(results, "hidden_256", "shapes")
    assert "PyTorch's default init" in message(results, "default_init", "init")
    assert "He (Kaiming) init" in message(results, "he_init", "init")
    assert "RMSprop" in message(results, "rmsprop", "optimizer")
    assert "model.train()" in message(results, "no_model_train", "train_mode")
    assert "Dropout was active" in message(results, "no_model_eval", "eval_mode")
    assert "torch.no_grad()" in message(results, "no_no_grad", "eval_mode")
    assert "percentage" in message(results, "percent_evaluate", "evaluate")
    assert "optimizer.zero_grad() ran 0 times" in message(results, "no_zero_grad", "accuracy")
    assert "optimizer.step() found no gradients" in message(results, "zero_grad_after_backward", "accuracy")
    assert "training=self.training" in message(results, "functional_dropout_always_on", "eval_mode")
    # 784→512: sqrt(2 / 1296); 512→10: sqrt(2 / 522)
    init = message(results, "reference", "init")
    assert "Xavier expects 0.0393" in init and "Xavier expects 0.0619" in init
