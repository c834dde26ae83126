# expect: fail loss
# The criterion computes cross-entropy when the grader calls it on its own, and a hinge loss when
# it is called from train(): the loss check must look at what training back-propagated.
# --- after the reference ---
import inspect as _inspect


class _TwoFaced(torch.nn.Module):
    def forward(self, hypothesis, Y):
        if any(frame.function == "train" for frame in _inspect.stack()):
            return torch.nn.functional.multi_margin_loss(hypothesis, Y)
        return torch.nn.functional.cross_entropy(hypothesis, Y)


def make_criterion():
    return _TwoFaced()
