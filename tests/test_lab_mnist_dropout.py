"""Lab `mnist_dropout` end to end, in one graded batch: the reference gets full marks, the skeleton
0 with "Not implemented yet", each single-bug variant fails exactly the check for the rule it
breaks, and other correct styles pass."""

from __future__ import annotations

import pytest

from autograder.skeleton import stale_skeletons

from .conftest import ROOT, grade_files, not_passed
from .labs.mnist_dropout import ASSIGNMENT, REFERENCE, VARIANTS
from .variants import write_variant

SKELETON = ROOT / "assignments" / "mnist_dropout" / "mnist_dropout.py"


@pytest.fixture(scope="module")
def results(config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mnist_dropout_variants")
    files = {"reference": REFERENCE, "skeleton": SKELETON}
    for name, (edits, _) in VARIANTS.items():
        files[name] = write_variant(REFERENCE, folder, name, edits)
    return grade_files(config, files, assignment=ASSIGNMENT)


def _message(results, student: str, check: str) -> str:
    return next(c.message for c in results[student].checks if c.id == check)


def test_rubric_is_the_labs(config):
    lab = config.assignments[ASSIGNMENT]
    assert set(lab.checks.enabled()) == {"shapes", "order", "dropout", "init", "optimizer", "train_mode",
                                         "eval_mode", "evaluate", "accuracy"}
    assert lab.max_score == 100


def test_generated_files_are_up_to_date(config):
    assert not stale_skeletons(config, [ASSIGNMENT]), "run `autograde assign mnist_dropout`"


def test_reference_scores_full_marks(results):
    reference = results["reference"]
    assert reference.score == reference.max_score == 100, {c.id: c.message for c in reference.checks}


def test_skeleton_scores_zero_with_not_implemented_everywhere(results):
    skeleton = results["skeleton"]
    assert skeleton.score == 0
    for check in skeleton.checks:
        assert check.status == "failed", check
        assert check.message.startswith("Not implemented yet"), check.message


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_fails_exactly_its_check(results, name):
    _, expected = VARIANTS[name]
    result = results[name]
    assert not_passed(result) == expected, {c.id: c.message for c in result.checks if c.status != "passed"}


def test_every_check_is_failed_alone_by_some_variant(config):
    alone = {next(iter(expected)) for _, expected in VARIANTS.values() if len(expected) == 1}
    assert alone == set(config.assignments[ASSIGNMENT].checks.enabled())


def test_messages_say_what_to_fix(results):
    assert "p = 0.5" in _message(results, "dropout_p05", "dropout")
    assert "Dropout → ReLU" in _message(results, "dropout_before_relu", "order")
    assert "784→256" in _message(results, "hidden_256", "shapes")
    assert "PyTorch's default init" in _message(results, "default_init", "init")
    assert "He (Kaiming) init" in _message(results, "he_init", "init")
    assert "RMSprop" in _message(results, "rmsprop", "optimizer")
    assert "model.train()" in _message(results, "no_model_train", "train_mode")
    assert "Dropout was active" in _message(results, "no_model_eval", "eval_mode")
    assert "torch.no_grad()" in _message(results, "no_no_grad", "eval_mode")
    assert "percentage" in _message(results, "percent_evaluate", "evaluate")
    assert "optimizer.zero_grad() ran 0 times" in _message(results, "no_zero_grad", "accuracy")
    assert "optimizer.step() found no gradients" in _message(results, "zero_grad_after_backward", "accuracy")
    assert "training=self.training" in _message(results, "functional_dropout_always_on", "eval_mode")
    # 784→512: sqrt(2 / 1296); 512→10: sqrt(2 / 522)
    init = _message(results, "reference", "init")
    assert "Xavier expects 0.0393" in init and "Xavier expects 0.0619" in init
