"""Checks on the evaluation side: `eval_mode`, `evaluate`, `sweep`."""

from __future__ import annotations

from typing import Any

from ..config import Assignment
from ..rubric import Check, EvaluateCheck, SweepCheck
from .base import Verdict, check, failed, passed
from .observations import Observations, Unavailable


def _call(obs: Observations, which: str) -> dict[str, Any]:
    call = obs.phase("evaluate")[which]
    if "error" in call:
        obs.raise_student_error(call["error"])
    return call


@check("eval_mode", "evaluate() runs in eval mode without gradients", phases=("evaluate",))
def check_eval_mode(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    return eval_mode_verdict(_call(obs, "handed_train"), assignment)


def eval_mode_verdict(call: dict[str, Any], assignment: Assignment) -> Verdict:
    """What evaluate() did with a model handed to it in training mode (its op counts and buffers)."""
    counts = call["counts"]
    if not counts.get("linear"):
        return failed("evaluate() never ran the model it was given.")
    wrong = []
    stuck = counts.get("dropout:on_in_eval", 0)  # F.dropout without training=self.training
    if counts.get("dropout:train", 0) > stuck:
        wrong.append(f"Dropout was active in {counts['dropout:train'] - stuck} of {counts.get('dropout', 0)} calls")
    if counts.get("batch_norm:train"):
        wrong.append(f"BatchNorm used batch statistics in {counts['batch_norm:train']} of "
                     f"{counts.get('batch_norm', 0)} calls")
    if call["buffers_changed"]:
        wrong.append("BatchNorm running statistics changed (" + ", ".join(call["buffers_changed"][:4]) + ")")
    if counts.get("linear:grad"):
        wrong.append(f"gradients were tracked in {counts['linear:grad']} of {counts['linear']} Linear calls "
                     "(use `with torch.no_grad():`)")
    dropout = assignment.checks.first("dropout")
    p = f"{dropout.p:g}" if dropout else "p"
    functional = (f"dropout stayed on in {stuck} of {counts.get('dropout', 0)} calls although the model was in eval "
                  "mode: your forward() calls F.dropout(x, p) without training=self.training, and functional dropout "
                  "defaults to training=True, so model.eval() cannot switch it off. Write "
                  f"F.dropout(x, p={p}, training=self.training), or use a torch.nn.Dropout(p={p}) layer")
    if wrong:
        also = f"; and {functional}" if stuck else ""
        return failed("The grader handed evaluate() a model left in training mode: " + "; ".join(wrong)
                      + ". Call model.eval() inside `with torch.no_grad():` before predicting" + also + ".")
    if stuck:
        return failed(f"evaluate() switched the model to eval mode, but {functional}.")
    batchnorm = " and left BatchNorm's running statistics untouched" if counts.get("batch_norm") else ""
    return passed(f"Handed a model in training mode, evaluate() switched to eval mode and ran without gradients{batchnorm}.")


@check("evaluate", "evaluate() returns the right accuracy", phases=("evaluate",))
def check_evaluate(obs: Observations, cfg: EvaluateCheck, assignment: Assignment) -> Verdict:
    phase = obs.phase("evaluate")
    call = _call(obs, "handed_eval")
    measured, returned = phase["measured"], call["returned"]
    where = f"the {phase['samples']} images of the loader it was given"
    if returned is None:
        return failed(f"evaluate() returned a {call['returned_type']}; return the accuracy as a number in [0, 1].")
    tracked = call["counts"].get("linear:grad", 0)
    if cfg.no_grad and tracked:
        return failed(f"evaluate() tracked gradients in {tracked} of {call['counts'].get('linear', 0)} Linear calls: "
                      "predict inside `with torch.no_grad():`, which saves memory and time and keeps the test "
                      "from touching the model.")
    if abs(returned - measured) <= cfg.tolerance:
        return passed(f"evaluate() returned {returned:.4f}; the grader measured {measured:.4f} on {where}.")
    hint = ""
    if 1 < returned <= 100 and abs(returned / 100 - measured) <= cfg.tolerance:
        hint = " It looks like a percentage: return a fraction in [0, 1]."
    else:
        hint = (" Use the batches of the loader you are given (already scaled to [0, 1] like ToTensor), "
                "reshape them with view(-1, 28 * 28), and divide the correct predictions by the number of images.")
    return failed(f"evaluate() returned {returned:.4f}, but the same model classifies {measured:.4f} of {where}.{hint}")


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
    if "error" in handed_eval or handed_eval["returned"] is None or \
            abs(handed_eval["returned"] - phase["measured"]) > tolerance:
        return "evaluate"
    counts = handed_train.get("counts", {})
    if "error" in handed_train or counts.get("dropout:train") or counts.get("batch_norm:train"):
        return "eval_mode"
    return None


def _matches(model: dict[str, Any], hidden: tuple[int, int]) -> bool:
    h1, h2 = hidden
    return model["linear"] == [[784, h1], [h1, h2], [h2, 10]] and model["batchnorm"] == [h1, h2]


@check("sweep", "compare_hidden_sizes(): one model per configuration, reported as measured",
       phases=("sweep", "evaluate"))
def check_sweep(obs: Observations, cfg: SweepCheck, assignment: Assignment) -> Verdict:
    sweep = obs.phase("sweep")
    reported, models = sweep["reported"], sweep["models"]
    if len(reported) != len(cfg.configs):
        return failed(f"compare_hidden_sizes() got {len(cfg.configs)} configurations and returned "
                      f"{len(reported)} entries; return one dict per configuration, in order.")
    problems, summary = [], []
    fault = evaluate_fault(obs, cfg.tolerance)
    for (h1, h2), row in zip(cfg.configs, reported):
        label = f"({h1}, {h2})"
        if row["type"] != "dict" or not {"hidden", "train_cost", "test_accuracy"} <= set(row["keys"]):
            problems.append(f"the entry for {label} must be a dict with keys hidden, train_cost, test_accuracy")
            continue
        if row["hidden"] != [h1, h2]:
            problems.append(f"the entry for {label} says hidden={row['hidden']}")
        if row["train_cost"] is None:
            problems.append(f"the train_cost for {label} is not a finite number")
        accuracy = row["test_accuracy"]
        if accuracy is None or not 0 <= accuracy <= 1:
            problems.append(f"the test_accuracy for {label} is not a number in [0, 1]")
            continue
        model = next((m for m in models if _matches(m, (h1, h2))), None)
        if model is None:
            problems.append(f"no model with Linear 784→{h1}→{h2}→10 and BatchNorm1d({h1}), BatchNorm1d({h2}) "
                            f"ran for {label}: the layer and BatchNorm sizes must follow hidden1 and hidden2")
            continue
        if abs(model["measured"] - accuracy) > cfg.tolerance and not fault:
            problems.append(f"for {label} you report test_accuracy {accuracy:.4f}, the grader measured "
                            f"{model['measured']:.4f} for that model")
            continue
        summary.append(f"{label}: cost {row['train_cost']:.3f}, accuracy {accuracy:.3f}")
    if problems:
        return failed("compare_hidden_sizes(): " + "; ".join(problems) + ".")
    how = (f"reported accuracies (not compared: evaluate() is already marked down by the `{fault}` check)"
           if fault else "reported what the grader measured")
    return passed(f"Each configuration trained a model of the right sizes and {how}: " + "; ".join(summary) + ".")
