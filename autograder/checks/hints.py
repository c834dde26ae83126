"""One sentence a beginner can act on, for the errors beginners hit most.

Each rule is a pure function from a recorded error (`info`: kind, function, exception, message,
as `probe/student.py` writes it) to a hint, a catalog message (`catalog/<language>/hints.po`), or
None. `describe_error` appends the first hint that applies. No torch here: this runs in the
trusted process.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ..catalog import Msg, msg
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

Rule = Callable[[str, str], "Msg | None"]


def batchnorm2d(exception: str, message: str) -> Msg | None:
    if "expected 4D input" in message:
        return msg("hints.batchnorm2d")
    return None


def missing_module(exception: str, message: str) -> Msg | None:
    found = re.search(r"No module named '([^']+)'", message)
    if exception != "ModuleNotFoundError" or not found:
        return None
    return msg("hints.missing_module", module=found.group(1), provided=provided_names())


def undefined_name(message: str) -> re.Match[str] | None:
    """The name a NameError's message names (group 1), or None."""
    return re.match(r"name '(\w+)' is not defined", message)


def course_import(exception: str, message: str) -> Msg | None:
    found = undefined_name(message)
    if exception != "NameError" or not found or found.group(1) not in COURSE_IMPORTS:
        return None
    return msg("hints.course_import", line=COURSE_IMPORTS[found.group(1)])


def unflattened_images(exception: str, message: str) -> Msg | None:
    found = re.search(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)", message)
    if not found or found.group(2) != "28" or found.group(3) != "784":
        return None
    return msg("hints.unflattened_images")


def in_place_on_weight(exception: str, message: str) -> Msg | None:
    if "leaf Variable that requires grad" not in message or "in-place operation" not in message:
        return None
    return msg("hints.in_place_on_weight")


def colab_path(exception: str, message: str) -> Msg | None:
    """A path copied from a Colab notebook (`/content/...`, Google Drive under `/content/drive`)."""
    if re.search(r"'/content(?:/[^']*)?'", message):
        return msg("hints.colab_path")
    if "Dataset not found" in message or "Error downloading" in message:  # torchvision: another root, no download
        return msg("hints.mnist_root")
    return None


RULES: tuple[Rule, ...] = (batchnorm2d, missing_module, course_import, unflattened_images, in_place_on_weight,
                           colab_path)

# Rules that read more of the record than the exception's words: `through` (the functions the error
# went through below the student's code) and `origin` (the student's line that made a value),
# both written by `probe/student.py` inside the sandbox, so checked here for their types.
InfoRule = Callable[[dict[str, Any]], "Msg | None"]


def mse_for_classes(info: dict[str, Any]) -> Msg | None:
    """MSELoss handed class scores (N×10) and class indices (N): torch only says the sizes differ."""
    through = info.get("through")
    if not isinstance(through, list) or "mse_loss" not in through:
        return None
    if "must match the size of tensor" not in str(info.get("message", "")):
        return None
    return msg("hints.mse_for_classes")


def python_number(info: dict[str, Any]) -> Msg | None:
    """`accuracy.item()` on a Python float: say which line made it one, when the probe found it."""
    found = re.search(r"'(int|float|bool|complex)' object has no attribute '(\w+)'", str(info.get("message", "")))
    if info.get("exception") != "AttributeError" or not found:
        return None
    origin = info.get("origin")
    if isinstance(origin, dict) and all(isinstance(origin.get(key), str) for key in ("name", "code", "function")) \
            and origin["code"]:
        return msg("hints.python_number.made", type=found.group(1), attribute=found.group(2),
                   name=origin["name"][:60], code=origin["code"][:200], function=origin["function"][:60])
    return msg("hints.python_number", type=found.group(1), attribute=found.group(2))


INFO_RULES: tuple[InfoRule, ...] = (mse_for_classes, python_number)


def hint(info: dict[str, Any]) -> Msg | None:
    """The first hint that applies to a raised error (a catalog message, in no language yet), or None."""
    if info.get("kind") not in ("raised", "unusable"):
        return None
    exception, message = str(info.get("exception", "")), str(info.get("message", ""))
    for rule in RULES:
        found = rule(exception, message)
        if found:
            return found
    for info_rule in INFO_RULES:
        found = info_rule(info)
        if found:
            return found
    return None
