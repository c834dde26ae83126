"""The trained model, rebuilt by the trusted process from the `train` phase's tape, and what it says
about the model the structure checks and `accuracy` judge.

Why: those checks used to believe the sandbox's description of the model (the ops `build` saw, its
predictions). Student code runs in that process and can patch the description. The tape is data
(weights and the ops that combined them), replayed here in numpy (`replay.py`):

- the layers it runs must be the layers the description names (`build`'s ops and modules), and a
  layer described live must be live when measured here by perturbing its result, else "the model
  that ran is not the model described": the structure checks stop at that one cause;
- replayed on the test images this process holds, it must predict what the student's model
  predicted (`predictions.npy`, at least AGREEMENT of the images), else the same cause stops the
  structure checks and `accuracy`;
- then its predictions are the ones `accuracy` counts, against labels the sandbox never sees.

A tape with an op the replay does not know (`replay.Unsupported`) cannot be run here: its layers
are still read from its constants (every one counted live) and must match the description, but
`accuracy` keeps the sandbox's predictions, and the result says so for a TA (`eyes.py`). A lab
without a `train` phase has no tape, and its checks are as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..catalog import Msg, msg
from ..layers import is_layer, shown
from . import replay
from .observations import Observations, Unavailable

AGREEMENT = 0.995  # float32 numpy against torch: a prediction flips only at a near tie of two logits
SEED = 0  # the liveness noise: fixed, so the same tape always measures the same
LIVENESS_BATCH = 16  # random images liveness is measured on: the noise, not their number, decides


@dataclass
class Rebuilt:
    """What the trusted side measured of the trained model."""

    layers: list[dict[str, Any]] | None = None  # describe_op's schema, `live` measured when replayed
    predictions: np.ndarray | None = None  # the replayed model's classes of the test images
    agreement: float | None = None  # with the student's own predictions.npy
    unsupported: str | None = None  # the op the replay stopped at


_LAST: list[Any] = [None, None]  # (observations, Rebuilt): checks of one submission share one replay


def rebuild(obs: Observations) -> Rebuilt | None:
    """The rebuilt model of `obs`, None when no `train` phase ran (nothing to rebuild). Raises
    Unavailable when the train phase finished without a usable tape (it was removed or forged)."""
    if _LAST[0] is obs:
        return _LAST[1]
    try:
        run = obs.phase("train")
    except Unavailable:
        return None
    tape = run.get("tape")
    if not isinstance(tape, dict) or not _well_formed(tape):
        raise not_described(msg("model.not_described.no_tape"))
    constants = obs.arrays("tape.safetensors")
    result = Rebuilt()
    try:
        replay.check_vocabulary(tape)
        shape = [int(s) for s in tape["batch"][1:]]
        probe = np.random.default_rng(SEED).random((LIVENESS_BATCH, *shape), dtype=np.float32)
        result.layers = replay.layers(tape, constants, probe, SEED)
        images = obs.test_images  # the trusted side's own copy (grading.py reads it); None: a lab without MNIST
        if images is not None:
            theirs = obs.array("predictions.npy")
            samples = min(len(theirs), len(images))
            pixels = (images[:samples].astype(np.float32) / np.float32(255)).reshape(samples, *shape)
            result.predictions = replay.predictions(tape, constants, pixels)
            result.agreement = float((result.predictions == theirs).mean()) if theirs.shape == (samples,) else 0.0
    except replay.Unsupported as exc:  # judged on what its constants say, every layer counted live
        result = Rebuilt(layers=_static(tape, constants), unsupported=str(exc))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):  # a reference to nothing: forged
        raise not_described(msg("model.not_described.no_tape")) from None
    _LAST[:] = [obs, result]
    return result


def _static(tape: dict[str, Any], constants: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    try:
        return replay.static_layers(tape, constants)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        raise not_described(msg("model.not_described.no_tape")) from None


def _well_formed(tape: dict[str, Any]) -> bool:
    batch = tape.get("batch")
    return (isinstance(tape.get("ops"), list) and isinstance(batch, list) and len(batch) >= 2
            and all(isinstance(s, int) and s > 0 for s in batch) and math.prod(batch) <= 1 << 22)


def not_described(reason: Msg) -> Unavailable:
    """The one root cause every structure check and `accuracy` stop at, explained once."""
    return Unavailable(msg("model.not_described", reason=reason), msg("model.not_described.short"),
                       key="model not described")


def _layers(ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [op for op in ops if isinstance(op, dict) and is_layer(str(op.get("kind")))]


def _signature(ops: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What must match between the description and the rebuilt model: every layer that ran, live
    or not, with its kind and sizes (Linear and convolution features, BatchNorm features, dropout's p)."""
    return [(op.get("kind"), op.get("in"), op.get("out"), op.get("features"), op.get("p")) for op in _layers(ops)]


def _claimed_live(ran: list[dict[str, Any]], described: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The layers the description calls live (the output depends on them) that the rebuilt model
    measured dead: a decoy branch described as the model."""
    return [_signature([op])[0] for op, claim in zip(_layers(ran), _layers(described))
            if op.get("live") is False and claim.get("live", True)]


def _shown(signature: list[tuple[Any, ...]]) -> str:
    return " → ".join(f"{shown(kind)}({a}, {b})" if a is not None else f"{shown(kind)}({p:g})" if p is not None
                      else shown(kind) for kind, a, b, _, p in signature) or "-"


def _sizes(entries: list[dict[str, Any]], modules: bool) -> set[tuple[Any, ...]]:
    """The Linear sizes and BatchNorm features of `build`'s modules (`modules`) or of rebuilt layers."""
    kind = "type" if modules else "kind"
    linear = [e for e in entries if isinstance(e, dict) and e.get(kind) in ("Linear", "linear")]
    norms = [e for e in entries if isinstance(e, dict) and (
        "features" in e if modules else e.get("kind") == "batch_norm")]
    return {("linear", e.get("in"), e.get("out")) for e in linear} | {("norm", e.get("features")) for e in norms}


def confirm(obs: Observations, build: dict[str, Any] | None) -> Rebuilt | None:
    """Raise the root cause when the rebuilt model is not the one `build` describes (the layers its
    forward pass ran, and the Linear and BatchNorm sizes of its modules; skipped when `build` is
    None, as for `accuracy`) or does not predict what the student's model predicted; return what
    was rebuilt (None: nothing to rebuild)."""
    rebuilt = rebuild(obs)
    if rebuilt is None or rebuilt.layers is None:
        return rebuilt
    if build is not None and "forward_error" not in build:
        ran, claimed = _signature(rebuilt.layers), _signature(build.get("ops") or [])
        if ran != claimed:
            raise not_described(msg("model.not_described.layers", ran=_shown(ran), described=_shown(claimed)))
        if not _sizes(build.get("modules") or [], True) <= _sizes(rebuilt.layers, False):
            raise not_described(msg("model.not_described.modules", ran=_shown(ran)))
        dead = _claimed_live(rebuilt.layers, build.get("ops") or [])
        if dead:
            raise not_described(msg("model.not_described.dead", layers=_shown(dead)))
    if rebuilt.agreement is not None and rebuilt.agreement < AGREEMENT:
        raise not_described(msg("model.not_described.predictions", agreement=rebuilt.agreement, minimum=AGREEMENT))
    return rebuilt


def unreplayed_note(rebuilt: Rebuilt | None) -> Msg | None:
    """The sentence a result carries when its model could not be rebuilt (`eyes.py` finds it)."""
    return msg("model.unreplayed", op=rebuilt.unsupported) if rebuilt and rebuilt.unsupported else None

