"""What a grading run produces, as pydantic models: the same models write and read `result.json`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .catalog import plural

Status = Literal["passed", "failed", "error"]


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    status: Status
    score: float = Field(ge=0)
    max_score: float = Field(ge=0)
    message: str
    cause: str = Field("", description="when `message` points to a cause explained once under fix_first: that cause")
    measured: float | None = Field(None, description="the value a measuring check compared (an accuracy)")
    threshold: float | None = Field(None, description="what `measured` was compared with (grader.toml)")

    @property
    def standalone_message(self) -> str:
        """The message for places that show one check alone (nbgrader's test cells): the cause itself
        instead of a pointer to the "Fix this first" section they do not have."""
        return self.cause or self.message


class SandboxInfo(BaseModel):
    """How the submission was run: visible to TAs so that limits are never a mystery."""

    model_config = ConfigDict(extra="forbid")

    tier: str = Field(description="bwrap, landlock or process (docs/security.md); 'not run' when never started")
    device: str | None = None
    cpu_limit_s: float = Field(description="CPU time allowed, all the submission's processes together")
    wall_limit_s: float = Field(description="wall-clock backstop")
    memory_limit_mb: int
    file_limit_mb: int
    process_limit: int
    exit: str
    limit: Literal["cpu", "wall", "processes", "disk"] | None = Field(
        None, description="the limit that ended the run, if one did: cpu time, the wall-clock backstop, "
        "the process cap, or the disk budget")
    disk_limit_mb: int | None = Field(None, description="disk the submission's files may fill, all together")
    cpu_s: float = Field(0.0, description="CPU time the submission's processes used")
    confinement: dict[str, str | bool | None] | None = Field(
        None, description="what the child achieved before running student code (sandbox/confine.py): "
        "`namespaces` it entered (e.g. user+pid+ipc+net+uts, or null) and whether its `seccomp` filter is on; "
        "written by the child itself, so informative, never a verdict")
    max_memory_mb: float = Field(0.0, description="peak resident memory of the submission's process")
    attempts: int = Field(1, ge=1, description="runs this result took: more than 1 when a run was lost to the "
                          "grader (its worker died) or stopped by a limit beside other submissions (regrade.py)")
    alone: bool = Field(False, description="the run recorded had nothing else of its batch running beside it: "
                        "a CPU or wall-clock limit stop is a verdict only when measured alone")
    cpu_accounting: str | None = Field(
        None, description="how `cpu_s` was counted: over the process tree with kernel reaping denied (every "
        "process the submission ran counts, exited ones included), or without that guarantee")


class Texts(BaseModel):
    """A result's words in one more language: the fields of `SubmissionResult` and its checks are in
    the catalog's source language (English); `translations` holds the others (catalog/)."""

    model_config = ConfigDict(extra="forbid")

    titles: dict[str, str] = Field(default_factory=dict, description="check id -> title")
    messages: dict[str, str] = Field(default_factory=dict, description="check id -> message")
    causes: dict[str, str] = Field(default_factory=dict, description="check id -> cause")
    fix_first: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class SubmissionResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student: str
    assignment: str
    submission: str
    score: float
    max_score: float
    checks: list[CheckResult]
    fix_first: list[str] = Field(default_factory=list, description="causes that stopped several checks, each said once")
    warnings: list[str] = Field(default_factory=list, description="what the grader saw in the source before running it")
    duration_s: float
    sandbox: SandboxInfo
    output: str = Field("", description="what the student's code printed, truncated")
    notes: list[str] = Field(default_factory=list, description="about the files handed in: what was graded, what was not")
    fingerprint: str = Field(description="hash of submission, configuration and grader; equal means re-usable")
    translations: dict[str, Texts] = Field(default_factory=dict, description="language -> the words above in it")
    code_prints: list[int] = Field(default_factory=list, description="winnowed fingerprints of the student's own "
                                   "code (similarity.py), for the class report's similar submissions")

    def in_language(self, language: str) -> "SubmissionResult":
        """This result with its words in `language` (a language it has no translation in: as is)."""
        texts = self.translations.get(language)
        if texts is None:
            return self
        checks = [check.model_copy(update={"title": texts.titles.get(check.id, check.title),
                                           "message": texts.messages.get(check.id, check.message),
                                           "cause": texts.causes.get(check.id, check.cause)})
                  for check in self.checks]
        return self.model_copy(update={"checks": checks, "fix_first": texts.fix_first or self.fix_first,
                                       "warnings": texts.warnings or self.warnings,
                                       "notes": texts.notes or self.notes})

    @property
    def all_passed(self) -> bool:
        return all(check.status == "passed" for check in self.checks)


class ResultsWriteError(Exception):
    """A results file could not be written (permissions, a full disk). Results are written one
    student at a time, each atomically, so everything written before is complete and valid."""

    def __init__(self, path: Path, error: OSError, written: int):
        super().__init__(f"could not write to {path}: {error.strerror or error}. What was written before "
                         f"({plural(written, 'result')}) is complete; fix the folder (permissions, free space) and run the same command "
                         "again: finished submissions are re-used, not graded again.")


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide results and generated files from other users
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _no_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in value) if _has_surrogate(value) else value
    if isinstance(value, dict):
        return {_no_surrogates(key): _no_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_no_surrogates(item) for item in value]
    return value


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def json_safe(result: SubmissionResult) -> SubmissionResult:
    """The result with every lone surrogate replaced by U+FFFD. File names that are not UTF-8 (an
    LMS zip made on another system) reach Python as surrogates, and a notebook's JSON may hold
    `"\\ud800"`: neither can be written as UTF-8 JSON, CSV or HTML."""
    data = result.model_dump()
    clean = _no_surrogates(data)
    return result if clean == data else SubmissionResult.model_validate(clean)


def save_result(result: SubmissionResult, path: Path) -> None:
    write_atomic(path, result.model_dump_json(indent=2) + "\n")


def load_result(path: Path) -> SubmissionResult:
    return SubmissionResult.model_validate_json(path.read_text(encoding="utf-8"))
