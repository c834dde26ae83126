"""Checks on the model `build_model()` returns: `shapes`, `order`, `dropout`, `init`; and
`architecture`, the layers any named builder's model runs (the XOR and softmax-tips labs).

`shapes` and `init` judge the layers and weights right after `build_model()`; `order` and
`dropout` judge a forward pass, so only they report an error raised by `forward()`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..config import Assignment
from ..rubric import DropoutCheck, InitCheck, OrderCheck, ShapesCheck
from ..rubric_labs import ArchitectureCheck
from .base import Verdict, check, failed, passed
from .observations import Observations, Unavailable
from .init_stats import law_stats, layer_stats

OP_NAMES = {"linear": "Linear", "batch_norm": "BatchNorm", "relu": "ReLU", "dropout": "Dropout",
            "log_softmax": "log_softmax", "softmax": "softmax"}


def _arrow(pairs: list[tuple[int, int]] | list[list[int]]) -> str:
    return ", ".join(f"{a}→{b}" for a, b in pairs) or "none"


def _difference(first: list[dict[str, Any]], later: list[dict[str, Any]]) -> str | None:
    """How a later build differs from the first, in words; None when it is the same model."""
    def layers(modules: list[dict[str, Any]]) -> list[str]:
        return [f"{m['type']}({', '.join(str(m[k]) for k in ('in', 'out', 'features', 'p') if k in m)})"
                for m in modules if m.get("name")]
    if layers(first) != layers(later):
        return f"first {', '.join(layers(first)) or 'no layers'}; later {', '.join(layers(later)) or 'no layers'}"
    for a, b in zip(first, later):
        if "std" in a and "std" in b and a["std"] > 0 and abs(b["std"] / a["std"] - 1) > 0.2:
            return (f"the weight of Linear {a['in']}→{a['out']} is initialised differently (std {a['std']:.4f} "
                    f"the first time, {b['std']:.4f} later)")
    return None


def same_model_every_time(obs: Observations) -> None:
    """The structure checks judge the model of the first `build_model()` call; the grader trains
    models from later calls. When they differ, none of these checks can stand (Unavailable, one
    cause explained once)."""
    first = obs.phase("build")["modules"]
    try:
        builds = obs.phase("train").get("builds") or []
    except Unavailable:
        return
    for number, build in enumerate(builds[1:], start=2):
        difference = _difference(first, build.get("modules") or [])
        if difference:
            raise Unavailable(f"build_model() returned a different model on call {number} of {len(builds)} "
                              f"({difference}). The grader judges the model it trains, so build_model() must build "
                              "the same model every time it is called.",
                              "build_model() returns different models", key="different models")


@check("shapes", lambda cfg: "Layer sizes (Linear and BatchNorm1d)" if cfg.batchnorm else "Layer sizes (Linear)",
       phases=("build",))
def check_shapes(obs: Observations, cfg: ShapesCheck, assignment: Assignment) -> Verdict:
    same_model_every_time(obs)
    modules = obs.phase("build")["modules"]
    linear = [(m["in"], m["out"]) for m in modules if m["type"] == "Linear"]
    norms = [m["features"] for m in modules if "features" in m]
    norm_types = {m["type"] for m in modules if "features" in m}
    want_linear = [tuple(pair) for pair in cfg.linear]
    problems = []
    if Counter(linear) != Counter(want_linear):
        problems.append(f"Linear layers are {_arrow(linear)}; the lab asks for {_arrow(want_linear)}")
    if Counter(norms) != Counter(cfg.batchnorm):
        sizes = ", ".join(f"BatchNorm1d({n})" for n in norms) or "no BatchNorm layer"
        wanted = ", ".join(f"BatchNorm1d({n})" for n in cfg.batchnorm)
        problems.append(f"found {sizes}; the lab asks for {wanted} (one per hidden layer)" if wanted else
                        f"found {sizes}; this lab's model has no BatchNorm layer")
    elif norm_types - {"BatchNorm1d"}:
        problems.append(f"you used {', '.join(sorted(norm_types - {'BatchNorm1d'}))}; after a Linear layer use "
                        "torch.nn.BatchNorm1d (BatchNorm2d is for images shaped N×C×H×W)")
    if problems:
        text = "; ".join(problems)
        return failed(text[:1].upper() + text[1:] + ".")
    norms_text = f" and {len(norms)} BatchNorm1d layers" if norms else ""
    return passed(f"Linear {_arrow(linear)}{norms_text}, as asked.")


def forward_pass(obs: Observations) -> dict[str, Any]:
    """The `build` observations of a forward pass that ran (or the error it raised, as Unavailable)."""
    same_model_every_time(obs)
    build = obs.phase("build")
    if "forward_error" in build:
        obs.raise_student_error(build["forward_error"])
    return build


def live_ops(build: dict[str, Any]) -> list[dict[str, Any]]:
    """The ops of the grader's forward pass that the output depends on (`OpRecorder.mark_live`): a
    required op on a branch multiplied by 0 does not count."""
    return [op for op in build["ops"] if op.get("live", True)]


def _ran(ops: list[dict[str, Any]]) -> list[str]:
    return [op["kind"] for op in ops]


def _pretty(kinds: list[str]) -> str:
    return " → ".join(OP_NAMES.get(kind, kind) for kind in kinds) or "nothing"


@check("order", lambda cfg: f"Block order {_pretty(cfg.block)}", phases=("build",))
def check_order(obs: Observations, cfg: OrderCheck, assignment: Assignment) -> Verdict:
    build = forward_pass(obs)
    kinds = _ran(live_ops(build))
    dead = len(build["ops"]) - len(live_ops(build))
    if kinds and kinds[-1] == "log_softmax":
        kinds = kinds[:-1]
    expected = cfg.block * cfg.hidden_blocks + ["linear"]
    if kinds == expected:
        return passed(f"A forward pass ran {_pretty(kinds)}.")
    hint = ""
    if "softmax" in kinds:
        hint = " Do not end the model with softmax: CrossEntropyLoss applies log-softmax itself."
    elif kinds and kinds[-1] != "linear":
        hint = " The last layer should be the output Linear layer."
    if dead:
        hint += (f" {dead} more ops ran, but the model's output does not depend on them (a branch multiplied by 0 "
                 "or thrown away): only what the output is computed from counts.")
    return failed(f"The output of your model is computed by {_pretty(kinds)}; each hidden block should run "
                  f"{_pretty(cfg.block)}, {cfg.hidden_blocks} blocks, then the output Linear.{hint}")


@check("dropout", "Dropout probability", phases=("build",))
def check_dropout(obs: Observations, cfg: DropoutCheck, assignment: Assignment) -> Verdict:
    ps = [op["p"] for op in live_ops(forward_pass(obs)) if op["kind"] == "dropout"]
    if not ps:
        return failed(f"No dropout ran in a training-mode forward pass; add Dropout(p={cfg.p}) after each ReLU.")
    wrong = sorted({p for p in ps if abs(p - cfg.p) > 1e-9})
    if wrong:
        return failed(f"Dropout ran with p = {', '.join(f'{p:g}' for p in wrong)}; the lab asks for p={cfg.p}.")
    return passed(f"Dropout ran {len(ps)} times, always with p={cfg.p}.")


@check("init", lambda cfg: "Xavier initialisation of the Linear weights" if cfg.scheme == "xavier"
       else "N(0, 1) initialisation of the Linear weights (torch.nn.init.normal_)", phases=("build",))
def check_init(obs: Observations, cfg: InitCheck, assignment: Assignment) -> Verdict:
    same_model_every_time(obs)
    names = obs.phase("build")["weights"]
    if not names:
        return failed("The model has no torch.nn.Linear layer whose weight could be checked.")
    weights = obs.arrays("init.safetensors")
    if cfg.scheme == "normal":
        return _standard_normal(weights, names, cfg)
    alpha = cfg.false_failure_rate / (2 * len(names))
    lines, bad = [], []
    for name in names:
        stats = layer_stats(weights[name], alpha)
        lo, hi = stats.interval
        line = (f"Linear {stats.fan_in}→{stats.fan_out}: weight std {stats.std:.4f}, Xavier expects "
                f"{stats.expected_std:.4f} (accepted {stats.expected_std * lo ** 0.5:.4f}–{stats.expected_std * hi ** 0.5:.4f})")
        if not stats.ok:
            if not (lo <= stats.ratio <= hi):
                other = stats.closest_other()
                line += f", which looks like {other}" if other else ""
            else:
                line += f", but the mean is {stats.mean_z * stats.expected_std:+.4f}, not 0"
            bad.append(line)
        lines.append(line)
    if bad:
        return failed("Not Xavier-initialised: " + "; ".join(bad) + ". Use torch.nn.init.xavier_uniform_ "
                      "(or xavier_normal_) on each Linear weight inside build_model().")
    return passed("; ".join(lines) + ".")


def _standard_normal(weights: dict[str, Any], names: list[str], cfg: InitCheck) -> Verdict:
    """Every Linear weight drawn from N(0, 1) (`init_stats.law_stats`: scale, mean and the normal
    law's tail, rigorous bounds)."""
    alpha = cfg.false_failure_rate / (3 * len(names))
    lines, bad = [], []
    for name in names:
        stats = law_stats(weights[name], "unit", "normal", alpha)
        lo, hi = stats.interval
        line = f"Linear {stats.fan_in}→{stats.fan_out}: weight std {stats.std:.4f} (N(0, 1): accepted {lo ** 0.5:.4f}–{hi ** 0.5:.4f})"
        if not stats.scale_ok:
            mistake = stats.likely_mistake()
            bad.append(line + (f", which looks like {mistake}" if mistake else ""))
        elif not stats.ok:
            bad.append(line + ", but the values are not normally distributed around 0")
        lines.append(line)
    if bad:
        return failed("Not N(0, 1): " + "; ".join(bad) + ". Initialise each Linear weight with "
                      "torch.nn.init.normal_(linear.weight), as the lab does.")
    return passed("; ".join(lines) + ".")

def _layers(pairs: list[tuple[int, int]] | list[list[int]], activation: str) -> str:
    name = {"sigmoid": "Sigmoid", "relu": "ReLU", "none": ""}[activation]
    return " → ".join(f"Linear({a}, {b})" + (f" → {name}" if name else "") for a, b in pairs)


@check("architecture", lambda cfg: f"{cfg.builder}(): {_layers(cfg.layers, cfg.activation)}", phases=("architectures",),
       asks=lambda cfg: {"architectures": {cfg.builder: cfg.layers[0][0]}})
def check_architecture(obs: Observations, cfg: ArchitectureCheck, assignment: Assignment) -> Verdict:
    """The layers one builder's model runs, in order, judged from a forward pass (any style)."""
    model = obs.phase("architectures")["models"].get(cfg.builder, {})
    if "error" in model:
        obs.raise_student_error(model["error"])
    ran = [op for op in model["ops"] if op["kind"] in ("linear", "sigmoid", "relu", "tanh", "softmax", "log_softmax")]
    seen = [(op["kind"], (op.get("in"), op.get("out"))) for op in ran]
    after = [] if cfg.activation == "none" else [(cfg.activation, (None, None))]
    expected = [step for pair in cfg.layers for step in (("linear", tuple(pair)), *after)]
    unbiased = sum(op["kind"] == "linear" and op.get("bias") is False for op in ran)
    if seen == expected and cfg.bias and unbiased:
        return failed(f"{unbiased} Linear layer(s) of {cfg.builder}() have no bias (bias=False): without it the "
                      "decision boundary must pass through 0. Use torch.nn.Linear(in, out, bias=True), the default.")
    if seen == expected:
        return passed(f"A forward pass ran {_layers(cfg.layers, cfg.activation)}.")
    shown = " → ".join(f"Linear({a}, {b})" if kind == "linear" else kind.capitalize() for kind, (a, b) in seen)
    each = ("" if cfg.activation == "none" else f" (each Linear followed by its {cfg.activation})")
    hint = (" Return the Linear layer's output (the logits): F.cross_entropy applies the softmax itself."
            if cfg.activation == "none" and any(kind in ("softmax", "log_softmax") for kind, _ in seen) else "")
    return failed(f"A forward pass of {cfg.builder}() ran {shown or 'nothing'}; the lab's model is "
                  f"{_layers(cfg.layers, cfg.activation)}{each}.{hint}")