"""Shared fixtures: the real configuration, MNIST from ../shared/data (never downloaded), and
session-wide graded batches so that the expensive sandbox runs happen once."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import Grader, Submission, load_config
from autograder.config import Config

ROOT = Path(__file__).resolve().parents[1]
DATA_ROOT = ROOT.parent / "shared" / "data"
REFERENCE = ROOT / "reference" / "mnist_bn.py"
SKELETON = ROOT / "assignments" / "mnist_bn" / "mnist_bn.py"


@pytest.fixture(scope="session")
def config() -> Config:
    assert (DATA_ROOT / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").is_file(), f"MNIST missing under {DATA_ROOT}"
    return load_config(ROOT / "grader.toml")


def with_limits(config: Config, **limits: object) -> Config:
    return config.model_copy(update={"limits": config.limits.model_copy(update=limits)})


def grade_files(config: Config, files: dict[str, Path], out: Path | None = None, assignment: str = "mnist_bn",
                **kwargs):
    grader = Grader(config, assignment, data_root=DATA_ROOT)
    results = grader.grade([Submission(name, path) for name, path in files.items()], out_dir=out, **kwargs)
    return {result.student: result for result in results}


def statuses(result) -> dict[str, str]:
    return {check.id: check.status for check in result.checks}


def not_passed(result) -> set[str]:
    return {check.id for check in result.checks if check.status != "passed"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A lab's contract (tests/labs/contract.py) runs one test per variant of the lab."""
    lab = getattr(metafunc.cls, "lab", None)
    if lab is not None and "variant" in metafunc.fixturenames:
        from .labs.contract import variant_names

        metafunc.parametrize("variant", variant_names(lab))
