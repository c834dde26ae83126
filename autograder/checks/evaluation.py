"""Checks on the evaluation side: `eval_mode`, `evaluate`, `sweep`."""

from __future__ import annotations

from typing import Any

from ..catalog import join, msg
from ..config import Assignment
from ..rubric import Check, EvaluateCheck, SweepCheck
from ..sandbox.protocol import register_phase
from .base import Verdict, check, failed, passed
from .hidden import hidden_accuracy, train_excused
from .observations import Observations, Unavailable

register_phase("evaluate_scaling", ("evaluate",), mnist=True)


def _call(obs: Observations, which: str) -> dict[str, Any]:
    call = obs.phase("evaluate")[which]
    if "error" in call:
        obs.raise_student_error(call["error"])
    return call


@check("eval_mode", msg("eval_mode.title"), phases=("evaluate",))
def check_eval_mode(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    return eval_mode_verdict(_call(obs, "handed_train"), assignment)


def tracked_calls(counts: dict[str, int]) -> tuple[int, int, str]:
    """(calls that tracked gradients, calls, which) of the layers with weights: the Linear layers
    when any ran (which = "linear"), else every layer with weights, convolutions included (which =
    "layers"); a model with neither never ran (0, 0)."""
    if counts.get("linear"):
        return counts.get("linear:grad", 0), counts["linear"], "linear"
    return counts.get("weighted:grad", 0), counts.get("weighted", 0), "layers"


def eval_mode_verdict(call: dict[str, Any], assignment: Assignment) -> Verdict:
    """What evaluate() did with a model handed to it in training mode (its op counts and buffers)."""
    counts = call["counts"]
    tracked, calls, which = tracked_calls(counts)
    if not calls:
        return failed(msg("eval_mode.failed.never_ran"))
    wrong = []
    stuck = counts.get("dropout:on_in_eval", 0)  # F.dropout without training=self.training
    if counts.get("dropout:train", 0) > stuck:
        wrong.append(msg("eval_mode.wrong.dropout", active=counts["dropout:train"] - stuck,
                         calls=counts.get("dropout", 0)))
    if counts.get("batch_norm:train"):
        wrong.append(msg("eval_mode.wrong.batchnorm", used=counts["batch_norm:train"],
                         calls=counts.get("batch_norm", 0)))
    if call["buffers_changed"]:
        wrong.append(msg("eval_mode.wrong.buffers", buffers=join(call["buffers_changed"][:4], ", ")))
    if tracked:
        wrong.append(msg("eval_mode.wrong.gradients" if which == "linear" else "eval_mode.wrong.gradients.layers",
                         tracked=tracked, calls=calls))
    dropout = assignment.checks.first("dropout")
    p = f"{dropout.p:g}" if dropout else "p"
    functional = msg("eval_mode.functional_dropout", stuck=stuck, calls=counts.get("dropout", 0), p=p)
    if wrong:
        return failed(msg("eval_mode.failed.train_mode.and_functional" if stuck else "eval_mode.failed.train_mode",
                          problems=join(wrong), functional=functional))
    if stuck:
        return failed(msg("eval_mode.failed.functional_dropout", functional=functional))
    batchnorm = bool(counts.get("batch_norm"))
    return passed(msg("eval_mode.passed.batchnorm" if batchnorm else "eval_mode.passed"))


def fed_raw_pixels(probe: dict[str, Any]) -> bool:
    """Whether evaluate(), handed the grader's pixel-scale probe (`probe/datasets.scaling_probe`: the
    same images labelled as [0, 1] pixels answer, then as raw pixels answer), fed the model raw 0-255
    pixels: it scored the second loader higher. A correct evaluate() scores 1 then 0, one that reads
    `test_data` without dividing by 255 0 then 1, one that returns a constant the same twice."""
    scaled, raw = probe["returned"]
    return scaled is not None and raw is not None and raw > scaled


def raw_pixels_verdict(probe: dict[str, Any], returned: float, measured: float) -> Verdict:
    """`evaluate` failed for feeding the model raw pixels, saying what it read (if it read a raw
    attribute of the dataset) and what the lab's model got from it."""
    pixels = [name for name in probe["reads"] if name in ("data", "train_data", "test_data")]
    found = msg("evaluate.raw_pixels.read", read=join((f"dataset.{name}" for name in probe["reads"]), ", ")) \
        if pixels else msg("evaluate.raw_pixels.not_read")
    return failed(msg("evaluate.failed.raw_pixels", found=found, returned=returned, measured=measured))


def _scaling_probe(obs: Observations) -> dict[str, Any] | None:
    try:
        return obs.phase("evaluate_scaling")
    except Unavailable:  # a lab without it, or a child stopped before it: the measurement alone decides
        return None


@check("evaluate", msg("evaluate.title"), phases=("evaluate", "evaluate_scaling"))
def check_evaluate(obs: Observations, cfg: EvaluateCheck, assignment: Assignment) -> Verdict:
    phase = obs.phase("evaluate")
    call = _call(obs, "handed_eval")
    measured, returned, samples = phase["measured"], call["returned"], phase["samples"]
    if returned is None:
        return failed(msg("evaluate.failed.not_a_number", type=call["returned_type"]))
    probe = _scaling_probe(obs)
    if probe is not None and fed_raw_pixels(probe):
        return raw_pixels_verdict(probe, returned, measured)
    tracked, calls, which = tracked_calls(call["counts"])
    if cfg.no_grad and tracked:
        return failed(msg("evaluate.failed.gradients" if which == "linear" else "evaluate.failed.gradients.layers",
                          tracked=tracked, calls=calls))
    if abs(returned - measured) <= cfg.tolerance:
        return passed(msg("evaluate.passed", returned=returned, measured=measured, samples=samples))
    percentage = 1 < returned <= 100 and abs(returned / 100 - measured) <= cfg.tolerance
    return failed(join([msg("evaluate.failed", returned=returned, measured=measured, samples=samples),
                        msg("evaluate.hint.percentage" if percentage else "evaluate.hint.how")], " "))


def evaluate_fault(obs: Observations, tolerance: float) -> str | None:
    """Which other check already charges the student for a wrong evaluate(), if one does.

    compare_hidden_sizes() and compare_activations() report what the student's evaluate() returns;
    when evaluate() itself is wrong, `sweep` and `activation_compare` do not take the same points a
    second time.
    """
    try:
        phase = obs.phase("evaluate")
    except Unavailable:
        return None
    handed_eval, handed_train = phase["handed_eval"], phase["handed_train"]
    probe = _scaling_probe(obs)
    if "error" in handed_eval or handed_eval["returned"] is None or \
            abs(handed_eval["returned"] - phase["measured"]) > tolerance:
        return "evaluate"
    if probe is not None and fed_raw_pixels(probe):  # wrong every time, however close this model's numbers came
        return "evaluate"
    counts = handed_train.get("counts", {})
    if "error" in handed_train or counts.get("dropout:train") or counts.get("batch_norm:train"):
        return "eval_mode"
    return None


def _model_of(models: list[dict[str, Any]], hidden: tuple[int, int]) -> int | None:
    """The index of the sweep's MLP with these hidden sizes (its input size is the one the phase looked for)."""
    h1, h2 = hidden
    return next((index for index, model in enumerate(models)
                 if len(model["linear"]) == 3 and model["linear"][1:] == [[h1, h2], [h2, 10]]
                 and model["linear"][0][1] == h1 and model["batchnorm"] == [h1, h2]), None)


@check("sweep", msg("sweep.title"), phases=("sweep", "evaluate"))
def check_sweep(obs: Observations, cfg: SweepCheck, assignment: Assignment) -> Verdict:
    """Decided by what this process measures: each configuration's model, found by its sizes, must
    have learned on test labels no sandbox has (`checks/hidden.py`); what the student reports is
    only compared with the sandbox's measurement of the same model (when evaluate() is right)."""
    sweep = obs.phase("sweep")
    reported, models = sweep["reported"], sweep["models"]
    if len(reported) != len(cfg.configs):
        return failed(msg("sweep.failed.count.one" if len(reported) == 1 else "sweep.failed.count.many",
                          configs=len(cfg.configs), entries=len(reported)))
    arrays = obs.arrays_npz("sweep.npz")
    problems, summary, learned, untrained = [], [], [], []
    fault = evaluate_fault(obs, cfg.tolerance)
    for (h1, h2), row in zip(cfg.configs, reported):
        label = f"({h1}, {h2})"  # a configuration, as the lab writes it
        if row["type"] != "dict" or not {"hidden", "train_cost", "test_accuracy"} <= set(row["keys"]):
            problems.append(msg("sweep.failed.not_a_dict", label=label))
            continue
        if row["hidden"] != [h1, h2]:
            problems.append(msg("sweep.failed.hidden", label=label, hidden=row["hidden"]))
        if row["train_cost"] is None:
            problems.append(msg("sweep.failed.cost", label=label))
        accuracy = row["test_accuracy"]
        if accuracy is None or not 0 <= accuracy <= 1:
            problems.append(msg("sweep.failed.not_a_fraction", label=label))
            continue
        index = _model_of(models, (h1, h2))
        if index is None:
            problems.append(msg("sweep.failed.sizes", label=label, h1=h1, h2=h2))
            continue
        measured = hidden_accuracy(obs, arrays.get(f"predictions{index}"), sweep["test_samples"])
        if measured < cfg.learned:
            untrained.append(msg("sweep.learned", label=label, measured=measured))
            continue
        if abs(models[index]["measured"] - accuracy) > cfg.tolerance and not fault:
            problems.append(msg("sweep.failed.misreported", label=label, accuracy=accuracy,
                                measured=models[index]["measured"]))
            continue
        summary.append(msg("sweep.summary", label=label, cost=row["train_cost"], accuracy=accuracy))
        learned.append(msg("sweep.learned", label=label, measured=measured))
    if untrained:  # one cause, said once for every configuration it hit
        untrained = [msg("sweep.untrained", measured=join(untrained, ", "), samples=sweep["test_samples"],
                         minimum=cfg.learned)]
    if untrained and not problems and train_excused(obs, assignment):
        return passed(msg("sweep.passed.train_charged", untrained=untrained[0]))
    if problems or untrained:
        return failed(msg("sweep.failed", problems=join([*untrained, *problems])))
    hidden = msg("sweep.hidden", learned=join(learned, ", "), samples=sweep["test_samples"])
    if fault:
        return passed(msg("sweep.passed.not_compared", fault=fault, summary=join(summary), hidden=hidden))
    return passed(msg("sweep.passed", summary=join(summary), hidden=hidden))
