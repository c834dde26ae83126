"""Lab `mnist_cnn` end to end, in one graded batch: the shared contract (tests/labs/contract.py)
and what its messages say. The proof that the core grades any `nn.Module` on any input: no check
kind of its own, only the core's, with the model's input shape from grader.toml."""

from __future__ import annotations

from .labs import mnist_cnn
from .labs.contract import LabContract, message


class TestMnistCnn(LabContract):
    lab = mnist_cnn

    def test_rubric_is_the_labs(self, config):
        lab = config.assignments[mnist_cnn.ASSIGNMENT]
        assert list(lab.checks.enabled()) == ["shapes", "order", "init", "loss", "optimizer", "training_loop",
                                              "evaluate", "accuracy"]
        assert lab.max_score == 100 and lab.input_shape == [1, 28, 28]

    def test_messages_say_what_to_fix(self, results):
        ran = "Conv2d → ReLU → MaxPool2d → Conv2d → ReLU → MaxPool2d → Linear"
        for style in ("reference", "module_style", "sequential_style"):
            assert ran in message(results, style, "order")  # the flatten (view, nn.Flatten) is no layer
            assert "Conv2d(1, 32, kernel_size=3, padding=1)" in message(results, style, "shapes")
        assert "Conv2d(1, 32, kernel_size=3)" in message(results, "no_padding", "shapes")
        assert "1600→10" in message(results, "no_padding", "shapes")
        assert "Conv2d → MaxPool2d → ReLU" in message(results, "pool_before_relu", "order")
        assert "Linear 3136→10" in message(results, "default_init", "init")
        assert "PyTorch's default" in message(results, "default_init", "init")
        assert "AdamW" in message(results, "adamw", "optimizer")
        assert "optimizer.zero_grad() ran 0 times" in message(results, "no_zero_grad", "training_loop")
        assert "torch.no_grad()" in message(results, "no_no_grad", "evaluate")
        assert "of the 2000 hidden test images" in message(results, "reference", "accuracy")
