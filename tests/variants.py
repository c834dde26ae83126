"""Submissions derived from the reference, each breaking one rule of the homework (or none, in
another correct style). Derived rather than copied, so they follow the reference when it changes;
a substitution that no longer applies fails loudly."""

from __future__ import annotations

import ast
from pathlib import Path

FUNCTIONAL_MODEL = '''
import torch.nn.functional as F


class Net(torch.nn.Module):
    def __init__(self, hidden1, hidden2):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, hidden1)
        self.bn1 = torch.nn.BatchNorm1d(hidden1)
        self.fc2 = torch.nn.Linear(hidden1, hidden2)
        self.bn2 = torch.nn.BatchNorm1d(hidden2)
        self.fc3 = torch.nn.Linear(hidden2, 10)
        for layer in (self.fc1, self.fc2, self.fc3):
            torch.nn.init.xavier_normal_(layer.weight)

    def forward(self, x):
        x = F.dropout(F.relu(self.bn1(self.fc1(x))), p=0.3, training=self.training)
        x = F.dropout(F.relu(self.bn2(self.fc2(x))), p=0.3, training=self.training)
        return F.log_softmax(self.fc3(x), dim=1)


def build_model(hidden1=100, hidden2=100):
    return Net(hidden1, hidden2).to(device)
'''

APPLY_MODEL = '''
def weight_init(m):
    if isinstance(m, torch.nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)


def build_model(hidden1=100, hidden2=100):
    model = torch.nn.Sequential(
        torch.nn.Linear(784, hidden1), torch.nn.BatchNorm1d(hidden1), torch.nn.ReLU(), torch.nn.Dropout(0.3),
        torch.nn.Linear(hidden1, hidden2), torch.nn.BatchNorm1d(hidden2), torch.nn.ReLU(), torch.nn.Dropout(0.3),
        torch.nn.Linear(hidden2, 10))
    model.apply(weight_init)
    return model.to(device)
'''

# The course's own test code: raw uint8 pixels from the dataset, never divided by 255.
UNSCALED_EVALUATE = '''
def evaluate(model, test_loader):
    with torch.no_grad():
        model.eval()
        X_test = test_loader.dataset.test_data.view(-1, 28 * 28).float().to(device)
        Y_test = test_loader.dataset.test_labels.to(device)
        prediction = model(X_test)
        accuracy = (torch.argmax(prediction, 1) == Y_test).float().mean()
    return accuracy.item()
'''

# F.dropout without training=self.training: it defaults to training=True, so it stays on in eval mode.
FUNCTIONAL_DROPOUT_ALWAYS_ON = FUNCTIONAL_MODEL.replace(", training=self.training)", ")")
assert FUNCTIONAL_DROPOUT_ALWAYS_ON.count("p=0.3)") == 2

SEQUENTIAL = ("bn_model = torch.nn.Sequential(linear1, bn1, relu, dropout,\n"
              "                                   linear2, bn2, relu, dropout,")

SWEEP_TRAINS = "        costs = train(model, train_loader, criterion, optimizer, training_epochs)"  # in compare_hidden_sizes

# name -> (edits, checks that must not pass). An edit is (old, new) text or ("def NAME", code).

