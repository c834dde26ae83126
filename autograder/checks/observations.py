"""What a sandbox observed, read safely by the trusted process, and the two ways a check can stop.

Reading rules: JSON only through `json.loads`, arrays only through `np.load(allow_pickle=False)`
and safetensors, every file size-capped. A phase whose file is missing explains itself from how
the child ended (timeout, signal, exit) and where it was (`progress`).
"""

from __future__ import annotations

import io
import json
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..catalog import SOURCE, Msg, Text, catalog, fields, join, msg, render
from ..config import Limits
from ..source import guard_advice
from ..sandbox.protocol import GRADER_FAILED, Outcome, Tamper, label, phase_text, read_regular_file
from ..sandbox.seal import sealed_dir

MAX_JSON_BYTES = 4 * 1024 * 1024
MAX_ARRAY_BYTES = 16 * 1024 * 1024
TAMPERED = "stopped: it changed the grader's records (sandbox/seal.py)"  # `sandbox.exit` of such a run



def read_child_file(path: Path, limit: int) -> bytes | None:
    """A file a child wrote, never through a symlink, never more than `limit` bytes: None when it
    is missing or not a regular file, Unavailable when it is larger."""
    raw = read_regular_file(path, limit + 1)
    if raw is not None and len(raw) > limit:
        raise Unavailable(msg("observations.oversized_file", file=path.name))
    return raw


def started_phases(outdir: Path) -> list[str]:
    """The phases a child has started, in order (`done` last when it finished), from `progress`."""
    try:
        raw = read_child_file(outdir / "progress", 4096) or b""
    except Unavailable:
        return []
    return raw.decode("ascii", "replace").split()


def doing(outdir: Path) -> str:
    """What a running sandbox is doing now, for progress lines: from the zygote's sealed records
    while the child runs (its output folder once it has ended)."""
    seen = started_phases(sealed_dir(outdir)) or started_phases(outdir)
    return (label(seen[-1]) if seen[-1] != "done" else "finishing") if seen else "starting"


def tampered_texts(tamper: Tamper) -> tuple[Msg, Msg]:
    """What a student reads when the zygote found a record of an earlier phase changed (or records
    out of order, after the end, or malformed: `sandbox/seal.py`): the cause, which stops every
    check, and its short form. Nothing of the run is judged, so nothing of it can be gained."""
    detail = {"earlier": msg("observations.tampered.earlier", name=tamper.name, phase=phase_text(tamper.phase)),
              "order": msg("observations.tampered.order", name=tamper.name, phase=phase_text(tamper.phase)),
              "late": msg("observations.tampered.late", name=tamper.name),
              "malformed": msg("observations.tampered.malformed")}[tamper.kind]
    return msg("observations.tampered", detail=detail), msg("observations.short.tampered")


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
    locate: Callable[[int], Text]  # a line of the module -> "file line N" or "file cell C, line L"
    test_labels: np.ndarray | None = None
    test_images: np.ndarray | None = None  # uint8 (N, 28, 28), the trusted side's own copy (checks/rebuilt.py)
    source: str | None = None  # the text the sandbox ran, read (never run) by checks/capability.py
    # Names bound only by top-level training the grader left out (source.skip_training), each with
    # where that training is: a NameError for one of them is explained by that, not by a typo.
    skipped: dict[str, Text] = field(default_factory=dict)

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
            raise Unavailable(msg("observations.no_file", file=name))
        return raw

    def array(self, name: str) -> np.ndarray:
        try:
            return np.load(io.BytesIO(self._raw(name)), allow_pickle=False)
        except ValueError as exc:
            raise Unavailable(msg("observations.unreadable_file", file=name, error=str(exc))) from None

    def arrays_npz(self, name: str) -> dict[str, np.ndarray]:
        try:
            with np.load(io.BytesIO(self._raw(name)), allow_pickle=False) as archive:
                return {key: archive[key] for key in archive.files}
        except ValueError as exc:
            raise Unavailable(msg("observations.unreadable_file", file=name, error=str(exc))) from None

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        """A safetensors file as numpy arrays (never pickle)."""
        from safetensors.numpy import load

        try:
            return load(self._raw(name))
        except Exception as exc:  # safetensors raises its own error type for malformed files
            raise Unavailable(msg("observations.unreadable_file", file=name, error=str(exc))) from None

    # -- phases -----------------------------------------------------------------------------------

    def _stop_reason(self) -> Text:
        """How the child ended, as what "your code" did: "Your code <reason> while the grader was running ..."."""
        outcome, limits = self.outcome, self.limits
        if outcome.limit == "processes":
            return msg("observations.stopped.processes", processes=limits.processes)
        if outcome.limit == "cpu":
            return msg("observations.stopped.cpu", cpu_s=limits.cpu_s)
        if outcome.limit == "disk":
            return msg("observations.stopped.disk", disk_mb=limits.disk_mb)
        if outcome.limit == "wall" and outcome.cpu_s < limits.wall_s / 4:
            return msg("observations.stopped.waiting", wall_s=limits.wall_s, cpu_s=outcome.cpu_s)
        if outcome.limit == "wall":  # computing, yet slower than the clock allows: the machine, not the student
            return msg("observations.stopped.overloaded", wall_s=limits.wall_s, cpu_s=outcome.cpu_s)
        if outcome.signal == signal.SIGXFSZ:
            return msg("observations.stopped.file_size", file_mb=self.file_mb)
        if outcome.signal is not None:
            name = signal.Signals(outcome.signal).name if outcome.signal in signal.valid_signals() else outcome.signal
            return msg("observations.stopped.signal.segfault" if outcome.signal == signal.SIGSEGV
                       else "observations.stopped.signal", signal=name)
        if outcome.exit_code == GRADER_FAILED:
            return msg("observations.stopped.grader_failed")
        if outcome.exit_code is not None:
            return msg("observations.stopped.exit", exit_code=outcome.exit_code)
        return msg("observations.stopped.worker_died")

    def phase(self, name: str) -> dict[str, Any]:
        """The payload of phase `name`, or the exception that explains why there is none."""
        self._require_import()
        raw = self._read_bytes(f"obs/{name}.json", MAX_JSON_BYTES)
        if raw is None:
            seen = self.progress()
            where = seen[-1] if seen and seen[-1] != "done" else name
            reason, running = self._stop_reason(), phase_text(where)
            short = msg("observations.short.stopped_in", phase=running)
            cause = msg("observations.stopped_while", reason=reason, phase=running)
            if where == name:
                raise Unavailable(cause, short)
            raise Unavailable(msg("observations.not_run.stopped_earlier", reason=reason, phase=running), short, cause)
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
            raise Unavailable(msg("observations.unreadable_phase", phase=phase_text(name)))
        return payload

    def _require_import(self) -> None:
        """Every check needs the module: say once, the same way everywhere, why it is not there."""
        raw = self._read_bytes("obs/import.json", MAX_JSON_BYTES)
        if raw is None:
            raise Unavailable(msg("observations.import_stopped", reason=self._stop_reason(),
                                  advice=guard_advice(self.submission_name.endswith(".ipynb"))),
                              msg("observations.short.import_stopped"))
        payload = self._parse(raw, "import")
        if not payload.get("ok"):
            error = describe_error(payload.get("error") or {}, self.submission_name, self.locate, self.file_mb,
                                   self.skipped)
            raise Unavailable(msg("observations.import_failed", error=error), msg("observations.short.import_failed"))

    def raise_student_error(self, info: dict[str, Any]) -> None:
        function, exception = info.get("function", "?"), info.get("exception")
        if function == "<import>":
            short = (msg("observations.short.raised.import", exception=exception) if exception
                     else msg("observations.short.no_result.import"))
        else:
            short = (msg("observations.short.raised", function=function, exception=exception) if exception
                     else msg("observations.short.no_result", function=function))
        key = f"{exception}: {info.get('message')}" if exception else None
        raise Unavailable(describe_error(info, self.submission_name, self.locate, self.file_mb, self.skipped), short,
                          key=key,
                          located=bool(info.get("first")))


