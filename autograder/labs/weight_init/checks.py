"""The weight-initialisation lab's checks (09-2: Xavier and He written from scratch):
`init_function` (xavier_uniform, xavier_normal, he_uniform, he_normal), `from_scratch` and
`model_init`. Their phases are `phases.py`; their table entries are here, and the
statistics in the core's `checks/init_stats.py`."""

from __future__ import annotations

import math
from typing import Any

from ...catalog import Msg, Text, join, msg
from ...config import Assignment
from ...sandbox.protocol import register_phase
from ...checks.base import Verdict, check, failed, passed
from ...checks.capability import NN_INIT, written_out
from ...checks.init_stats import NORMAL_TAIL, SCHEME_NAMES, LawStats, law_stats
from ...checks.observations import Observations
from .rubric import FromScratchCheck, InitFunctionCheck, ModelInitCheck

register_phase("init_functions", ())
register_phase("model_init", ())

FRACTIONS = {  # under the square root of each scheme and law's bound a or std
    ("xavier", "uniform"): "6 / (fan_in + fan_out)",
    ("xavier", "normal"): "2 / (fan_in + fan_out)",
    ("he", "uniform"): "6 / fan_in",
    ("he", "normal"): "2 / fan_in",
}
METHODS = {"uniform": "weight.uniform_(-a, a)", "normal": "weight.normal_(0, std)"}


def _name(cfg: InitFunctionCheck) -> Msg:
    scheme = SCHEME_NAMES[cfg.scheme]
    return msg("init_function.name.uniform", scheme=scheme) if cfg.law == "uniform" else \
        msg("init_function.name.normal", scheme=scheme)


def _formula(cfg: InitFunctionCheck) -> Msg:
    fraction = FRACTIONS[cfg.scheme, cfg.law]
    return msg("init_function.formula.uniform", fraction=fraction) if cfg.law == "uniform" else \
        msg("init_function.formula.normal", fraction=fraction)


def _shape(call: dict[str, Any]) -> Msg:
    fan_out, fan_in = call["shape"]
    return msg("init_function.shape", fan_out=fan_out, fan_in=fan_in)


def _handling(function: str, call: dict[str, Any]) -> Msg | None:
    """What is wrong with how the function treated the weight it was handed, if anything."""
    size = math.prod(call["shape"])
    if call["unfilled"] == size and call["returned"] == "new tensor":
        return msg("init_function.failed.new_tensor", function=function)
    if call["unfilled"]:
        return msg("init_function.failed.unfilled", function=function, unfilled=call["unfilled"], size=size,
                   shape=_shape(call))
    if call["returned"] == "new tensor":
        return msg("init_function.failed.returned_new_tensor", function=function)
    if call["returned"] != "weight":
        return msg("init_function.failed.returned", function=function, returned=call["returned"])
    return None


def _problem(stats: LawStats, size: int) -> tuple[str, Text, Msg]:
    """What one weight that failed shows: its kind of problem, what was measured on it, and what it
    looks like (the kind and the look are the same for every weight with that mistake, so a report
    says them once)."""
    shape = f"{stats.fan_out}×{stats.fan_in}"
    if not stats.scale_ok:
        lo, hi = stats.interval
        mistake = stats.likely_mistake()
        return ("scale", msg("init_function.seen.scale", std=stats.std, shape=shape,
                             scheme=SCHEME_NAMES[stats.scheme], expected=stats.expected_std,
                             low=stats.expected_std * lo ** 0.5, high=stats.expected_std * hi ** 0.5),
                msg("init_function.looks_like", mistake=mistake) if mistake else
                msg("init_function.looks.wrong_scale"))
    if not stats.mean_ok:
        return ("mean", msg("init_function.seen.mean", mean=stats.mean_z * stats.expected_std, shape=shape),
                msg("init_function.looks.mean"))
    if stats.law == "uniform":
        return ("outside", msg("init_function.seen.outside", outside=stats.outside, size=size, shape=shape),
                msg("init_function.looks.normal_law"))
    return ("tail", msg("init_function.seen.tail", tail=stats.tail, shape=shape),
            msg("init_function.looks.uniform_law", normal=NORMAL_TAIL))


def _found(kind: str, seen: list[Text], looks: Msg) -> Msg:
    """The weights with one kind of problem that look alike, said once."""
    seen_ = join(seen, ", ")
    if kind == "outside":
        return msg("init_function.problem.outside", seen=seen_, looks=looks)
    if kind == "tail":
        return msg("init_function.problem.tail", seen=seen_, looks=looks)
    return msg("init_function.problem", seen=seen_, looks=looks)


@check("init_function", lambda cfg: msg("init_function.title", function=cfg.function, name=_name(cfg),
                                        formula=_formula(cfg)),
       phases=("init_functions",), asks=lambda cfg: {"init_shapes": {cfg.function: [list(s) for s in cfg.shapes]}})
