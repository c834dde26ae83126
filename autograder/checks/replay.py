"""The model rebuilt outside the student's process: a numpy replay of the sandbox's tape.

Why: a check that believes the student's process about its own model (which layers ran, what it
predicted) can be fooled by code that patches the grader's probe. The tape (`probe/tape.py`)
is only data: weights and the ops that combined them. Replayed here, by a process that runs no
student code, on the test images this process holds, it either reproduces what the student's
model predicted (then it *is* that model, and its layers and accuracy are measured here) or it
does not ("the model that ran is not the model described"). Pure functions, numpy only.

The vocabulary is what the course's models run (linear, convolutions, pooling, batch norm in eval
mode, activations, reshapes, arithmetic); a tape with any other op raises `Unsupported`.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..layers import FLATTEN, KINDS, POOLING, TAPE_MAX_ELEMENTS, TAPE_MAX_OPS, WEIGHTED, is_layer


class Unsupported(Exception):
    """The tape holds an op the replay does not know (its name is the message), or one it cannot
    reproduce (dropout left on in eval mode is random)."""


def _pair(value: Any) -> tuple[int, int]:
    return (int(value[0]), int(value[-1])) if isinstance(value, (list, tuple)) else (int(value), int(value))


def _at(args: list, kwargs: dict, index: int, name: str, default: Any) -> Any:
    return kwargs[name] if name in kwargs else args[index] if len(args) > index else default


def _conv2d(a: list, k: dict) -> np.ndarray:
    x, w, b = a[0], a[1], _at(a, k, 2, "bias", None)
    stride, padding = _pair(_at(a, k, 3, "stride", 1)), _at(a, k, 4, "padding", 0)
    if _at(a, k, 5, "dilation", 1) not in (1, [1, 1]) or _at(a, k, 6, "groups", 1) != 1:
        raise Unsupported("conv2d(dilation, groups)")
    kh, kw = w.shape[2:]
    pad = ((kh - 1) // 2, (kw - 1) // 2) if padding == "same" else (0, 0) if padding == "valid" else _pair(padding)
    x = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::stride[0], ::stride[1]]  # a view: no copy
    out = np.einsum("ncijkl,ockl->noij", windows, w, optimize=True)
    return out if b is None else out + b[None, :, None, None]


def _pool2d(a: list, k: dict, maximum: bool) -> np.ndarray:
    x, kernel = a[0], _pair(_at(a, k, 1, "kernel_size", None))
    stride = _at(a, k, 2, "stride", None)
    stride = kernel if stride in (None, []) else _pair(stride)
    if _pair(_at(a, k, 3, "padding", 0)) != (0, 0) or _at(a, k, 5, "ceil_mode", False):
        raise Unsupported("pool2d(padding, ceil_mode)")
    oh, ow = (x.shape[2] - kernel[0]) // stride[0] + 1, (x.shape[3] - kernel[1]) // stride[1] + 1
    # one strided slice per window position, combined elementwise: far cheaper than reducing a window view
    slices = [x[:, :, i:i + stride[0] * oh:stride[0], j:j + stride[1] * ow:stride[1]]
              for i in range(kernel[0]) for j in range(kernel[1])]
    return functools.reduce(np.maximum, slices) if maximum else functools.reduce(np.add, slices) / len(slices)


def _batch_norm(a: list, k: dict) -> np.ndarray:
    x, mean, var = a[0], a[1], a[2]
    weight, bias = _at(a, k, 3, "weight", None), _at(a, k, 4, "bias", None)
    if _at(a, k, 5, "training", False) or mean is None or var is None:
        raise Unsupported("batch_norm(training=True)")  # batch statistics: not what eval mode computes
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + _at(a, k, 7, "eps", 1e-5))
    y = y if weight is None else y * weight.reshape(shape)
    return y if bias is None else y + bias.reshape(shape)


def _dropout(a: list, k: dict) -> np.ndarray:
    if _at(a, k, 2, "training", _at(a, k, 2, "train", True)) and _at(a, k, 1, "p", 0.5) > 0:
        raise Unsupported("dropout(training=True)")  # random in eval mode: no replay can reproduce it
    return a[0]


def _softmax(x: np.ndarray, dim: int, log: bool) -> np.ndarray:
    z = x - x.max(axis=dim, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=dim, keepdims=True))
    return log_p if log else np.exp(log_p)


def _shape(a: list) -> list[int]:
    return [int(s) for s in (a[1] if len(a) == 2 and isinstance(a[1], list) else a[1:])]


def _reshaped(a: list, traced: int) -> np.ndarray:
    """`x.view(...)`/`x.reshape(...)` where a leading literal equal to the traced batch size (a size
    chosen to be no layer's, `probe/phases.TAPE_BATCH`) is the batch size: `x.view(x.size(0), -1)`
    then replays on a batch of any size."""
    shape = _shape(a)
    if shape and shape[0] == traced:
        shape[0] = a[0].shape[0]
    return np.reshape(a[0], shape)


def _flatten(a: list, k: dict) -> np.ndarray:
    x = a[0]
    start, end = _at(a, k, 1, "start_dim", 0) % max(x.ndim, 1), _at(a, k, 2, "end_dim", -1) % max(x.ndim, 1)
    return x.reshape(*x.shape[:start], -1, *x.shape[end + 1:])


def _index(key: Any) -> Any:
    if isinstance(key, dict) and "slice" in key:
        return slice(*key["slice"])
    if isinstance(key, dict) and key.get("ellipsis"):
        return Ellipsis
    return tuple(_index(k) for k in key) if isinstance(key, list) else key


def _unary(f: Callable[[np.ndarray], np.ndarray]) -> Callable[[list, dict], np.ndarray]:
    return lambda a, k: f(a[0])


def _binary(f: Callable[[Any, Any], np.ndarray], swap: bool = False) -> Callable[[list, dict], np.ndarray]:
    """`f(a, b)` (`f(b, a)` for the reflected operators: `2 - x` is `x.__rsub__(2)`); `alpha` scales b."""
    def apply(a: list, k: dict) -> np.ndarray:
        other = a[1] * _at(a, k, 2, "alpha", 1)
        return f(other, a[0]) if swap else f(a[0], other)

    return apply


OPS: dict[str, Callable[[list, dict], Any]] = {
    "view": _shape, "reshape": _shape,  # replayed by `_reshaped`, which knows the traced batch size
    "linear": lambda a, k: a[0] @ a[1].T + (b if (b := _at(a, k, 2, "bias", None)) is not None else 0),
    "conv2d": _conv2d, "batch_norm": _batch_norm, "dropout": _dropout,
    "max_pool2d": lambda a, k: _pool2d(a, k, True), "avg_pool2d": lambda a, k: _pool2d(a, k, False),
    "relu": _unary(lambda x: np.maximum(x, 0)), "sigmoid": _unary(lambda x: 1 / (1 + np.exp(-x))),
    "tanh": _unary(np.tanh), "neg": _unary(np.negative), "__neg__": _unary(np.negative),
    "leaky_relu": lambda a, k: np.where(a[0] > 0, a[0], a[0] * _at(a, k, 1, "negative_slope", 0.01)),
    "elu": lambda a, k: np.where(a[0] > 0, a[0], _at(a, k, 1, "alpha", 1.0) * np.expm1(np.minimum(a[0], 0))),
    "softmax": lambda a, k: _softmax(a[0], _at(a, k, 1, "dim", -1), False),
    "log_softmax": lambda a, k: _softmax(a[0], _at(a, k, 1, "dim", -1), True),
    **{name: _binary(np.matmul) for name in ("matmul", "mm", "__matmul__")}, "__rmatmul__": _binary(np.matmul, True),
    **{name: _binary(np.add) for name in ("add", "__add__", "__radd__", "__iadd__")},
    **{name: _binary(np.subtract) for name in ("sub", "__sub__", "__isub__")},
    **{name: _binary(np.subtract, True) for name in ("rsub", "__rsub__")},
    **{name: _binary(np.multiply) for name in ("mul", "__mul__", "__rmul__", "__imul__")},
    **{name: _binary(np.divide) for name in ("div", "true_divide", "__truediv__", "__itruediv__")},
    "__rtruediv__": _binary(np.divide, True),
    "flatten": _flatten, "t": _unary(np.transpose),
    "transpose": lambda a, k: np.swapaxes(a[0], a[1], a[2]),
    "permute": lambda a, k: np.transpose(a[0], _shape(a)),
    "squeeze": lambda a, k: np.squeeze(a[0], *a[1:2]) if len(a) < 2 or a[0].shape[a[1]] == 1 else a[0],
    "unsqueeze": lambda a, k: np.expand_dims(a[0], a[1]),
    "__getitem__": lambda a, k: a[0][_index(a[1])],
    **{name: _unary(lambda x: x) for name in ("contiguous", "clone", "detach", "float", "to", "cpu")},
}


def _name(fn: str) -> str:
    """An op's replay name: the in-place form (`relu_`, `add_`) computes what the plain one does."""
    return fn[:-1] if fn.endswith("_") and not fn.endswith("__") else fn


def _decode(value: Any, values: list[Any], inputs: np.ndarray, constants: dict[str, np.ndarray]) -> Any:
    if isinstance(value, dict) and "t" in value:
        ref = value["t"]
        if ref == "in":
            return inputs
        if ref[0] == "c":
            return constants[f"c{ref[1]}"]
        result = values[ref[1]]
        return result[ref[2]] if len(ref) > 2 and result is not None else result
    if isinstance(value, list):
        return [_decode(v, values, inputs, constants) for v in value]
    if isinstance(value, dict) and "slice" in value:
        return {"slice": [_decode(v, values, inputs, constants) for v in value["slice"]]}
    if isinstance(value, dict) and "other" in value:
        return None  # a dtype or device: every replayed value is float32 on the CPU
    return value


def _arguments(op: dict[str, Any], values: list[Any], inputs: np.ndarray,
               constants: dict[str, np.ndarray]) -> tuple[list[Any], dict[str, Any]]:
    return (_decode(op["args"], values, inputs, constants),
            {name: _decode(v, values, inputs, constants) for name, v in op["kwargs"].items()})


def check_vocabulary(tape: dict[str, Any]) -> None:
    """Raise Unsupported for the first op the replay does not know (before any arithmetic)."""
    if not tape.get("complete") or len(tape["ops"]) > TAPE_MAX_OPS:
        raise Unsupported("(tape cut short)")
    for op in tape["ops"]:
        if _name(op["fn"]) not in OPS:
            raise Unsupported(op["fn"])


def run(tape: dict[str, Any], constants: dict[str, np.ndarray], inputs: np.ndarray,
        perturb: tuple[int, np.ndarray] | None = None, values: list[Any] | None = None) -> tuple[np.ndarray, list[Any]]:
    """The tape's output on `inputs` (a batch of any size, each item shaped as traced), and every
    op's value. `perturb` (op index, noise) adds noise to one op's result; `values` resumes a replay
    after that op."""
    values = list(values or [])
    with np.errstate(all="ignore"):
        for op in tape["ops"][len(values):]:
            args, kwargs = _arguments(op, values, inputs, constants)
            try:
                name = _name(op["fn"])
                result = _reshaped(args, tape["batch"][0]) if name in ("view", "reshape") else OPS[name](args, kwargs)
            except (ValueError, TypeError, IndexError, KeyError, AttributeError, MemoryError) as exc:
                # shapes or arguments the replay cannot follow
                raise Unsupported(f"{op['fn']} ({type(exc).__name__})") from None
            result = np.asarray(result, np.float32) if not isinstance(result, (tuple, list)) else result
            if np.size(result) > TAPE_MAX_ELEMENTS:
                raise Unsupported(f"{op['fn']} (too large)")
            if perturb is not None and perturb[0] == len(values):
                result = result + perturb[1].reshape(result.shape)
            values.append(result)
    return np.asarray(_decode({"t": tape["output"]}, values, inputs, constants)), values


def predictions(tape: dict[str, Any], constants: dict[str, np.ndarray], images: np.ndarray,
                chunk: int = 500) -> np.ndarray:
    """The replayed model's predicted class of each image (float32 pixels in [0, 1], each shaped as
    in the traced batch), `chunk` images at a time."""
    out = [np.argmax(run(tape, constants, images[start:start + chunk])[0].reshape(len(images[start:start + chunk]), -1),
                     axis=1) for start in range(0, len(images), chunk)]
    return np.concatenate(out).astype(np.int64)


def layers(tape: dict[str, Any], constants: dict[str, np.ndarray], inputs: np.ndarray,
           seed: int) -> list[dict[str, Any]]:
    """The layers the tape ran, as `probe/tracing.describe_op` describes them (kind, sizes, p), each
    `live` when perturbing its result changes the model's output: measured here, not reported."""
    output, values = run(tape, constants, inputs)
    rng = np.random.default_rng(seed)
    found = []
    for i, op in enumerate(tape["ops"]):
        kind = KINDS.get(op["fn"])
        if kind is None:
            continue
        args, kwargs = _arguments(op, values, inputs, constants)
        if kind == FLATTEN and np.ndim(values[i]) >= np.ndim(args[0]):
            continue  # a reshape that keeps the dimensions is no layer (as `OpRecorder` records)
        entry = _described(kind, args, kwargs)
        if is_layer(kind):
            value = np.asarray(values[i] if not isinstance(values[i], (tuple, list)) else values[i][0])
            # Noise far larger than the value: a trained layer saturated on these inputs still passes
            # it on, while a branch multiplied by 0 or thrown away leaves the output bit for bit the same.
            scale = 1e3 * (float(np.nanmax(np.abs(value), initial=0.0)) + 1.0)
            noise = rng.standard_normal(value.shape).astype(np.float32) * np.float32(scale)
            changed = run(tape, constants, inputs, (i, noise), values[:i])[0]
            entry["live"] = not np.array_equal(changed, output, equal_nan=True)
        found.append(entry)
    return found


def static_layers(tape: dict[str, Any], constants: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """The layers of a tape the replay cannot run, described from its constants and literals alone
    (a weight's shape, BatchNorm's running mean, dropout's p): liveness unknown, so none is `live`
    or dead, and a reshape is left out."""
    values: list[Any] = [None] * len(tape.get("ops", []))
    found = []
    for op in tape.get("ops", []):
        kind = KINDS.get(op["fn"])
        if kind is not None and kind != FLATTEN:
            found.append(_described(kind, *_arguments(op, values, None, constants)))
    return found


def _described(kind: str, a: list, k: dict) -> dict[str, Any]:
    """What `describe_op` records of an op, from the replayed arguments (shapes of real arrays)."""
    op: dict[str, Any] = {"kind": kind}
    if kind in WEIGHTED and np.ndim(a[1]) >= 2:
        weight = np.asarray(a[1])
        op["in"], op["out"] = int(weight.shape[1]), int(weight.shape[0])
        if weight.ndim > 2:
            op["kernel"] = [int(s) for s in weight.shape[2:]]
    elif kind == "batch_norm":
        op["features"] = (int(np.shape(a[0])[1]) if a[0] is not None and np.ndim(a[0]) > 1 else
                          int(np.size(a[1])) if len(a) > 1 and a[1] is not None else None)
    elif kind == "dropout":
        op["p"] = float(_at(a, k, 1, "p", 0.5))
    elif kind in POOLING and "adaptive" not in kind:
        op["kernel"] = list(_pair(_at(a, k, 1, "kernel_size", 0)))
    return op
