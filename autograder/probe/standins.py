"""Stand-ins, inside the sandbox, for what only a notebook front-end provides.

The course's notebooks run in Jupyter or Colab: `get_ipython().run_line_magic(...)` (what Jupyter
writes into a `.py` export for `%matplotlib inline`), `from google.colab import drive` and
`drive.mount(...)`. None of it matters to a grade, so here each is an inert object that accepts
any call or attribute and does nothing, instead of an error that would stop every check.
"""

from __future__ import annotations

import builtins
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from typing import Any

STANDIN_PACKAGES = ("google.colab",)


class Inert:
    """Whatever is asked of it, it answers with itself, or nothing."""

    def __call__(self, *args: Any, **kwargs: Any) -> "Inert":
        return self

    def __getattr__(self, name: str) -> "Inert":
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __iter__(self):
        return iter(())

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "<not available in the grader>"


class _InertModule(types.ModuleType):
    def __getattr__(self, name: str) -> Inert:
        if name.startswith("__"):
            raise AttributeError(name)
        return Inert()


class _StandinFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on `sys.meta_path`: only names nothing real provides reach it."""

    def find_spec(self, name: str, path: Any = None, target: Any = None):
        wanted = any(name == pkg or name.startswith(pkg + ".") or pkg.startswith(name + ".")
                     for pkg in STANDIN_PACKAGES)
        return importlib.machinery.ModuleSpec(name, self, is_package=True) if wanted else None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = _InertModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


def install() -> None:
    """Make notebook-only names harmless in this process (the sandbox child, before the import)."""
    sys.meta_path.append(_StandinFinder())
    if not hasattr(builtins, "get_ipython"):
        builtins.get_ipython = Inert()  # type: ignore[attr-defined]
    # matplotlib runs with the Agg backend (MPLBACKEND): plt.show() has no window to open.
    warnings.filterwarnings("ignore", message=".*non-interactive, and thus cannot be shown")
