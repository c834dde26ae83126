"""The zygote: one process that pays for `import torch` and loading MNIST once, then forks a fresh
child per submission. What it imports is what every child would otherwise import again, on its
own CPU budget: torch, matplotlib for the course's plotting cells when a file of the batch names it
(`BatchSettings.plots`), and for an MNIST lab torchvision's datasets and transforms. It does not
import `torch._dynamo` (2 s), which every optimizer step and `import torchvision` reach for only
to do nothing in eager PyTorch: `lazy_dynamo` stands in for it, and imports it the moment a
submission needs more. MNIST itself is read with numpy. The tensors loaded here reach every child by fork,
shared copy-on-write: the grader never writes them, and where the plan calls a student's
`load_mnist()` (the `data` phase), it gets the files torchvision reads from here too
(`probe/mnist_files.py`, read before the first such job's fork).

Run as `python -m autograder.sandbox.zygote DATA_ROOT THREADS PLOTS` (DATA_ROOT `-`: no MNIST;
PLOTS `plots`: import matplotlib, `-`: not). It speaks the line protocol of
`protocol.py` on its stdin/stdout, enforces each job's limits by killing the child's whole process
tree, and reports how each child ended. The limit that decides is CPU time, summed over the job's
whole process tree (usage.py): far less dependent on the load than the clock, and a stop at it
beside other submissions is re-measured alone before it counts (regrade.py). Wall-clock time is
only a generous backstop against code that sleeps or blocks; the disk its folders take has a
budget too. It never runs student code itself: only the forked children do, after they have
dropped into their own session with limits applied. What a child observes comes to the zygote over
a pipe of its own and is sealed phase by phase (`seal.py`): when the child's tree has ended, the
job's output folder holds only what the zygote wrote, and the printed output.

Fork safety: the zygote does no parallel torch work (data is converted with numpy) and does not
initialise CUDA, so each child starts with a clean OpenMP pool and can create its own CUDA context.
"""

from __future__ import annotations

import ctypes
import os
import resource
import select
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")  # cuda.is_available() without a CUDA context

import torch  # noqa: E402
# What student files import, paid for once here rather than once per submission.
import torch.nn.functional  # noqa: E402, F401
import torch.optim  # noqa: E402, F401
# What a child would import on first use: numpy's RNG (every phase seeds it), what safetensors
# writes arrays with, and symbolic shapes (sympy, 0.6 s), which `torch.autograd.grad` with
# grad_outputs imports, as the probe's `build` does. (tests/test_zygote_imports.py: none is left.)
import numpy.ctypeslib  # noqa: E402, F401
import numpy.random  # noqa: E402, F401
import torch.fx.experimental.symbolic_shapes  # noqa: E402, F401

from ..data import FILES, raw_dir, read_idx  # noqa: E402
from ..probe import datasets, mnist_files, runner  # noqa: E402
from ..probe.context import Mnist  # noqa: E402
from ..probe.artifacts import open_channel, write_json  # noqa: E402
from . import confine, landlock, lazy_dynamo  # noqa: E402
from .seal import SCRATCH_BYTES, Seal, channel, sealed_dir  # noqa: E402
from .usage import (DISK_EVERY_MANY_S, DISK_EVERY_S, MANY_ENTRIES, children, cpu_s, disk_used,  # noqa: E402
                    tree)
from .protocol import GRADER_FAILED, Hello, Job, Limit, Outcome, Status  # noqa: E402

PR_SET_CHILD_SUBREAPER = 36


def load(root: Path) -> Mnist:
    raw = raw_dir(root)
    images = read_idx(raw / FILES["train_images"], "images", "train")
    labels = read_idx(raw / FILES["train_labels"], "labels", "train")
    test = read_idx(raw / FILES["test_images"], "images", "test")
    train = datasets.TensorMNIST(torch.from_numpy(images), datasets.to_tensor_scale(images),
                                 torch.from_numpy(labels), train=True)
    return Mnist(train=train, test_images=datasets.to_tensor_scale(test))


