"""Stand-ins for `torch._dynamo` until something needs the real module.

Every `optimizer.step()` runs `import torch._dynamo` and calls `torch._dynamo.graph_break()`, and
every optimizer's update function goes through `torch._dynamo.disable`. Outside `torch.compile`
both do nothing: `graph_break` has an empty body and `disable` only tells a compiler that is not
running to skip the function. `import torchvision` reaches it too, for one name
(`torch._dynamo.utils.is_compile_supported`, which `roi_align` calls). Importing the real module
costs 1.8 to 2.3 s on this machine (sympy, torch.distributed's tensor ops, triton), which is most
of an epoch, and a cold `autograde check` waits for it.

So the zygote puts these stand-ins in its place before any submission runs. The names above
behave as in eager PyTorch, and anything else asked of `torch._dynamo` (an attribute, a submodule,
`torch.compile`, a call of `is_compile_supported`) imports the real module on the spot and
answers from it; from then on every call goes to the real one. Nothing a submission computes
changes; only what it waits for. (`benchmarks/check_time.py` prints what it saves.)
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import sys
import types
from typing import Any, Callable

import torch

NAME = "torch._dynamo"
UTILS = "torch._dynamo.utils"


class _StandIn(types.ModuleType):
    """A module of `torch._dynamo` as seen before anything needs the real one."""

    def __getattr__(self, name: str) -> Any:
        if name == "__path__" and self.__name__ != NAME:  # `from ... import` asks every module; not a package
            raise AttributeError(name)
        return getattr(_real(self.__name__), name)


def _loaded() -> bool:
    """Whether the real module has been imported (by this module or by anyone else)."""
    module = sys.modules.get(NAME)
    return module is not None and not isinstance(module, _StandIn)


def _real(name: str = NAME) -> types.ModuleType:
    """The real module `name` of `torch._dynamo`, every stand-in replaced now if they were not yet."""
    if not _loaded():
        for stand_in in (NAME, UTILS):
            if isinstance(sys.modules.get(stand_in), _StandIn):
                del sys.modules[stand_in]
        torch._dynamo = importlib.import_module(NAME)  # type: ignore[attr-defined]
    return importlib.import_module(name)


def graph_break(msg: str = "") -> None:
    """Eager PyTorch's `graph_break`: nothing, unless the real module is loaded."""
    if _loaded():
        _real().graph_break(msg)


def disable(fn: Callable[..., Any] | None = None, recursive: bool = True, **options: Any) -> Any:
    """`fn` called as it is while no compiler exists; through the real `disable` once one does."""
    if fn is None:
        return functools.partial(disable, recursive=recursive, **options)
    wrapped: list[Callable[..., Any]] = []

    def call(*args: Any, **kwargs: Any) -> Any:
        if not _loaded():
            return fn(*args, **kwargs)
        if not wrapped:
            wrapped.append(_real().disable(fn, recursive, **options))
        return wrapped[0](*args, **kwargs)

    return functools.wraps(fn)(call) if options.get("wrapping", True) else call


def is_compile_supported(device_type: Any) -> bool:
    """Asked only by a compiled path of torchvision's `roi_align`: the real answer."""
    return bool(_real(UTILS).is_compile_supported(device_type))


def _stand_in(name: str, path: list[str], **names: Any) -> _StandIn:
    module = _StandIn(name, __doc__)
    spec = importlib.machinery.PathFinder.find_spec(name, path)
    module.__spec__, module.__file__ = spec, spec.origin if spec else None  # what module scans read
    for attribute, value in names.items():
        setattr(module, attribute, value)
    return module


def install() -> None:
    """Put the stand-ins in place of `torch._dynamo`, unless the real module is already imported."""
    if NAME in sys.modules:
        return
    package = _stand_in(NAME, list(torch.__path__), graph_break=graph_break, disable=disable)
    spec = package.__spec__
    utils = _stand_in(UTILS, list(spec.submodule_search_locations or []) if spec else [],
                      is_compile_supported=is_compile_supported)
    sys.modules[NAME], sys.modules[UTILS] = package, utils
    torch._dynamo = package  # type: ignore[attr-defined]
