"""The trusted side of the sandbox: starts the zygote, feeds it jobs, and outlives anything it does.

The zygote enforces each job's limits and reports on running jobs about once a second; this side
adds a watchdog for the zygote itself (a submission that kills its parent, the kernel's OOM killer:
silence while jobs run) and restarts it, so that one submission can never stop a batch.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .isolation import bwrap_prefix, runtime_paths
from .protocol import REPLY, Hello, Job, Outcome, Status

START_TIMEOUT_S = 300.0
PASSED_ENV = {"PATH", "LANG", "LC_ALL", "LD_LIBRARY_PATH", "PYTHONPATH", "VIRTUAL_ENV", "TZ"}
SILENCE_S = 30.0  # a zygote with jobs running reports every second; this much silence means it is gone


class SandboxError(Exception):
    """The zygote could not be started: a grader installation problem, not a student's."""


class Sandbox:
    """Runs jobs, `parallel` at a time, in children of a pre-warmed zygote."""

    def __init__(self, data_root: Path | None, threads: int, parallel: int, tier: str, writable: Path,
                 readable: list[Path], plots: bool):
        self.data_root = data_root
        self.threads = threads
        self.parallel = parallel
        self.tier = tier
        self.writable = writable  # the batch folder: the only place a bwrap-tier sandbox may write
        self.readable = readable  # the real data files the batch's data root points to
        self.plots = plots  # the zygote imports matplotlib (BatchSettings.plots)
        self.process: subprocess.Popen[bytes] | None = None
        self._buffer = b""

    def __enter__(self) -> "Sandbox":
        self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _start(self) -> None:
        # A minimal environment: nothing of the TA's (tokens, credentials) reaches student code.
        env = {name: value for name, value in os.environ.items()
               if name in PASSED_ENV or name.startswith(("CUDA_", "NVIDIA_"))}
        env.update(OMP_NUM_THREADS=str(self.threads), MKL_NUM_THREADS=str(self.threads),
                   PYTHONDONTWRITEBYTECODE="1", CUBLAS_WORKSPACE_CONFIG=":4096:8",
                   MPLBACKEND="Agg", MPLCONFIGDIR=str(self.writable / "matplotlib"),
                   XDG_CACHE_HOME=str(self.writable / "cache"))
        command = [sys.executable, "-m", "autograder.sandbox.zygote", str(self.data_root or "-"), str(self.threads),
                   "plots" if self.plots else "-"]
        if self.tier == "bwrap":
            command = bwrap_prefix(self.writable, runtime_paths() + self.readable) + command
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        line = self._read_line(START_TIMEOUT_S)
        if line is None:
            self._stop()
            raise SandboxError("the grading worker did not start (its own error output, if any, is above)")
        Hello.model_validate_json(line)  # the zygote is ready

    def _stop(self) -> None:
        if self.process is None:
            return
        try:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except (subprocess.TimeoutExpired, BrokenPipeError, OSError):
            self.process.kill()
            self.process.wait()
        self.process = None
        self._buffer = b""

    def _read_line(self, timeout: float) -> bytes | None:
        """One protocol line, or None when the zygote died or said nothing for `timeout` seconds."""
        assert self.process is not None and self.process.stdout is not None
        fd = self.process.stdout.fileno()
        poller = select.poll()  # not select(): it cannot watch a descriptor numbered 1024 or more
        poller.register(fd, select.POLLIN)
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready = poller.poll(left * 1000)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def run(self, jobs: Iterable[Job], on_done: Callable[[Job, Outcome], None],
            on_status: Callable[[Job, Status], None] | None = None) -> None:
        """Run `jobs`, `parallel` at a time; `on_done` for each as it ends, `on_status` about once a
        second for each running one. A zygote found gone (now or in an earlier call) is replaced by a
        fresh one before the next job, so one lost zygote never ends the batch or the worker."""
        pending = list(jobs)
        pending.reverse()
        running: dict[str, Job] = {}

        def fill() -> None:
            while pending and len(running) < self.parallel:
                if self.process is None:  # lost in an earlier run or batch: a fresh zygote, none of the old one's state
                    self._start()
                job = pending.pop()
                running[job.id] = job
                assert self.process is not None and self.process.stdin is not None
                try:
                    self.process.stdin.write((job.model_dump_json() + "\n").encode())
                    self.process.stdin.flush()
                except BrokenPipeError:
                    break

        while pending or running:
            fill()
            line = self._read_line(SILENCE_S)
            if line is None:
                # The zygote is gone or stuck (the OOM killer, an operator's kill, a crash): everything in
                # flight is lost (`run_record.lost`; the caller runs it again, regrade.py), the rest goes
                # on in a fresh zygote, started when the next job is sent.
                self._stop()
                lost, running = list(running.values()), {}
                for job in lost:
                    on_done(job, Outcome(id=job.id, exit_code=None, signal=None, wall_s=0.0, max_rss_mb=0.0))
                continue
            reply = REPLY.validate_json(line)
            if isinstance(reply, Status):
                if on_status is not None and reply.id in running:
                    on_status(running[reply.id], reply)
            elif isinstance(reply, Outcome):
                job = running.pop(reply.id, None)
                if job is not None:
                    fill()  # the freed core starts the next job while this one is judged (on_done)
                    on_done(job, reply)
