"""The red-team suite: every attack in tests/hostile/ graded in one batch with a correct and a
buggy submission, under every isolation tier this machine offers (the Landlock fallback forced
too). Each attack must get its expected verdict; nothing may crash the grader, forge or alter a
result, survive the batch, or change the honest submissions' results."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from autograder.results import load_result
from autograder.sandbox import isolation

from .conftest import REFERENCE, grade_files, not_passed, with_limits
from .variants import VARIANTS, apply_edits

HOSTILE = Path(__file__).parent / "hostile"
SPLIT = "# --- after the reference ---"
CPU_S = 15
SURVIVOR = b"sleep 7.77"


def attacks() -> dict[str, tuple[str, str]]:
    """name -> (expectation, submission source)."""
    reference = REFERENCE.read_text(encoding="utf-8")
    found = {}
    for path in sorted(HOSTILE.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        expectation = text.splitlines()[0].removeprefix("# expect:").strip()
        if expectation == "zero":
            found[path.stem] = (expectation, text)
        else:
            before, _, after = text.partition(SPLIT)
            found[path.stem] = (expectation, before + "\n" + reference + "\n" + after)
    return found


def _survivors() -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if SURVIVOR in Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" "):
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


TIERS = [tier for tier in ("bwrap", "landlock") if tier in isolation.available()]
PORT = 47613  # reach_out.py's TCP and UDP target on loopback
SYSV_KEY = 0x5EED  # sysv_publish.py's shared memory key


class Listeners:
    """Live listeners on the host for reach_out.py: a unix stream and a datagram socket file, an
    abstract unix socket, TCP and UDP on loopback. `heard` lists everything that reached them."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        self.paths = [Path(f"/var/tmp/autograde-hostile-{os.getpid()}.{kind}") for kind in ("sock", "dgram")]
        self.sockets = []
        for family, kind, address in ((socket.AF_UNIX, socket.SOCK_STREAM, str(self.paths[0])),
                                      (socket.AF_UNIX, socket.SOCK_DGRAM, str(self.paths[1])),
                                      (socket.AF_UNIX, socket.SOCK_STREAM, "\0autograde-hostile-abstract"),
                                      (socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", PORT)),
                                      (socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", PORT))):
            listener = socket.socket(family, kind)
            listener.bind(address)
            if kind == socket.SOCK_STREAM:
                listener.listen()
            if isinstance(address, str) and not address.startswith("\0"):
                os.chmod(address, 0o777)
            listener.settimeout(0.2)
            self.sockets.append(listener)
            threading.Thread(target=self._serve, args=(listener, kind, repr(address)), daemon=True).start()

    def _serve(self, listener: socket.socket, kind: int, name: str) -> None:
        while listener.fileno() != -1:
            try:
                if kind == socket.SOCK_STREAM:
                    connection, _ = listener.accept()
                    self.heard.append(f"{name}: connection")
                    connection.close()
                else:
                    data, _ = listener.recvfrom(1024)
                    self.heard.append(f"{name}: {data!r}")
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return

    def close(self) -> None:
        for listener in self.sockets:
            listener.close()
        for path in self.paths:
            path.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def listeners():
    live = Listeners()
    yield live
    live.close()


def _sysv_segments() -> list[str]:
    """System V shared memory segments with sysv_publish.py's key (key is the first column)."""
    lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    return [line for line in lines if line.split() and int(line.split()[0]) == SYSV_KEY]


@pytest.fixture(scope="module", params=TIERS)
def graded(request, config, tmp_path_factory, listeners):
    tier = request.param
    os.environ["AUTOGRADE_TEST_SECRET"] = "hunter2"  # a TA's credential: must not reach any sandbox
    limited = with_limits(config, cpu_s=CPU_S, isolation=tier)
    folder = tmp_path_factory.mktemp(f"hostile-{tier}")
    honest = {"reference": folder / "reference.py", "buggy": folder / "buggy.py"}
    honest["reference"].write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    honest["buggy"].write_text(apply_edits(REFERENCE.read_text(encoding="utf-8"), VARIANTS["no_model_eval"][0]),
                               encoding="utf-8")
    alone = grade_files(limited, honest)
    files = dict(honest)
    for name, (_, source) in attacks().items():
        files[name] = folder / f"{name}.py"
        files[name].write_text(source, encoding="utf-8")
    out = folder / "results"
    start = time.monotonic()
    batches, system_tmp = folder / "batches", tempfile.tempdir
    batches.mkdir()
    tempfile.tempdir = str(batches)  # the batch folder lands here, so the test sees exactly what it left
    try:
        together = grade_files(limited, files, out=out)
    finally:
        tempfile.tempdir = system_tmp
    return {"tier": tier, "alone": alone, "together": together, "out": out, "seconds": time.monotonic() - start,
            "batches": batches}


def test_a_machine_with_landlock_offers_the_fallback_tier():
    assert "landlock" in TIERS, "Landlock is unavailable: the hostile suite cannot run its fallback tier"


@pytest.mark.parametrize("name", sorted(attacks()))
def test_each_attack_gets_its_verdict(graded, name):
    expectation, _ = attacks()[name]
    result = graded["together"][name]
    reference = graded["alone"]["reference"]
    assert result.sandbox.tier == graded["tier"]
    assert "LEAK" not in result.output and "hunter2" not in result.output, result.output
    if expectation == "zero":
        assert result.score == 0, {c.id: c.message for c in result.checks}
    elif expectation == "reference":
        assert result.checks == reference.checks, {c.id: c.message for c in result.checks if c.status != "passed"}
    else:
        expected = set(expectation.removeprefix("fail").split())
        assert not_passed(result) == expected, {c.id: c.message for c in result.checks if c.status != "passed"}


def test_honest_submissions_are_unaffected_by_their_batch(graded):
    for name in ("reference", "buggy"):
        assert graded["together"][name].checks == graded["alone"][name].checks
    assert graded["alone"]["reference"].score == 100


def test_nothing_survives_and_nothing_is_left_behind(graded):
    assert _survivors() == []
    for place in ("/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~")):
        assert not Path(place, "hostile-note.txt").exists(), place


def test_no_result_is_forged_or_altered(graded):
    out = graded["out"]
    expected = {"gradebook.csv"} | {f"{student}/{name}" for student in graded["together"]
                                    for name in ("result.json", "feedback.md", "feedback.html")}
    assert {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} == expected
    for student, result in graded["together"].items():
        assert load_result(out / student / "result.json") == result


def test_flood_and_timeouts_are_named(graded):
    together = graded["together"]
    assert together["fork_flood"].sandbox.exit.startswith("killed for running more than")
    assert together["fork_flood"].sandbox.limit == "processes" and "processes" in together["fork_flood"].fix_first[0]
    assert together["ignore_signals"].sandbox.exit == f"killed at the CPU time limit ({CPU_S:g} s)"
    assert together["ignore_signals"].sandbox.limit == "cpu"
    assert together["memory_hog"].fix_first[0].count("MemoryError") == 1


def test_no_channel_out_and_nothing_shared_is_left(graded, listeners):
    assert listeners.heard == []
    assert _sysv_segments() == []
    assert not [p for p in Path("/dev/shm").glob("*") if "hostile" in p.name]


def test_confinement_is_recorded_and_memory_stays_under_the_limit(graded):
    together = graded["together"]
    assert together["shared_memory_hog"].score == 0
    for name, result in together.items():
        assert result.sandbox.max_memory_mb is None or result.sandbox.max_memory_mb < 4096, name
        if result.sandbox.confinement is not None:
            assert result.sandbox.confinement == {"namespaces": "user+pid+ipc+net+uts", "seccomp": True}, name


def test_what_a_sandbox_leaves_behind_is_cleaned_up(graded):
    assert graded["together"]["deep_folders"].score == 100
    assert list(graded["batches"].iterdir()) == []
