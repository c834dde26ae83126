"""Watching what a model actually does, whatever style it is written in.

`OpRecorder` sees every call of the functional ops that layers (`nn.Linear`, `nn.Conv2d`,
`nn.MaxPool2d`, `nn.BatchNorm1d`, `nn.ReLU`, `nn.Dropout`, `nn.Flatten`, ...: the vocabulary is
`autograder/layers.py`) and hand-written `forward` code (`F.relu`, `F.max_pool2d`,
`F.dropout(x, training=self.training)`, `x.view(x.size(0), -1)`) go through, with their sizes and
the mode flags they ran with, and counts `backward()` calls. `RootModules` collects
every top-level module that was called, which is how the grader finds models that student code
builds internally; given to an `OpRecorder`, it also tells which dropout calls stayed on although
the model was in eval mode (functional dropout without `training=self.training`). `TrainingCalls`
counts the optimizer's `zero_grad()` and `step()` calls during `train()`.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from typing import Any, Callable

import torch
from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook
from torch.overrides import TorchFunctionMode

from ..layers import FLATTEN, KINDS, POOLING, WEIGHTED

def _arg(args: tuple, kwargs: dict, index: int, names: tuple[str, ...], default: Any) -> Any:
    for name in names:
        if name in kwargs:
            return kwargs[name]
    return args[index] if len(args) > index else default


def _pair(value: Any) -> Any:
    """A size argument as JSON: an int or a tuple of ints as a list, a string ("same") as it is."""
    if isinstance(value, (tuple, list)):
        return [int(v) for v in value]
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def describe_op(kind: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    op: dict[str, Any] = {"kind": kind, "grad": torch.is_grad_enabled()}
    if kind == "linear":
        weight = _arg(args, kwargs, 1, ("weight",), None)
        if isinstance(weight, torch.Tensor) and weight.dim() == 2:
            op["in"], op["out"] = int(weight.shape[1]), int(weight.shape[0])
        op["bias"] = _arg(args, kwargs, 2, ("bias",), None) is not None
    elif kind in WEIGHTED:  # convolutions: F.conv2d(input, weight, bias, stride, padding, dilation, groups)
        weight = _arg(args, kwargs, 1, ("weight",), None)
        groups = _arg(args, kwargs, 6, ("groups",), 1)
        if isinstance(weight, torch.Tensor) and weight.dim() > 2 and "transpose" not in kind:
            op["in"], op["out"] = int(weight.shape[1]) * int(groups), int(weight.shape[0])
            op["kernel"] = [int(k) for k in weight.shape[2:]]
        op["stride"] = _pair(_arg(args, kwargs, 3, ("stride",), 1))
        op["padding"] = _pair(_arg(args, kwargs, 4, ("padding",), 0))
        op["bias"] = _arg(args, kwargs, 2, ("bias",), None) is not None
    elif kind in POOLING and "adaptive" not in kind:
        op["kernel"] = _pair(_arg(args, kwargs, 1, ("kernel_size",), None))
        op["stride"] = _pair(_arg(args, kwargs, 2, ("stride",), None))
    elif kind == "batch_norm":
        x = args[0] if args else kwargs.get("input")
        op["features"] = int(x.shape[1]) if isinstance(x, torch.Tensor) and x.dim() > 1 else None
        op["training"] = bool(_arg(args, kwargs, 5, ("training",), False))
    elif kind == "dropout":
        op["p"] = float(_arg(args, kwargs, 1, ("p",), 0.5))
        op["training"] = bool(_arg(args, kwargs, 2, ("training", "train"), True))
    return op


def _lowers_dims(args: tuple, kwargs: dict, result: Any) -> bool:
    """Whether a view/reshape/flatten call flattened something (fewer dimensions out than in)."""
    x = args[0] if args else kwargs.get("input")
    return isinstance(x, torch.Tensor) and isinstance(result, torch.Tensor) and result.dim() < x.dim()


class OpRecorder(TorchFunctionMode):
    """Records ops in order (`ops`, capped) and counts them by kind and mode (`counts`).

    `counts["backward"]` is how often `loss.backward()` (or `torch.autograd.backward`) was called.
    With `modules` (an active `RootModules`), `counts["dropout:on_in_eval"]` is how often dropout
    ran with training=True outside any `nn.Dropout` module while the outermost module was in eval
    mode: `F.dropout(x, p)` without `training=self.training`, which `model.eval()` cannot switch off.
    """

    def __init__(self, keep: int = 200, modules: "RootModules | None" = None,
                 on_backward: Callable[[float], None] | None = None, outputs: bool = False):
        super().__init__()
        self.keep = keep
        self.modules = modules
        self.on_backward = on_backward  # given the value of every scalar that backward() is called on
        self.ops: list[dict[str, Any]] = []
        self.outputs: list[torch.Tensor | None] | None = [] if outputs else None  # of each op kept, for `live`
        self.counts: Counter[str] = Counter()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        kind = KINDS.get(name)
        if name == "backward":
            self.counts["backward"] += 1
            if self.on_backward is not None and args and isinstance(args[0], torch.Tensor) and args[0].numel() == 1:
                self.on_backward(float(args[0].detach()))
        if kind is None:
            return func(*args, **kwargs)
        if kind == FLATTEN:  # a layer only when it flattens: known from its result
            result = func(*args, **kwargs)
            kept = _lowers_dims(args, kwargs, result) and self._record(kind, args, kwargs)
        else:
            kept = self._record(kind, args, kwargs)
            result = func(*args, **kwargs)
        if kept and self.outputs is not None:
            self.outputs.append(result if isinstance(result, torch.Tensor) else None)
        return result

    def _record(self, kind: str, args: tuple, kwargs: dict) -> bool:
        """Count the op; keep its description while fewer than `keep` are kept (True then)."""
        op = describe_op(kind, args, kwargs)
        self.counts[kind] += 1
        if op.get("training") is False:
            self.counts[f"{kind}:eval"] += 1
        if op.get("training") is True:
            self.counts[f"{kind}:train"] += 1
            if kind == "dropout" and self.modules is not None and self.modules.functional_in_eval():
                self.counts["dropout:on_in_eval"] += 1
        if op["grad"]:
            self.counts[f"{kind}:grad"] += 1
        if kind in WEIGHTED:  # every layer with weights, whatever kind: `weighted`, `weighted:grad`
            self.counts["weighted"] += 1
            self.counts["weighted:grad"] += op["grad"]
        if len(self.ops) >= self.keep:
            return False
        self.ops.append(op)
        return True

    def mark_live(self, output: Any, seed: int) -> None:
        """Mark each kept op `live` when the output depends on what it computed: the gradient of a
        random projection of `output` reaches the op's result. An op on a branch that is multiplied by
        0 or thrown away is not live, whatever ran. Needs `outputs=True` and a forward pass with
        gradients; leaves ops unmarked (unknown) when there is nothing to differentiate."""
        if self.outputs is None or not isinstance(output, torch.Tensor) or not output.requires_grad:
            return
        tracked = [i for i, result in enumerate(self.outputs) if result is not None and result.requires_grad]
        if not tracked:
            return
        projection = torch.randn(output.shape, generator=torch.Generator().manual_seed(seed)).to(output.device)
        try:
            grads = torch.autograd.grad(output, [self.outputs[i] for i in tracked], grad_outputs=projection,
                                        allow_unused=True)
        except RuntimeError:
            return
        for i, grad in zip(tracked, grads):
            self.ops[i]["live"] = grad is not None and bool(grad.abs().sum() > 0)


class RootModules:
    """Context manager: the distinct modules called from outside any other module, in call order,
    and for each module type how often it ran in eval mode."""

    def __init__(self) -> None:
        self.roots: dict[int, torch.nn.Module] = {}
        self.eval_calls: Counter[str] = Counter()
        self.calls = 0
        self._running: list[torch.nn.Module] = []  # the modules whose forward is running, outermost first

    def _pre(self, module: torch.nn.Module, args: Any) -> None:
        if not self._running:
            self.roots.setdefault(id(module), module)
        self._running.append(module)
        self.calls += 1
        if not module.training:
            self.eval_calls[type(module).__name__] += 1

    def _post(self, module: torch.nn.Module, args: Any, output: Any) -> None:
        if self._running:
            self._running.pop()

    def functional_in_eval(self) -> bool:
        """Whether an op running now runs in a model put in eval mode, and not inside an nn.Dropout."""
        return bool(self._running) and not self._running[0].training and not isinstance(
            self._running[-1], torch.nn.modules.dropout._DropoutNd)

    def __enter__(self) -> "RootModules":
        self._handles = [register_module_forward_pre_hook(self._pre),
                         register_module_forward_hook(self._post, always_call=True)]
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()


class TrainingCalls:
    """Context manager: how often `train()` called `zero_grad()` (on the optimizer or the model),
    `optimizer.step()`, and `step()` with no gradient at all in the optimizer's parameters (as after
    a `zero_grad()` placed between `backward()` and `step()`). Cheap: one step hook and two
    wrapped methods on the objects the grader hands `train()`, removed afterwards."""

    def __init__(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> None:
        self.model, self.optimizer = model, optimizer
        self.zero_grads = self.steps = self.steps_without_grad = 0

    def _counted(self, method: Any) -> Any:
        def zero_grad(*args: Any, **kwargs: Any) -> Any:
            self.zero_grads += 1
            return method(*args, **kwargs)

        return zero_grad

    def _pre_step(self, optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        self.steps += 1
        if all(p.grad is None or not bool(p.grad.any()) for group in optimizer.param_groups for p in group["params"]):
            self.steps_without_grad += 1

    def __enter__(self) -> "TrainingCalls":
        self._handle = (self.optimizer.register_step_pre_hook(self._pre_step)
                        if isinstance(self.optimizer, torch.optim.Optimizer) else None)
        self._wrapped = []
        for owner in (self.optimizer, self.model):
            try:
                owner.zero_grad = self._counted(owner.zero_grad)
                self._wrapped.append(owner)
            except (AttributeError, TypeError):
                pass
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.remove()
        for owner in self._wrapped:
            try:
                del owner.zero_grad
            except AttributeError:
                pass

    def summary(self) -> dict[str, int | None]:
        """The counts; None where the grader could not count (an optimizer that is not a torch one)."""
        hooked = self._handle is not None
        return {"zero_grad": self.zero_grads if any(o is self.optimizer for o in self._wrapped) else None,
                "step": self.steps if hooked else None,
                "step_without_grad": self.steps_without_grad if hooked else None}


class LossTrace:
    """What `train()` back-propagated, batch by batch: the labels of each batch the grader's loader
    gave it, the model's outputs since, and the value `backward()` was called on. The trusted side
    recomputes the cross-entropy of those outputs and labels: a criterion that behaves only while
    the grader tests it alone, or a `train()` that minimises something else, shows here.
    Use: `loader.collate_fn = trace.collate(loader.collate_fn)`, the model's forward hook
    `trace.output`, and `OpRecorder(on_backward=trace.backward)`."""

    def __init__(self, cases: int = 3, outputs: int = 4) -> None:
        self.cases: list[dict[str, Any]] = []  # {"targets", "outputs": [...], "value"}
        self._most, self._outputs = cases, outputs
        self._targets: torch.Tensor | None = None
        self._seen: list[torch.Tensor] = []

    def collate(self, original: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def recording(batch: Any) -> Any:
            images, labels = original(batch)
            self._targets, self._seen = labels.clone(), []
            return images, labels

        return recording

    def output(self, module: torch.nn.Module, args: Any, output: Any) -> None:
        if isinstance(output, torch.Tensor) and len(self._seen) < self._outputs:
            self._seen.append(output.detach().float().cpu().clone())

    def backward(self, value: float) -> None:
        if self._targets is not None and len(self.cases) < self._most:
            self.cases.append({"targets": self._targets, "outputs": list(self._seen),
                               "value": value if math.isfinite(value) else None})


class PythonCalls:
    """The Python functions that ran while active, as named by `match` (a code object -> a name, or
    None to ignore it), seen by a profile hook: importing a function under another name hides
    nothing. `replaced` tells whether student code swapped the hook out (sys.setprofile)."""

    def __init__(self, match: Callable[[Any], str | None]) -> None:
        self.match = match
        self.names: list[str] = []
        self.replaced = False

    def _profile(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            name = self.match(frame.f_code)
            if name is not None:
                self.names.append(name)

    def __enter__(self) -> "PythonCalls":
        self._previous = sys.getprofile()
        self._hook = self._profile  # one bound method, so that `is` can recognise it afterwards
        sys.setprofile(self._hook)
        return self

    def __exit__(self, *exc: object) -> None:
        self.replaced = sys.getprofile() is not self._hook
        sys.setprofile(self._previous)
