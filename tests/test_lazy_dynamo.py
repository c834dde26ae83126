"""The zygote's stand-in for `torch._dynamo` (autograder/sandbox/lazy_dynamo.py): a course-style
training run never imports the real module, computes exactly what it computes with it, and anything
more than eager PyTorch's no-ops gets the real module. Each case runs in a fresh interpreter, as a
zygote does: the test process itself never imports torch."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT

TRAIN = """
import json, sys
import torch
from autograder.sandbox import lazy_dynamo
if sys.argv[1] == "stand-in":
    lazy_dynamo.install()
else:
    import torch._dynamo
import torchvision.datasets, torchvision.transforms  # as every MNIST lab's file does
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
losses = []
for optimizer in (torch.optim.Adam(model.parameters(), lr=0.01), torch.optim.SGD(model.parameters(), lr=0.1)):
    for step in range(5):
        x = torch.randn(16, 4)
        loss = torch.nn.functional.cross_entropy(model(x), (x.sum(1) > 0).long())
        optimizer.zero_grad(); loss.backward(); optimizer.step()
        losses.append(loss.item())
print(json.dumps({"losses": losses, "weights": [p.sum().item() for p in model.parameters()],
                  "real": lazy_dynamo._loaded() if sys.argv[1] == "stand-in" else True}))
"""

MORE = """
import torch
from autograder.sandbox import lazy_dynamo
lazy_dynamo.install()
model = torch.nn.Linear(2, 1)
optimizer = torch.optim.Adam(model.parameters())
model(torch.ones(1, 2)).sum().backward()
optimizer.step()  # its disabled update function is cached before the real module exists
assert not lazy_dynamo._loaded()
import torch._dynamo.config  # a submodule: the real package
assert lazy_dynamo._loaded() and not isinstance(torch._dynamo, lazy_dynamo._StandIn)
from torch._dynamo.utils import is_compile_supported
assert is_compile_supported.__module__ == "torch._dynamo.utils"
optimizer.step()  # now through the real `disable`
print(torch._dynamo.is_compiling())
"""


def _run(script: str, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


def test_a_training_run_never_imports_the_real_module_and_computes_the_same():
    stand_in, real = (json.loads(_run(TRAIN, mode)) for mode in ("stand-in", "real"))
    assert stand_in["real"] is False
    assert stand_in["losses"] == real["losses"] and stand_in["weights"] == real["weights"]


def test_anything_more_gets_the_real_module():
    assert _run(MORE).strip() == "False"
