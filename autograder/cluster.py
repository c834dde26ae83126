"""Grading on a Dask cluster: `--scheduler tcp://HOST:8786`, `--cluster local:N`, or `[grader]
scheduler` in grader.toml. Without one, nothing here is imported and Dask is not needed.

Split of work, the same as on one machine: each worker runs submissions in its own warm sandbox
(`sandbox/batch.py`, started once per worker by `SandboxPlugin`, with the same isolation tiers and
limits), one at a time per worker thread, and sends back how the child ended and the files it
wrote. The client (the process that ran `autograde`) keeps the hidden test labels and the
thresholds: it writes the files into a local folder and judges them with the same safe readers
(JSON through `json.loads`, arrays through `np.load(allow_pickle=False)`) as the embedded pool.
Results stream back as they finish; a worker lost mid-batch costs only its in-flight submissions,
which Dask runs again on another worker (up to `distributed.scheduler.allowed-failures` times).
What the grader or the machine caused (a sandbox whose zygote died, a job Dask gave up on, a limit
stop beside other submissions) runs again alone, as on one machine (`regrade.py`, `_Cluster`).

Trust: the workers are the course's own machines. Dask moves the replies with pickle, so the
client trusts the worker processes (never student code, which only ever runs in their sandboxes)
as it trusts itself; docs/security.md says so.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import regrade
from .catalog import Msg
from .cleanup import remove_tree
from .sandbox.batch import BatchSettings, LocalBatch
from .checks.observations import MAX_ARRAY_BYTES, MAX_JSON_BYTES
from .sandbox.protocol import Outcome, open_regular_file, read_regular_file

PLUGIN = "autograde-sandbox"
MAX_FILES = 256
MAX_REPLY_BYTES = 64 * 1024 * 1024  # all the files of one submission sent back by a worker
SMALL_FILES = {"progress": 4096, "confinement.json": 256}  # what the trusted readers read of them


class ClusterError(Exception):
    """A scheduler that cannot be reached, or workers that cannot grade: said in one line."""


def _plugin_class():
    from distributed import WorkerPlugin

    class SandboxPlugin(WorkerPlugin):
        """A warm sandbox per worker, started when the worker joins (or when registered)."""

        def __init__(self, settings: BatchSettings, version: str):
            self.settings, self.version = settings, version
            self.batch: LocalBatch | None = None

        def setup(self, worker) -> None:
            from .grading import grader_version

            if grader_version() != self.version:
                raise RuntimeError(f"the grader on worker {worker.address} differs from the client's: install the "
                                   "same version of autograder on every machine")
            self.lock = threading.Lock()  # made on the worker: a lock does not travel
            # In the worker's own directory, which Dask removes when a worker dies, even by SIGKILL.
            self.batch = LocalBatch(self.settings, Path(worker.local_directory)).__enter__()

        def teardown(self, worker) -> None:
            if self.batch is not None:
                self.batch.__exit__(None, None, None)

    return SandboxPlugin


def run_one(source: str) -> dict:
    """On a worker: grade one submission's source in the worker's sandbox; how the child ended and
    the regular files it wrote (names and bytes, each capped)."""
    from distributed import get_worker

    plugin = get_worker().plugins[PLUGIN]
    with plugin.lock:
        batch = plugin.batch
        job = batch.job(uuid.uuid4().hex, source)
        outcomes: list[Outcome] = []
        try:
            batch.run([job], lambda _, outcome: outcomes.append(outcome))
            files = collect(Path(job.outdir), plugin.settings.limits.feedback_output_chars)
        finally:
            batch.release(job)
    return {"outcome": outcomes[0].model_dump_json(), "files": files, "tier": batch.tier}


def _cap(name: str) -> int | None:
    """The most the trusted side reads of a file the probe writes (checks/observations.py): what a
    worker sends back of it, plus one byte so that a larger file still fails the same size check.
    None: not a kind of file the probe writes, never sent."""
    if name in SMALL_FILES:
        return SMALL_FILES[name] + 1
    if name.endswith(".json"):
        return MAX_JSON_BYTES + 1
    if name.endswith((".npy", ".npz", ".safetensors")):
        return MAX_ARRAY_BYTES + 1
    return None


def collect(outdir: Path, output_chars: int) -> dict[str, bytes | tuple[int, bytes, bytes]]:
    """What a worker sends back of a child's output folder: only the kinds of file the probe writes
    (its JSON, arrays and weights, `progress`, `confinement.json`), each cut at what the trusted
    readers read, at most MAX_FILES and MAX_REPLY_BYTES in all, smallest first, never through a
    link; and of `output.txt` only the head and tail the feedback shows, with its size. A child
    that fills its folder costs the worker and the client at most that."""
    entries: list[tuple[str, int, int]] = []  # (name, cap, size)
    for folder, prefix in ((outdir, ""), (outdir / "obs", "obs/")):
        try:
            listing = sorted(os.scandir(folder), key=lambda e: e.name)[: 4 * MAX_FILES]
        except OSError:
            continue
        for entry in listing:
            cap = _cap(prefix + entry.name)
            if cap is not None and entry.is_file(follow_symlinks=False):
                entries.append((prefix + entry.name, cap, entry.stat(follow_symlinks=False).st_size))
    found: dict[str, bytes | tuple[int, bytes, bytes]] = {}
    budget = MAX_REPLY_BYTES
    for name, cap, size in sorted(entries, key=lambda e: (min(e[1], e[2]), e[0]))[:MAX_FILES]:
        content = read_regular_file(outdir / name, min(cap, budget))
        if content is None or len(content) >= budget:
            continue
        found[name] = content
        budget -= len(content)
    output = _head_and_tail(outdir / "output.txt", output_chars)
    if output is not None:
        found["output.txt"] = output
    return found


def _head_and_tail(path: Path, limit: int) -> tuple[int, bytes, bytes] | None:
    """(size, the first `limit` bytes, the last `limit` bytes) of the printed output: all that
    `run_record.read_output` reads of it."""
    handle = open_regular_file(path)
    if handle is None:
        return None
    with handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(limit)
        handle.seek(max(size - limit, 0))
        return size, head, handle.read(limit)


def _write(files: dict[str, bytes | tuple[int, bytes, bytes]], outdir: Path) -> None:
    """A worker's reply as a local folder for the trusted readers: plain names, one level of folders;
    the printed output as a sparse file of its real size holding its head and tail."""
    outdir.mkdir(parents=True)
    output = files.pop("output.txt", None)
    if isinstance(output, tuple) and len(output) == 3 and isinstance(output[0], int) and output[0] >= 0:
        size, head, tail = output
        with (outdir / "output.txt").open("wb") as handle:
            handle.truncate(size)
            handle.write(head)
            handle.seek(max(size - len(tail), 0))
            handle.write(tail)
    for name, content in files.items():
        parts = name.split("/") if isinstance(name, str) else []
        if not (isinstance(content, bytes) and 1 <= len(parts) <= 2
                and all(part not in ("", ".", "..") and "\0" not in part for part in parts)):
            continue
        if len(parts) == 2:
            (outdir / parts[0]).mkdir(exist_ok=True)
        (outdir / name).write_bytes(content)


CONNECT_TIMEOUT_S = 20  # Dask retries a refused connection until then: time for a scheduler that is starting


@contextmanager
def connect(target: str) -> Iterator[object]:
    """A client for `target`: "local:N" starts a local cluster of N worker processes (one thread
    each), anything else is a scheduler address."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError("grading on a cluster needs Dask: pip install 'modu-dl-autograder[dask]' (or dask distributed)") from None
    if target.startswith("local:"):
        count = target.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ClusterError(f"--cluster {target}: expected local:N with N at least 1")
        with LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield client
        return
    try:
        client = Client(target, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"--scheduler {target}: cannot reach the Dask scheduler ({exc})") from None
    with client:
        yield client


