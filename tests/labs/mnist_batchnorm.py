"""Lab `mnist_batchnorm` (course lab 09-4 / lab-10-6): submissions derived from its reference, each
breaking one rule (or none, in another correct style), as data. Edits are applied by
`tests.variants.apply_edits`, so a substitution that no longer applies to the reference fails loudly."""

from __future__ import annotations

from pathlib import Path

ASSIGNMENT = "mnist_batchnorm"
REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "mnist_batchnorm.py"

BN_MODEL = ("    bn_model = torch.nn.Sequential(linear1, bn1, relu,\n"
            "                                   linear2, bn2, relu,\n"
            "                                   linear3).to(device)\n")
NO_GRAD = "    with torch.no_grad():\n        ### BEGIN SOLUTION\n        model.eval()"
PAIRS = "        valid_accs.append([bn_valid[1], nn_valid[1]])\n"

# An nn.Module subclass with functional ReLU, the BatchNorm layers optional.
MODULE_STYLE = '''
import torch.nn.functional as F


class MLP(torch.nn.Module):
    def __init__(self, batchnorm):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = torch.nn.Linear(784, 32), torch.nn.Linear(32, 32), torch.nn.Linear(32, 10)
        self.bn1 = torch.nn.BatchNorm1d(32) if batchnorm else torch.nn.Identity()
        self.bn2 = torch.nn.BatchNorm1d(32) if batchnorm else torch.nn.Identity()

    def forward(self, x):
        x = F.relu(self.bn1(self.fc1(x)))
        x = F.relu(self.bn2(self.fc2(x)))
        return self.fc3(x)


def build_models():
    return MLP(True).to(device), MLP(False).to(device)
'''

# The course's test code (lab-10-2) in this lab's evaluate(): raw 0-255 pixels of the loader's dataset, in one piece.
RAW = '''
def evaluate(model, loader, criterion):
    with torch.no_grad():
        model.eval()
        X = loader.dataset.test_data.view(-1, 28 * 28).float().to(device)
        Y = loader.dataset.test_labels.to(device)
        prediction = model(X)
        loss = criterion(prediction, Y).item()
        acc = (torch.argmax(prediction, 1) == Y).float().mean().item()
    return loss, acc
'''

# name -> (edits, checks that must not pass). An edit is (old, new) text or ("def NAME", code).
VARIANTS: dict[str, tuple[list[tuple[str, str]], set[str]]] = {
    # The course's own order (lab-10-6): Linear → ReLU → BatchNorm.
    "course_order": ([(BN_MODEL, BN_MODEL.replace("bn1, relu", "relu, bn1").replace("bn2, relu", "relu, bn2"))], set()),
    "module_style": ([("def build_models", MODULE_STYLE)], set()),
    "hidden_64": ([("    linear1 = torch.nn.Linear(784, 32, bias=True)\n    linear2 = torch.nn.Linear(32, 32, bias=True)\n",
                    "    linear1 = torch.nn.Linear(784, 64, bias=True)\n    linear2 = torch.nn.Linear(64, 32, bias=True)\n"),
                   ("    bn1 = torch.nn.BatchNorm1d(32)\n", "    bn1 = torch.nn.BatchNorm1d(64)\n")], {"shapes"}),
    "second_block_without_relu": ([(BN_MODEL, BN_MODEL.replace("linear2, bn2, relu,", "linear2, bn2,"))], {"order"}),
    "no_model_train": ([("    model.train()  # set the model to train mode\n", "")], {"train_mode"}),
    "evaluate_with_gradients": ([(NO_GRAD, NO_GRAD.replace("with torch.no_grad():", "if True:"))], {"eval_mode"}),
    "percent_accuracy": ([("    return loss / len(loader), acc / len(loader)\n",
                           "    return loss / len(loader), acc / len(loader) * 100\n")], {"evaluate"}),
    "no_step": ([("        optimizer.step()\n        total += loss.item()\n", "        total += loss.item()\n")],
                {"accuracy"}),
    "pairs_swapped": ([(PAIRS, "        valid_accs.append([nn_valid[1], bn_valid[1]])\n")], {"compare"}),
    # charged by `evaluate` alone: compare()'s pairs, which come from it, are not compared again
    "raw_evaluate": ([("def evaluate", RAW)], {"evaluate"}),
}

RAW_EVALUATE = "raw_evaluate"  # graded at seeds 0, 1 and 2 (tests/test_lab_mnist_relu.py)

# What benchmarks/calibrate.py grades next to the reference (benchmarks/calibration_mnist_batchnorm.md).
CALIBRATION = ("no_step", "no_model_train", "second_block_without_relu")
