"""Observations sealed when their phase ends (issue 21): the child sends every record down a pipe
the zygote made for it, and only the zygote writes them to disk, in a folder the child cannot
reach. Nothing a later phase, a thread or a child process runs can then change what an earlier
phase recorded: the files the child writes itself are thrown away, and a record that would change
an earlier phase's marks the whole run as tampered.

A record is a frame: `HEADER` (kind, name length, data length), the name in ASCII, the data. Kinds:
`BEGIN` (a phase starts: the name is the phase, or "done" after the last) and `ARTIFACT` (a file of
the output folder: `obs/<phase>.json`, `predictions.npy`, ...). The sealing rule, judged here as
frames arrive:

- phases begin in the plan's order, `["import", *plan.phases]`, then "done" (which may come right
  after "import": a file that does not import runs nothing else);
- a record belongs to the phase running when it arrives; `obs/<phase>.json` only to that phase;
  a name an earlier phase recorded is never written again (the same phase may replace its own:
  the last one counts);
- nothing after "done"; no malformed frame, no name outside `NAME`, no record over the job's
  largest file (`file_mb`; the probe refuses to send one, as the file system did).

Any breach is a `Tamper`: the zygote stops reading, kills the job's process tree and says why in
its `Outcome`. When the child has ended, `publish` swaps the sealed folder in for the output folder
(the child's own `output.txt` is kept, everything else it left goes with its folder), so the
trusted readers read the same names as before and never a byte the child wrote to disk.

The zygote holds no record in memory: it reads into one scratch buffer (zeroed before every fork,
so no child finds a neighbour's records in the memory it inherits) and writes straight to disk.
"""

from __future__ import annotations

import fcntl
import os
import re
import struct
from pathlib import Path

from ..cleanup import remove_tree
from .protocol import Job, Tamper, TamperKind

