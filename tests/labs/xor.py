"""Lab `xor` (course lab 08-1, 08-2: lab-08_1_xor, lab-08_2_xor_nn, lab-08_3_xor_nn_wide_deep):
submissions derived from its reference, each breaking one rule (or none, in another correct style), as
data. Edits are applied by `tests.variants.apply_edits`, so a substitution that no longer applies to the
reference fails loudly.

The `*_learns` and `perceptron_fails` checks train the student's own model, criterion, optimizer and
train() on the grader's XOR data from calibrated seeds; when that does not end as the lab says, the lab's
own model with the grader's BCELoss and SGD is trained by the same train() once more, so that these checks
charge train() alone: a wrong model, loss or optimizer that its own check charges costs nothing here (the
message names that function and check). `predict` runs on a model with weights the grader chose.
"""

from __future__ import annotations

from pathlib import Path

ASSIGNMENT = "xor"
REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "xor.py"

# The class style of the course's earlier labs: an nn.Module subclass, functional sigmoid in forward().
MODULE_SUBCLASS_MLP = '''
class XORModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear1 = torch.nn.Linear(2, 2)
        self.linear2 = torch.nn.Linear(2, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear2(torch.sigmoid(self.linear1(x))))


def build_mlp():
    return XORModel().to(device)
'''

FUNCTION_CRITERION = '''
import torch.nn.functional as F


def make_criterion():
    def criterion(hypothesis, Y):
        return F.binary_cross_entropy(hypothesis, Y)
    return criterion
'''

# One Sigmoid module per position (the course shares one module, so model.children() and
# model.modules() list it once, and a hook on it fires at every position).
SEPARATE_SIGMOIDS_WIDE_DEEP = '''
def build_wide_deep():
    return torch.nn.Sequential(torch.nn.Linear(2, 10), torch.nn.Sigmoid(),
                               torch.nn.Linear(10, 10), torch.nn.Sigmoid(),
                               torch.nn.Linear(10, 10), torch.nn.Sigmoid(),
                               torch.nn.Linear(10, 1), torch.nn.Sigmoid()).to(device)
'''

# A "perceptron" with a hidden layer: the MLP under the perceptron's name, which does learn XOR.
HIDDEN_LAYER_PERCEPTRON = '''
def build_perceptron():
    return torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Sigmoid(),
                               torch.nn.Linear(2, 1), torch.nn.Sigmoid()).to(device)
'''

X_DATA = "X = torch.FloatTensor([[0, 0], [0, 1], [1, 0], [1, 1]]).to(device)"
Y_DATA = "Y = torch.FloatTensor([[0], [1], [1], [0]]).to(device)"
PERCEPTRON_LAYERS = "    linear = torch.nn.Linear(2, 1, bias=True)\n    sigmoid = torch.nn.Sigmoid()\n"
PERCEPTRON_MODEL = "model = torch.nn.Sequential(linear, sigmoid).to(device)"
MLP_LAYERS = "    linear1 = torch.nn.Linear(2, 2, bias=True)\n    linear2 = torch.nn.Linear(2, 1, bias=True)\n"
MLP_MODEL = "model = torch.nn.Sequential(linear1, sigmoid, linear2, sigmoid).to(device)"
WIDE_DEEP_LAYERS = ("    linear3 = torch.nn.Linear(10, 10, bias=True)\n"
                    "    linear4 = torch.nn.Linear(10, 1, bias=True)\n")
WIDE_DEEP_MODEL = ("model = torch.nn.Sequential(linear1, sigmoid, linear2, sigmoid, linear3, sigmoid, linear4, sigmoid)"
                   ".to(device)")
BCE = "torch.nn.BCELoss()"
SGD = "torch.optim.SGD(model.parameters(), lr=learning_rate)"
ZERO_GRAD = "        optimizer.zero_grad()\n"
STEP = "        cost.backward()\n        optimizer.step()\n"
PREDICTED = "predicted = (hypothesis > 0.5).float()"
NO_GRAD = "    with torch.no_grad():\n        ### BEGIN SOLUTION\n        hypothesis = model(X)"

