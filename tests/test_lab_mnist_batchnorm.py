"""Lab `mnist_batchnorm` end to end, in one graded batch: the shared contract (tests/labs/contract.py)
and what its messages say."""

from __future__ import annotations

from .labs import mnist_batchnorm
from .labs.contract import LabContract, message
from .test_lab_mnist_relu import MeasuredAtEverySeed


class TestMnistBatchnorm(LabContract, MeasuredAtEverySeed):
    lab = mnist_batchnorm

    def test_messages_say_what_to_fix(self, results):
        assert "ReLU → BatchNorm (the course's code)" in message(results, "course_order", "order")
        assert "784→64" in message(results, "hidden_64", "shapes")
        assert "either order" in message(results, "second_block_without_relu", "order")
        assert "model.train()" in message(results, "no_model_train", "train_mode")
        assert "torch.no_grad()" in message(results, "evaluate_with_gradients", "eval_mode")
        assert "a percentage?" in message(results, "percent_accuracy", "evaluate")
        assert "optimizer.step()" in message(results, "no_step", "accuracy")
        assert "valid pair reports bn_model" in message(results, "pairs_swapped", "compare")
        assert "Not charged here: bn_model classified" in message(results, "no_step", "compare")
        assert "on 2000 hidden test images the grader measured bn" in message(results, "reference", "compare")