HEADER = struct.Struct(">cHI")  # kind, length of the name, length of the data
BEGIN, ARTIFACT = b"B", b"A"
DONE = "done"
NAME = re.compile(r"(obs/)?[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
OWN = {"progress", "output.txt"}  # the zygote's list of phases begun, and the child's printed output
PIPE_BYTES = 1 << 20  # asked of the kernel for each channel, so a large artifact costs few wake-ups
SCRATCH_BYTES = 1 << 20
READS_PER_DRAIN = 64  # then back to policing: a child that writes without end cannot starve it
F_SETPIPE_SZ = 1031


def sealed_dir(outdir: str | Path) -> Path:
    """Where the zygote writes a job's records until the child ends: beside its output folder, in
    its job folder, outside what the child may read or write (isolation.child_rules)."""
    outdir = Path(outdir)
    return outdir.with_name(outdir.name + ".sealed")


def frame_header(kind: bytes, name: str, size: int) -> bytes:
    """What precedes a record's data on the channel (the child side, `probe/artifacts.py`)."""
    encoded = name.encode("ascii")
    return HEADER.pack(kind, len(encoded), size) + encoded


def channel() -> tuple[int, int]:
    """A job's pipe: (read end, kept by the zygote, non-blocking; write end, for the child)."""
    read, write = os.pipe2(os.O_CLOEXEC)
    try:
        fcntl.fcntl(read, F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:  # above /proc/sys/fs/pipe-max-size for this user: the default size works too
        pass
    os.set_blocking(read, False)
    return read, write


class Seal:
    """One job's channel, read by the zygote, and the folder its records are sealed in."""

    def __init__(self, job: Job, fd: int):
        self.fd = fd
        self.outdir = Path(job.outdir)
        self.folder = sealed_dir(job.outdir)
        (self.folder / "obs").mkdir(parents=True)
        self.order = ["import", *job.plan.phases, DONE]
        self.at = -1  # index in `order` of the running phase; -1: the sandbox's set-up, before import
        self.begun: list[str] = []  # for `progress`, which the trusted side reads (checks/observations.py)
        self.written: dict[str, int] = {}  # name -> the phase that recorded it
        self.largest = job.file_mb * 1024 * 1024
        self.pending = bytearray()  # the header and name of the frame being read
        self.name = ""
        self.left = 0  # data bytes of the current frame still to come
        self.partial: int | None = None  # the file its data goes to, while it comes
        self.tampered: Tamper | None = None
        self.closed = False

    def private_fds(self) -> list[int]:
        """Descriptors a child forked now must close: this job's records are none of its business."""
        return [fd for fd in (None if self.closed else self.fd, self.partial) if fd is not None]

    def drain(self, scratch: bytearray) -> None:
        """Read what has come, without blocking: until the pipe is empty, at EOF (the child's tree
        is gone), or READS_PER_DRAIN reads."""
        for _ in range(READS_PER_DRAIN):
            if self.closed:
                return
            try:
                count = os.readv(self.fd, [scratch])
            except BlockingIOError:
                return
            if count == 0:
                self.close()
                return
            if self.tampered is None:
                self._feed(memoryview(scratch)[:count])

    def _feed(self, view: memoryview) -> None:
        at = 0
        while at < len(view) and self.tampered is None:
            if self.partial is not None:
                take = min(self.left, len(view) - at)
                self._write(view[at: at + take])
                at, self.left = at + take, self.left - take
                if self.left == 0:
                    self._complete()
                continue
            take = min(self._needed() - len(self.pending), len(view) - at)
            self.pending += view[at: at + take]
            at += take
            if len(self.pending) >= HEADER.size and len(self.pending) == self._needed():
                self._start()

    def _needed(self) -> int:
        """How many bytes the current frame's header and name take (the header first, to know)."""
        if len(self.pending) < HEADER.size:
            return HEADER.size
        return HEADER.size + HEADER.unpack_from(self.pending)[1]

    def _write(self, data: memoryview) -> None:
        assert self.partial is not None
        while data:
            data = data[os.write(self.partial, data):]

    def _tamper(self, kind: TamperKind, name: str = "") -> None:
        self.tampered = Tamper(kind=kind, name=name if NAME.fullmatch(name) else "",
                               phase=self.order[self.at] if self.at >= 0 else "")
        self._discard()

    def _start(self) -> None:
        """A frame's header and name are in: judge it by the sealing rule, then take its data."""
        kind, _, size = HEADER.unpack_from(self.pending)
        raw, self.pending = bytes(self.pending[HEADER.size:]), bytearray()
        name = raw.decode("ascii", "replace")
        if self.at >= 0 and self.order[self.at] == DONE:
            return self._tamper("late", name)
        if kind == BEGIN:
            return self._begin(name) if size == 0 and name in self.order else self._tamper("malformed", name)
        if kind != ARTIFACT or not NAME.fullmatch(name) or name in OWN or size > self.largest:
            return self._tamper("malformed", name)
        owner = name[4:-5] if name.startswith("obs/") and name.endswith(".json") else None
        if owner is not None and owner in self.order[: max(self.at, 0)] or self.written.get(name, self.at) < self.at:
            return self._tamper("earlier", name)
        if owner is not None and owner != self.order[self.at]:
            return self._tamper("order", name)
        self.name, self.left = name, size
        self.partial = os.open(self.folder / ".partial", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        if size == 0:
            self._complete()

    def _begin(self, phase: str) -> None:
        following = self.order[self.at + 1] if self.at + 1 < len(self.order) else None
        if phase != following and not (phase == DONE and self.at >= 0):
            return self._tamper("order", phase)
        self.at = self.order.index(phase)
        self.begun.append(phase)
        progress = self.folder / ".progress"
        progress.write_text("".join(f"{name}\n" for name in self.begun), encoding="ascii")
        os.replace(progress, self.folder / "progress")

    def _complete(self) -> None:
        assert self.partial is not None
        os.close(self.partial)
        self.partial = None
        os.replace(self.folder / ".partial", self.folder / self.name)
        self.written[self.name] = self.at

    def _discard(self) -> None:
        """A frame cut short (the child was killed mid-record) or refused: its data is not kept."""
        if self.partial is not None:
            os.close(self.partial)
            self.partial = None
            os.unlink(self.folder / ".partial")

    def close(self) -> None:
        if not self.closed:
            os.close(self.fd)
            self.closed = True
        self._discard()

    def finish(self, scratch: bytearray) -> Tamper | None:
        """After the child's whole tree has ended: read what it sent last, then the sealed records
        become the output folder, with the child's printed output; what else the child left there
        goes with its old folder (removed with the job folder by the trusted side). Whether, and
        why, the run is not to be judged."""
        self.drain(scratch)
        self.close()
        try:
            self._publish()
        except OSError:  # the folder could not be replaced: what the child left there is never judged
            return self.tampered or Tamper(kind="malformed")
        return self.tampered

    def _publish(self) -> None:
        left = self.outdir.with_name(self.outdir.name + ".left")
        try:
            os.rename(self.outdir, left)
        except OSError:  # (the process tier only: nothing else lets the child move its folder) none of it kept
            remove_tree(self.outdir)
        os.rename(self.folder, self.outdir)
        try:
            os.rename(left / "output.txt", self.outdir / "output.txt")
        except OSError:  # none, or not a plain name any more: the readers say "no output"
            pass