def check_init_function(obs: Observations, cfg: InitFunctionCheck, assignment: Assignment) -> Verdict:
    calls = obs.phase("init_functions")["functions"].get(cfg.function, [])
    for call in calls:
        if "error" in call:
            obs.raise_student_error(call["error"])
    for call in calls:
        handling = _handling(cfg.function, call)
        if handling:
            return failed(handling)
    weights = obs.arrays("init_functions.safetensors")
    alpha = cfg.false_failure_rate / (3 * len(calls))
    bad: dict[tuple[str, str], tuple[Msg, list[Text]]] = {}  # (kind, what it looks like) -> the look, what was measured
    measured = []
    for index, call in enumerate(calls):
        stats = law_stats(weights[f"{cfg.function}.{index}"], cfg.scheme, cfg.law, alpha)
        measured.append(msg("init_function.measured", shape=f"{call['shape'][0]}×{call['shape'][1]}", std=stats.std,
                            expected=stats.expected_std))
        if not stats.ok:
            kind, seen, looks = _problem(stats, math.prod(call["shape"]))
            bad.setdefault((kind, str(looks)), (looks, []))[1].append(seen)
    if bad:
        wrong = sum(len(seen) for _, seen in bad.values())
        found = join(_found(kind, seen, looks) for (kind, _), (looks, seen) in bad.items())
        return failed(msg("init_function.failed", function=cfg.function, name=_name(cfg), wrong=wrong,
                          total=len(calls), found=found, formula=_formula(cfg), method=METHODS[cfg.law]))
    return passed(msg("init_function.passed", name=_name(cfg), measured=join(measured)))


@check("from_scratch", msg("from_scratch.title"),
       phases=("init_functions",), asks=lambda cfg: {"init_functions": list(cfg.functions)})
def check_from_scratch(obs: Observations, cfg: FromScratchCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("init_functions")["functions"]
    used, empty, raised = {}, [], {}
    for function in cfg.functions:
        for call in seen.get(function, []):
            if "error" in call:  # its own check reports it; judged here on the functions that ran
                raised.setdefault(function, call["error"])
                continue
            if call["unfilled"] == math.prod(call["shape"]) and call["returned"] != "new tensor":
                empty.append(function)
            if call["profiler_replaced"]:
                return failed(msg("from_scratch.failed.profiler", function=function))
            used.setdefault(function, []).extend(call["nn_init"])
    used = {function: list(dict.fromkeys(names)) for function, names in used.items() if names}
    ran = [function for function in cfg.functions if function not in raised]
    if not ran:
        obs.raise_student_error(next(iter(raised.values())))
    names = join((f"{function}()" for function in ran), ", ")
    read = written_out(obs, list(cfg.functions), NN_INIT)
    if read is not None:
        return failed(msg("from_scratch.failed.source", found=read))
    if empty:
        return failed(msg("from_scratch.failed.empty", functions=join((f"{f}()" for f in dict.fromkeys(empty)), ", ")))
    if used:
        calls = join(msg("from_scratch.called", function=function,
                         names=join((f"torch.nn.init.{n}" for n in names), ", ")) for function, names in used.items())
        return failed(msg("from_scratch.failed.nn_init", calls=calls))
    if raised:
        return passed(msg("from_scratch.passed.skipped", functions=names,
                          raised=join((f"{f}()" for f in raised), ", ")))
    return passed(msg("from_scratch.passed", functions=names))


def _layer(linear: dict[str, Any]) -> str:
    return f"Linear {linear['in']}→{linear['out']}"  # a layer's name, the same in every language


@check("model_init", lambda cfg: msg("model_init.title", builder=cfg.builder, parameter=cfg.parameter),
       phases=("model_init",), asks=lambda cfg: {"model_init": {cfg.builder: cfg.parameter}})
def check_model_init(obs: Observations, cfg: ModelInitCheck, assignment: Assignment) -> Verdict:
    built = obs.phase("model_init")["builders"][cfg.builder]
    linears, handed = built["linears"], [tuple(shape) for shape in built["handed"]]
    if not linears:
        return failed(msg("model_init.failed.no_linear", builder=cfg.builder))
    missing = [linear for linear in linears if not linear["kept"]]
    if not missing:
        return passed(msg("model_init.passed", builder=cfg.builder, parameter=cfg.parameter,
                          layers=join((_layer(linear) for linear in linears), ", ")))
    again = [_layer(linear) for linear in missing if (linear["out"], linear["in"]) in handed]
    never = [_layer(linear) for linear in missing if (linear["out"], linear["in"]) not in handed]
    parts = [msg("model_init.not_handed.one" if len(never) == 1 else "model_init.not_handed.many",
                 layers=join(never, ", "))] if never else []
    parts += [msg("model_init.initialised_again.one" if len(again) == 1 else "model_init.initialised_again.many",
                  layers=join(again, ", "))] if again else []
    return failed(msg("model_init.failed", builder=cfg.builder, parameter=cfg.parameter, problems=join(parts)))
