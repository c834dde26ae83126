"""The course's labs that observe or judge something the core's check kinds do not: one folder each.

Everything the grader knows about such a lab lives in `labs/<name>/`, and nothing outside that
folder names the lab; the core finds the folders here, so adding a lab never edits a list:

- `rubric.py`: the parameters of the lab's check kinds in grader.toml, one pydantic model per
  kind (`kind: Literal["<kind>"]`), found by `rubric.py` of the core;
- `checks.py`: its phases' entries in the phase table (`register_phase`) and its checks
  (`@check(kind, ...)`), imported by the trusted process (`checks/__init__.py`), so never torch;
- `phases.py`: the phases' implementations (`@implements(name)`), imported only inside the
  sandbox (`probe/runner.py`), where torch and the student's code are;
- `catalog/en.po`, `catalog/ko.po`: the words of its messages and of its phases' names, found
  by `catalog/__init__.py` beside the core's parts.

A check in a feedback report is found from its kind: `grep -rn '@check("<kind>"' autograder`.
A lab that only uses the core's kinds (most MNIST labs) has no folder: its reference and its
section of grader.toml are all of it (docs/adding_a_lab.md).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent


def names() -> list[str]:
    """Every lab folder here (a package), in a fixed order: the order their phases take in the table."""
    return sorted(info.name for info in pkgutil.iter_modules([str(HERE)]) if info.ispkg)


def load(side: str) -> list[ModuleType]:
    """Import `labs.<name>.<side>` of every lab that has one (`rubric`, `checks` or `phases`):
    importing it registers what it declares. Only that side is imported, so the trusted process
    asking for `checks` never imports a lab's `phases` (torch)."""
    return [importlib.import_module(f"{__name__}.{name}.{side}") for name in names()
            if (HERE / name / f"{side}.py").is_file()]


def catalog_parts(language: str) -> dict[str, Path]:
    """Each lab's catalog part in `language`, by lab name: `labs/<name>/catalog/<language>.po`."""
    return {name: HERE / name / "catalog" / f"{language}.po" for name in names()
            if (HERE / name / "catalog" / f"{language}.po").is_file()}
