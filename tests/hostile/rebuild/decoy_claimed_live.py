# expect: at most 70 on mnist_bn, `order` and `dropout` not passed (tests/test_replay.py)
# tests/hostile/decoy_branch.py (the homework's blocks on a branch multiplied by 0, a logistic
# regression of bare parameters predicting), which also patches the probe's liveness measurement so
# that every op it recorded is said to be one the output depends on.
# --- after the reference ---
import sys as _sys


class _Decoy(torch.nn.Module):
    def __init__(self, hidden1, hidden2):
        super().__init__()
        self.shown = _honest_build_model(hidden1, hidden2)
        self.weight = torch.nn.Parameter(torch.zeros(784, 10))
        self.bias = torch.nn.Parameter(torch.zeros(10))

    def forward(self, x):
        return self.shown(x) * 0 + (x @ self.weight + self.bias)


_honest_build_model = build_model


def build_model(hidden1=100, hidden2=100):
    return _Decoy(hidden1, hidden2).to(device)


_tracing = _sys.modules.get("autograder.probe.tracing")
if _tracing is not None:
    def _all_live(recorder, output, seed):
        for op in recorder.ops:
            op["live"] = True

    _tracing.OpRecorder.mark_live = _all_live
