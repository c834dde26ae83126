"""`grader.toml`, validated.

Every number a grade depends on (points, thresholds, training budgets, sandbox limits) lives in
`grader.toml` so that a TA can read and change it without touching code. The pydantic models here
reject unknown keys and bad values, and `load_config` turns pydantic's errors into one line per
problem that names the dotted key (`assignments.mnist_bn.checks.first("accuracy").minimum: ...`).
"""

from __future__ import annotations

import hashlib
import math
import os
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .rubric import CHECK_KINDS, Checks

CONFIG_NAME = "grader.toml"
# A student's installed wheel has no repository: setup.py packs the course's grader.toml here
# (without the discussion questions' sample answers and without [data]).
PACKAGED_CONFIG = Path(__file__).resolve().parent / "packaged" / CONFIG_NAME
DATA_ENV = "AUTOGRADE_DATA"  # MNIST's folder, when neither --data-root nor a grader.toml's [data] says


class ConfigError(Exception):
    """A problem with `grader.toml` that a user can fix; the message says where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GraderSettings(_Strict):
    device: Literal["auto", "cpu", "cuda"] = "auto"
    seed: int = 0
    threads: int = Field(1, ge=1, description="torch threads inside each sandbox")
    jobs: int = Field(2, ge=1, description="submissions graded at the same time")
    scheduler: str | None = Field(None, description="grade on a Dask cluster: a scheduler address "
                                  "(tcp://HOST:8786) or local:N for N local worker processes; unset: this machine")


class DataSettings(_Strict):
    root: Path = Path("data")


class Limits(_Strict):
    cpu_s: float = Field(60.0, gt=0, description="CPU time one submission may use, all its processes together: "
                         "the limit that decides, the same on an idle and on a busy machine")
    wall_s: float = Field(300.0, gt=0, description="wall-clock backstop against code that sleeps or blocks; "
                          "generous, so that the machine's load never decides a score")
    memory_mb: int = Field(4096, ge=512, description="RLIMIT_DATA of a sandbox")
    file_mb: int = Field(64, ge=1, description="largest file (printed output included) a sandbox may write")
    disk_mb: int = Field(256, ge=1, description="disk one submission may fill, all its files together (printed "
                         "output included), so that one submission cannot fill the disk the batch writes results to")
    feedback_output_chars: int = Field(4000, ge=0, description="captured output shown in feedback")
    processes: int = Field(32, ge=1, description="processes a submission may run at once (itself included)")
    isolation: Literal["auto", "bwrap", "landlock", "process"] = Field(
        "auto", description="sandbox tier: auto picks the strongest this machine offers")

    @model_validator(mode="after")
    def _backstop_is_generous(self) -> "Limits":
        if self.wall_s < 2 * self.cpu_s:
            raise ValueError(f"wall_s must be at least twice cpu_s ({2 * self.cpu_s:g}): it is only a backstop, "
                             "and a tighter one would let a busy machine decide scores")
        return self


class ReportSettings(_Strict):
    language: Literal["ko", "en", "both"] = Field(
        "both", description="the language of feedback pages and `autograde check`: ko, en, or both (Korean, then "
        "English); results hold every language, so changing it needs no re-grading")


class Discussion(_Strict):
    """A question a TA grades by hand in formgrader (the homework's Q1-2, say)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$", description="names the notebook cells: <id>_prompt, <id>_discussion")
    points: float = Field(ge=0)
    prompt: str = Field(description="markdown shown to the student, locked")
    sample_answer: str = Field(description="shown to the instructor only; nbgrader strips it from the release")


class NotebookSettings(_Strict):
    """The nbgrader notebooks of an assignment, both generated from its reference `.py`."""

    source: Path = Field(description="nbgrader source notebook (instructor version)")
    release: Path = Field(description="student notebook, as nbgrader generate_assignment releases it")
    discussion: Discussion | None = None


class Policy(_Strict):
    """The course server's rules for one assignment (`autograde serve`, docs/server.md); they decide
    what counts and when, never a check's verdict, so they are left out of the results' fingerprint."""

    deadline: datetime | None = Field(None, description="with its time zone: 2025-05-02T23:59:00+09:00")
    late_penalty_per_day: float = Field(0.0, ge=0, le=1, description="fraction of the score taken per day (or part "
                                        "of one) after the deadline")
    late_penalty_max: float = Field(1.0, ge=0, le=1, description="the most the late penalty takes, as a fraction")
    counts: Literal["last", "best"] = Field("last", description="which submission counts: the last one before the "
                                            "deadline (else the last late one), or the best after penalty")
    graded_per_window: int = Field(0, ge=0, description="graded submissions a student may make per window and "
                                   "assignment (0: no limit), so hidden thresholds cannot be probed by brute force")
    window_minutes: float = Field(10.0, gt=0, description="the window of graded_per_window")

    @model_validator(mode="after")
    def _deadline_has_zone(self) -> "Policy":
        if self.deadline is not None and self.deadline.utcoffset() is None:
            raise ValueError("deadline needs its time zone, e.g. 2025-05-02T23:59:00+09:00")
        return self


class ServerSettings(_Strict):
    """`autograde serve`: limits of the course server (docs/server.md)."""

    upload_mb: float = Field(5.0, gt=0, le=100, description="largest upload a student may send")
    policy: Policy = Field(Policy(), description="the default policy of every assignment without its own")


class Assignment(_Strict):
    title: str
    reference: Path
    skeleton: Path
    notebook: NotebookSettings | None = None
    learning_rate: float = Field(gt=0)
    batch_size: int = Field(ge=1)
    holdout: int = Field(5000, ge=100, description="last train images kept out of training, handed to evaluate()")
    input_shape: list[int] = Field([784], min_length=1, description="one MNIST image as the model takes it, in the "
                                   "grader's own forward passes: [784] flattened (an MLP), [1, 28, 28] (a CNN)")
    bonus: bool = Field(False, description="a bonus assignment: the course gradebook shows its points apart from the "
                        "course total")
    checks: Checks
    policy: Policy | None = Field(None, description="the course server's deadline and rules ([server] policy unset)")

    @model_validator(mode="after")
    def _budgets_fit(self) -> "Assignment":
        for check_id, check in self.checks.of_kind("accuracy").items():
            if check.train_samples > 60000 - self.holdout:
                raise ValueError(f"checks.{check_id}.train_samples must be at most 60000 - holdout = {60000 - self.holdout}")
        if not self.checks.enabled():
            raise ValueError("checks: at least one check must be enabled")
        if math.prod(self.input_shape) != 784 or min(self.input_shape) < 1:
            raise ValueError(f"input_shape {self.input_shape} must hold one 28 x 28 image: [784] or [1, 28, 28]")
        return self

    @property
    def module_name(self) -> str:
        """What a student's file of this assignment is called (its skeleton's name): `mnist_bn`."""
        return self.skeleton.stem

    @property
    def max_score(self) -> float:
        return sum(check.points for check in self.checks.enabled().values())


class Config(_Strict):
    grader: GraderSettings = GraderSettings()
    data: DataSettings = DataSettings()
    limits: Limits = Limits()
    report: ReportSettings = ReportSettings()
    server: ServerSettings = ServerSettings()
    assignments: dict[str, Assignment] = Field(min_length=1)

    # Where the file was read from; relative paths in it are relative to this folder.
    base_dir: Path = Path(".")

    def path(self, relative: Path) -> Path:
        return relative if relative.is_absolute() else self.base_dir / relative

    def assignment(self, name: str | None) -> tuple[str, Assignment]:
        if name is None:
            if len(self.assignments) != 1:
                raise ConfigError(f"several assignments in {CONFIG_NAME} ({', '.join(self.assignments)}): pick one with --assignment")
            name = next(iter(self.assignments))
        if name not in self.assignments:
            raise ConfigError(f"no assignment {name!r} in {CONFIG_NAME}; known: {', '.join(self.assignments)}")
        return name, self.assignments[name]

    def policy(self, assignment: str) -> Policy:
        """The assignment's course-server policy, else [server] policy."""
        return self.assignments[assignment].policy or self.server.policy

    def fingerprint(self, assignment: str) -> str:
        """Hash of everything in the configuration that can change this assignment's scores."""
        relevant = {
            "grader": self.grader.model_dump(mode="json", exclude={"jobs", "scheduler"}),
            "limits": self.limits.model_dump(mode="json"),
            "assignment": self.assignments[assignment].model_dump(mode="json", exclude={"policy"}),
        }
        return hashlib.sha256(repr(sorted(relevant.items())).encode()).hexdigest()


def _format_errors(error: ValidationError, source: Path) -> str:
    lines = [f"{source}: invalid configuration"]
    for item in error.errors():
        loc = list(item["loc"])
        if "checks" in loc and len(loc) > loc.index("checks") + 3:
            del loc[loc.index("checks") + 2]  # the check's kind, which pydantic adds to the path
        key = ".".join(str(part) for part in loc) or "(top level)"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (check its spelling)"
        if item["type"] == "union_tag_invalid":
            message = (f"unknown check kind {item['input'].get('kind')!r} (a check's kind is its name unless it sets "
                       f"`kind`; known kinds: {', '.join(CHECK_KINDS)})")
        got = item.get("input")
        shown = "" if item["type"] in {"missing", "extra_forbidden"} or isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"  {key}: {message}{shown}")
    return "\n".join(lines)


