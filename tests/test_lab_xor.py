"""Lab `xor` end to end, in one graded batch: the shared contract (tests/labs/contract.py), what the
messages say, that grading it never needs MNIST, and what submissions that do not train get
(tests/hostile/xor/, graded at the grader's seeds 0, 1 and 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import Grader, Submission

from .conftest import REFERENCE as MNIST_REFERENCE, grade_files, not_passed, statuses
from .labs import xor
from .labs.contract import LabContract, message

HOSTILE = Path(__file__).parent / "hostile" / "xor"
LEARN_CHECKS = {"perceptron_fails", "mlp_learns", "wide_deep_learns"}
SEEDS = (0, 1, 2)


class TestXor(LabContract):
    lab = xor

    def test_messages_name_the_lesson(self, results):
        assert "a single-layer perceptron cannot learn XOR" in message(results, "reference", "perceptron_fails")
        cheat = message(results, "hidden_layer_perceptron", "perceptron_fails")
        assert "must be a single layer" in cheat and "08-1" in cheat
        assert "BCELoss" in message(results, "mse_loss", "loss")
        assert "(hypothesis > 0.5).float()" in message(results, "predict_hypothesis", "predict")
        assert "torch.no_grad()" in message(results, "predict_no_no_grad", "predict")
        assert "optimizer.step()" in message(results, "no_step", "mlp_learns")
        assert "Your optimizer is Adam" in message(results, "adam", "mlp_learns")

    def test_learn_checks_name_the_function_another_check_charges(self, results):
        """train() is judged alone: a wrong model or optimizer is named, never guessed at as the loop."""
        order = message(results, "mlp_layer_order", "mlp_learns")
        assert order.startswith("Not charged here") and "build_mlp(), which fails check `mlp`" in order
        assert "zero_grad" not in order
        rate = message(results, "hard_coded_lr_001", "wide_deep_learns")
        assert "make_optimizer(), which fails check `optimizer`" in rate and "lr 0.01" in rate
        assert "build_perceptron(), which fails check `perceptron`" in message(results, "perceptron_relu",
                                                                               "perceptron_fails")
        assert "no other check charges" in message(results, "mlp_zero_init", "mlp_learns")
        loop = message(results, "no_step", "wide_deep_learns")
        assert "the cause is in train()" in loop and "optimizer.step() 0 times" in loop

    def test_predict_is_judged_on_the_graders_model(self, results):
        assert "as bool" in message(results, "predict_bool", "predict")
        assert message(results, "train_typo", "predict").startswith("predict() returned")


def test_grading_xor_needs_no_mnist(config, tmp_path):
    """A toy-data lab: no MNIST is read or required (the data root does not even exist)."""
    result, = Grader(config, xor.ASSIGNMENT, data_root=tmp_path / "no-mnist-here").grade([Submission("ref", xor.REFERENCE)])
    assert result.score == 100, [c.message for c in result.checks if c.status != "passed"]
    mnist_file, = Grader(config, "mnist_bn", data_root=tmp_path / "no-mnist-here").plan.phases[:1]
    assert mnist_file == "build" and MNIST_REFERENCE.is_file()


@pytest.fixture(scope="module")
def hostile(config, tmp_path_factory) -> dict[int, dict]:
    """Each attack of tests/hostile/xor/ appended to the reference (its functions replace the
    reference's), graded in one batch at each of the grader's seeds 0, 1 and 2."""
    folder = tmp_path_factory.mktemp("xor_hostile")
    reference = xor.REFERENCE.read_text(encoding="utf-8")
    files = {}
    for attack in sorted(HOSTILE.glob("*.py")):
        files[attack.stem] = folder / f"{attack.stem}.py"
        files[attack.stem].write_text(reference + "\n\n" + attack.read_text(encoding="utf-8"), encoding="utf-8")
    return {seed: grade_files(config.model_copy(update={"grader": config.grader.model_copy(update={"seed": seed})}),
                              files, assignment=xor.ASSIGNMENT) for seed in SEEDS}


@pytest.mark.parametrize("attack", ["no_training", "hard_coded_weights"])
def test_nothing_trained_gets_the_honest_score(hostile, attack):
    """Issue 21: decoy layers, a hand-written XOR output and made-up falling costs scored 100. The
    learn checks judge the weights, recomputed by the trusted side on labels train() could not know
    in advance (XNOR, the grader's row order): every one fails, and what is left is the work done."""
    result = hostile[0][attack]
    assert result.score == 55 <= 70, {c.id: c.message for c in result.checks}
    assert not_passed(result) == LEARN_CHECKS
    assert "costs ending at" in message(hostile[0], attack, "perceptron_fails")
    assert "the cause is in train()" in message(hostile[0], attack, "mlp_learns")


def test_a_forward_pass_that_is_not_its_layers_is_named(hostile):
    assert "does not return what its Linear layers and sigmoids compute" in message(hostile[0], "no_training",
                                                                                   "mlp_learns")


@pytest.mark.parametrize("attack", ["reads_the_labels", "patch_the_probe"])
def test_known_limit_weights_written_by_hand_for_the_labels_shown(hostile, attack):
    """docs/security.md, known limits: weights written by hand for the labels train() is handed
    (by train() itself, or into the probe's record by a module that patches it), with the costs of
    those weights, are what a trained network would give; only checking every step of the training
    run could tell them apart. Pinned here so that a defence updates this test."""
    assert hostile[0][attack].score == 100


@pytest.mark.parametrize("attack", sorted(path.stem for path in HOSTILE.glob("*.py")))
def test_attack_verdicts_are_the_same_at_seeds_0_1_2(hostile, attack):
    verdicts = [statuses(hostile[seed][attack]) for seed in SEEDS]
    assert verdicts[0] == verdicts[1] == verdicts[2]
