"""The weight-initialisation lab's observations (09-2: Xavier and He written from scratch). Judged
by `checks.py`, whose phase table entries these implement.

`init_functions` hands each init function a fresh weight of every shape a check asks for, as
`nn.Linear` would (a Parameter that requires grad, shape (fan_out, fan_in)), pre-filled with NaN
so that what the function did not fill shows. It records what came back, what is left in the
weight (written raw, for the trusted process to measure) and which functions of `torch.nn.init`
ran during the call, seen by a profiler, so that importing them under another name hides nothing,
and matched by their compiled code as well as their file, so that compiling their source again under
another file name hides nothing either (the trusted side also reads the source:
`checks/capability.py`).

`model_init` builds the model with the grader's own init function, which marks every weight it is
handed: a Linear weight that does not hold the mark afterwards was not handed to it, or was
initialised again after it.
"""

from __future__ import annotations

import math
from types import FunctionType
from typing import Any

import torch
from safetensors.torch import save as safetensors_bytes

from ...probe.artifacts import write_artifact
from ...probe.context import Context
from ...probe.phases import implements
from ...probe.student import StudentError
from ...probe.tracing import PythonCalls

INIT_FILE = torch.nn.init.xavier_uniform_.__code__.co_filename
# torch.nn.init's functions by their compiled code, which stays the same when their source is compiled
# again under another file name (inspect.getsource + compile): matched by content, not by file.
INIT_CODES = {(f.__code__.co_name, f.__code__.co_code): f.__name__ for f in vars(torch.nn.init).values()
              if isinstance(f, FunctionType) and f.__code__.co_filename == INIT_FILE}
MARK = 0.03125  # exact in every float format: what the grader's init function writes
DEFAULT_SHAPES = [[32, 16]]  # for a function only `from_scratch` asks about


def _init_function(code: Any) -> str | None:
    if code.co_filename == INIT_FILE:
        return code.co_name
    return INIT_CODES.get((code.co_name, code.co_code))


def _returned(value: Any, weight: torch.Tensor) -> str:
    if value is weight:
        return "weight"
    if isinstance(value, torch.Tensor):
        same = value.shape == weight.shape and value.data_ptr() == weight.data_ptr()
        return "weight" if same else "new tensor"
    return "None" if value is None else type(value).__name__


def _call_once(ctx: Context, function: str, shape: list[int], seed_offset: int) -> tuple[dict[str, Any], torch.Tensor]:
    weight = torch.nn.Parameter(torch.full(shape, math.nan))
    ctx.seed(seed_offset)
    with PythonCalls(_init_function) as calls:
        try:
            value = ctx.call(function, weight)
        except StudentError as error:
            if error.info.get("kind") != "returned_none":
                return {"shape": shape, "error": error.info}, weight
            value = None
    filled = weight.detach().float().cpu().contiguous()
    return {"shape": shape, "returned": _returned(value, weight), "unfilled": int(torch.isnan(filled).sum()),
            "nn_init": list(dict.fromkeys(calls.names)), "profiler_replaced": calls.replaced}, filled


@implements("init_functions")
def phase_init_functions(ctx: Context) -> dict[str, Any]:
    shapes_of: dict[str, list[list[int]]] = ctx.plan.params.get("init_shapes", {})
    functions = list(dict.fromkeys([*shapes_of, *ctx.plan.params.get("init_functions", [])]))
    observed: dict[str, list[dict[str, Any]]] = {}
    weights: dict[str, torch.Tensor] = {}
    for function in functions:
        observed[function] = []
        for index, shape in enumerate(shapes_of.get(function, DEFAULT_SHAPES)):
            call, weight = _call_once(ctx, function, list(shape), index)
            observed[function].append(call)
            if "error" in call:
                break
            weights[f"{function}.{index}"] = weight
    if weights:
        write_artifact(ctx.out / "init_functions.safetensors", safetensors_bytes(weights))
    return {"functions": observed}


@implements("model_init")
def phase_model_init(ctx: Context) -> dict[str, Any]:
    handed: list[list[int]] = []

    def grader_init(weight: torch.Tensor) -> torch.Tensor:
        handed.append(list(weight.shape))
        with torch.no_grad():
            weight.fill_(MARK)
        return weight

    builders = ctx.plan.params.get("model_init", {})
    observed = {}
    for builder, parameter in builders.items():
        handed.clear()
        model = ctx.fresh_model(builder, **{parameter: grader_init})
        linears = [{"name": name, "in": module.in_features, "out": module.out_features,
                    "kept": bool(torch.all(module.weight.detach() == MARK))}
                   for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)]
        observed[builder] = {"linears": linears, "handed": list(handed)}
    return {"builders": observed}
