"""The weight-initialisation lab's checks (09-2: Xavier and He written from scratch):
`init_function` (xavier_uniform, xavier_normal, he_uniform, he_normal), `from_scratch` and
`model_init`. Their phases are `probe/weight_init.py`; their table entries are here, and the
statistics in `init_stats.py`."""

from __future__ import annotations

import math
from typing import Any

from ..config import Assignment
from ..rubric_labs import FromScratchCheck, InitFunctionCheck, ModelInitCheck
from ..sandbox.protocol import register_phase
from .base import Verdict, check, failed, passed
from .init_stats import NORMAL_TAIL, SCHEME_NAMES, LawStats, law_stats
from .observations import Observations

register_phase("init_functions", "your init functions on the grader's weights", ())
register_phase("model_init", "building the model with the grader's init function", ())

FORMULAS = {
    ("xavier", "uniform"): "U(−a, a) with a = √(6 / (fan_in + fan_out))",
    ("xavier", "normal"): "N(0, std²) with std = √(2 / (fan_in + fan_out))",
    ("he", "uniform"): "U(−a, a) with a = √(6 / fan_in)",
    ("he", "normal"): "N(0, std²) with std = √(2 / fan_in)",
}
METHODS = {"uniform": "weight.uniform_(-a, a)", "normal": "weight.normal_(0, std)"}


def _name(cfg: InitFunctionCheck) -> str:
    return f"{SCHEME_NAMES[cfg.scheme]} {cfg.law}"


def _shape(call: dict[str, Any]) -> str:
    fan_out, fan_in = call["shape"]
    return f"{fan_out}×{fan_in} weight (fan_in {fan_in}, fan_out {fan_out})"


def _handling(function: str, call: dict[str, Any]) -> str | None:
    """What is wrong with how the function treated the weight it was handed, if anything."""
    size = math.prod(call["shape"])
    if call["unfilled"] == size and call["returned"] == "new tensor":
        return (f"{function}() returned a new tensor and left the weight it was handed unfilled: nn.Linear keeps "
                "its own weight, so fill that one in place (with the tensor's method ending in _) and return it")
    if call["unfilled"]:
        return (f"{function}() left {call['unfilled']} of {size} values of a {_shape(call)} unfilled (the grader "
                "pre-fills them with NaN): fill the whole weight in place")
    if call["returned"] != "weight":
        return f"{function}() filled the weight but returned {call['returned']}: end with `return weight`"
    return None


def _problem(stats: LawStats, size: int) -> tuple[str, str, str]:
    """What one weight that failed shows: a lead-in, what was measured on it, and what it looks like
    (the lead-in and the look are the same for every weight with that mistake, so a report says
    them once)."""
    shape = f"{stats.fan_out}×{stats.fan_in}"
    if not stats.scale_ok:
        lo, hi = stats.interval
        accepted = f"{stats.expected_std * lo ** 0.5:.4f}–{stats.expected_std * hi ** 0.5:.4f}"
        mistake = stats.likely_mistake()
        return ("", f"std {stats.std:.4f} on {shape} ({SCHEME_NAMES[stats.scheme]} expects "
                f"{stats.expected_std:.4f}, accepted {accepted})", f"that looks like {mistake}" if mistake
                else "a wrong scale")
    if not stats.mean_ok:
        return "", f"mean {stats.mean_z * stats.expected_std:+.4f} on {shape}", "the mean should be 0"
    if stats.law == "uniform":
        return ("values outside ±a: ", f"{stats.outside} of {size} on {shape}",
                "U(−a, a) never has any, so that looks like a normal law (use uniform_)")
    return ("values beyond √3·std: ", f"{stats.tail:.1%} on {shape}", f"a normal law puts {NORMAL_TAIL:.1%} "
            "there and a uniform law none, so that looks like a uniform law (use normal_)")


@check("init_function", lambda cfg: f"{cfg.function}(): {_name(cfg)}, {FORMULAS[cfg.scheme, cfg.law]}",
       phases=("init_functions",), asks=lambda cfg: {"init_shapes": {cfg.function: [list(s) for s in cfg.shapes]}})
