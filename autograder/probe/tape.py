"""A tape of one forward pass: every torch call the model made, for the trusted side to replay.

Why: the structure checks and `accuracy` must not rest on what the student's process says about
its model (a description, a counter). The tape is data, not a claim: the trusted process replays
it in numpy (`checks/replay.py`) on the test images it holds itself, and the replay must reproduce
the predictions the student's model made. A tape that describes another model than the one that
ran fails that comparison; a tape that reproduces them is a model the replay can judge.

Each op is `{"fn": name, "args": [...], "kwargs": {...}}`; a tensor argument is a reference,
`{"t": "in"}` (the batch), `{"t": ["op", i]}` (the result of op i, `["op", i, j]` its j-th
output) or `{"t": ["c", k]}` (a constant: a parameter, a buffer, any other tensor, stored as
`c<k>` in `tape.safetensors`); numbers, strings, None and sizes are literal. A call whose result
holds no tensor (`x.size(0)`, `x.dim()`) is not an op: its value appears as a literal where used.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from ..layers import TAPE_MAX_OPS as MAX_OPS  # a longer tape is cut and marked `complete: False`

MAX_CONSTANT_BYTES = 12 * 1024 * 1024  # under the trusted side's cap on an array file (16 MiB)


class TapeFull(Exception):
    """The forward pass made more ops, or used more constant bytes, than the tape keeps."""


class Tape(TorchFunctionMode):
    """Context manager around one forward pass of `batch`: `ops`, `constants`, `output` (a reference
    to what the pass returned, set by `finish`)."""

    def __init__(self, batch: torch.Tensor) -> None:
        super().__init__()
        self.ops: list[dict[str, Any]] = []
        self.constants: dict[str, torch.Tensor] = {}
        self.complete = True
        self._refs: dict[int, Any] = {id(batch): "in"}
        self._alive: list[Any] = [batch]  # keeps every referenced tensor alive, so no id is reused
        self._bytes = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        if self.complete and _has_tensor(result):
            try:
                self._record(getattr(func, "__name__", "?"), args, kwargs, result)
            except TapeFull:
                self.complete = False
        return result

    def _record(self, name: str, args: tuple, kwargs: dict, result: Any) -> None:
        if len(self.ops) >= MAX_OPS:
            raise TapeFull
        op = {"fn": name, "args": [self._encode(a) for a in args],
              "kwargs": {str(k): self._encode(v) for k, v in kwargs.items()}}
        index = len(self.ops)
        self.ops.append(op)
        if isinstance(result, torch.Tensor):
            self._refs[id(result)] = ["op", index]
        else:
            for j, item in enumerate(result):
                if isinstance(item, torch.Tensor):
                    self._refs[id(item)] = ["op", index, j]
        self._alive.append(result)

    def _encode(self, value: Any) -> Any:
        if isinstance(value, torch.Tensor):
            ref = self._refs.get(id(value))
            if ref is None:
                ref = self._constant(value)
            return {"t": ref}
        if isinstance(value, (list, tuple)):  # torch.Size included
            return [self._encode(v) for v in value]
        if isinstance(value, slice):
            return {"slice": [self._encode(value.start), self._encode(value.stop), self._encode(value.step)]}
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if value is Ellipsis:
            return {"ellipsis": True}
        return {"other": type(value).__name__}  # a dtype, a device, a memory format: replay decides

    def _constant(self, tensor: torch.Tensor) -> list[Any]:
        value = tensor.detach().to("cpu", copy=True).contiguous()
        value = value.float() if value.is_floating_point() else value
        self._bytes += value.numel() * value.element_size()
        if self._bytes > MAX_CONSTANT_BYTES:
            raise TapeFull
        key = f"c{len(self.constants)}"
        self.constants[key] = value
        self._refs[id(tensor)] = ["c", len(self.constants) - 1]
        self._alive.append(tensor)
        return self._refs[id(tensor)]

    def finish(self, output: Any) -> dict[str, Any]:
        """The tape as JSON (without the constants, which `constants` holds for safetensors)."""
        reference = self._refs.get(id(output)) if isinstance(output, torch.Tensor) else None
        return {"ops": self.ops, "output": reference, "complete": self.complete and reference is not None,
                "batch": list(self._alive[0].shape)}


def record(model: torch.nn.Module, batch: torch.Tensor) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """The tape of `model`'s forward pass on `batch` in eval mode without gradients (as the grader
    predicts), and its constants; a pass that raises gives an empty, incomplete tape."""
    model.eval()
    tape = Tape(batch)
    try:
        with torch.no_grad(), tape:
            output = model(batch)
    except Exception as exc:  # noqa: BLE001 - the same model just predicted: the trusted side says "not rebuilt"
        return {"ops": [], "output": None, "complete": False, "error": type(exc).__name__,
                "batch": list(batch.shape)}, {}
    return tape.finish(output), tape.constants


def _has_tensor(value: Any) -> bool:
    if isinstance(value, torch.Tensor):
        return True
    return isinstance(value, (tuple, list)) and any(isinstance(v, torch.Tensor) for v in value)
