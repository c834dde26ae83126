"""Lab `backprop` end to end, in one graded batch: the shared contract (tests/labs/contract.py) and
what its messages say."""

from __future__ import annotations

from .labs import backprop
from .labs.contract import LabContract, message


class TestBackprop(LabContract):
    lab = backprop

    def test_messages_say_what_to_fix(self, results):
        assert "[-20, 20]" in message(results, "clamped_sigmoid", "sigmoid")
        assert "init_params(hidden=17)" in message(results, "init_ignores_hidden", "init")
        assert "l2 differs" in message(results, "forward_without_b2", "forward")
        assert "d_w2 differs from the chain rule's" in message(results, "no_half", "backward")
        assert "torch.autograd.grad" in message(results, "autograd_backward", "by_hand")
        assert "mean(d_b1, 0)" in message(results, "update_sums_bias", "update")
        assert "params = update(params, grads, learning_rate)" in message(results, "update_not_kept", "accuracy")
        assert "largest relative error" in message(results, "reference", "backward")
