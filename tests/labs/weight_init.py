"""Lab `weight_init` (course lab 09-2 / lab-10-3, with Xavier and He written by hand): submissions
derived from its reference, each breaking one rule (or none, in another correct style), as data.
Edits are applied by `tests.variants.apply_edits`, so a substitution that no longer applies to the
reference fails loudly."""

from __future__ import annotations

from pathlib import Path

ASSIGNMENT = "weight_init"
REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "weight_init.py"

XAVIER_A = "    a = math.sqrt(6 / (fan_in + fan_out))\n"
XAVIER_STD = "    std = math.sqrt(2 / (fan_in + fan_out))\n"
HE_STD = "    std = math.sqrt(2 / fan_in)\n"


def body(function: str, code: str) -> tuple[str, str]:
    """An edit replacing a whole init function by `code`, indented as a body under its def line."""
    indented = "".join(f"    {line}\n" if line else "\n" for line in code.strip("\n").split("\n"))
    return f"def {function}", f"\ndef {function}(weight):\n{indented}"


# Correct in other ways a student may write them.
STYLES: dict[str, list[tuple[str, str]]] = {
    # weight.data is not tracked by autograd, so no torch.no_grad() is needed; sizes by .size().
    "data_style": [body("xavier_uniform_", """
fan_in, fan_out = weight.size(1), weight.size(0)
bound = (6 / (fan_in + fan_out)) ** 0.5
weight.data.uniform_(-bound, bound)
return weight""")],
    # A fresh tensor drawn by torch.rand / torch.randn, copied into the weight.
    "copy_style": [body("he_uniform_", """
fan_in = weight.shape[1]
a = math.sqrt(6 / fan_in)
with torch.no_grad():
    weight.copy_((torch.rand(weight.shape) * 2 - 1) * a)
return weight"""), body("he_normal_", """
variance = 2 / weight.shape[1]
with torch.no_grad():
    weight.copy_(torch.randn_like(weight) * math.sqrt(variance))
return weight""")],
    # Replacing the Parameter's data, from numpy's generator (seeded by the grader too).
    "numpy_data_style": [("import math\n", "import math\n\nimport numpy as np\n"), body("xavier_normal_", """
fan_out, fan_in = weight.shape
std = np.sqrt(2.0 / (fan_in + fan_out))
weight.data = torch.from_numpy(np.random.normal(0.0, std, size=tuple(weight.shape))).float()
return weight""")],
    # An nn.Module subclass with F.relu, the init function applied in a loop over its Linear layers.
    "module_style": [("def build_model", '''
import torch.nn.functional as F


class MLP(torch.nn.Module):
    def __init__(self, init_fn):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 256)
        self.fc2 = torch.nn.Linear(256, 256)
        self.fc3 = torch.nn.Linear(256, 10)
        for layer in (self.fc1, self.fc2, self.fc3):
            init_fn(layer.weight)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def build_model(init_fn=xavier_uniform_):
    return MLP(init_fn).to(device)
''')],
    # The init function applied over model.modules() after building the Sequential.
    "modules_loop_style": [("def build_model", '''
def build_model(init_fn=xavier_uniform_):
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            init_fn(module.weight)
    return model.to(device)
''')],
}

# name -> (edits, checks that must not pass). An edit is (old, new) text or ("def NAME", code).
VARIANTS: dict[str, tuple[list[tuple[str, str]], set[str]]] = {
    **{name: (edits, set()) for name, edits in STYLES.items()},
    # The other law with the right variance: a normal draw for Xavier uniform, and the reverse.
    "normal_law_xavier_uniform": ([body("xavier_uniform_", """
fan_out, fan_in = weight.shape
with torch.no_grad():
    weight.normal_(0, math.sqrt(2 / (fan_in + fan_out)))
return weight""")], {"xavier_uniform"}),
    "uniform_law_xavier_normal": ([body("xavier_normal_", """
fan_out, fan_in = weight.shape
a = math.sqrt(6 / (fan_in + fan_out))
with torch.no_grad():
    weight.uniform_(-a, a)
return weight""")], {"xavier_normal"}),
    # The notes' "Var(W) = √(2/(n_in+n_out))" read the other way: the variance used as the std.
    "variance_as_std_xavier_normal": ([(XAVIER_STD, "    std = 2 / (fan_in + fan_out)\n")], {"xavier_normal"}),
    # Xavier uniform's bound without its square root (the model's default init: tiny weights).
    "no_sqrt_xavier_uniform": ([(XAVIER_A, "    a = 6 / (fan_in + fan_out)\n")], {"xavier_uniform"}),
    # nn.Linear stores (fan_out, fan_in): unpacking it the other way round swaps He's fans.
    "swapped_fans_he_uniform": ([("    fan_out, fan_in = weight.shape\n    a = math.sqrt(6 / fan_in)\n",
                                  "    fan_in, fan_out = weight.shape\n    a = math.sqrt(6 / fan_in)\n")],
                                {"he_uniform"}),
    "missing_two_he_normal": ([(HE_STD, "    std = math.sqrt(1 / fan_in)\n")], {"he_normal"}),
    "xavier_in_he_normal": ([(HE_STD, "    std = math.sqrt(2 / (fan_in + fan_out))\n")], {"he_normal"}),
    # Not in place: a new tensor comes back, the layer's own weight is untouched.
    "not_in_place_he_uniform": ([body("he_uniform_", """
a = math.sqrt(6 / weight.shape[1])
return torch.empty(weight.shape).uniform_(-a, a)""")], {"he_uniform"}),
    "no_return_he_normal": ([body("he_normal_", """
std = math.sqrt(2 / weight.shape[1])
with torch.no_grad():
    weight.normal_(0, std)""")], {"he_normal"}),
    # Filling a weight that requires grad without torch.no_grad(): autograd raises.
    "no_no_grad_xavier_normal": ([body("xavier_normal_", """
fan_out, fan_in = weight.shape
return weight.normal_(0, math.sqrt(2 / (fan_in + fan_out)))""")], {"xavier_normal"}),
    # Right statistics, but torch.nn.init does the work (by its module path, and imported by name).
    "nn_init_xavier_normal": ([body("xavier_normal_", "return torch.nn.init.xavier_normal_(weight)")],
                              {"from_scratch"}),
    "nn_init_by_name_he_uniform": ([("import math\n", "import math\nfrom torch.nn.init import kaiming_uniform_\n"),
                                    body("he_uniform_", "return kaiming_uniform_(weight, nonlinearity='relu')")],
                                   {"from_scratch"}),
    # build_model ignores the init_fn it is handed and calls xavier_uniform_ by name.
    "ignores_init_fn": ([(f"    init_fn(linear{i}.weight)\n", f"    xavier_uniform_(linear{i}.weight)\n")
                         for i in (1, 2, 3)], {"model_init"}),
    "last_layer_not_initialised": ([("    init_fn(linear3.weight)\n", "")], {"model_init"}),
    "hidden_128": ([("torch.nn.Linear(784, 256, bias=True)", "torch.nn.Linear(784, 128, bias=True)"),
                    ("torch.nn.Linear(256, 256, bias=True)", "torch.nn.Linear(128, 256, bias=True)")], {"shapes"}),
    "no_zero_grad": ([("            optimizer.zero_grad()\n", "")], {"accuracy"}),
}

# What benchmarks/calibrate.py grades next to the reference (benchmarks/calibration_weight_init.md).
CALIBRATION = ("no_zero_grad", "no_sqrt_xavier_uniform", "hidden_128")
