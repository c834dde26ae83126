# expect: baseline
# Touching no probe code, with PyTorch's default init (which fails `init`): the earlier phases' files
# are rewritten on disk with initial weights that look like Xavier's, by a thread started at import
# (every 20 ms through every later phase), by a child forked in evaluate(), and by the last phase,
# compare_hidden_sizes(). Before sealing this passed `init`; sealed, the files the child writes are
# thrown away and the verdict is the same as without them.
import os
import threading
import time

import torch
from safetensors.torch import save

OUT = os.path.join(os.getcwd(), "..", "out")


def _forged() -> bytes:
    """Xavier-looking weights under the names the probe gives the model's Linear layers; the
    grader's random state is left as it was, so that only the forgery differs from the baseline."""
    with torch.random.fork_rng(devices=[]):
        weights = {}
        for name, module in build_model().named_modules():
            if isinstance(module, torch.nn.Linear):
                torch.nn.init.xavier_uniform_(module.weight)
                weights[name] = module.weight.detach().float().contiguous()
    return save(weights)


FORGED = _forged()


def _forge() -> None:
    """Replaced whole (a rename), so that the grader never reads a half-written forgery."""
    partial = os.path.join(OUT, f"forging.{os.getpid()}.{threading.get_ident()}")
    try:
        with open(partial, "wb") as handle:
            handle.write(FORGED)
        os.replace(partial, os.path.join(OUT, "init.safetensors"))
    except OSError:
        pass


def _keep_forging() -> None:
    while True:
        _forge()
        time.sleep(0.02)


threading.Thread(target=_keep_forging, daemon=True).start()

_honest_evaluate, _honest_compare = evaluate, compare_hidden_sizes


def evaluate(*args, **kwargs):
    pid = os.fork()
    if pid == 0:
        _forge()
        os._exit(0)
    os.waitpid(pid, 0)
    return _honest_evaluate(*args, **kwargs)


def compare_hidden_sizes(*args, **kwargs):
    _forge()
    return _honest_compare(*args, **kwargs)
