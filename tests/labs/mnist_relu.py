"""Lab `mnist_relu` (course lab 09-1 / lab-10-2): submissions derived from its reference, each
breaking one rule (or none, in another correct style), as data. Edits are applied by
`tests.variants.apply_edits`, so a substitution that no longer applies to the reference fails loudly."""

from __future__ import annotations

from pathlib import Path

ASSIGNMENT = "mnist_relu"
REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "mnist_relu.py"

ACT = '    act = torch.nn.ReLU() if activation == "relu" else torch.nn.Sigmoid()\n'
SEQUENTIAL = "model = torch.nn.Sequential(linear1, act, linear2, act, linear3).to(device)"
NORMAL_INIT = [f"torch.nn.init.normal_(linear{i}.weight)" for i in (1, 2, 3)]
NO_GRAD = "    with torch.no_grad():\n        ### BEGIN SOLUTION\n        correct = 0"

# An nn.Module subclass with functional activations, initialised in a loop.
MODULE_STYLE = '''
import torch.nn.functional as F


class Net(torch.nn.Module):
    def __init__(self, activation):
        super().__init__()
        self.activation = F.relu if activation == "relu" else torch.sigmoid
        self.fc1 = torch.nn.Linear(784, 256)
        self.fc2 = torch.nn.Linear(256, 256)
        self.fc3 = torch.nn.Linear(256, 10)
        for layer in (self.fc1, self.fc2, self.fc3):
            torch.nn.init.normal_(layer.weight, mean=0.0, std=1.0)

    def forward(self, x):
        return self.fc3(self.activation(self.fc2(self.activation(self.fc1(x)))))


def build_model(activation="relu"):
    return Net(activation).to(device)
'''

# A dict of activation modules, one module per position, weights drawn with the tensor's own method.
DICT_STYLE = '''
def build_model(activation="relu"):
    acts = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}
    layers = [torch.nn.Linear(784, 256), acts[activation](), torch.nn.Linear(256, 256), acts[activation](),
              torch.nn.Linear(256, 10)]
    for layer in layers:
        if isinstance(layer, torch.nn.Linear):
            layer.weight.data.normal_(0, 1)
    return torch.nn.Sequential(*layers).to(device)
'''

# name -> (edits, checks that must not pass). An edit is (old, new) text or ("def NAME", code).
VARIANTS: dict[str, tuple[list[tuple[str, str]], set[str]]] = {
    "module_style": ([("def build_model", MODULE_STYLE)], set()),
    "dict_style": ([("def build_model", DICT_STYLE)], set()),
    "hidden_512": ([("torch.nn.Linear(784, 256, bias=True)", "torch.nn.Linear(784, 512, bias=True)"),
                    ("torch.nn.Linear(256, 256, bias=True)", "torch.nn.Linear(512, 256, bias=True)")], {"shapes"}),
    # One activation left out: Linear → Linear → ReLU → Linear (two Linear layers in a row are one).
    "one_activation": ([(SEQUENTIAL, "model = torch.nn.Sequential(linear1, linear2, act, linear3).to(device)")],
                       {"order"}),
    # Xavier instead of the lab's N(0, 1) (a better init, but not the lab's: the message names it).
    "xavier_init": ([(line, line.replace("normal_", "xavier_normal_")) for line in NORMAL_INIT], {"init"}),
    "lr_01": ([("torch.optim.Adam(model.parameters(), lr=learning_rate)", "torch.optim.Adam(model.parameters(), lr=0.01)")],
              {"optimizer"}),
    "no_no_grad": ([(NO_GRAD, NO_GRAD.replace("with torch.no_grad():", "if True:"))], {"evaluate"}),
    # zero_grad() between backward() and step(): every step finds no gradient, nothing is learned.
    "zero_grad_after_backward": ([("            cost.backward()\n            optimizer.step()\n",
                                   "            cost.backward()\n            optimizer.zero_grad()\n"
                                   "            optimizer.step()\n")], {"accuracy"}),
    # build_model ignores `activation`: the "sigmoid" network has ReLU too.
    "always_relu": ([(ACT, "    act = torch.nn.ReLU()\n")], {"compare"}),
}

# Not a variant of the tests: with Adam, gradients summed over batches still train this network
# (about 0.82 against the reference's 0.86 in the grading budget; benchmarks/calibration_mnist_relu.md),
# so `accuracy` cannot be sure to catch it. The calibration grades it to show that margin.
EXTRA = {"no_zero_grad": ([("            optimizer.zero_grad()\n", "")], {"accuracy"})}

# What benchmarks/calibrate.py grades next to the reference (benchmarks/calibration_mnist_relu.md).
CALIBRATION = ("zero_grad_after_backward", "no_zero_grad", "xavier_init", "lr_01", "one_activation")