def check_init_function(obs: Observations, cfg: InitFunctionCheck, assignment: Assignment) -> Verdict:
    calls = obs.phase("init_functions")["functions"].get(cfg.function, [])
    for call in calls:
        if "error" in call:
            obs.raise_student_error(call["error"])
    for call in calls:
        handling = _handling(cfg.function, call)
        if handling:
            return failed(handling + ".")
    weights = obs.arrays("init_functions.safetensors")
    alpha = cfg.false_failure_rate / (3 * len(calls))
    bad: dict[tuple[str, str], list[str]] = {}  # (lead-in, what it looks like) -> what was measured
    measured = []
    for index, call in enumerate(calls):
        stats = law_stats(weights[f"{cfg.function}.{index}"], cfg.scheme, cfg.law, alpha)
        measured.append(f"{call['shape'][0]}×{call['shape'][1]}: std {stats.std:.4f} (expected {stats.expected_std:.4f})")
        if not stats.ok:
            lead, seen, looks = _problem(stats, math.prod(call["shape"]))
            bad.setdefault((lead, looks), []).append(seen)
    if bad:
        wrong = sum(len(seen) for seen in bad.values())
        found = "; ".join(f"{lead}{', '.join(seen)}: {looks}" for (lead, looks), seen in bad.items())
        return failed(f"{cfg.function}() is not {_name(cfg)} on {wrong} of {len(calls)} weights (shapes are "
                      f"fan_out×fan_in): {found}. {_name(cfg)} is {FORMULAS[cfg.scheme, cfg.law]}: fill it with "
                      f"{METHODS[cfg.law]}.")
    return passed(f"Filled in place and returned, {_name(cfg)} on every weight: " + "; ".join(measured) + ".")


@check("from_scratch", "The init functions written from the formulas, without torch.nn.init",
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
                return failed(f"{function}() replaced the grader's profiler (sys.setprofile), so the grader cannot "
                              "see what it calls: remove that.")
            used.setdefault(function, []).extend(call["nn_init"])
    used = {function: list(dict.fromkeys(names)) for function, names in used.items() if names}
    ran = [function for function in cfg.functions if function not in raised]
    if not ran:
        obs.raise_student_error(next(iter(raised.values())))
    names = ", ".join(f"{function}()" for function in ran)
    if empty:
        return failed(f"{', '.join(f'{f}()' for f in dict.fromkeys(empty))} did not fill the weight it was handed, "
                      "so there is nothing written from the formulas to judge yet.")
    if used:
        calls = "; ".join(f"{function}() called {', '.join(f'torch.nn.init.{n}' for n in names)}"
                          for function, names in used.items())
        return failed(f"{calls}. This lab asks you to write the formulas yourself: use the tensor's own methods, "
                      "weight.uniform_(-a, a) or weight.normal_(0, std), inside `with torch.no_grad():`.")
    skipped = f" ({', '.join(f'{f}()' for f in raised)} raised an error: see its own check)" if raised else ""
    return passed(f"None of {names} calls torch.nn.init: written from the formulas{skipped}.")


def _layer(linear: dict[str, Any]) -> str:
    return f"Linear {linear['in']}→{linear['out']}"


@check("model_init", lambda cfg: f"{cfg.builder}({cfg.parameter}=...) applies {cfg.parameter} to every Linear weight",
       phases=("model_init",), asks=lambda cfg: {"model_init": {cfg.builder: cfg.parameter}})
def check_model_init(obs: Observations, cfg: ModelInitCheck, assignment: Assignment) -> Verdict:
    built = obs.phase("model_init")["builders"][cfg.builder]
    linears, handed = built["linears"], [tuple(shape) for shape in built["handed"]]
    if not linears:
        return failed(f"The model {cfg.builder}() returned has no torch.nn.Linear layer.")
    missing = [linear for linear in linears if not linear["kept"]]
    names = ", ".join(_layer(linear) for linear in linears)
    if not missing:
        return passed(f"{cfg.builder}({cfg.parameter}=the grader's function) handed every Linear weight ({names}) "
                      f"to it, and nothing initialised them again.")
    again = [_layer(linear) for linear in missing if (linear["out"], linear["in"]) in handed]
    never = [_layer(linear) for linear in missing if (linear["out"], linear["in"]) not in handed]
    parts = [f"{', '.join(never)} {'was' if len(never) == 1 else 'were'} not handed to it"] if never else []
    parts += [f"{', '.join(again)} {'was' if len(again) == 1 else 'were'} handed to it but initialised again "
              "afterwards"] if again else []
    return failed(f"The grader called {cfg.builder}({cfg.parameter}=its own function): " + "; ".join(parts)
                  + f". Initialise each Linear weight with `{cfg.parameter}(linear.weight)`, the function given as "
                  "the argument (not xavier_uniform_ by name), and nothing after it.")
