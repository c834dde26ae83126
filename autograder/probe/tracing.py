"""Watching what a model actually does, whatever style it is written in.

`OpRecorder` sees every call of the functional ops that `nn.Linear`, `nn.BatchNorm1d`, `nn.ReLU`,
`nn.Dropout` and hand-written `forward` code (`F.relu`, `F.dropout(x, training=self.training)`)
go through, with the mode flags they ran with. `RootModules` collects every top-level module that
was called, which is how the grader finds models that student code builds internally.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import torch
from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook
from torch.overrides import TorchFunctionMode

KINDS = {
    "linear": "linear", "batch_norm": "batch_norm",
    "relu": "relu", "relu_": "relu",
    "dropout": "dropout", "dropout_": "dropout", "feature_dropout": "dropout", "alpha_dropout": "dropout",
    "log_softmax": "log_softmax", "softmax": "softmax",
    "sigmoid": "sigmoid", "tanh": "tanh", "gelu": "gelu", "leaky_relu": "leaky_relu", "elu": "elu",
}


def _arg(args: tuple, kwargs: dict, index: int, names: tuple[str, ...], default: Any) -> Any:
    for name in names:
        if name in kwargs:
            return kwargs[name]
    return args[index] if len(args) > index else default


def describe_op(kind: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    op: dict[str, Any] = {"kind": kind, "grad": torch.is_grad_enabled()}
    if kind == "linear":
        weight = _arg(args, kwargs, 1, ("weight",), None)
        if isinstance(weight, torch.Tensor) and weight.dim() == 2:
            op["in"], op["out"] = int(weight.shape[1]), int(weight.shape[0])
    elif kind == "batch_norm":
        x = args[0] if args else kwargs.get("input")
        op["features"] = int(x.shape[1]) if isinstance(x, torch.Tensor) and x.dim() > 1 else None
        op["training"] = bool(_arg(args, kwargs, 5, ("training",), False))
    elif kind == "dropout":
        op["p"] = float(_arg(args, kwargs, 1, ("p",), 0.5))
        op["training"] = bool(_arg(args, kwargs, 2, ("training", "train"), True))
    return op


class OpRecorder(TorchFunctionMode):
    """Records ops in order (`ops`, capped) and counts them by kind and mode (`counts`)."""

    def __init__(self, keep: int = 200):
        super().__init__()
        self.keep = keep
        self.ops: list[dict[str, Any]] = []
        self.counts: Counter[str] = Counter()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        kind = KINDS.get(getattr(func, "__name__", ""))
        if kind is not None:
            op = describe_op(kind, args, kwargs)
            self.counts[kind] += 1
            if op.get("training") is False:
                self.counts[f"{kind}:eval"] += 1
            if op.get("training") is True:
                self.counts[f"{kind}:train"] += 1
            if op["grad"]:
                self.counts[f"{kind}:grad"] += 1
            if len(self.ops) < self.keep:
                self.ops.append(op)
        return func(*args, **kwargs)


class RootModules:
    """Context manager: the distinct modules called from outside any other module, in call order,
    and for each module type how often it ran in eval mode."""

    def __init__(self) -> None:
        self.roots: dict[int, torch.nn.Module] = {}
        self.eval_calls: Counter[str] = Counter()
        self.calls = 0
        self._depth = 0

    def _pre(self, module: torch.nn.Module, args: Any) -> None:
        if self._depth == 0:
            self.roots.setdefault(id(module), module)
        self._depth += 1
        self.calls += 1
        if not module.training:
            self.eval_calls[type(module).__name__] += 1

    def _post(self, module: torch.nn.Module, args: Any, output: Any) -> None:
        self._depth = max(0, self._depth - 1)

    def __enter__(self) -> "RootModules":
        self._handles = [register_module_forward_pre_hook(self._pre),
                         register_module_forward_hook(self._post, always_call=True)]
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