def _where(frame: dict[str, Any] | None, locate: Callable[[int], Text]) -> Text | None:
    if not frame or not isinstance(frame.get("line"), int):
        return None
    return msg("observations.where", place=locate(frame["line"]), function=frame.get("function"),
               code=frame.get("code", ""))


def expected_text(info: dict[str, Any]) -> Text:
    """What a function should have returned, from the child's record of a wrong type: the catalog's
    `expected.<name>` when the record names one with the details its template shows, else the
    child's words as they are (the record comes from the sandbox, so nothing in it is trusted)."""
    name, details = info.get("expected"), info.get("details")
    key = f"expected.{name}"
    template = catalog(SOURCE).get(key) if isinstance(name, str) else None
    if template is None or not isinstance(details, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in details.items()) or fields(template) - set(details):
        return str(name)
    return Msg(key, {k: details[k] for k in fields(template)})


def _needs_skipped(info: dict[str, Any], skipped: dict[str, Text] | None) -> Msg | None:
    """The hint for a NameError of a name that only the skipped top-level training binds."""
    from .hints import undefined_name
    found = undefined_name(str(info.get("message", "")))
    if not skipped or info.get("exception") != "NameError" or not found or found.group(1) not in skipped:
        return None
    return msg("observations.error.needs_skipped", name=found.group(1), place=skipped[found.group(1)])


def describe_error(info: dict[str, Any], file: str, locate: Callable[[int], Text], file_mb: int | None = None,
                   skipped: dict[str, Text] | None = None) -> Text:
    """A student-facing sentence for an error recorded by the probe, ending with a hint from
    `hints.py` when one applies (or, for a name only skipped training binds, saying so)."""
    from .hints import hint
    kind = info.get("kind")
    function = str(info.get("function", "?"))
    if kind == "missing":
        return msg("observations.error.missing", file=file, function=function)
    if kind == "returned_none":
        return msg("observations.error.returned_none", function=function)
    if kind == "wrong_type":
        return msg("observations.error.wrong_type", function=function, expected=expected_text(info),
                   got=info.get("got"))
    if kind == "unusable":
        return msg("observations.error.unusable", phase=phase_text(function), exception=info.get("exception"),
                   message=info.get("message"))
    exception = info.get("exception") or msg("observations.error.an_exception")
    # What follows "<function> raised <exception>", each part with its own leading separator.
    details: list[Text] = []
    if info.get("message"):
        details.append(f": {info['message']}")
    if "[Errno 27]" in str(info.get("message", "")) and file_mb:
        details.append(msg("observations.error.file_limit", file_mb=file_mb))
    if exception == "SystemExit":
        details.append(msg("observations.error.system_exit"))
    first, last = _where(info.get("first"), locate), _where(info.get("last"), locate)
    if first:
        details.append(msg("observations.error.at", where=first))
    if last:
        details.append(msg("observations.error.came_from", where=last))
    message = (msg("observations.error.raised.import", exception=exception, details=join(details, "")) if
               function == "<import>" else
               msg("observations.error.raised", function=function, exception=exception, details=join(details, "")))
    advice = _needs_skipped(info, skipped) if info.get("kind") == "raised" else None
    advice = advice or hint(info)
    if advice:  # the hint starts a new sentence (the error may end with one of the student's, period included)
        ends = render(message, SOURCE).endswith(".")
        message = msg("observations.error.hint" if ends else "observations.error.hint.period", error=message,
                      hint=advice)
    return message
