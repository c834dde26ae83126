"""Lab `mnist_dropout` end to end, in one graded batch: the shared contract (tests/labs/contract.py)
and what its messages say."""

from __future__ import annotations

from .labs import mnist_dropout
from .labs.contract import LabContract, message
from .test_lab_mnist_relu import MeasuredAtEverySeed


class TestMnistDropout(LabContract, MeasuredAtEverySeed):
    lab = mnist_dropout

    def test_rubric_is_the_labs(self, config):
        lab = config.assignments[mnist_dropout.ASSIGNMENT]
        assert set(lab.checks.enabled()) == {"shapes", "order", "dropout", "init", "optimizer", "train_mode",
                                             "eval_mode", "evaluate", "accuracy"}
        assert lab.max_score == 100

    def test_messages_say_what_to_fix(self, results):
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
