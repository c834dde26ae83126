"""Grading on a Dask cluster (autograder/cluster.py): a LocalCluster of two worker processes gives the
same results as the embedded pool (result.json equal apart from timings), and a worker killed
mid-batch loses nothing: its submissions run again on the other worker. softmax_tips is the lab:
its checks need no MNIST, so the cluster starts in seconds."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from autograder.cli import main

from .labs import softmax_tips
from .variants import write_variant

pytest.importorskip("distributed", reason="the cluster tests need Dask: pip install -e '.[test]'")

ASSIGNMENT = "softmax_tips"
TIMINGS = {"duration_s"}
SANDBOX_TIMINGS = {"cpu_s", "max_memory_mb"}


def _submissions(folder):
    folder.mkdir()
    (folder / "reference.py").write_bytes(softmax_tips.REFERENCE.read_bytes())
    for name in sorted(softmax_tips.VARIANTS)[:5]:
        write_variant(softmax_tips.REFERENCE, folder, name, softmax_tips.VARIANTS[name][0])
    for name in ("slow", "slower"):  # 3 s of CPU at import: a worker is busy long enough to be killed
        (folder / f"{name}.py").write_text(softmax_tips.REFERENCE.read_text(encoding="utf-8")
                                           + "\nimport time\n_t = time.process_time()\n"
                                           "while time.process_time() - _t < 3:\n    pass\n", encoding="utf-8")
    return folder


def _comparable(path):
    result = json.loads(path.read_text(encoding="utf-8"))
    for key in TIMINGS:
        result.pop(key)
    for key in SANDBOX_TIMINGS:
        result["sandbox"].pop(key)
    return result


def _grade(submissions, out, *extra):
    assert main(["grade", str(submissions), "--out", str(out), "--assignment", ASSIGNMENT, "--quiet", *extra]) == 0
    return {path.parent.name: _comparable(path) for path in sorted(out.glob("*/result.json"))}


def test_a_local_cluster_gives_the_embedded_pools_results(tmp_path):
    submissions = _submissions(tmp_path / "submissions")
    embedded = _grade(submissions, tmp_path / "embedded")
    clustered = _grade(submissions, tmp_path / "cluster", "--cluster", "local:2")
    assert set(embedded) == set(clustered) and len(embedded) == 8
    for student in embedded:
        assert clustered[student] == embedded[student], student
    assert embedded["reference"]["score"] == 100


def test_a_worker_killed_mid_batch_loses_nothing(tmp_path, monkeypatch):
    """A watcher kills one worker process (and its zygote) as soon as a sandbox is running."""
    submissions = _submissions(tmp_path / "submissions")
    from autograder import cluster

    killed: list[int] = []
    in_flight: list[int] = []
    real_connect = cluster.connect

    def connect_and_kill(target, *args):
        manager = real_connect(target, *args)
        client = manager.__enter__()

        def kill_one() -> None:  # the worker running the slow submission, while it runs
            deadline = time.monotonic() + 120
            pids = {}
            while time.monotonic() < deadline:
                if not pids:
                    pids = client.run(os.getpid)  # once the workers are up
                busy = [address for address, tasks in client.processing().items() if tasks and address in pids]
                if busy and time.monotonic() - started > 4.0:  # the zygotes are warm: a slow one is running
                    in_flight.append(len(client.processing()[busy[0]]))
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(pids[busy[0]])
                    return
                time.sleep(0.02)

        started = time.monotonic()

        threading.Thread(target=kill_one, daemon=True).start()
        return _Entered(manager, client)

    monkeypatch.setattr(cluster, "connect", connect_and_kill)
    results = _grade(submissions, tmp_path / "cluster", "--cluster", "local:2")
    assert killed and in_flight[0] >= 1, "no worker was killed while it was grading"
    assert len(results) == 8
    embedded = _grade(submissions, tmp_path / "embedded")
    for student in embedded:
        assert results[student]["score"] == embedded[student]["score"], student
        assert results[student]["sandbox"]["exit"] == embedded[student]["sandbox"]["exit"], student


class _Entered:
    def __init__(self, manager, client):
        self.manager, self.client = manager, client

    def __enter__(self):
        return self.client

    def __exit__(self, *exc):
        return self.manager.__exit__(*exc)


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, capsys, monkeypatch):
    from autograder import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)
    submissions = _submissions(tmp_path / "submissions")
    assert main(["grade", str(submissions), "--out", str(tmp_path / "out"), "--assignment", ASSIGNMENT,
                 "--scheduler", "tcp://127.0.0.1:9", "--quiet"]) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
