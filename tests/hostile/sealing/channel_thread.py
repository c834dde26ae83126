# expect: tampered
# A thread started at import waits until train() runs, then sends the grader a record of an
# earlier phase (`obs/build.json`) down the grader's own channel, with the probe's own function,
# and writes the same file on disk. The zygote refuses the record: nothing of the run is judged.
import sys
import threading

_started = threading.Event()


def _rewrite_build() -> None:
    _started.wait()
    artifacts = sys.modules["autograder.probe.artifacts"]
    artifacts.write_json(artifacts._root / "obs" / "build.json", {"ok": True, "weights": []})
    with open("../out/obs/build.json", "w") as handle:
        handle.write('{"ok": true}')


threading.Thread(target=_rewrite_build, daemon=True).start()

_honest_train = train


def train(*args, **kwargs):
    _started.set()
    return _honest_train(*args, **kwargs)
