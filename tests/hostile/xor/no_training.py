# expect: score 55; perceptron_fails, mlp_learns and wide_deep_learns fail
# Appended to the reference (tests/test_lab_xor.py). Nothing is trained: build_mlp() and
# build_wide_deep() run the course's Linear/Sigmoid layers as decoys (their output times 0) and
# return a hand-written XOR of the input, so a forward pass on the four points "fits"; train() never
# touches a weight and returns made-up falling costs. Issue 21 measured 100 for this; the honest
# score is what the work that was done earns: data, the layers, loss, optimizer and predict.
class _HandWrittenXor(torch.nn.Module):
    def __init__(self, decoy):
        super().__init__()
        self.decoy = decoy

    def forward(self, x):
        xor = (x[:, :1] - x[:, 1:]).abs()
        return self.decoy(x) * 0 + xor.clamp(0.001, 0.999)


_course_mlp, _course_wide_deep = build_mlp, build_wide_deep


def build_mlp():
    return _HandWrittenXor(_course_mlp()).to(device)


def build_wide_deep():
    return _HandWrittenXor(_course_wide_deep()).to(device)


def train(model, X, Y, criterion, optimizer, steps=10001):
    return [0.7 * 0.998 ** step for step in range(steps)]