def _apply_limits(job: Job) -> None:
    mb = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (job.memory_mb * mb, job.memory_mb * mb))
    resource.setrlimit(resource.RLIMIT_FSIZE, (job.file_mb * mb, job.file_mb * mb))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Counts all of this user's processes and is ignored for root; the zygote's own process cap
    # (Zygote.police) is what holds everywhere.
    if os.getuid() != 0:
        resource.setrlimit(resource.RLIMIT_NPROC, (job.isolation.processes, job.isolation.processes))
    if job.isolation.landlock:
        landlock.restrict(read=job.isolation.read, write=job.isolation.write)


def _child(job: Job, data: Mnist | None, private_fds: list[int], records: int) -> None:
    """Runs in the forked child; never returns. `private_fds`: the zygote's protocol and every
    job's channel and record files, closed here; `records`: the write end of this job's channel."""
    code = GRADER_FAILED
    try:
        os.setsid()  # own process group: the zygote can kill everything this submission starts
        for fd in private_fds:
            os.close(fd)
        open_channel(records, Path(job.outdir), job.file_mb)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        output = os.open(Path(job.outdir) / "output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.close(null)
        os.close(output)
        os.chdir(job.workdir)
        os.environ.update(HOME=job.workdir, TMPDIR=job.workdir, MPLCONFIGDIR=job.workdir)
        sys.path.insert(0, str(Path(job.module_path).parent))
        namespaces = confine.enter_namespaces()  # from here on, the first process of its own namespaces
        _apply_limits(job)
        sealed = confine.install_seccomp()
        write_json(Path(job.outdir) / "confinement.json", {"namespaces": namespaces, "seccomp": sealed})
        torch.set_num_threads(job.threads)
        runner.run(job, data)
        code = 0
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class Running:
    job: Job
    seal: Seal
    start: float
    limit: Limit | None = None  # set when the zygote kills the job for a limit
    cpu_s: float = 0.0  # the most the tree was seen to have used (it never decreases)
    reported: float = 0.0  # when the last Status went out
    measured: float = 0.0  # when its folders' size was last measured
    entries: int = 0  # how many files and folders that found

    def killed(self, limit: Limit) -> None:
        if self.limit is None:
            self.limit = limit


class Zygote:
    def __init__(self, data: Mnist | None, commands: int, replies: int, raw: Path | None = None):
        self.data = data
        self.unshared = raw  # the sandbox's MNIST/raw, until a job's plan has students read it (`data`)
        self.commands = commands
        self.replies = replies
        self.running: dict[int, Running] = {}
        self.buffer = b""
        self.last_police = 0.0
        self.scratch = bytearray(SCRATCH_BYTES)  # every channel is read through it (seal.py)

    def reply(self, message: Hello | Status | Outcome) -> None:
        os.write(self.replies, (message.model_dump_json() + "\n").encode())

    def start(self, job: Job) -> None:
        if self.unshared is not None and "data" in job.plan.phases:  # once, before the first fork that reads it
            mnist_files.share(self.unshared)
            self.unshared = None
        zygote = os.getpid()
        read, write = channel()
        sealed = Seal(job, read)
        self.scratch[:] = bytes(len(self.scratch))  # the last records read, of another job: not for this child
        private = [self.commands, self.replies, read,
                   *(fd for run in self.running.values() for fd in run.seal.private_fds())]
        pid = os.fork()
        if pid == 0:
            confine.die_with_parent(zygote)
            _child(job, self.data, private, write)
        os.close(write)
        self.running[pid] = Running(job, sealed, time.monotonic())

    @staticmethod
    def _kill_group(pid: int) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def _stop(self, pid: int, family: list[int], limit: Limit | None) -> None:
        if limit is not None:
            self.running[pid].killed(limit)
        self._kill_group(pid)
        for member in family:  # members that left the group (setsid) go too
            _kill(member)

    @staticmethod
    def _over_disk(run: Running, now: float) -> bool:
        """Whether the job's files (its work and output folders) are past its disk budget, measured
        every DISK_EVERY_S (DISK_EVERY_MANY_S once it has many files): one submission cannot fill
        the disk that the others' results go to."""
        if now - run.measured < (DISK_EVERY_MANY_S if run.entries > MANY_ENTRIES else DISK_EVERY_S):
            return False
        run.measured = now
        used = disk_used([run.job.workdir, run.job.outdir, str(sealed_dir(run.job.outdir))])
        if used is None:
            return True
        run.entries = used[1]
        return used[0] > run.job.disk_mb * 1024 * 1024

    def police(self) -> None:
        """Every 50 ms: kill processes orphaned to this zygote (a daemon whose parent exited: it
        is a subreaper), and every process of a job past a limit: more processes than its cap,
        more CPU time than its budget (counted over the whole tree), more disk than its budget
        (every DISK_EVERY_S), more wall-clock time than the backstop. Once a second, tell the
        trusted side how far each job has got."""
        now = time.monotonic()
        if now - self.last_police < 0.05:
            return
        self.last_police = now
        for pid in children(os.getpid()):
            if pid not in self.running:
                _kill(pid)
        for pid, run in self.running.items():
            family = tree(pid, run.job.isolation.processes)
            if run.seal.tampered is not None:  # nothing of this run is judged: it stops now
                self._stop(pid, family, None)
                continue
            run.cpu_s = max(run.cpu_s, sum(cpu_s(member) for member in family))
            if len(family) > run.job.isolation.processes:
                self._stop(pid, family, "processes")
            elif run.cpu_s > run.job.cpu_s:
                self._stop(pid, family, "cpu")
            elif self._over_disk(run, now):
                self._stop(pid, family, "disk")
            elif now - run.start > run.job.wall_s:
                self._stop(pid, family, "wall")
            elif now - run.reported >= 1.0:
                run.reported = now
                self.reply(Status(id=run.job.id, cpu_s=round(run.cpu_s, 2), wall_s=round(now - run.start, 2)))

    def reap(self) -> None:
        while self.running:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid not in self.running:
                continue  # an orphan of some submission, reparented to us (subreaper) and killed
            run = self.running.pop(pid)
            self._kill_group(pid)  # anything the submission left behind in its group goes too
            tampered = run.seal.finish(self.scratch)
            self.reply(Outcome(
                id=run.job.id,
                exit_code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                limit=run.limit,
                cpu_s=round(max(run.cpu_s, usage.ru_utime + usage.ru_stime), 3),
                wall_s=round(time.monotonic() - run.start, 3),
                max_rss_mb=round(usage.ru_maxrss / 1024, 1),
                tampered=tampered,
            ))

    def serve(self) -> None:
        while True:
            poller = select.poll()  # not select(): it cannot watch a descriptor numbered 1024 or more
            poller.register(self.commands, select.POLLIN)
            seals = {run.seal.fd: run.seal for run in self.running.values() if not run.seal.closed}
            for fd in seals:
                poller.register(fd, select.POLLIN)
            ready = {fd for fd, _ in poller.poll(20)}
            for fd in ready & set(seals):
                seals[fd].drain(self.scratch)
            if self.commands in ready:
                chunk = os.read(self.commands, 65536)
                if not chunk:
                    break
                self.buffer += chunk
                while b"\n" in self.buffer:
                    line, self.buffer = self.buffer.split(b"\n", 1)
                    if line.strip():
                        self.start(Job.model_validate_json(line))
            self.police()
            self.reap()
        for pid in list(self.running):
            self._kill_group(pid)


def main() -> None:
    root = None if sys.argv[1] == "-" else Path(sys.argv[1])  # "-": a lab that does not need MNIST
    threads = int(sys.argv[2])
    if sys.argv[3] == "plots":  # the course's plotting cells; Agg (MPLBACKEND) draws nothing on screen
        try:
            import matplotlib.pyplot  # noqa: F401
        except ImportError:
            pass
    torch.set_num_threads(threads)
    lazy_dynamo.install()
    # Keep the protocol off fds 0/1, so nothing printed by a library can corrupt it.
    commands, replies = os.dup(0), os.dup(1)
    os.dup2(2, 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans of submissions come to us
    if root:  # every MNIST lab's files import torchvision's datasets and transforms
        import torchvision.datasets  # noqa: F401
        import torchvision.transforms  # noqa: F401
        import PIL.ImageFile  # noqa: F401  (torchvision's MNIST items are PIL images)
    zygote = Zygote(load(root) if root else None, commands, replies, raw_dir(root) if root else None)
    zygote.reply(Hello(torch=torch.__version__))
    zygote.serve()
    # Every reply is written and every job's group killed: nothing is left to flush. An orderly
    # interpreter exit would tear down torch's modules for 1 to 2 s, which a student's `check`
    # waits for before the verdict prints.
    os._exit(0)


if __name__ == "__main__":
    main()
