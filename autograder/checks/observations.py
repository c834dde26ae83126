"""What a sandbox observed, read safely by the trusted process, and the two ways a check can stop.

Reading rules: JSON only through `json.loads`, arrays only through `np.load(allow_pickle=False)`
and safetensors, every file size-capped. A phase whose file is missing explains itself from how
the child ended (timeout, signal, exit) and where it was (`progress`).
"""

from __future__ import annotations

import io
import json
import os
import signal
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..catalog import SOURCE, Text, render
from ..config import Limits
from ..source import guard_advice
from ..sandbox.protocol import GRADER_FAILED, Outcome, label

MAX_JSON_BYTES = 4 * 1024 * 1024
MAX_ARRAY_BYTES = 16 * 1024 * 1024



def read_child_file(path: Path, limit: int) -> bytes | None:
    """A file a child wrote, never through a symlink, never more than `limit` bytes: None when it
    is missing or not a regular file, Unavailable when it is larger."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:  # missing, or a symlink (ELOOP): either way not an observation
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > limit:
            raise Unavailable(f"the grader rejected an oversized observation file ({path.name})")
        return handle.read(limit + 1)[:limit]


def started_phases(outdir: Path) -> list[str]:
    """The phases a child has started, in order (`done` last when it finished), from `progress`."""
    try:
        raw = read_child_file(outdir / "progress", 4096) or b""
    except Unavailable:
        return []
    return raw.decode("ascii", "replace").split()


def doing(outdir: Path) -> str:
    """What a running sandbox is doing now, for progress lines."""
    seen = started_phases(outdir)
    return (label(seen[-1]) if seen[-1] != "done" else "finishing") if seen else "starting"


class Unavailable(Exception):
    """The check could not run (student code raised, hung or crashed): status `error`.

    `short` names the cause in a few words ("`build_model()` raised NameError"): when one cause
    stops several checks, the full message is shown once, under "Fix this first", and each check
    only says which cause stopped it.
    """

    def __init__(self, message: Text, short: Text | None = None, cause: Text | None = None, key: str | None = None,
                 located: bool = False):
        super().__init__(render(message, SOURCE))
        self.message = message  # catalog messages (catalog/), in no language yet
        self.short = short
        self.located = located  # the message points at a line of the student's file
        self.cause = cause or message  # the root cause in full, when the message is about its consequence
        # What makes two causes one: the same exception with the same text, raised from different
        # calls (`forward()` in the grader's pass and `train()`, for a BatchNorm2d), is one mistake.
        self.key = key or render(self.cause, SOURCE)


@dataclass
class Observations:
    outdir: Path
    outcome: Outcome
    limits: Limits
    submission_name: str
    locate: Callable[[int], str]  # a line of the module -> "file line N" or "file cell C, line L"
    test_labels: np.ndarray | None = None

    @property
    def file_mb(self) -> int:
        return self.limits.file_mb

    # -- raw files --------------------------------------------------------------------------------

    def _read_bytes(self, name: str, limit: int) -> bytes | None:
        return read_child_file(self.outdir / name, limit)

    def progress(self) -> list[str]:
        return started_phases(self.outdir)

    def _raw(self, name: str) -> bytes:
        raw = self._read_bytes(name, MAX_ARRAY_BYTES)
        if raw is None:
            raise Unavailable(f"the grader found no usable {name} from your run")
        return raw

    def array(self, name: str) -> np.ndarray:
        try:
            return np.load(io.BytesIO(self._raw(name)), allow_pickle=False)
        except ValueError as exc:
            raise Unavailable(f"the grader could not read {name} from your run ({exc})") from None

    def arrays_npz(self, name: str) -> dict[str, np.ndarray]:
        try:
            with np.load(io.BytesIO(self._raw(name)), allow_pickle=False) as archive:
                return {key: archive[key] for key in archive.files}
        except ValueError as exc:
            raise Unavailable(f"the grader could not read {name} from your run ({exc})") from None

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        """A safetensors file as numpy arrays (never pickle)."""
        from safetensors.numpy import load

        try:
            return load(self._raw(name))
        except Exception as exc:  # safetensors raises its own error type for malformed files
            raise Unavailable(f"the grader could not read {name} from your run ({exc})") from None

    # -- phases -----------------------------------------------------------------------------------

    def _stop_reason(self) -> str:
        outcome = self.outcome
        if outcome.limit == "processes":
            return (f"ran more than {self.limits.processes} processes at once, more than the sandbox allows "
                    "(a fork flood?), and was stopped")
        if outcome.limit == "cpu":
            return (f"used up its {self.limits.cpu_s:g} s of CPU time (the limit counts computing time, "
                    "so it is the same on a busy machine) and was stopped")
        if outcome.limit == "wall" and outcome.cpu_s < self.limits.wall_s / 4:
            return (f"was still running after {self.limits.wall_s:g} s while using only {outcome.cpu_s:.0f} s of CPU "
                    "time, so it was mostly waiting (time.sleep(), input(), a download?), and was stopped")
        if outcome.limit == "wall":  # computing, yet slower than the clock allows: the machine, not the student
            return (f"was stopped by the {self.limits.wall_s:g} s wall-clock backstop after {outcome.cpu_s:.0f} s of CPU "
                    "time, within its CPU budget: the grading machine was overloaded (tell your TA; a re-run grades it)")
        if outcome.signal == signal.SIGXFSZ:
            return f"wrote more than {self.file_mb} MB (printed output counts)"
        if outcome.signal is not None:
            name = signal.Signals(outcome.signal).name if outcome.signal in signal.valid_signals() else outcome.signal
            hint = " (a segmentation fault)" if outcome.signal == signal.SIGSEGV else ""
            return f"crashed with signal {name}{hint}"
        if outcome.exit_code == GRADER_FAILED:
            return "stopped on an internal grader error (the traceback is in the printed output; tell your TA)"
        if outcome.exit_code is not None:
            return f"ended the process itself (exit code {outcome.exit_code}: sys.exit() or os._exit() in your code?)"
        return "stopped because the grader's worker process died (not caused by your file, as far as the grader can tell)"

    def phase(self, name: str) -> dict[str, Any]:
        """The payload of phase `name`, or the exception that explains why there is none."""
        self._require_import()
        raw = self._read_bytes(f"obs/{name}.json", MAX_JSON_BYTES)
        if raw is None:
            seen = self.progress()
            where = seen[-1] if seen and seen[-1] != "done" else name
            reason = self._stop_reason()
            running = label(where)
            short, cause = f"your code stopped in {running}", f"Your code {reason} while the grader was running {running}."
            if where == name:
                raise Unavailable(cause, short)
            raise Unavailable(f"Not run: your code {reason} earlier, while the grader was running {running}.", short, cause)
        payload = self._parse(raw, name)
        if not payload.get("ok"):
            self.raise_student_error(payload.get("error") or {})
        return payload

    @staticmethod
    def _parse(raw: bytes, name: str) -> dict[str, Any]:
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise Unavailable(f"the grader could not read its observations of {label(name)}")
        return payload

    def _require_import(self) -> None:
        """Every check needs the module: say once, the same way everywhere, why it is not there."""
        raw = self._read_bytes("obs/import.json", MAX_JSON_BYTES)
        if raw is None:
            raise Unavailable(f"Importing your file {self._stop_reason()}, so nothing could be checked. "
                              + guard_advice(self.submission_name.endswith(".ipynb")), "importing your file did not finish")
        payload = self._parse(raw, "import")
        if not payload.get("ok"):
            raise Unavailable("Your file could not be imported, so nothing could be checked. "
                              + describe_error(payload.get("error") or {}, self.submission_name, self.locate, self.file_mb),
                              "your file could not be imported")

    def raise_student_error(self, info: dict[str, Any]) -> None:
        function, exception = info.get("function", "?"), info.get("exception")
        called = "importing your file" if function == "<import>" else f"`{function}()`"
        short = f"{called} raised {exception}" if exception else f"{called} did not give the grader what it needs"
        key = f"{exception}: {info.get('message')}" if exception else None
        raise Unavailable(describe_error(info, self.submission_name, self.locate, self.file_mb), short, key=key,
                          located=bool(info.get("first")))


def _where(frame: dict[str, Any] | None, locate: Callable[[int], str]) -> str:
    if not frame or not isinstance(frame.get("line"), int):
        return ""
    return f"{locate(frame['line'])} (in {frame.get('function')}): `{frame.get('code', '')}`"


def describe_error(info: dict[str, Any], file: str, locate: Callable[[int], str], file_mb: int | None = None) -> str:
    """A student-facing sentence for an error recorded by the probe, ending with a hint from
    `hints.py` when one applies."""
    from .hints import hint
    kind = info.get("kind")
    function = str(info.get("function", "?"))
    called = "Importing your file" if function == "<import>" else f"`{function}()`"
    if kind == "missing":
        return f"{file} has no function `{function}()`: keep the skeleton's function names and arguments."
    if kind == "returned_none":
        return f"`{function}()` returned None: it must return its result (a missing `return`?)."
    if kind == "wrong_type":
        return f"`{function}()` must return {info.get('expected')}, but returned a {info.get('got')}."
    if kind == "unusable":
        return (f"The grader could not use what your code gave it while running {label(function)}: "
                f"{info.get('exception')}: {info.get('message')}")
    exception = info.get("exception", "an exception")
    message = f"{called} raised {exception}"
    if info.get("message"):
        message += f": {info['message']}"
    if "[Errno 27]" in str(info.get("message", "")) and file_mb:
        message += f" (your code wrote more than {file_mb} MB, the sandbox's limit per file; printed output counts)"
    if exception == "SystemExit":
        message += " (sys.exit() stops the grader too: put script code under `if __name__ == \"__main__\":`)"
    first, last = _where(info.get("first"), locate), _where(info.get("last"), locate)
    if first:
        message += f" — at {first}"
    if last:
        message += f"; the error came from {last}"
    advice = hint(info)
    if advice:
        message += ("" if message.endswith(".") else ".") + " " + advice
    return message
