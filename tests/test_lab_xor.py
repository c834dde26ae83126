"""Lab `xor` end to end, in one graded batch: the reference gets full marks, the skeleton 0 with
"Not implemented yet", each single-bug variant fails exactly the checks listed for it, other
correct styles pass; and grading it never needs MNIST."""

from __future__ import annotations

import pytest

from autograder import Grader, Submission
from autograder.skeleton import stale_skeletons

from .conftest import REFERENCE as MNIST_REFERENCE
from .conftest import ROOT
from .labs.contract import (assert_fails_exactly, assert_reference_full_marks, assert_skeleton_not_implemented,
                            grade_lab, message)
from .labs.xor import ASSIGNMENT, REFERENCE, STYLES, VARIANTS

SKELETON = ROOT / "assignments" / "xor" / "xor.py"


@pytest.fixture(scope="module")
def results(config, tmp_path_factory):
    return grade_lab(config, ASSIGNMENT, REFERENCE, SKELETON, VARIANTS, tmp_path_factory.mktemp("xor_variants"))


def test_generated_files_are_up_to_date(config):
    assert not stale_skeletons(config, [ASSIGNMENT]), "run `autograde assign xor`"


def test_reference_scores_full_marks(results):
    assert_reference_full_marks(results["reference"])


def test_skeleton_scores_zero_with_not_implemented_everywhere(results):
    assert_skeleton_not_implemented(results["skeleton"])


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_fails_exactly_its_checks(results, name):
    assert_fails_exactly(results[name], VARIANTS[name][1])


def test_every_check_is_failed_alone_by_some_variant(config):
    alone = {next(iter(expected)) for _, expected in VARIANTS.values() if len(expected) == 1}
    assert alone | {"mlp_learns", "wide_deep_learns", "perceptron_fails"} == set(config.assignments[ASSIGNMENT].checks.enabled())
    assert STYLES  # other correct styles are among the variants, expected to pass everything


def test_messages_name_the_lesson(results):
    assert "a single-layer perceptron cannot learn XOR" in message(results, "reference", "perceptron_fails")
    cheat = message(results, "hidden_layer_perceptron", "perceptron_fails")
    assert "must be a single layer" in cheat and "08-1" in cheat
    assert "BCELoss" in message(results, "mse_loss", "loss")
    assert "(hypothesis > 0.5).float()" in message(results, "predict_hypothesis", "predict")
    assert "torch.no_grad()" in message(results, "predict_no_no_grad", "predict")
    assert "optimizer.step()" in message(results, "no_step", "mlp_learns")
    assert "Your optimizer is Adam" in message(results, "adam", "mlp_learns")


def test_grading_xor_needs_no_mnist(config, tmp_path):
    """A toy-data lab: no MNIST is read or required (the data root does not even exist)."""
    result, = Grader(config, ASSIGNMENT, data_root=tmp_path / "no-mnist-here").grade([Submission("ref", REFERENCE)])
    assert result.score == 100, [c.message for c in result.checks if c.status != "passed"]
    mnist_file, = Grader(config, "mnist_bn", data_root=tmp_path / "no-mnist-here").plan.phases[:1]
    assert mnist_file == "build" and MNIST_REFERENCE.is_file()
