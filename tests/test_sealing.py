"""Observations sealed when their phase ends (issue 21, item 1; autograder/sandbox/seal.py).

The zygote's sealing rule, fed frames over a real pipe as a child sends them; and whole runs of
mnist_bn whose later phases, threads or forked children rewrite earlier phases' files on disk (the
verdict is the one without the rewrite) or send records of earlier phases down the channel (the run
is not judged: 0, one cause, every check stopped)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograder.checks.observations import TAMPERED
from autograder.sandbox.protocol import Isolation, Job, ProbePlan
from autograder.sandbox.seal import ARTIFACT, BEGIN, HEADER, SCRATCH_BYTES, Seal, channel, frame_header

from .conftest import REFERENCE, grade_files, not_passed

ATTACKS = Path(__file__).parent / "hostile" / "sealing"
PHASES = ["build", "train", "evaluate"]


def _job(tmp_path: Path) -> Job:
    out = tmp_path / "out"
    out.mkdir(parents=True)
    plan = ProbePlan(module_name="m", phases=PHASES, seed=0, device="cpu", learning_rate=0.1, batch_size=10,
                     holdout=10)
    return Job(id="1", module_path=str(tmp_path / "m.py"), workdir=str(tmp_path), outdir=str(out), data_root="",
               cpu_s=1, wall_s=2, memory_mb=512, file_mb=1, threads=1, plan=plan,
               isolation=Isolation(landlock=False, read=[], write=[], processes=1))


class Child:
    """The child's end of a channel, and the zygote's `Seal` reading it."""

    def __init__(self, tmp_path: Path):
        self.job = _job(tmp_path)
        read, self.write = channel()
        self.seal = Seal(self.job, read)
        self.scratch = bytearray(SCRATCH_BYTES)

    def send(self, kind: bytes, name: str, data: bytes = b"") -> None:
        view = memoryview(frame_header(kind, name, len(data)) + data)
        while view:  # in pieces the pipe holds, read as they come: this test is both ends
            view = view[os.write(self.write, view[:65536]):]
            self.seal.drain(self.scratch)

    def phases(self, *names: str) -> None:
        for name in names:
            self.send(BEGIN, name)
            self.send(ARTIFACT, f"obs/{name}.json", b'{"ok": true}')

    def end(self):
        os.close(self.write)
        return self.seal.finish(self.scratch)


def test_an_honest_run_is_sealed_and_published_in_place_of_what_the_child_left(tmp_path):
    child = Child(tmp_path)
    out = Path(child.job.outdir)
    (out / "output.txt").write_text("printed\n")
    (out / "predictions.npy").write_bytes(b"left by the child")
    child.send(ARTIFACT, "confinement.json", b"{}")
    child.phases("import", "build")
    child.send(ARTIFACT, "init.safetensors", b"first")
    child.send(ARTIFACT, "init.safetensors", b"weights" * 1000)  # the same phase again: the last one counts
    child.phases("train")
    child.send(BEGIN, "done")
    assert child.end() is None
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert files == {"output.txt", "progress", "confinement.json", "init.safetensors",
                     *(f"obs/{name}.json" for name in ("import", "build", "train"))}
    assert (out / "init.safetensors").read_bytes() == b"weights" * 1000
    assert (out / "progress").read_text() == "import\nbuild\ntrain\ndone\n"
    assert (out / "output.txt").read_text() == "printed\n"


@pytest.mark.parametrize("frames, kind, name", [
    ([(ARTIFACT, "obs/build.json", b"{}")], "earlier", "obs/build.json"),  # a record of build during train
    ([(ARTIFACT, "init.safetensors", b"x")], "earlier", "init.safetensors"),  # build's artifact, again
    ([(ARTIFACT, "confinement.json", b"{}")], "earlier", "confinement.json"),  # the set-up's record
    ([(BEGIN, "build", b"")], "order", "build"),  # a phase begun again
    ([(BEGIN, "done", b""), (ARTIFACT, "extra.npy", b"")], "late", "extra.npy"),
    ([(ARTIFACT, "obs/evaluate.json", b"{}")], "order", "obs/evaluate.json"),  # a later phase's record
    ([(ARTIFACT, "../escape.json", b"{}")], "malformed", ""),
    ([(ARTIFACT, "progress", b"")], "malformed", "progress"),
    ([(b"Z", "x", b"")], "malformed", "x"),
    ([(ARTIFACT, "big.npy", b"x" * (1024 * 1024 + 1))], "malformed", "big.npy"),  # over the job's file_mb
])
def test_the_zygote_refuses_what_would_change_an_earlier_phase(tmp_path, frames, kind, name):
    child = Child(tmp_path)
    child.send(ARTIFACT, "confinement.json", b"{}")
    child.phases("import", "build")
    child.send(ARTIFACT, "init.safetensors", b"weights")
    child.phases("train")
    for frame in frames:
        child.send(*frame)
    tampered = child.end()
    assert tampered is not None and (tampered.kind, tampered.name) == (kind, name)
    assert (Path(child.job.outdir) / "init.safetensors").read_bytes() == b"weights"


def test_a_begin_out_of_order_and_a_frame_cut_short(tmp_path):
    child = Child(tmp_path)
    child.send(BEGIN, "train")  # before import
    assert child.end().kind == "order"
    child = Child(tmp_path / "cut")
    child.phases("import", "build")
    os.write(child.write, HEADER.pack(ARTIFACT, 16, 100) + b"init.safetensors" + b"only part")
    assert child.end() is None  # killed mid-record (a limit): the record is not kept, nothing forged
    assert not (Path(child.job.outdir) / "init.safetensors").exists()
    assert (Path(child.job.outdir) / "progress").read_text() == "import\nbuild\n"


def _submission(attack: str | None) -> str:
    """mnist_bn's reference with PyTorch's default init (fails `init` only), and an attack after it."""
    source = REFERENCE.read_text(encoding="utf-8")
    for number in (1, 2, 3):
        source = source.replace(f"    torch.nn.init.xavier_uniform_(linear{number}.weight)\n", "")
    return source if attack is None else source + "\n" + (ATTACKS / f"{attack}.py").read_text(encoding="utf-8")


def _expectation(attack: str) -> str:
    return (ATTACKS / f"{attack}.py").read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect:").strip()


@pytest.fixture(scope="module")
def graded(config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sealing")
    files = {}
    for name in ["baseline", *sorted(path.stem for path in ATTACKS.glob("*.py"))]:
        files[name] = folder / f"{name}.py"
        files[name].write_text(_submission(None if name == "baseline" else name), encoding="utf-8")
    return grade_files(config, files)


@pytest.mark.parametrize("attack", sorted(path.stem for path in ATTACKS.glob("*.py")))
def test_later_phases_threads_and_children_change_nothing_sealed(graded, attack):
    baseline, result = graded["baseline"], graded[attack]
    assert not_passed(baseline) == {"init"}  # what the rewrites try to turn into a pass
    if _expectation(attack) == "baseline":
        assert result.checks == baseline.checks, {c.id: c.message for c in result.checks if c.status != "passed"}
        return
    assert result.score == 0 and result.sandbox.exit == TAMPERED
    assert {check.status for check in result.checks} == {"error"}
    assert len(result.fix_first) == 1 and "changed what the grader had recorded" in result.fix_first[0]
    assert "채점기가 기록한 내용을 바꾸었거나" in result.translations["ko"].fix_first[0]