VARIANTS: dict[str, tuple[list[tuple[str, str]], set[str]]] = {
    "functional_style": ([("def build_model", FUNCTIONAL_MODEL)], set()),
    "apply_init_style": ([("def build_model", APPLY_MODEL)], set()),
    "bn_after_relu": ([(SEQUENTIAL, SEQUENTIAL.replace("bn1, relu", "relu, bn1").replace("bn2, relu", "relu, bn2"))],
                      {"order"}),
    "dropout_before_bn": ([(SEQUENTIAL, SEQUENTIAL.replace("linear1, bn1, relu, dropout", "linear1, dropout, bn1, relu")
                            .replace("linear2, bn2, relu, dropout", "linear2, dropout, bn2, relu"))], {"order"}),
    "dropout_p05": ([("torch.nn.Dropout(p=0.3)", "torch.nn.Dropout(p=0.5)")], {"dropout"}),
    "hidden_200": ([("def build_model(hidden1=100, hidden2=100)", "def build_model(hidden1=200, hidden2=100)")],
                   {"shapes"}),
    "default_init": ([(f"    torch.nn.init.xavier_uniform_(linear{i}.weight)\n", "") for i in (1, 2, 3)], {"init"}),
    "he_init": ([(f"torch.nn.init.xavier_uniform_(linear{i}.weight)",
                  f"torch.nn.init.kaiming_uniform_(linear{i}.weight, nonlinearity='relu')") for i in (1, 2, 3)],
                {"init"}),
    "no_shuffle": ([("batch_size=batch_size,\n                                               shuffle=True",
                     "batch_size=batch_size,\n                                               shuffle=False")],
                   {"loaders"}),
    "sum_loss": ([("torch.nn.CrossEntropyLoss()", "torch.nn.CrossEntropyLoss(reduction='sum')")], {"loss"}),
    "sgd": ([("torch.optim.Adam(model.parameters()", "torch.optim.SGD(model.parameters()")], {"optimizer"}),
    "no_model_train": ([("        avg_cost = 0\n        model.train()\n", "        avg_cost = 0\n")], {"train_mode"}),
    "no_zero_grad": ([("            optimizer.zero_grad()\n", "")], {"accuracy"}),
    "zero_grad_after_backward": ([("            bn_loss.backward()\n            optimizer.step()\n",
                                "            bn_loss.backward()\n            optimizer.zero_grad()\n"
                                "            optimizer.step()\n")], {"accuracy"}),
    "no_model_eval": ([("        model.eval()\n        correct = 0", "        correct = 0")], {"eval_mode"}),
    "no_no_grad": ([("    with torch.no_grad():\n        ### BEGIN SOLUTION\n        model.eval()",
                     "    if True:\n        ### BEGIN SOLUTION\n        model.eval()")], {"eval_mode"}),
    "unscaled_evaluate": ([("def evaluate", UNSCALED_EVALUATE)], {"evaluate"}),
    "functional_dropout_always_on": ([("def build_model", FUNCTIONAL_DROPOUT_ALWAYS_ON)], {"eval_mode"}),
    "softmax_output": ([("                                   linear3).to(device)",
                         "                                   linear3, torch.nn.Softmax(dim=1)).to(device)")],
                       {"order", "accuracy"}),
    "batchnorm2d": ([("bn1 = torch.nn.BatchNorm1d(hidden1)", "bn1 = torch.nn.BatchNorm2d(hidden1)"),
                     ("bn2 = torch.nn.BatchNorm1d(hidden2)", "bn2 = torch.nn.BatchNorm2d(hidden2)")],
                    {"shapes", "order", "dropout", "train_mode", "accuracy", "eval_mode", "evaluate", "sweep"}),
    "bn_ignores_hidden": ([("bn1 = torch.nn.BatchNorm1d(hidden1)", "bn1 = torch.nn.BatchNorm1d(100)"),
                           ("bn2 = torch.nn.BatchNorm1d(hidden2)", "bn2 = torch.nn.BatchNorm1d(100)")], {"sweep"}),
    # Q1-2 without its work: the models are built and evaluated untrained, honestly reported; then,
    # beside an evaluate() already charged, made-up numbers (once passed as "not compared").
    "sweep_untrained": ([(SWEEP_TRAINS, "        costs = [2.3]")], {"sweep"}),
    "sweep_made_up": ([("def evaluate", UNSCALED_EVALUATE), (SWEEP_TRAINS, "        costs = [0.1]"),
                       ("        accuracy = evaluate(model, test_loader)", "        accuracy = 0.95")],
                      {"evaluate", "sweep"}),
}


def _replace_function(source: str, name: str, code: str) -> str:
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    lines = source.splitlines(keepends=True)
    return "".join(lines[: node.lineno - 1]) + code.lstrip("\n") + "\n\n" + "".join(lines[node.end_lineno:])


def apply_edits(source: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        if old.startswith("def ") and "(" not in old:
            source = _replace_function(source, old[4:], new)
        else:
            assert source.count(old) == 1, f"edit no longer applies to the reference: {old!r}"
            source = source.replace(old, new)
    return source


def write_variant(reference: Path, folder: Path, name: str, edits: list[tuple[str, str]]) -> Path:
    path = folder / f"{name}.py"
    path.write_text(apply_edits(reference.read_text(encoding="utf-8"), edits), encoding="utf-8")
    return path
