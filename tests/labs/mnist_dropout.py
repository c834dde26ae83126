"""Lab `mnist_dropout` (course lab 09-3 / lab-10-5): submissions derived from its reference, each
breaking one rule (or none, in another correct style), as data. Edits are applied by
`tests.variants.apply_edits`, so a substitution that no longer applies to the reference fails loudly."""

from __future__ import annotations

from pathlib import Path

from ..variants import UNSCALED_EVALUATE

ASSIGNMENT = "mnist_dropout"
REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "mnist_dropout.py"

# An nn.Module subclass with functional ReLU and dropout, Xavier-normal weights.
FUNCTIONAL_MODEL = '''
import torch.nn.functional as F


class Net(torch.nn.Module):
    def __init__(self, drop_prob):
        super().__init__()
        self.drop_prob = drop_prob
        self.fc1 = torch.nn.Linear(784, 512)
        self.fc2 = torch.nn.Linear(512, 512)
        self.fc3 = torch.nn.Linear(512, 512)
        self.fc4 = torch.nn.Linear(512, 512)
        self.fc5 = torch.nn.Linear(512, 10)
        for layer in (self.fc1, self.fc2, self.fc3, self.fc4, self.fc5):
            torch.nn.init.xavier_normal_(layer.weight)

    def forward(self, x):
        for layer in (self.fc1, self.fc2, self.fc3, self.fc4):
            x = F.dropout(F.relu(layer(x)), self.drop_prob, training=self.training)
        return self.fc5(x)


def build_model(drop_prob=drop_prob):
    return Net(drop_prob).to(device)
'''

# nn.Sequential built in one expression, initialised with model.apply().
APPLY_MODEL = '''
def weight_init(m):
    if isinstance(m, torch.nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)


def build_model(drop_prob=drop_prob):
    layers = []
    for n_in in (784, 512, 512, 512):
        layers += [torch.nn.Linear(n_in, 512), torch.nn.ReLU(), torch.nn.Dropout(drop_prob)]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(512, 10))
    model.apply(weight_init)
    return model.to(device)
'''

# F.dropout without training=self.training: it defaults to training=True, so it stays on in eval mode.
FUNCTIONAL_DROPOUT_ALWAYS_ON = FUNCTIONAL_MODEL.replace(", training=self.training)", ")")
assert FUNCTIONAL_DROPOUT_ALWAYS_ON.count("self.drop_prob)") == 1

SEQUENTIAL = ("model = torch.nn.Sequential(linear1, relu, dropout,\n"
              "                                linear2, relu, dropout,\n"
              "                                linear3, relu, dropout,\n"
              "                                linear4, relu, dropout,")
LINEARS = [f"linear{i} = torch.nn.Linear({n_in}, {n_out}, bias=True)"
           for i, (n_in, n_out) in enumerate([(784, 512), (512, 512), (512, 512), (512, 512), (512, 10)], start=1)]
TRAIN_MODE = "    ### BEGIN SOLUTION\n    model.train()    # set the model to train mode (dropout=True)\n    ### END SOLUTION\n"

# name -> (edits, checks that must not pass). An edit is (old, new) text or ("def NAME", code).
VARIANTS: dict[str, tuple[list[tuple[str, str]], set[str]]] = {
    "functional_style": ([("def build_model", FUNCTIONAL_MODEL)], set()),
    "apply_init_style": ([("def build_model", APPLY_MODEL)], set()),
    # The season-1 code (CNN/lab-10-5): keep_prob = 0.7, Dropout(p=1 - keep_prob), p = 0.30000000000000004.
    "keep_prob_style": ([("torch.nn.Dropout(p=drop_prob)", "torch.nn.Dropout(p=1 - 0.7)")], set()),
    "dropout_p05": ([("torch.nn.Dropout(p=drop_prob)", "torch.nn.Dropout(p=0.5)")], {"dropout"}),
    "dropout_before_relu": ([(SEQUENTIAL, SEQUENTIAL.replace("relu, dropout", "dropout, relu"))], {"order"}),
    "hidden_256": ([(old, old.replace("512", "256")) for old in LINEARS], {"shapes"}),
    "default_init": ([(f"    torch.nn.init.xavier_uniform_(linear{i}.weight)\n", "") for i in range(1, 6)], {"init"}),
    "he_init": ([(f"torch.nn.init.xavier_uniform_(linear{i}.weight)",
                  f"torch.nn.init.kaiming_uniform_(linear{i}.weight, nonlinearity='relu')") for i in range(1, 6)],
                {"init"}),
    "rmsprop": ([("torch.optim.Adam(model.parameters()", "torch.optim.RMSprop(model.parameters()")], {"optimizer"}),
    # Plain SGD at the course's Adam learning rate (0.001) barely moves in the grading budget (about 10%
    # accuracy, see benchmarks/calibration_mnist_dropout.md), so it also fails `accuracy`: one bug charged
    # twice, which no budget under a few seconds avoids. RMSprop is the variant that fails `optimizer` alone.
    "sgd": ([("torch.optim.Adam(model.parameters()", "torch.optim.SGD(model.parameters()")],
            {"optimizer", "accuracy"}),
    "no_model_train": ([(TRAIN_MODE, "")], {"train_mode"}),
    "no_zero_grad": ([("            optimizer.zero_grad()\n", "")], {"accuracy"}),
    "zero_grad_after_backward": ([("            cost.backward()\n            optimizer.step()\n",
                                   "            cost.backward()\n            optimizer.zero_grad()\n"
                                   "            optimizer.step()\n")], {"accuracy"}),
    "no_model_eval": ([("        model.eval()    # set the model to evaluation mode (dropout=False)\n        correct = 0",
                        "        correct = 0")], {"eval_mode"}),
    "no_no_grad": ([("    with torch.no_grad():\n        ### BEGIN SOLUTION\n        model.eval()",
                     "    if True:\n        ### BEGIN SOLUTION\n        model.eval()")], {"eval_mode"}),
    "percent_evaluate": ([("        accuracy = correct / total\n", "        accuracy = correct / total * 100\n")],
                         {"evaluate"}),
    # The course's own test code: raw uint8 pixels from the dataset, never divided by 255.
    "unscaled_evaluate": ([("def evaluate", UNSCALED_EVALUATE)], {"evaluate"}),
    "functional_dropout_always_on": ([("def build_model", FUNCTIONAL_DROPOUT_ALWAYS_ON)], {"eval_mode"}),
}

RAW_EVALUATE = "unscaled_evaluate"  # graded at seeds 0, 1 and 2 (tests/test_lab_mnist_relu.py)

# What benchmarks/calibrate.py grades next to the reference (benchmarks/calibration_mnist_dropout.md).
CALIBRATION = ("no_zero_grad", "rmsprop", "sgd")
