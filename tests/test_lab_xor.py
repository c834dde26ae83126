"""Lab `xor` end to end, in one graded batch: the shared contract (tests/labs/contract.py), what the
messages say, and that grading it never needs MNIST."""

from __future__ import annotations

from autograder import Grader, Submission

from .conftest import REFERENCE as MNIST_REFERENCE
from .labs import xor
from .labs.contract import LabContract, message


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