# Other correct styles: full marks. name -> edits (an edit is (old, new) text or ("def NAME", code)).
STYLES: dict[str, list[tuple[str, str]]] = {
    "module_subclass_mlp": [("def build_mlp", MODULE_SUBCLASS_MLP)],
    "function_criterion": [("def make_criterion", FUNCTION_CRITERION)],
    "where_predict": [(PREDICTED, "predicted = torch.where(hypothesis > 0.5, 1.0, 0.0)")],
    # `>=` instead of the course's `>`: the same on any model that learned XOR.
    "greater_equal_predict": [(PREDICTED, "predicted = (hypothesis >= 0.5).float()")],
    "separate_sigmoids_wide_deep": [("def build_wide_deep", SEPARATE_SIGMOIDS_WIDE_DEEP)],
    # torch.tensor of float literals, made on the device: the same float32 tensors.
    "tensor_data": [(X_DATA, "X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]], device=device)"),
                    (Y_DATA, "Y = torch.tensor([[0.], [1.], [1.], [0.]], device=device)")],
}

# name -> (edits, checks that must not pass). The styles above come first, expecting nothing to fail.
VARIANTS: dict[str, tuple[list[tuple[str, str]], set[str]]] = {
    **{name: (edits, set()) for name, edits in STYLES.items()},
    # data
    "or_labels": ([(Y_DATA, "Y = torch.FloatTensor([[0], [1], [1], [1]]).to(device)")], {"data"}),
    "long_inputs": ([(X_DATA, "X = torch.LongTensor([[0, 0], [0, 1], [1, 0], [1, 1]]).to(device)")], {"data"}),
    "flat_labels": ([(Y_DATA, "Y = torch.FloatTensor([0, 1, 1, 0]).to(device)")], {"data"}),
    # perceptron
    # No bias: still a linear classifier through the origin, so it still cannot learn XOR.
    "perceptron_no_bias": ([(PERCEPTRON_LAYERS, PERCEPTRON_LAYERS.replace("bias=True", "bias=False"))],
                           {"perceptron"}),
    # Without the Sigmoid (or with ReLU) the output leaves [0, 1] and BCELoss raises during training
    # ("all elements of input should be between 0 and 1"), but train() trains the lab's own perceptron:
    # `perceptron_fails` is not charged again for the same mistake.
    "perceptron_no_sigmoid": ([(PERCEPTRON_MODEL, "model = torch.nn.Sequential(linear).to(device)")],
                              {"perceptron"}),
    "perceptron_relu": ([(PERCEPTRON_LAYERS, PERCEPTRON_LAYERS.replace("torch.nn.Sigmoid()", "torch.nn.ReLU()"))],
                        {"perceptron"}),
    # mlp
    "mlp_hidden_3": ([(MLP_LAYERS, MLP_LAYERS.replace("Linear(2, 2,", "Linear(2, 3,").replace("Linear(2, 1,", "Linear(3, 1,"))],
                     {"mlp"}),
    # No last Sigmoid: BCELoss raises on the raw output inside train(), but train() is not the cause (it
    # teaches the lab's own MLP): charged by `mlp` alone.
    "mlp_no_last_sigmoid": ([(MLP_MODEL, "model = torch.nn.Sequential(linear1, sigmoid, linear2).to(device)")],
                            {"mlp"}),
    # The layers in the wrong order: two Linear layers in a row are one, which cannot learn XOR; the message
    # of `mlp_learns` names build_mlp() and `mlp`, not the training loop.
    "mlp_layer_order": ([(MLP_MODEL, "model = torch.nn.Sequential(linear1, linear2, sigmoid, sigmoid).to(device)")],
                        {"mlp"}),
    # The course's layers, all weights zero: the two hidden units stay alike and the MLP cannot learn XOR. Its
    # layers pass `mlp`, and train() teaches the lab's own MLP: `mlp_learns` charges what no other check does.
    "mlp_zero_init": ([(MLP_MODEL, "for layer in (linear1, linear2):\n        torch.nn.init.zeros_(layer.weight)\n"
                                   "        torch.nn.init.zeros_(layer.bias)\n    " + MLP_MODEL)], {"mlp_learns"}),
    # wide_deep
    "wide_deep_two_hidden": ([(WIDE_DEEP_LAYERS, "    linear4 = torch.nn.Linear(10, 1, bias=True)\n"),
                              (WIDE_DEEP_MODEL, "model = torch.nn.Sequential(linear1, sigmoid, linear2, sigmoid, linear4, sigmoid)"
                                                ".to(device)")],
                             {"wide_deep"}),
    # loss
    "mse_loss": ([(BCE, "torch.nn.MSELoss()")], {"loss"}),
    # optimizer
    # A wrong optimizer also keeps the networks from learning XOR in the budget, but train() teaches the lab's
    # own models with the grader's SGD: charged by `optimizer` alone, the *_learns messages name it.
    "adam": ([(SGD, "torch.optim.Adam(model.parameters(), lr=learning_rate)")], {"optimizer"}),
    # lr 0.1, the rate the course's 08-2 notebook started from ("modified learning rate from 0.1 to 1").
    "lr_01": ([(SGD, "torch.optim.SGD(model.parameters(), lr=0.1)")], {"optimizer"}),
    # A learning rate written into make_optimizer() instead of its argument.
    "hard_coded_lr_001": ([(SGD, "torch.optim.SGD(model.parameters(), lr=0.01)")], {"optimizer"}),
    # An optimizer that also holds a tensor that is not the model's: charged by `optimizer` alone.
    "extra_parameter": ([(SGD, "torch.optim.SGD(list(model.parameters()) + [torch.zeros(1, requires_grad=True)], "
                               "lr=learning_rate)")], {"optimizer"}),
    # predict
    "predict_hypothesis": ([(PREDICTED, "predicted = hypothesis")], {"predict"}),
    "predict_no_no_grad": ([(NO_GRAD, NO_GRAD.replace("with torch.no_grad():", "if True:"))], {"predict"}),
    # True/False where the lab asks for floats ("as floats!").
    "predict_bool": ([(PREDICTED, "predicted = hypothesis > 0.5")], {"predict"}),
    # perceptron_fails
    # It fits XOR, which the lesson says a perceptron cannot: charged by `perceptron`, whose layers are wrong;
    # `perceptron_fails` says why and names it.
    "hidden_layer_perceptron": ([("def build_perceptron", HIDDEN_LAYER_PERCEPTRON)], {"perceptron"}),
    # mlp_learns (train() is shared by both networks, so both *_learns checks fail)
    "no_step": ([(STEP, "        cost.backward()\n")], {"mlp_learns", "wide_deep_learns"}),
    "zero_grad_after_backward": ([(STEP, "        cost.backward()\n" + ZERO_GRAD + "        optimizer.step()\n")],
                                 {"mlp_learns", "wide_deep_learns"}),
    # A typo in train(): every training run stops (the three checks that judge train()), but `predict`, which
    # runs on the grader's own model, is not charged.
    "train_typo": ([("        cost = criterion(hypothesis, Y)\n", "        cost = criterion(hypothesis, y)\n")],
                   {"perceptron_fails", "mlp_learns", "wide_deep_learns"}),
}

# What benchmarks/calibrate.py grades next to the reference.
# (None: the XOR lab is calibrated by its fit budgets, `calibrate_fit`, not by an accuracy minimum.
# A train() without optimizer.zero_grad() is not among the variants: with lr 1 the accumulated
# gradients still fit XOR, and the lab's checks judge what training achieves, not how.)
CALIBRATION: tuple[str, ...] = ()

# train() is shared by the three networks: a bug there fails every xor_fit check, and a model that fits when
# it should not is built wrong (charged by its architecture check, not by perceptron_fails).
NEVER_ALONE = {"mlp_learns", "wide_deep_learns", "perceptron_fails"}
