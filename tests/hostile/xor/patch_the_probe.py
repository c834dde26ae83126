# expect: score 100 (a known limit, docs/security.md: an in-process forger that patches the probe)
# Appended to the reference (tests/test_lab_xor.py). train() trains nothing and returns the cost of
# the model it was handed; the module replaces the probe's record of a training run (the lab's
# `Run.finish`) with one whose weights after training are a hand-made solution for the labels the
# grader handed, the model's outputs are those weights' outputs, and the last cost is theirs. The
# trusted side recomputes the network from those weights and finds it fits: it gains what
# reads_the_labels.py gains without patching anything.
import sys as _sys

import numpy as _np

_phases = _sys.modules.get("autograder.labs.xor.phases")


def _solution(widths, sign):
    weights = [_np.zeros((b, a)) for a, b in zip(widths, widths[1:])]
    biases = [_np.zeros(b) for b in widths[1:]]
    weights[0][:2], biases[0][:2] = [[20.0, 20.0], [-20.0, -20.0]], [-10.0, 30.0]
    for w, b in zip(weights[1:-1], biases[1:-1]):
        w[0, 0], w[1, 1], b[:2] = 20.0, 20.0, -10.0
    weights[-1][0, :2], biases[-1][0] = sign * 20.0, sign * -30.0
    return weights, biases


if _phases is not None:
    def _finish(self, costs, cross_check):
        widths = [2] + [m.out_features for m in self.linears]
        if len(widths) < 3:
            return _original_finish(self, costs, cross_check)
        weights, biases = _solution(widths, -1.0)  # the grader hands XNOR with the last layer negated
        for index, (w, b) in enumerate(zip(weights, biases)):
            self.arrays[_phases.measure.key(self.prefix, "after", index, "weight")] = torch.tensor(w)
            self.arrays[_phases.measure.key(self.prefix, "after", index, "bias")] = torch.tensor(b)
        arrays = {name: value.numpy() for name, value in self.arrays.items()}
        layers = _phases.measure.layers(arrays, self.prefix, "after")
        p = _phases.measure.outputs(layers, self.activation)
        self.arrays[f"{self.prefix}.outputs"] = torch.tensor(p)
        return {"fits": True, "reported_last": _phases.measure.bce(p, _phases.measure.HANDED)}

    _original_finish = _phases.Run.finish
    _phases.Run.finish = _finish


def train(model, X, Y, criterion, optimizer, steps=10001):
    with torch.no_grad():
        cost = criterion(model(X), Y).item()
    return [cost] * steps
