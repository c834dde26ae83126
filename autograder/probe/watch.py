"""Measuring, in the sandbox, whether code used autograd, whatever it called to do so.

A profiler names the Python functions that ran, which misses autograd reached through an internal
engine function, a helper thread, or a profile hook taken away and put back. These two measures do
not depend on what was called:

- `GraphWatch` counts the torch results that autograd tracks (`requires_grad`), whatever op made
  them. Code handed tensors that carry no graph makes such a result only by asking autograd to
  record (`requires_grad_()`, `nn.Parameter`, ...): without that recording there are no gradients
  to ask the engine for, by any route. Used by backprop's `backward()` and softmax_tips' `test()`.
- `OtherThreads` measures the CPU time the process spent outside the calling thread: with torch
  on one thread (the sandbox's setting) that is work the code handed to a thread of its own, where
  `GraphWatch` (a per-thread mode) cannot look.

What remains (a forger that takes the mode off the stack and puts it back, or a forked process) has
to name `torch._C`, `torch.overrides`, `os.fork`... in its source, which the trusted side reads
(`checks/capability.py`).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import torch
from torch.overrides import TorchFunctionMode


def _results(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


class GraphWatch(TorchFunctionMode):
    """While active in this thread: how many torch calls, and which, returned a tensor that autograd
    tracks (`tracked`, by function name, in the order first seen), and how many torch calls ran in
    all (`calls`)."""

    def __init__(self) -> None:
        super().__init__()
        self.tracked: Counter[str] = Counter()
        self.calls = 0

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        result = func(*args, **(kwargs or {}))
        self.calls += 1
        if any(isinstance(r, torch.Tensor) and r.requires_grad for r in _results(result)):
            self.tracked[getattr(func, "__name__", type(func).__name__)] += 1
        return result


class OtherThreads:
    """Context manager: `cpu_s`, the CPU seconds the process spent in threads other than the calling
    one while active (its own process clock less the calling thread's; both exact kernel clocks)."""

    cpu_s = 0.0

    def __enter__(self) -> "OtherThreads":
        self._process, self._thread = time.process_time(), time.thread_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu_s = max(0.0, (time.process_time() - self._process) - (time.thread_time() - self._thread))