def grade_on_cluster(target: str, settings: BatchSettings, version: str, sources: dict[str, str], scratch: Path,
                     record: Callable[[str, Outcome, Path, str, regrade.Runs], None],
                     announce: Callable[[str, Msg], None]) -> None:
    """Run every source (key -> text) on the cluster; `record(key, outcome, outdir, tier, runs)` for
    each, in the order they finish, with the run that counts (`regrade.grade`: what the grader or
    the machine caused runs again alone first, `announce(key, why)` before). A submission the
    cluster lost every time gets an outcome with no exit code."""
    with connect(target) as client:
        client.register_plugin(_plugin_class()(settings, version), name=PLUGIN)
        regrade.grade(_Cluster(client, sources, scratch), list(sources), record, announce)


class _Cluster:
    """The Dask engine of `regrade.grade`. A run alone is one task submitted after every other task
    of the batch has finished: it runs on one worker while the batch has nothing else anywhere.

    Alone on a worker, not in the client's own sandbox: the verdict is measured on the machines
    that measured everyone else (CPU time differs between machines, and the client may be a TA's
    laptop), in the same isolation tier, and by a sandbox that is already warm; the client needs
    no sandbox of its own. Dask's own re-runs of a task whose worker died (allowed-failures)
    happen inside one run here; a task it gave up on (KilledWorker) is one lost run."""

    one_at_a_time = False

    def __init__(self, client, sources: dict[str, str], scratch: Path):
        self.client, self.sources, self.scratch = client, sources, scratch
        self._runs: dict[str, int] = {}

    def together(self, keys: list[str], done: regrade.Done) -> None:
        from distributed import as_completed

        futures = {self.client.submit(run_one, self.sources[key], pure=False): key for key in keys}
        for future in as_completed(futures):
            self._reply(futures[future], future, done)

    def alone(self, key: str, done: regrade.Done) -> None:
        self.together([key], done)  # the only task of the batch on the cluster

    def _reply(self, key: str, future, done: regrade.Done) -> None:
        """One run's reply as a fresh local folder, handed to `done`, then removed."""
        self._runs[key] = self._runs.get(key, 0) + 1
        outdir = self.scratch / f"{key}.{self._runs[key]}"
        try:
            reply = future.result()
            outcome = Outcome.model_validate_json(reply["outcome"])
            _write(reply["files"], outdir)
            tier = str(reply["tier"])
        except Exception:  # KilledWorker (Dask gave up after workers died under it) or a worker's own failure
            outdir.mkdir(parents=True, exist_ok=True)
            outcome, tier = Outcome(id=key, exit_code=None, signal=None, wall_s=0.0, max_rss_mb=0.0), "dask"
        try:
            done(key, outcome, outdir, tier)
        finally:
            remove_tree(outdir)
