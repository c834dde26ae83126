"""Lab `mnist_cnn` (course lab 10-1 / lab-10_1): submissions derived from its reference, each
breaking one rule (or none, in another correct style), as data. Edits are applied by
`tests.variants.apply_edits`, so a substitution that no longer applies to the reference fails loudly.

Few variants on purpose: a CNN is the slowest lab to grade (about 8 s of CPU per submission), so
each variant fails exactly one check, and two other correct styles cover the rest."""

from __future__ import annotations

from pathlib import Path

ASSIGNMENT = "mnist_cnn"
REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "mnist_cnn.py"

CONV1 = "torch.nn.Conv2d(1, 32, kernel_size=3, stride=1, padding=1)"
CONV2 = "torch.nn.Conv2d(32, 64, kernel_size=3, stride=1, padding=1)"
RELU_POOL = "                torch.nn.ReLU(),\n                torch.nn.MaxPool2d(kernel_size=2, stride=2))"
POOL_RELU = "                torch.nn.MaxPool2d(kernel_size=2, stride=2),\n                torch.nn.ReLU())"
FC = "self.fc = torch.nn.Linear(7 * 7 * 64, 10, bias=True)"
XAVIER = "            torch.nn.init.xavier_uniform_(self.fc.weight)\n"
NO_GRAD = "    with torch.no_grad():\n        ### BEGIN SOLUTION\n        correct = 0"

# An nn.Module with its layers as attributes and F.relu / F.max_pool2d / x.view in forward().
MODULE_STYLE = '''
import torch.nn.functional as F


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(32, 64, 3, padding=1)
        self.fc = torch.nn.Linear(3136, 10)
        torch.nn.init.xavier_uniform_(self.fc.weight)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.view(-1, 7 * 7 * 64))


def build_model():
    return Net().to(device)
'''

# One nn.Sequential with padding="same" and nn.Flatten, the Linear initialised through model.apply.
SEQUENTIAL_STYLE = '''
def init_weights(m):
    if isinstance(m, torch.nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)


def build_model():
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding="same"), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding="same"), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(7 * 7 * 64, 10))
    model.apply(init_weights)
    return model.to(device)
'''

# name -> (edits, checks that must not pass). An edit is (old, new) text or ("def NAME", code).
VARIANTS: dict[str, tuple[list[tuple[str, str]], set[str]]] = {
    "module_style": ([("def build_model", MODULE_STYLE)], set()),
    "sequential_style": ([("def build_model", SEQUENTIAL_STYLE)], set()),
    # No padding: 28 -> 26 -> 13 -> 11 -> 5, so the Linear takes 5 x 5 x 64 (the model runs and learns).
    "no_padding": ([(CONV1, CONV1.replace("padding=1", "padding=0")), (CONV2, CONV2.replace("padding=1", "padding=0")),
                    (FC, FC.replace("7 * 7 * 64", "5 * 5 * 64"))], {"shapes"}),
    # Pooling before the ReLU: the same numbers for max pooling, but not the lab's block.
    "pool_before_relu": ([(f"{conv},\n{RELU_POOL}", f"{conv},\n{POOL_RELU}") for conv in (CONV1, CONV2)], {"order"}),
    "default_init": ([(XAVIER, "")], {"init"}),
    "adamw": ([("torch.optim.Adam(model.parameters()", "torch.optim.AdamW(model.parameters()")], {"optimizer"}),
    # The summed cross-entropy: Adam's steps hardly notice the scale, so only `loss` can tell.
    "summed_loss": ([("torch.nn.CrossEntropyLoss().to(device)", "torch.nn.CrossEntropyLoss(reduction='sum').to(device)")],
                    {"loss"}),
    "no_zero_grad": ([("            optimizer.zero_grad()\n", "")], {"training_loop"}),
    "no_no_grad": ([(NO_GRAD, NO_GRAD.replace("with torch.no_grad():", "if True:"))], {"evaluate"}),
    # Images divided by 255 in train(), though ToTensor already scales them to [0, 1].
    "scaled_twice": ([("            X = X.to(device)\n", "            X = (X / 255).to(device)\n")], {"accuracy"}),
}

# Whether no_zero_grad also falls below `accuracy`'s minimum depends on the seed
# (benchmarks/calibration_mnist_cnn.md).
SEED_DEPENDENT = {"no_zero_grad": {"accuracy"}}

# What benchmarks/calibrate.py grades next to the reference (benchmarks/calibration_mnist_cnn.md).
CALIBRATION = ("scaled_twice", "no_zero_grad")
