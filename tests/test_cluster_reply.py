"""What a Dask worker sends back of a child's output folder: only the kinds of file the probe
writes, each cut at what the trusted side reads, a total cap, and of the printed output only its
head and tail. A submission that fills its folder (2.95 GB held by a worker before) costs little."""

from __future__ import annotations

import os

from autograder.cluster import MAX_FILES, MAX_REPLY_BYTES, _write, collect
from autograder.checks.observations import MAX_ARRAY_BYTES
from autograder.run_record import read_output


def test_a_worker_sends_back_only_capped_probe_artifacts(tmp_path):
    out = tmp_path / "out"
    (out / "obs").mkdir(parents=True)
    (out / "obs" / "build.json").write_text('{"ok": true}')
    (out / "progress").write_text("import\nbuild\n")
    (out / "predictions.npy").write_bytes(b"\x93NUMPY" + b"\0" * 100)
    for number in range(3 * MAX_FILES):  # junk of every kind the probe never writes, and of one it does
        (out / f"junk{number:04}.bin").write_bytes(b"x" * 1024)
    for number in range(8):
        with (out / f"big{number}.npy").open("wb") as handle:  # sparse: large but cheap to make
            handle.truncate(40 * 1024 * 1024)
    with (out / "output.txt").open("wb") as handle:
        handle.write(b"HEAD " * 1000)
        handle.seek(200 * 1024 * 1024)
        handle.write(b" TAIL" * 1000)
    os.symlink("/etc/passwd", out / "linked.json")

    reply = collect(out, 4000)
    sent = sum(len(value) if isinstance(value, bytes) else len(value[1]) + len(value[2]) for value in reply.values())
    assert sent <= MAX_REPLY_BYTES + 2 * 4000
    assert {"obs/build.json", "progress", "predictions.npy", "output.txt"} <= set(reply)
    assert not any(name.endswith(".bin") for name in reply) and "linked.json" not in reply
    assert all(len(reply[name]) <= MAX_ARRAY_BYTES + 1 for name in reply if name.startswith("big"))

    local = tmp_path / "local"
    _write(dict(reply), local)
    assert read_output(local / "output.txt", 4000) == read_output(out / "output.txt", 4000)
    assert "bytes not shown" in read_output(local / "output.txt", 4000)
    assert (local / "obs" / "build.json").read_text() == '{"ok": true}'
