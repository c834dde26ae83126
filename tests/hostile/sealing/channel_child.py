# expect: tampered
# evaluate() forks a child that sends a record the `build` phase sealed (`init.safetensors`) down
# the channel it inherited, then writes it on disk too. The zygote refuses the record: nothing of
# the run is judged.
import os
import sys

_honest_evaluate = evaluate


def evaluate(*args, **kwargs):
    pid = os.fork()
    if pid == 0:
        artifacts = sys.modules["autograder.probe.artifacts"]
        artifacts.write_artifact(artifacts._root / "init.safetensors", b"forged")
        with open("../out/init.safetensors", "wb") as handle:
            handle.write(b"forged")
        os._exit(0)
    os.waitpid(pid, 0)
    return _honest_evaluate(*args, **kwargs)
