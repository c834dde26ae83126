"""Lab `mnist_relu` (course lab 09-1 / lab-10-2): submissions derived from its reference, each
breaking one rule (or none, in another correct style), as data. Edits are applied by
`tests.variants.apply_edits`, so a substitution that no longer applies to the reference fails loudly."""

from __future__ import annotations

from pathlib import Path

from ..variants import UNSCALED_EVALUATE

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

# Adam behind a class of the student's own: `optimizer` says it is not a torch.optim optimizer, and
# `training_loop` cannot count its step() calls (it says so; it does not pass what it could not see).
OWN_OPTIMIZER = '''
class Wrapped:
    def __init__(self, params, lr):
        self.inner = torch.optim.Adam(params, lr=lr)

    def zero_grad(self):
        self.inner.zero_grad()

    def step(self):
        self.inner.step()


def make_optimizer(model, learning_rate=learning_rate):
    return Wrapped(model.parameters(), learning_rate)
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
    "own_optimizer": ([("def make_optimizer", OWN_OPTIMIZER)], {"optimizer", "training_loop"}),
    "no_no_grad": ([(NO_GRAD, NO_GRAD.replace("with torch.no_grad():", "if True:"))], {"evaluate"}),
    # zero_grad() between backward() and step(): every step finds no gradient, nothing is learned.
    "zero_grad_after_backward": ([("            cost.backward()\n            optimizer.step()\n",
                                   "            cost.backward()\n            optimizer.zero_grad()\n"
                                   "            optimizer.step()\n")], {"training_loop", "accuracy"}),
    # No zero_grad(): Adam still learns from the summed gradients (0.77-0.84 against the reference's
    # 0.86 in the grading budget, benchmarks/calibration_mnist_relu.md), so `training_loop` charges it.
    "no_zero_grad": ([("            optimizer.zero_grad()\n", "")], {"training_loop"}),
    # Correct loops in other styles: model.zero_grad(), and zero_grad() at the end of the batch.
    "model_zero_grad": ([("            optimizer.zero_grad()\n", "            model.zero_grad()\n")], set()),
    "zero_grad_last": ([("            optimizer.zero_grad()\n", ""),
                        ("            optimizer.step()\n", "            optimizer.step()\n            optimizer.zero_grad()\n")],
                       set()),
    # Images divided by 255 in train(), though ToTensor already scales them to [0, 1]: the model learns
    # on inputs 255 times smaller than the grader's test images.
    "scaled_twice": ([("            X = X.view(-1, 28 * 28).to(device)\n",
                       "            X = (X.view(-1, 28 * 28) / 255).to(device)\n")], {"accuracy"}),
    # build_model ignores `activation`: the "sigmoid" network has ReLU too.
    "always_relu": ([(ACT, "    act = torch.nn.ReLU()\n")], {"compare"}),
    # The course's own test code: raw 0-255 pixels (`test_data`). A ReLU network classifies them about as well as
    # [0, 1] ones, so only the grader's pixel-scale probe catches it every time; `compare` is not charged again.
    "unscaled_evaluate": ([("def evaluate", UNSCALED_EVALUATE)], {"evaluate"}),
}

RAW_EVALUATE = "unscaled_evaluate"  # graded at seeds 0, 1 and 2 (tests/test_lab_mnist_relu.py)

# Whether no_zero_grad also falls below `accuracy`'s minimum depends on the seed (it passes 14 of 20).
SEED_DEPENDENT = {"no_zero_grad": {"accuracy"}}

# What benchmarks/calibrate.py grades next to the reference (benchmarks/calibration_mnist_relu.md).
CALIBRATION = ("zero_grad_after_backward", "no_zero_grad", "scaled_twice", "xavier_init", "lr_01", "one_activation")
