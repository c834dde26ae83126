# expect: fail order dropout
# The homework's Linear → BatchNorm → ReLU → Dropout blocks run on a side branch that is multiplied
# by 0, while a logistic regression built from bare parameters (no nn.Linear, no F.linear) makes
# the prediction: the required ops run, in order, but the output does not depend on them.
# --- after the reference ---
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
