"""`autograde warm` (autograder/warm.py): a check graded by the warm sandbox gets the verdicts a
cold check gets; a warm sandbox of another configuration is never used; `--stop` and the idle
timeout end the process and its zygote, leaving nothing behind."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder import warm
from autograder.cli import main
from autograder.config import load_config

from .conftest import DATA_ROOT, REFERENCE, ROOT
from .variants import VARIANTS, write_variant


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private XDG_RUNTIME_DIR (short: a socket's path must fit in 108 bytes); whatever a test
    leaves running there is stopped after it."""
    folder = Path(tempfile.mkdtemp(prefix="xdg-", dir="/tmp"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder
    try:
        warm.stop_all()
    finally:
        shutil.rmtree(folder)


def autograde(*argv: str) -> subprocess.CompletedProcess[str]:
    """The command as a student runs it: its own process, from the repository."""
    return subprocess.run([sys.executable, "-m", "autograder", *argv, "--language", "en"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def family(pid: int) -> set[int]:
    """`pid` and every process below it (the zygote, bwrap, children)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, todo = {pid}, [pid]
    while todo:
        parent = todo.pop()
        children = {child for child, ppid in parents.items() if ppid == parent} - found
        found |= children
        todo += children
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()
            and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]}


def verdicts(capsys: pytest.CaptureFixture[str], file: Path) -> tuple[tuple[object, ...], str]:
    """`autograde check FILE --json`: (score and each check's verdict, the stderr line about the sandbox)."""
    main(["check", str(file), "--json", "--language", "en", "--data-root", str(DATA_ROOT), "--assignment", "mnist_bn"])
    out, err = capsys.readouterr()
    assert out.startswith("{"), out + err
    result = json.loads(out)
    said = [line for line in err.splitlines() if "warm sandbox" in line]
    assert len(said) == 1, err
    return (result["score"], [(c["id"], c["status"], c["score"], c["message"], c["measured"])
                              for c in result["checks"]], result["fix_first"]), said[0]


def test_a_warm_check_gives_the_cold_verdicts_and_stop_leaves_no_process(runtime, tmp_path, capsys):
    broken = write_variant(REFERENCE, tmp_path, "no_model_eval", VARIANTS["no_model_eval"][0])
    started = autograde("warm", str(REFERENCE), "--data-root", str(DATA_ROOT))
    assert started.returncode == 0 and "Warm sandbox started" in started.stderr, started.stderr
    [socket] = (runtime / "autograde").glob("*.sock")
    assert (runtime / "autograde").stat().st_mode & 0o777 == 0o700
    server = int(warm.ask(socket, {}, 10)["ready"])  # type: ignore[call-overload]
    assert len(alive(family(server))) >= 2  # the warm process and its zygote
    warm_verdicts = {}
    for file in (REFERENCE, broken):
        warm_verdicts[file], line = verdicts(capsys, file)
        assert line.startswith("Using your warm sandbox"), line
    assert autograde("warm", "--data-root", str(DATA_ROOT)).stderr.startswith("A warm sandbox already runs")
    processes = alive(family(server))
    stopped = autograde("warm", "--stop")
    assert stopped.returncode == 0 and "Stopped 1 warm sandbox." in stopped.stderr, stopped.stderr
    time.sleep(0.5)  # the zygote's session, reparented, is reaped by init
    assert not alive(processes) and not socket.exists()
    for file in (REFERENCE, broken):
        cold, line = verdicts(capsys, file)
        assert line.startswith("No warm sandbox runs for this configuration"), line
        assert cold == warm_verdicts[file]
    assert warm_verdicts[REFERENCE][0] == 100
    failing = [check for check in warm_verdicts[broken][1] if check[1] != "passed"]
    assert [check[0] for check in failing] == ["eval_mode"], failing


def test_a_warm_sandbox_of_another_configuration_is_not_used_and_ends_when_idle(runtime, tmp_path):
    config_path = tmp_path / "grader.toml"
    shutil.copy(ROOT / "grader.toml", config_path)
    started = autograde("warm", "--config", str(config_path), "--data-root", str(DATA_ROOT), "--idle-timeout", "4")
    assert started.returncode == 0, started.stderr
    [socket] = (runtime / "autograde").glob("*.sock")
    server = int(warm.ask(socket, {}, 10)["ready"])  # type: ignore[call-overload]
    assert socket.name == f"{warm.key(load_config(config_path), DATA_ROOT)}.sock"
    config_path.write_text(config_path.read_text().replace("cpu_s = 60 ", "cpu_s = 61 "), encoding="utf-8")
    changed = load_config(config_path)
    with pytest.raises(warm.NoWarmSandbox):
        warm.grade(changed, DATA_ROOT, "mnist_bn", REFERENCE, lambda *_: None, lambda: None)
    with pytest.raises(warm.NoWarmSandbox):  # nor one of another data root
        warm.grade(load_config(ROOT / "grader.toml"), tmp_path, "mnist_bn", REFERENCE, lambda *_: None, lambda: None)
    deadline = time.monotonic() + 30
    while alive({server}) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(family(server)) and not socket.exists()
    assert "Stopped 0 warm sandboxes." in autograde("warm", "--stop").stderr


def test_the_sockets_folder_must_be_private(runtime):
    (runtime / "autograde").mkdir(mode=0o755)
    os.chmod(runtime / "autograde", 0o755)  # whatever the umask
    with pytest.raises(warm.WarmError, match="private"):
        warm.folder()
    with pytest.raises(warm.WarmError, match="private"):  # a check does not use it either
        warm.grade(load_config(ROOT / "grader.toml"), DATA_ROOT, "mnist_bn", REFERENCE, lambda *_: None, lambda: None)
    os.chmod(runtime / "autograde", 0o700)
    assert warm.folder() == runtime / "autograde"
