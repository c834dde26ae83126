"""`import torchvision` in the sandbox without paying for the parts of it a submission never uses.

What the course's files use of torchvision is `datasets.MNIST` and `transforms.ToTensor()`. Yet
torchvision's own `__init__` imports every part of it, and `torchvision.ops` imports
`torch._dynamo`: about 1.1 s of a 1.2 s import (2 s and more on a busy machine), against about
0.1 s for `torchvision.datasets` and `torchvision.transforms` alone (README, "Speed").

`install()` puts an empty `torchvision` package in `sys.modules` (the real one's path, so its
submodules are the real ones) and defers the real `__init__`: it runs, into that same module, the
first time student code asks for anything the shell does not have yet: an attribute
(`torchvision.__version__`, `torchvision.models`) or a submodule outside `LIGHT` (`import
torchvision.ops`). From then on the module is exactly torchvision. Code that only uses datasets and
transforms sees the same classes, functions and data as with the eager import.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from types import ModuleType
from typing import Any

# The submodules `torchvision.datasets` and `torchvision.transforms` import themselves: importing
# these never needs the rest of the package.
LIGHT = frozenset({"datasets", "transforms", "io", "utils", "extension", "_internally_replaced_utils"})


class _Shell:
    """The deferred package and its one-time completion."""

    def __init__(self, module: ModuleType):
        self.module = module
        self.complete = False

    def finish(self) -> None:
        """Run torchvision's real `__init__` in the shell (once): the whole package, as an eager import."""
        if self.complete:
            return
        self.complete = True
        self.module.__dict__.pop("__getattr__", None)
        code = self.module.__spec__.loader.get_code("torchvision")
        exec(code, self.module.__dict__)  # noqa: S102 - torchvision's own __init__, from its installed file

    def getattr(self, name: str) -> Any:
        if name in LIGHT:  # `from torchvision import transforms`: that submodule alone
            return importlib.import_module(f"torchvision.{name}")
        self.finish()
        return getattr(self.module, name)


class _Finder(importlib.abc.MetaPathFinder):
    """First on `sys.meta_path`: a torchvision submodule outside LIGHT completes the package first,
    then the ordinary finders import it."""

    def __init__(self, shell: _Shell):
        self.shell = shell

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        parts = name.split(".")
        if not self.shell.complete and parts[0] == "torchvision" and len(parts) > 1 and parts[1] not in LIGHT:
            self.shell.finish()
        return None


def install() -> None:
    """Make `import torchvision` cheap in this process and its forked children (the zygote, before
    it imports anything of torchvision); a no-op when torchvision is missing or already imported."""
    if "torchvision" in sys.modules:
        return
    spec = importlib.util.find_spec("torchvision")
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    shell = _Shell(module)
    module.__getattr__ = shell.getattr  # type: ignore[attr-defined]  # PEP 562: only names not set yet
    sys.modules["torchvision"] = module
    sys.meta_path.insert(0, _Finder(shell))


def preload() -> None:
    """What every MNIST lab's files import (`torchvision.datasets`, `torchvision.transforms`): paid
    once in the zygote instead of once per child, and counted in no submission's CPU time."""
    import torchvision.datasets  # noqa: F401
    import torchvision.transforms  # noqa: F401
