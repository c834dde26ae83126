"""One sentence a beginner can act on, for the errors beginners hit most.

Each rule is a pure function from a recorded error (`info`: kind, function, exception, message,
as `probe/student.py` writes it) to a hint, or None. `describe_error` appends the first hint that
applies. No torch here: this runs in the trusted process.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ..environment import provided_names

# The names the course's code imports, and the line that defines each.
COURSE_IMPORTS = {
    "torch": "import torch",
    "nn": "import torch.nn as nn",
    "F": "import torch.nn.functional as F",
    "optim": "import torch.optim as optim",
    "init": "import torch.nn.init as init",
    "dsets": "import torchvision.datasets as dsets",
    "transforms": "import torchvision.transforms as transforms",
    "np": "import numpy as np",
    "plt": "import matplotlib.pyplot as plt",
}

Rule = Callable[[str, str], "str | None"]


def batchnorm2d(exception: str, message: str) -> str | None:
    if "expected 4D input" in message:
        return ("You used BatchNorm2d, which is for images shaped N×C×H×W; after a Linear layer (N×features) "
                "use torch.nn.BatchNorm1d.")
    return None


def missing_module(exception: str, message: str) -> str | None:
    found = re.search(r"No module named '([^']+)'", message)
    if exception != "ModuleNotFoundError" or not found:
        return None
    return (f"Your file imports {found.group(1)}, which the grading environment does not have (it has: "
            f"{provided_names()}); remove the import or keep it under `if __name__ == \"__main__\":`.")


def course_import(exception: str, message: str) -> str | None:
    found = re.match(r"name '(\w+)' is not defined", message)
    if exception != "NameError" or not found or found.group(1) not in COURSE_IMPORTS:
        return None
    return f"Add `{COURSE_IMPORTS[found.group(1)]}` at the top of your file, with the other imports."


def unflattened_images(exception: str, message: str) -> str | None:
    found = re.search(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)", message)
    if not found or found.group(2) != "28" or found.group(3) != "784":
        return None
    return ("The first Linear layer expects 784 numbers per image, but got images of 28×28 pixels: flatten each "
            "batch with X.view(-1, 28 * 28) before calling the model.")


def in_place_on_weight(exception: str, message: str) -> str | None:
    if "leaf Variable that requires grad" not in message or "in-place operation" not in message:
        return None
    return ("A layer's weight tracks gradients, and autograd forbids filling it in place while it does: fill it "
            "inside `with torch.no_grad():` (as torch.nn.init does).")


RULES: tuple[Rule, ...] = (batchnorm2d, missing_module, course_import, unflattened_images, in_place_on_weight)


def hint(info: dict[str, Any]) -> str | None:
    """The first hint that applies to a raised error, or None."""
    if info.get("kind") not in ("raised", "unusable"):
        return None
    exception, message = str(info.get("exception", "")), str(info.get("message", ""))
    for rule in RULES:
        found = rule(exception, message)
        if found:
            return found
    return None
