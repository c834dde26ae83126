"""Lab `softmax_tips` (course lab 07-1 / lab-07_1_tips): submissions derived from its reference, each
breaking one rule (or none, in another correct style), as data. Edits are applied by
`tests.variants.apply_edits`, so a substitution that no longer applies to the reference fails loudly."""

from __future__ import annotations

from pathlib import Path

ASSIGNMENT = "softmax_tips"
REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "softmax_tips.py"

ZERO_GRAD = "        optimizer.zero_grad()\n"
NO_GRAD = "    with torch.no_grad():\n        ### BEGIN SOLUTION\n        prediction = model(x_test)"
ACCURACY = "        accuracy = correct_count / len(y_test)\n"
STANDARDIZE = "    sigma = x.std(dim=0)\n    norm_x = (x - mu) / sigma\n"

# name -> (edits, checks that must not pass). An edit is (old, new) text or ("def NAME", code).
VARIANTS: dict[str, tuple[list[tuple[str, str]], set[str]]] = {
    # Other correct styles.
    "sequential_model": ([("def build_model", "\ndef build_model():\n    return nn.Sequential(nn.Linear(3, 3))\n")],
                         set()),
    "loss_module_and_argmax": ([("        cost = F.cross_entropy(prediction, y_train)\n",
                                 "        cost = nn.CrossEntropyLoss()(prediction, y_train)\n"),
                                ("        predicted_classes = prediction.max(1)[1]\n",
                                 "        predicted_classes = torch.argmax(prediction, dim=1)\n"),
                                (ACCURACY, "        accuracy = (predicted_classes == y_test).float().mean().item()\n")],
                               set()),
    "keepdim_standardize": ([("    mu = x.mean(dim=0)\n" + STANDARDIZE,
                              "    mu = torch.mean(x, dim=0, keepdim=True)\n"
                              "    sigma = torch.std(x, dim=0, keepdim=True, unbiased=True)\n"
                              "    norm_x = (x - mu) / sigma\n")], set()),
    # One bug each.
    "float_labels": ([("    y_train = torch.LongTensor([2, 2, 2, 1, 1, 1, 0, 0])",
                       "    y_train = torch.FloatTensor([2, 2, 2, 1, 1, 1, 0, 0])")], {"data"}),
    "softmax_in_forward": ([("        return self.linear(x)\n", "        return F.softmax(self.linear(x), dim=1)\n")],
                           {"model"}),
    "no_zero_grad": ([(ZERO_GRAD, "")], {"train"}),
    "percent_accuracy": ([(ACCURACY, "        accuracy = correct_count / len(y_test) * 100\n")], {"test"}),
    "test_with_gradients": ([(NO_GRAD, NO_GRAD.replace("with torch.no_grad():", "if True:"))], {"test"}),
    "population_std": ([(STANDARDIZE, STANDARDIZE.replace("x.std(dim=0)", "x.std(dim=0, unbiased=False)"))],
                       {"standardize"}),
    "in_place_standardize": ([("    norm_x = (x - mu) / sigma\n", "    x -= mu\n    x /= sigma\n    norm_x = x\n")],
                             {"standardize"}),
}

CALIBRATION: tuple[str, ...] = ()  # no accuracy minimum: every check is exact
