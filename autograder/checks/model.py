"""Checks on the model `build_model()` returns: `shapes`, `order`, `dropout`, `init`; and
`architecture`, the layers any named builder's model runs (the XOR and softmax-tips labs).

`shapes` and `init` judge the layers and weights right after `build_model()`; `order` and
`dropout` judge a forward pass, so only they report an error raised by `forward()`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..catalog import Joined, Msg, join, msg
from ..config import Assignment
from ..rubric import ArchitectureCheck, DropoutCheck, InitCheck, OrderCheck, ShapesCheck
from ..layers import ACTIVATIONS, DROPOUT, NORMALISATIONS, OUTPUTS, is_layer, shown as op_name
from .base import Verdict, check, failed, passed
from .rebuilt import confirm
from .observations import Observations, Unavailable
from .init_stats import law_stats, layer_stats


def _arrow(pairs: list[tuple[int, int]] | list[list[int]]) -> Joined | Msg:
    return join((f"{a}→{b}" for a, b in pairs), ", ") if pairs else msg("shapes.none")


def _difference(first: list[dict[str, Any]], later: list[dict[str, Any]]) -> Msg | None:
    """How a later build differs from the first, in words; None when it is the same model."""
    def layers(modules: list[dict[str, Any]]) -> list[str]:
        return [f"{m['type']}({', '.join(str(m[k]) for k in ('in', 'out', 'features', 'p', 'kernel', 'stride', 'padding') if k in m)})"
                for m in modules if m.get("name")]

    def shown(modules: list[dict[str, Any]]) -> Joined | Msg:
        return join(layers(modules), ", ") if layers(modules) else msg("model.no_layers")
    if layers(first) != layers(later):
        return msg("model.difference.layers", first=shown(first), later=shown(later))
    for a, b in zip(first, later):
        if "std" in a and "std" in b and a["std"] > 0 and abs(b["std"] / a["std"] - 1) > 0.2:
            return msg("model.difference.init", fan_in=a["in"], fan_out=a["out"], first=a["std"], later=b["std"])
    return None


def same_model_every_time(obs: Observations) -> None:
    """The structure checks judge the model of the first `build_model()` call; the grader trains
    models from later calls. When they differ, none of these checks can stand (Unavailable, one
    cause explained once); nor when the trained model, rebuilt by the trusted side, is not the
    model `build` described (`rebuilt.confirm`)."""
    build = obs.phase("build")
    try:
        builds = obs.phase("train").get("builds") or []
    except Unavailable:
        return
    for number, later in enumerate(builds[1:], start=2):
        difference = _difference(build["modules"], later.get("modules") or [])
        if difference:
            raise Unavailable(msg("model.different_models", call=number, calls=len(builds), difference=difference),
                              msg("model.different_models.short"), key="different models")
    confirm(obs, build)


def _conv(entry: dict[str, Any] | Any) -> str:
    """A convolution as code shows it (the same in every language): `Conv2d(1, 32, kernel_size=3, padding=1)`."""
    if isinstance(entry, dict):
        name, (c_in, c_out) = entry["type"], (entry["in"], entry["out"])
        kernel, stride, padding = (_one(entry[key]) for key in ("kernel", "stride", "padding"))
    else:  # a ConvShape of grader.toml
        name, (c_in, c_out), kernel, stride, padding = "Conv2d", entry.channels, entry.kernel, entry.stride, entry.padding
    extra = (f", stride={stride}" if stride != 1 else "") + (f", padding={padding}" if padding != 0 else "")
    return f"{name}({c_in}, {c_out}, kernel_size={kernel}{extra})"


def _one(values: list[int]) -> int | tuple[int, ...]:
    return values[0] if len(set(values)) == 1 else tuple(values)


def _conv_problem(modules: list[dict[str, Any]], cfg: ShapesCheck) -> Msg | None:
    """The convolutions against the configured ones (in any order), when the lab configures them."""
    if cfg.conv is None:
        return None
    found = [m for m in modules if "kernel" in m and "in" in m]
    key = lambda c_in, c_out, kernel, stride, padding: (c_in, c_out, _one(kernel), _one(stride), _one(padding))  # noqa: E731
    have = Counter(key(m["in"], m["out"], m["kernel"], m["stride"], m["padding"]) for m in found)
    want = Counter((c.channels[0], c.channels[1], c.kernel, c.stride, c.padding) for c in cfg.conv)
    if have == want:
        return None
    listed = join((_conv(m) for m in found), ", ") if found else msg("shapes.none")
    return msg("shapes.failed.conv", found=listed, expected=join((_conv(c) for c in cfg.conv), ", "))


def _shapes_title(cfg: ShapesCheck) -> Msg:
    if cfg.conv:
        return msg("shapes.title.conv")
    return msg("shapes.title.batchnorm" if cfg.batchnorm else "shapes.title")


@check("shapes", _shapes_title, phases=("build",))
def check_shapes(obs: Observations, cfg: ShapesCheck, assignment: Assignment) -> Verdict:
    same_model_every_time(obs)
    modules = obs.phase("build")["modules"]
    linear = [(m["in"], m["out"]) for m in modules if m["type"] == "Linear"]
    norms = [m["features"] for m in modules if "features" in m]
    norm_types = {m["type"] for m in modules if "features" in m}
    want_linear = [tuple(pair) for pair in cfg.linear]
    problems = [problem for problem in (_conv_problem(modules, cfg),) if problem]
    if Counter(linear) != Counter(want_linear):
        problems.append(msg("shapes.failed.linear", found=_arrow(linear), expected=_arrow(want_linear)))
    if Counter(norms) != Counter(cfg.batchnorm):
        sizes = join((f"BatchNorm1d({n})" for n in norms), ", ") if norms else msg("shapes.no_batchnorm")
        wanted = join((f"BatchNorm1d({n})" for n in cfg.batchnorm), ", ")
        problems.append(msg("shapes.failed.batchnorm", found=sizes, expected=wanted) if cfg.batchnorm else
                        msg("shapes.failed.batchnorm.unwanted", found=sizes))
    elif norm_types - {"BatchNorm1d"}:
        problems.append(msg("shapes.failed.not_1d", used=join(sorted(norm_types - {"BatchNorm1d"}), ", ")))
    if problems:
        return failed(join(problems, " "))  # each problem is a sentence
    if cfg.conv:
        return passed(msg("shapes.passed.conv", conv=join((_conv(c) for c in cfg.conv), ", "), linear=_arrow(linear)))
    if norms:
        return passed(msg("shapes.passed.batchnorm.one" if len(norms) == 1 else "shapes.passed.batchnorm.many",
                          linear=_arrow(linear), count=len(norms)))
    return passed(msg("shapes.passed", linear=_arrow(linear)))


def forward_pass(obs: Observations) -> dict[str, Any]:
    """The `build` observations of a forward pass that ran (or the error it raised, as Unavailable)."""
    same_model_every_time(obs)
    build = obs.phase("build")
    if "forward_error" in build:
        obs.raise_student_error(build["forward_error"])
    return build


def live_ops(build: dict[str, Any]) -> list[dict[str, Any]]:
    """The layers of the grader's forward pass that the output depends on (`OpRecorder.mark_live`): a
    required op on a branch multiplied by 0 does not count, nor does a flatten (`x.view(x.size(0), -1)`,
    `nn.Flatten`), which only lays the same numbers out again."""
    return [op for op in build["ops"] if op.get("live", True) and is_layer(op["kind"])]


def _ran(ops: list[dict[str, Any]]) -> list[str]:
    return [op["kind"] for op in ops]


def _pretty(kinds: list[str]) -> Joined | Msg:
    return join((op_name(kind) for kind in kinds), " → ") if kinds else msg("order.nothing")


@check("order", lambda cfg: msg("order.title", block=_pretty(cfg.block)), phases=("build",))
def check_order(obs: Observations, cfg: OrderCheck, assignment: Assignment) -> Verdict:
    build = forward_pass(obs)
    kinds = _ran(live_ops(build))
    dead = sum(is_layer(op["kind"]) for op in build["ops"]) - len(live_ops(build))
    if kinds and kinds[-1] == "log_softmax":
        kinds = kinds[:-1]
    expected = cfg.block * cfg.hidden_blocks + ["linear"]
    if kinds == expected:
        return passed(msg("order.passed", ran=_pretty(kinds)))
    sentences = [msg("order.failed", ran=_pretty(kinds), block=_pretty(cfg.block), blocks=cfg.hidden_blocks)]
    if "softmax" in kinds:
        sentences.append(msg("order.hint.softmax"))
    elif kinds and kinds[-1] != "linear":
        sentences.append(msg("order.hint.last_not_linear"))
    if dead:
        sentences.append(msg("order.hint.dead.one" if dead == 1 else "order.hint.dead.many", count=dead))
    return failed(join(sentences, " "))


@check("dropout", msg("dropout.title"), phases=("build",))
def check_dropout(obs: Observations, cfg: DropoutCheck, assignment: Assignment) -> Verdict:
    ps = [op["p"] for op in live_ops(forward_pass(obs)) if op["kind"] == "dropout"]
    if not ps:
        return failed(msg("dropout.failed.none_ran", p=cfg.p))
    wrong = sorted({p for p in ps if abs(p - cfg.p) > 1e-9})
    if wrong:
        return failed(msg("dropout.failed.wrong_p", found=join((f"{p:g}" for p in wrong), ", "), p=cfg.p))
    return passed(msg("dropout.passed.one" if len(ps) == 1 else "dropout.passed.many", count=len(ps), p=cfg.p))


def _init_title(cfg: InitCheck) -> Msg:
    if cfg.layers == ["linear"]:
        return msg("init.title.xavier" if cfg.scheme == "xavier" else "init.title.normal")
    return msg("init.title.xavier.layers" if cfg.scheme == "xavier" else "init.title.normal.layers", layers=_judged(cfg))


def _judged(cfg: InitCheck) -> Joined:
    return join(({"linear": "Linear", "conv": "Conv"}[layer] for layer in cfg.layers), ", ")


def _labelled(build: dict[str, Any], cfg: InitCheck) -> dict[str, str | None]:
    """The weights `init` judges (safetensors names), each with its convolution's label, or None
    for a Linear weight (whose messages name it by its sizes)."""
    names: dict[str, str | None] = {name: None for name in build["weights"]} if "linear" in cfg.layers else {}
    if "conv" in cfg.layers:
        entries = {m.get("name") or m["type"].lower(): m for m in build["modules"]}
        names.update({name: _conv(entries[name]) if name in entries else name for name in build.get("conv_weights", [])})
    return names


@check("init", _init_title, phases=("build",))
def check_init(obs: Observations, cfg: InitCheck, assignment: Assignment) -> Verdict:
    """Every weight of the configured layers (the Linear ones by default) right after build_model();
    a model with none of them fails, saying so."""
    same_model_every_time(obs)
    names = _labelled(obs.phase("build"), cfg)
    if not names:
        return failed(msg("init.failed.no_linear") if cfg.layers == ["linear"] else
                      msg("init.failed.no_layers", layers=_judged(cfg)))
    weights = obs.arrays("init.safetensors")
    linear_only = cfg.layers == ["linear"]
    if cfg.scheme == "normal":
        return _standard_normal(weights, names, cfg, linear_only)
    alpha = cfg.false_failure_rate / (2 * len(names))
    lines, bad = [], []
    for name, label in names.items():
        stats = layer_stats(weights[name], alpha)
        lo, hi = stats.interval
        shown = dict(fan_in=stats.fan_in, fan_out=stats.fan_out, std=stats.std, expected=stats.expected_std,
                     low=stats.expected_std * lo ** 0.5, high=stats.expected_std * hi ** 0.5)
        named = {} if label is None else {"layer": label}  # a Linear is named by its sizes, a convolution by `label`
        line = msg("init.xavier.layer" if label is None else "init.xavier.any", **named, **shown)
        if not stats.ok:
            if not (lo <= stats.ratio <= hi):
                other = stats.closest_other()  # the name of an init (init_stats.REFERENCE_SCALES)
                line = msg("init.xavier.layer.looks_like" if label is None else "init.xavier.any.looks_like",
                           other=other, **named, **shown) if other else line
            else:
                line = msg("init.xavier.layer.mean" if label is None else "init.xavier.any.mean",
                           mean=stats.mean_z * stats.expected_std, **named, **shown)
            bad.append(line)
        lines.append(line)
    if bad:
        return failed(msg("init.failed.xavier" if linear_only else "init.failed.xavier.layers", problems=join(bad)))
    return passed(msg("init.passed", layers=join(lines)))


def _standard_normal(weights: dict[str, Any], names: dict[str, str | None], cfg: InitCheck, linear_only: bool) -> Verdict:
    """Every judged weight drawn from N(0, 1) (`init_stats.law_stats`: scale, mean and the normal
    law's tail, rigorous bounds)."""
    alpha = cfg.false_failure_rate / (3 * len(names))
    lines, bad = [], []
    for name, label in names.items():
        stats = law_stats(weights[name], "unit", "normal", alpha)
        lo, hi = stats.interval
        shown = dict(fan_in=stats.fan_in, fan_out=stats.fan_out, std=stats.std, low=lo ** 0.5, high=hi ** 0.5)
        named = {} if label is None else {"layer": label}
        line = msg("init.normal.layer" if label is None else "init.normal.any", **named, **shown)
        if not stats.scale_ok:
            mistake = stats.likely_mistake()  # the name of a mistake (init_stats.mistakes)
            bad.append(msg("init.normal.layer.looks_like" if label is None else "init.normal.any.looks_like",
                           mistake=mistake, **named, **shown) if mistake else line)
        elif not stats.ok:
            bad.append(msg("init.normal.layer.not_normal" if label is None else "init.normal.any.not_normal",
                           **named, **shown))
        lines.append(line)
    if bad:
        return failed(msg("init.failed.normal" if linear_only else "init.failed.normal.layers", problems=join(bad)))
    return passed(msg("init.passed", layers=join(lines)))


def _architecture_layer(kind: str) -> bool:
    """What `architecture` compares: every layer (Linear, convolutions, pooling, activations, a
    softmax), but not dropout or normalisation, which its `layers` do not describe."""
    return is_layer(kind) and kind != DROPOUT and kind not in NORMALISATIONS


def _layers(pairs: list[tuple[int, int]] | list[list[int]], activation: str) -> str:
    name = {"sigmoid": "Sigmoid", "relu": "ReLU", "none": ""}[activation]
    return " → ".join(f"Linear({a}, {b})" + (f" → {name}" if name else "") for a, b in pairs)


@check("architecture", lambda cfg: msg("architecture.title", builder=cfg.builder,
                                       layers=_layers(cfg.layers, cfg.activation)), phases=("architectures",),
       asks=lambda cfg: {"architectures": {cfg.builder: cfg.layers[0][0]},
                         # the course's layers, for a lab's phase that trains its own model of this builder
                         "lab_layers": {cfg.builder: [[list(pair) for pair in cfg.layers], cfg.activation]}})
def check_architecture(obs: Observations, cfg: ArchitectureCheck, assignment: Assignment) -> Verdict:
    """The layers one builder's model runs, in order, judged from a forward pass (any style)."""
    model = obs.phase("architectures")["models"].get(cfg.builder, {})
    if "error" in model:
        obs.raise_student_error(model["error"])
    ran = [op for op in model["ops"] if _architecture_layer(op["kind"])]
    seen = [(op["kind"], (op.get("in"), op.get("out"))) for op in ran]
    after = [] if cfg.activation == "none" else [(cfg.activation, (None, None))]
    expected = [step for pair in cfg.layers for step in (("linear", tuple(pair)), *after)]
    unbiased = sum(op["kind"] == "linear" and op.get("bias") is False for op in ran)
    if seen == expected and cfg.bias and unbiased:
        return failed(msg("architecture.failed.no_bias.one" if unbiased == 1 else "architecture.failed.no_bias.many",
                          count=unbiased, builder=cfg.builder))
    if seen == expected:
        return passed(msg("architecture.passed", layers=_layers(cfg.layers, cfg.activation)))
    shown = " → ".join(f"Linear({a}, {b})" if kind == "linear" else kind.capitalize()
                       if kind in ACTIVATIONS | OUTPUTS else op_name(kind) for kind, (a, b) in seen)
    plain = cfg.activation == "none"  # no activation after the Linear layers
    sentences = [msg("architecture.failed" if plain else "architecture.failed.each",
                     builder=cfg.builder, ran=shown or msg("architecture.nothing"),
                     layers=_layers(cfg.layers, cfg.activation), activation=cfg.activation)]
    if plain and any(kind in ("softmax", "log_softmax") for kind, _ in seen):
        sentences.append(msg("architecture.hint.logits"))
    return failed(join(sentences, " "))