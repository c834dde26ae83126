"""What the grading environment gives student code, stated once.

The README's list, the "your file imports a package the grader does not have" message and the
static look at a submission's imports all read this module, so they cannot disagree. Nothing here
imports the packages: `importlib.util.find_spec` only locates a top-level module on the path.
"""

from __future__ import annotations

import importlib.util
import sys

# Third-party packages a course file may import (import name: what it is). The standard library
# is always there. matplotlib runs with the non-interactive Agg backend: `plt.show()` does nothing.
PROVIDED = {
    "torch": "PyTorch",
    "torchvision": "datasets and transforms",
    "numpy": "NumPy",
    "matplotlib": "plots (Agg backend: nothing is shown, plt.show() is harmless)",
    "PIL": "Pillow, images",
}

# Imported by course notebooks run in Colab; in the sandbox they become inert stand-ins.
COLAB_ONLY = ("google.colab",)


def provided_names() -> str:
    """`torch, torchvision, numpy, matplotlib, PIL`: for messages."""
    return ", ".join(PROVIDED)


def is_available(module: str) -> bool:
    """Whether `import module` can find its top-level package here (the sandbox sees the same
    Python). Colab-only modules count as available: the sandbox stands in for them."""
    top = module.split(".")[0]
    if module.startswith(COLAB_ONLY) or top in sys.stdlib_module_names or top in sys.builtin_module_names:
        return True
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False
