"""Lab `backprop` (course lab 08-2, lab-10-X1-mnist_back_prop): submissions derived from its
reference, each breaking one rule (or none, in another correct style), as data. Edits are applied by
`tests.variants.apply_edits`, so a substitution that no longer applies to the reference fails loudly."""

from __future__ import annotations

from pathlib import Path

ASSIGNMENT = "backprop"
REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "backprop.py"

SIGMOID = "    return 1.0 / (1.0 + torch.exp(-x))\n"
D_L2 = "    d_l2 = diff * sigmoid_prime(l2)\n"
B2 = "    l2 = torch.add(torch.matmul(a1, w2), b2)\n"
UPDATE_B1 = '    b1 = params["b1"] - learning_rate * torch.mean(grads["d_b1"], 0)\n'
STEP = "            params = update(params, grads, learning_rate)\n"

# The gradients from autograd: the right numbers (per-example bias terms from the intermediate
# l1 and l2), but not by hand.
AUTOGRAD_BACKWARD = '''
def backward(params, cache, X, Y):
    w1 = params["w1"].clone().requires_grad_()
    w2 = params["w2"].clone().requires_grad_()
    l1 = torch.matmul(X, w1) + params["b1"]
    l2 = torch.matmul(sigmoid(l1), w2) + params["b2"]
    loss = 0.5 * torch.sum((sigmoid(l2) - Y) ** 2)
    d_w1, d_w2, d_l1, d_l2 = torch.autograd.grad(loss, [w1, w2, l1, l2])
    return {"d_w1": d_w1, "d_b1": d_l1, "d_w2": d_w2, "d_b2": d_l2}
'''

# name -> (edits, checks that must not pass). An edit is (old, new) text or ("def NAME", code).
VARIANTS: dict[str, tuple[list[tuple[str, str]], set[str]]] = {
    # Other correct styles.
    "operator_style": ([(B2, "    l2 = a1 @ w2 + b2\n"), ("    l1 = torch.add(torch.matmul(X, w1), b1)\n", "    l1 = X @ w1 + b1\n"),
                        ("    d_w2 = torch.matmul(torch.transpose(a1, 0, 1), d_l2)\n", "    d_w2 = a1.t() @ d_l2\n"),
                        ("    d_w1 = torch.matmul(torch.transpose(X, 0, 1), d_l1)\n", "    d_w1 = X.T @ d_l1\n")], set()),
    "torch_sigmoid": ([(SIGMOID, "    return torch.sigmoid(x)\n")], set()),
    # One bug each.
    # "Clamped against overflow": wrong only where |x| > 10, which the network rarely reaches.
    "clamped_sigmoid": ([(SIGMOID, "    return 1.0 / (1.0 + torch.exp(-x.clamp(-10, 10)))\n")], {"sigmoid"}),
    "init_ignores_hidden": ([("    w1 = torch.randn(784, hidden).to(device)\n    b1 = torch.randn(hidden).to(device)\n"
                              "    w2 = torch.randn(hidden, 10).to(device)\n",
                              "    w1 = torch.randn(784, 30).to(device)\n    b1 = torch.randn(30).to(device)\n"
                              "    w2 = torch.randn(30, 10).to(device)\n")], {"init"}),
    "forward_without_b2": ([(B2, "    l2 = torch.matmul(a1, w2)\n")], {"forward"}),
    # The derivative of Σ(y_pred - Y)² instead of the lab's ½·Σ: every gradient doubled (training still works).
    "no_half": ([(D_L2, "    d_l2 = 2 * diff * sigmoid_prime(l2)\n")], {"backward"}),
    "autograd_backward": ([("def backward", AUTOGRAD_BACKWARD)], {"by_hand"}),
    "update_sums_bias": ([(UPDATE_B1, UPDATE_B1.replace("torch.mean", "torch.sum"))], {"update"}),
    # backward() returns d_w2 transposed (10 x 30): `update`, handed the grader's gradients, is not
    # charged (handed these, it raised a size mismatch that stopped forward, backward, by_hand and
    # update alike); the student's own train() cannot run, which `accuracy` measures.
    "backward_transposes_d_w2": ([("    d_w2 = torch.matmul(torch.transpose(a1, 0, 1), d_l2)\n",
                                   "    d_w2 = torch.matmul(torch.transpose(d_l2, 0, 1), a1)\n")], {"backward", "accuracy"}),
    # The updated parameters are dropped: nothing is learned.
    "update_not_kept": ([(STEP, "            update(params, grads, learning_rate)\n")], {"accuracy"}),
}

# What benchmarks/calibrate.py grades next to the reference (benchmarks/calibration_backprop.md).
CALIBRATION = ("update_not_kept", "no_half", "update_sums_bias", "forward_without_b2")
