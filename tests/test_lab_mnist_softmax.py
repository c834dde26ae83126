"""Lab `mnist_softmax` end to end, in one graded batch: the shared contract (tests/labs/contract.py),
the skeleton's blanks, and what the messages say."""

from __future__ import annotations

import ast

from .conftest import ROOT
from .labs import mnist_softmax
from .labs.contract import LabContract, message

SKELETON = ROOT / "assignments" / "mnist_softmax" / "mnist_softmax.py"
CONTRACT = ["load_mnist", "make_loaders", "build_model", "make_criterion", "make_optimizer", "train", "evaluate"]


class TestMnistSoftmax(LabContract):
    lab = mnist_softmax

    def test_rubric_is_the_labs(self, config):
        lab = config.assignments[mnist_softmax.ASSIGNMENT]
        assert list(lab.checks.enabled()) == ["shapes", "loaders", "loss", "optimizer", "evaluate", "training_loop", "accuracy"]
        assert lab.max_score == 100
        assert lab.checks.first("optimizer").name == "SGD" and lab.learning_rate == 0.1 and lab.batch_size == 100

    def test_messages_say_what_to_fix(self, results):
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
        assert "optimizer.zero_grad() ran 0 times" in message(results, "no_zero_grad", "training_loop")
        assert "optimizer.step() found no gradients" in message(results, "zero_grad_after_backward", "training_loop")
        assert "The check training_loop above" in message(results, "zero_grad_after_backward", "accuracy")
        assert "ends in softmax" in message(results, "softmax_output", "accuracy")
        assert "minimum 88%" in message(results, "reference", "accuracy")


def test_skeleton_has_the_contract_a_blank_per_step_and_no_solution():
    source = SKELETON.read_text(encoding="utf-8")
    functions = [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
    assert functions == CONTRACT
    assert "SOLUTION" not in source and "torch.optim.SGD(" not in source and "CrossEntropyLoss()" not in source
    assert sum(line.strip() == "'Fill this blank!'" for line in source.splitlines()) == len(CONTRACT)
    for line in ("learning_rate = 0.1", "training_epochs = 15", "batch_size = 100"):
        assert line in source
