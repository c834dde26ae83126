"""The layers the grader recognises in a forward pass, by the torch function each one runs.

Plain data, shared by the sandbox's op recorder (`probe/tracing.py`, which names each op it sees
by `KINDS`) and the trusted checks (`checks/model.py`, which group and show them): no torch here.
Whatever style a model is written in (`nn.Sequential`, an `nn.Module` with `F.*` calls, `x.view`),
its layers run these functions, so a check judges the same ops for every style.

An op's kind is torch's function name without the in-place underscore or the `_with_indices`
variant (`max_pool2d_with_indices` is `max_pool2d`); every dropout is `dropout`, and a
view/reshape/flatten that lowers the number of dimensions is `flatten` (one that keeps them is not
recorded: `x.view(-1, 784)` on a flattened batch is no layer).
"""

from __future__ import annotations

WEIGHTED = frozenset({"linear", "bilinear", "conv1d", "conv2d", "conv3d",
                      "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"})
CONVOLUTIONS = WEIGHTED - {"linear", "bilinear"}
POOLING = frozenset(f"{kind}{d}d" for d in (1, 2, 3) for kind in (
    "max_pool", "avg_pool", "adaptive_max_pool", "adaptive_avg_pool", "lp_pool")) | {
    "fractional_max_pool2d", "fractional_max_pool3d"}
ACTIVATIONS = frozenset({
    "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "prelu", "rrelu", "glu",
    "hardtanh", "hardsigmoid", "hardswish", "sigmoid", "tanh", "logsigmoid", "softplus", "softsign",
    "tanhshrink", "softshrink", "hardshrink", "threshold"})
NORMALISATIONS = frozenset({"batch_norm", "layer_norm", "group_norm", "instance_norm", "local_response_norm",
                            "rms_norm"})
OUTPUTS = frozenset({"softmax", "log_softmax", "softmin"})
DROPOUT = "dropout"
FLATTEN = "flatten"
RESHAPES = frozenset({"flatten", "view", "reshape"})  # torch functions recorded as `flatten` when they lower the dims

_DROPOUTS = ("dropout", "dropout1d", "dropout2d", "dropout3d", "feature_dropout", "alpha_dropout",
             "feature_alpha_dropout")
KINDS: dict[str, str] = {
    **{name: name for name in (*WEIGHTED, *POOLING, *ACTIVATIONS, *NORMALISATIONS, *OUTPUTS)},
    **{f"{name}_": name for name in ("relu", "leaky_relu", "elu", "selu", "celu", "rrelu", "hardtanh", "sigmoid",
                                     "tanh", "threshold", "silu", "mish", "hardswish", "hardsigmoid")},
    **{f"{name}_with_indices": name for name in POOLING if "max_pool" in name},
    **{name: DROPOUT for name in _DROPOUTS}, **{f"{name}_": DROPOUT for name in _DROPOUTS},
    **{name: FLATTEN for name in RESHAPES},
}

# The most ops a tape of one forward pass holds (probe/tape.py cuts it there; checks/replay.py runs
# no longer one): more than any course model makes, few enough that the trusted side's replay,
# which replays the rest of the tape once per layer to measure liveness, stays cheap.
TAPE_MAX_OPS = 400
TAPE_MAX_ELEMENTS = 1 << 25  # the largest value the replay computes (128 MiB of float32)

# How a message shows a kind (the name of the nn module a student would write); a kind not listed
# is shown as it is (`sigmoid`, `tanh`, `log_softmax`).
NAMES: dict[str, str] = {
    "linear": "Linear", "bilinear": "Bilinear", "batch_norm": "BatchNorm", "relu": "ReLU", "dropout": "Dropout",
    "flatten": "Flatten", "layer_norm": "LayerNorm", "group_norm": "GroupNorm", "instance_norm": "InstanceNorm",
    "local_response_norm": "LocalResponseNorm", "rms_norm": "RMSNorm",
    **{f"conv{d}d": f"Conv{d}d" for d in (1, 2, 3)}, **{f"conv_transpose{d}d": f"ConvTranspose{d}d" for d in (1, 2, 3)},
    **{f"max_pool{d}d": f"MaxPool{d}d" for d in (1, 2, 3)}, **{f"avg_pool{d}d": f"AvgPool{d}d" for d in (1, 2, 3)},
    **{f"adaptive_max_pool{d}d": f"AdaptiveMaxPool{d}d" for d in (1, 2, 3)},
    **{f"adaptive_avg_pool{d}d": f"AdaptiveAvgPool{d}d" for d in (1, 2, 3)},
    **{f"lp_pool{d}d": f"LPPool{d}d" for d in (1, 2, 3)},
}


def shown(kind: str) -> str:
    return NAMES.get(kind, kind)


def is_layer(kind: str) -> bool:
    """Whether an op is a layer of the model's structure: everything recorded but reshaping, which
    only says how the same numbers are laid out (`order` and `architecture` compare layers)."""
    return kind != FLATTEN
