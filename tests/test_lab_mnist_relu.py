"""Lab `mnist_relu` end to end, in one graded batch: the shared contract (tests/labs/contract.py)
and what its messages say."""

from __future__ import annotations

from .labs import mnist_relu
from .labs.contract import LabContract, message


class TestMnistRelu(LabContract):
    lab = mnist_relu

    def test_rubric_is_the_labs(self, config):
        lab = config.assignments[mnist_relu.ASSIGNMENT]
        assert list(lab.checks.enabled()) == ["shapes", "order", "init", "optimizer", "evaluate", "training_loop", "accuracy", "compare"]
        assert lab.max_score == 100 and lab.checks.first("init").scheme == "normal"

    def test_messages_say_what_to_fix(self, results):
        assert "784→512" in message(results, "hidden_512", "shapes")
        assert "Linear → Linear → ReLU → Linear" in message(results, "one_activation", "order")
        assert "looks like Xavier init" in message(results, "xavier_init", "init")
        assert "learning rate is 0.01" in message(results, "lr_01", "optimizer")
        assert "torch.no_grad()" in message(results, "no_no_grad", "evaluate")
        assert "optimizer.step() found no gradients" in message(results, "zero_grad_after_backward", "training_loop")
        assert "The check training_loop above" in message(results, "zero_grad_after_backward", "accuracy")
        assert "optimizer.zero_grad() ran 0 times" in message(results, "no_zero_grad", "training_loop")
        assert "running sum" in message(results, "no_zero_grad", "training_loop")
        assert "ran in every batch" in message(results, "model_zero_grad", "training_loop")
        assert "could not count" in message(results, "own_optimizer", "training_loop")
        assert "no network whose activations are all sigmoid" in message(results, "always_relu", "compare")
        assert "N(0, 1): accepted" in message(results, "reference", "init")
