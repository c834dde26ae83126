"""Lab `softmax_tips` end to end, in one graded batch: the shared contract (tests/labs/contract.py),
what its messages say, and that grading it never needs MNIST."""

from __future__ import annotations

from autograder import Grader, Submission

from .labs import softmax_tips
from .labs.contract import LabContract, message


class TestSoftmaxTips(LabContract):
    lab = softmax_tips

    def test_messages_say_what_to_fix(self, results):
        assert "torch.LongTensor" in message(results, "float_labels", "data")
        assert "F.cross_entropy applies the softmax itself" in message(results, "softmax_in_forward", "model")
        assert "optimizer.zero_grad() ran 0 times" in message(results, "no_zero_grad", "train")
        assert "a percentage?" in message(results, "percent_accuracy", "test")
        assert "torch.no_grad()" in message(results, "test_with_gradients", "test")
        assert "unbiased=False" in message(results, "population_std", "standardize")
        assert "in place" in message(results, "in_place_standardize", "standardize")


def test_grading_softmax_tips_needs_no_mnist(config, tmp_path):
    result, = Grader(config, softmax_tips.ASSIGNMENT, data_root=tmp_path / "no-mnist").grade(
        [Submission("ref", softmax_tips.REFERENCE)])
    assert result.score == 100, [c.message for c in result.checks if c.status != "passed"]