def shipped_config() -> Path:
    """The grader.toml used when none is found in the working folder or above it: the copy packed
    into the wheel (a student's install), else the repository's own (a development checkout)."""
    return PACKAGED_CONFIG if PACKAGED_CONFIG.is_file() else Path(__file__).resolve().parents[1] / CONFIG_NAME


def student_data_root() -> Path:
    """Where a student's install keeps MNIST: $AUTOGRADE_DATA, else a folder of the user's own cache
    ($XDG_CACHE_HOME or ~/.cache), into which torchvision downloads it on the first check that needs it."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser()
    folder = cache / "modu-dl-autograder" / "data"
    try:
        folder.mkdir(parents=True, exist_ok=True)  # the grader downloads only into a folder that exists
    except OSError:
        pass  # data.ensure_mnist then says the folder is missing and how to give another
    return folder


def _with_data_root(config: Config, path: Path) -> Config:
    """[data] root of the packaged copy: the student's data folder (the copy has no [data]); of a
    TA's grader.toml: $AUTOGRADE_DATA when set, else what the file says (--data-root beats both)."""
    if path.resolve() == PACKAGED_CONFIG:
        root = student_data_root()
    elif os.environ.get(DATA_ENV):
        root = Path(os.environ[DATA_ENV]).expanduser()
    else:
        return config
    return config.model_copy(update={"data": DataSettings(root=root.resolve())})


def load_config(path: Path) -> Config:
    """Read and validate `grader.toml`; raise ConfigError with a readable message."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found (pass --config PATH, or run from the folder that has {CONFIG_NAME})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if "base_dir" in raw:
        raise ConfigError(f"{path}: base_dir: unknown key (check its spelling)")
    try:
        config = Config(**raw, base_dir=path.resolve().parent)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, path)) from None
    return _with_data_root(config, path)
