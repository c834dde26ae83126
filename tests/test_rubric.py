"""The rubric end to end: the reference gets full marks, the skeleton gets 0 with "not
implemented", and each broken submission fails exactly the check for the rule it breaks."""

from __future__ import annotations

import csv
import json

import pytest

from autograder.results import SubmissionResult

from .conftest import REFERENCE, SKELETON, grade_files, not_passed
from .variants import VARIANTS, write_variant


@pytest.fixture(scope="session")
def batch(config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("variants")
    files = {"reference": REFERENCE, "skeleton": SKELETON}
    for name, (edits, _) in VARIANTS.items():
        files[name] = write_variant(REFERENCE, folder, name, edits)
    out = tmp_path_factory.mktemp("results")
    return grade_files(config, files, out=out), out


def test_reference_scores_full_marks(batch):
    results, _ = batch
    reference = results["reference"]
    assert reference.score == reference.max_score == 100
    assert all(check.status == "passed" for check in reference.checks), [c.message for c in reference.checks]


def test_skeleton_scores_zero_with_not_implemented_everywhere(batch):
    skeleton = batch[0]["skeleton"]
    assert skeleton.score == 0
    for check in skeleton.checks:
        assert check.status == "failed", check
        assert check.message.startswith("Not implemented yet"), check.message


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_broken_rule_fails_exactly_its_check(batch, name):
    result = batch[0][name]
    _, expected = VARIANTS[name]
    assert not_passed(result) == expected, {c.id: c.message for c in result.checks if c.status != "passed"}


def test_messages_say_what_to_fix(batch):
    results, _ = batch
    by = lambda student, check: next(c for c in results[student].checks if c.id == check).message  # noqa: E731
    assert "ReLU → BatchNorm" in by("bn_after_relu", "order")
    assert "p = 0.5" in by("dropout_p05", "dropout")
    assert "He (Kaiming) init" in by("he_init", "init")
    assert "PyTorch's default init" in by("default_init", "init")
    assert "784→200" in by("hidden_200", "shapes")
    assert "shuffle" in by("no_shuffle", "loaders")
    assert "sum over the batch" in by("sum_loss", "loss")
    assert "SGD" in by("sgd", "optimizer")
    assert "model.train()" in by("no_model_train", "train_mode")
    assert "zero_grad" in by("no_zero_grad", "accuracy")
    assert "Dropout was active" in by("no_model_eval", "eval_mode")
    assert "torch.no_grad()" in by("no_no_grad", "eval_mode")
    sweep = next(c for c in results["bn_ignores_hidden"].checks if c.id == "sweep")
    assert "running_mean should contain 200 elements" in sweep.message and "compare_hidden_sizes" in sweep.message
    init = by("reference", "init")
    assert "Xavier expects 0.0476" in init  # 784→100: sqrt(2 / 884)


def _by(results, student, check):
    return next(c for c in results[student].checks if c.id == check)


def test_functional_dropout_without_training_flag_is_named_and_charged_once(batch):
    results, _ = batch
    eval_mode = _by(results, "functional_dropout_always_on", "eval_mode").message
    assert "training=self.training" in eval_mode and "F.dropout" in eval_mode and "nn.Dropout" in eval_mode
    assert "Call model.eval()" not in eval_mode  # the student already does
    # The grader measures on the same batches from the same random state, so a correct evaluate()
    # of a model whose dropout stays on in eval mode returns exactly what the grader measures.
    assert _by(results, "functional_dropout_always_on", "evaluate").status == "passed"


def test_accuracy_names_a_softmax_output_and_does_not_blame_the_training_loop(batch):
    results, _ = batch
    accuracy = _by(results, "softmax_output", "accuracy").message
    assert "ends in softmax" in accuracy and "CrossEntropyLoss" in accuracy
    assert "zero_grad" not in accuracy  # train() calls zero_grad(), backward() and step() in every batch
    assert "optimizer.zero_grad() ran 0 times" in _by(results, "no_zero_grad", "accuracy").message
    assert "optimizer.step() found no gradients" in _by(results, "zero_grad_after_backward", "accuracy").message


def test_batchnorm2d_is_named_with_what_to_use_instead(batch):
    results, _ = batch
    result = results["batchnorm2d"]
    shapes = _by(results, "batchnorm2d", "shapes")
    assert shapes.status == "failed" and "BatchNorm2d" in shapes.message and "BatchNorm1d" in shapes.message
    assert _by(results, "batchnorm2d", "init").status == "passed"  # the weights were built fine
    # One mistake, met in the grader's forward pass, in train() and in compare_hidden_sizes(): said once.
    [cause] = result.fix_first
    assert "expected 4D input" in cause and "You used BatchNorm2d" in cause and "use torch.nn.BatchNorm1d" in cause
    assert " line " in cause  # the version that points at the student's file


def test_results_are_written_and_validated(batch, config):
    results, out = batch
    for student, result in results.items():
        on_disk = SubmissionResult.model_validate_json((out / student / "result.json").read_text())
        assert on_disk == result
        payload = json.loads((out / student / "result.json").read_text())
        assert {"student", "assignment", "score", "max_score", "checks", "duration_s"} <= set(payload)
        assert (out / student / "feedback.md").read_text().startswith(f"# {student}의 피드백: mnist_bn / Feedback for {student}")
    rows = list(csv.DictReader((out / "gradebook.csv").open(encoding="utf-8-sig")))
    assert sorted(row["student"] for row in rows) == sorted(results)
    row = next(r for r in rows if r["student"] == "sgd")
    assert row["optimizer"] == "0" and row["shapes"] == "10" and float(row["score"]) == results["sgd"].score


def test_rerun_reuses_unchanged_results_and_force_regrades(batch, config, tmp_path):
    out = tmp_path / "results"
    first = grade_files(config, {"reference": REFERENCE}, out=out)["reference"]
    seen = []
    from autograder import Grader, Submission
    from .conftest import DATA_ROOT

    grader = Grader(config, "mnist_bn", data_root=DATA_ROOT)
    again = grader.grade([Submission("reference", REFERENCE)], out_dir=out,
                         progress=lambda done, total, result, reused: seen.append(reused))
    assert seen == [True] and again[0] == first
    forced = grader.grade([Submission("reference", REFERENCE)], out_dir=out, force=True,
                          progress=lambda done, total, result, reused: seen.append(reused))
    assert seen == [True, False]
    # Deterministic: the same submission gets the same checks, scores and messages every time.
    assert forced[0].checks == first.checks == batch[0]["reference"].checks
