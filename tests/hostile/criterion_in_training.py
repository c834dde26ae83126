# expect: fail loss
# The criterion computes cross-entropy when the grader calls it on its own, and a hinge loss when
# it is called from train(): the loss check must look at what training back-propagated.
# --- after the reference ---
import sys as _sys


def _called_from_train():
    """Whether `train` is on the call stack (frame by frame: `inspect.stack()` reads every frame's
    source lines and made this file cost most of the suite's 15 s budget on its own)."""
    frame = _sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "train":
            return True
        frame = frame.f_back
    return False


class _TwoFaced(torch.nn.Module):
    def forward(self, hypothesis, Y):
        if _called_from_train():
            return torch.nn.functional.multi_margin_loss(hypothesis, Y)
        return torch.nn.functional.cross_entropy(hypothesis, Y)


def make_criterion():
    return _TwoFaced()
