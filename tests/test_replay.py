"""The model rebuilt outside the student's process (issue 21, item 2): a tape of the trained model's
forward pass (`probe/tape.py`), replayed in numpy by the trusted side (`checks/replay.py`), must
reproduce torch; the layers it measures live are the ones a structure check may count; and a
submission that patches the probe's description of its model gains nothing (`checks/rebuilt.py`)."""

from __future__ import annotations

import copy
import functools
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.checks import observations, rebuilt, replay
from autograder.eyes import needs_eyes, unreplayed
from autograder.probe.phases import TAPE_BATCH
from autograder.probe.context import describe_modules
from autograder.probe.tape import MAX_OPS, record
from autograder.probe.tracing import OpRecorder
from autograder.results import CheckResult, SandboxInfo, SubmissionResult

from .conftest import REFERENCE, ROOT, grade_files

ATTACKS = Path(__file__).parent / "hostile" / "rebuild"


def _reference(lab: str):
    spec = importlib.util.spec_from_file_location(f"reference_{lab}", ROOT / "reference" / f"{lab}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Functional(torch.nn.Module):
    """The course's other style: F.* calls, in-place ops, `x.view(x.size(0), -1)`, arithmetic."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, kernel_size=5, stride=2, padding=2)
        self.bn = torch.nn.BatchNorm1d(196)
        self.fc = torch.nn.Linear(196, 10, bias=False)

    def forward(self, x):
        x = F.avg_pool2d(F.leaky_relu(self.conv(x), 0.2), 2)
        x = self.bn(x.view(x.size(0), -1))
        x = torch.relu_(x) * 2 - 1
        return F.log_softmax(self.fc(x.transpose(0, 1).t()) / 3, dim=1)


class Decoy(torch.nn.Module):
    """tests/hostile/decoy_branch.py: the required layers run on a branch multiplied by 0."""

    def __init__(self) -> None:
        super().__init__()
        self.shown = torch.nn.Sequential(torch.nn.Linear(784, 10), torch.nn.ReLU())
        self.weight = torch.nn.Parameter(torch.randn(784, 10) / 28)

    def forward(self, x):
        return self.shown(x) * 0 + x @ self.weight


@functools.cache
def _models() -> dict[str, tuple[torch.nn.Module, tuple[int, ...]]]:
    torch.manual_seed(0)
    mlp = _reference("mnist_bn").build_model()
    for module in mlp.modules():
        if isinstance(module, torch.nn.BatchNorm1d):  # statistics that are not the identity
            module.running_mean.normal_()
            module.running_var.uniform_(0.5, 2.0)
    functional = Functional()
    functional.bn.running_var.uniform_(0.5, 2.0)
    return {"mnist_bn": (mlp, (784,)), "mnist_cnn": (_reference("mnist_cnn").build_model(), (1, 28, 28)),
            "functional": (functional, (1, 28, 28)), "decoy": (Decoy(), (784,))}


def _taped(model: torch.nn.Module, shape: tuple[int, ...]):
    images = torch.rand(250, *shape, generator=torch.Generator().manual_seed(1))
    tape, constants = record(model, images[:TAPE_BATCH])
    with torch.no_grad():
        expected = model(images).argmax(1).numpy()
    return tape, {key: value.numpy() for key, value in constants.items()}, images.numpy(), expected


@pytest.mark.parametrize("name", ["mnist_bn", "mnist_cnn", "functional", "decoy"])
def test_the_replay_predicts_what_torch_predicts_on_batches_of_any_size(name):
    model, shape = _models()[name]
    tape, constants, images, expected = _taped(model, shape)
    replay.check_vocabulary(tape)
    assert (replay.predictions(tape, constants, images, chunk=60) == expected).mean() >= rebuilt.AGREEMENT
    logits = replay.run(tape, constants, images[:7])[0]
    with torch.no_grad():
        np.testing.assert_allclose(logits, model(torch.from_numpy(images[:7])).numpy(), rtol=1e-4, atol=1e-4)


def test_the_layers_are_measured_live_or_dead_by_the_replay():
    model, shape = _models()["mnist_bn"]
    tape, constants, images, _ = _taped(model, shape)
    layers = replay.layers(tape, constants, images[:TAPE_BATCH], seed=0)
    assert [(op["kind"], op.get("in"), op.get("out"), op.get("features"), op.get("p")) for op in layers] == [
        ("linear", 784, 100, None, None), ("batch_norm", None, None, 100, None), ("relu", None, None, None, None),
        ("dropout", None, None, None, 0.3), ("linear", 100, 100, None, None), ("batch_norm", None, None, 100, None),
        ("relu", None, None, None, None), ("dropout", None, None, None, 0.3), ("linear", 100, 10, None, None)]
    assert all(op["live"] for op in layers)
    model, shape = _models()["decoy"]
    tape, constants, images, _ = _taped(model, shape)
    assert [(op["kind"], op["live"]) for op in replay.layers(tape, constants, images[:TAPE_BATCH], seed=0)] == [
        ("linear", False), ("relu", False)]


def test_what_the_replay_cannot_reproduce_is_said_not_guessed():
    class Unknown(torch.nn.Module):
        def forward(self, x):
            return torch.cos(x)

    class RandomInEval(torch.nn.Module):
        def forward(self, x):
            return F.dropout(x, 0.5)  # training=True whatever the mode

    for model, op in ((Unknown(), "cos"), (RandomInEval(), "dropout(training=True)")):
        tape, constants = record(model, torch.rand(TAPE_BATCH, 784))
        with pytest.raises(replay.Unsupported, match=op.replace("(", r"\(").replace(")", r"\)")):
            replay.check_vocabulary(tape)
            replay.run(tape, {k: v.numpy() for k, v in constants.items()}, np.zeros((3, 784), np.float32))


def test_a_tape_longer_than_the_cap_is_marked_incomplete():
    class Long(torch.nn.Module):
        def forward(self, x):
            for _ in range(MAX_OPS + 1):
                x = x + 1
            return x

    tape, _ = record(Long(), torch.rand(TAPE_BATCH, 4))
    assert len(tape["ops"]) == MAX_OPS and not tape["complete"]
    with pytest.raises(replay.Unsupported):
        replay.check_vocabulary(tape)


class _Seen:
    """What `rebuilt.confirm` reads of a submission's observations, without a sandbox."""

    def __init__(self, tape: dict, constants: dict, predictions: np.ndarray, images: np.ndarray) -> None:
        self.tape, self.constants, self.predictions, self.test_images = tape, constants, predictions, images

    def phase(self, name: str) -> dict:
        if name != "train":
            raise observations.Unavailable("not run")
        return {"tape": self.tape}

    def arrays(self, name: str) -> dict:
        return self.constants

    def array(self, name: str) -> np.ndarray:
        return self.predictions


def _described(model: torch.nn.Module) -> dict:
    """`build`'s observations of `model` (the probe's own recorder, train mode, as phase_build)."""
    model = copy.deepcopy(model).train()
    with OpRecorder(outputs=True) as recorder:
        output = model(torch.rand(TAPE_BATCH, 784))
    recorder.mark_live(output, 0)
    return {"ops": recorder.ops, "modules": describe_modules(model)}


def test_the_rebuilt_model_must_be_the_described_one_and_predict_what_it_predicted():
    model, shape = _models()["mnist_bn"]
    images = (np.random.default_rng(2).random((300, 28, 28)) * 255).astype(np.uint8)
    pixels = torch.from_numpy(images.astype(np.float32) / np.float32(255)).reshape(300, 784)
    tape, constants = record(model, pixels[:TAPE_BATCH])
    constants = {key: value.numpy() for key, value in constants.items()}
    with torch.no_grad():
        theirs = model(pixels).argmax(1).numpy()
    honest = _Seen(tape, constants, theirs, images)
    assert rebuilt.confirm(honest, _described(model)).agreement == 1.0
    with pytest.raises(observations.Unavailable, match="predicts the same class as your model for only"):
        rebuilt.confirm(_Seen(tape, constants, (theirs + 1) % 10, images), None)
    with pytest.raises(observations.Unavailable, match=r"runs Linear\(784, 100\) → BatchNorm"):
        rebuilt.confirm(_Seen(tape, constants, theirs, images), _described(torch.nn.Linear(784, 10)))
    forged = {**tape, "ops": [{**tape["ops"][0], "args": [{"t": "in"}, {"t": ["c", 99]}]}, *tape["ops"][1:]]}
    with pytest.raises(observations.Unavailable, match="missing or unreadable"):
        rebuilt.confirm(_Seen(forged, constants, theirs, images), None)
    with pytest.raises(observations.Unavailable, match="missing or unreadable"):
        rebuilt.confirm(_Seen({**tape, "batch": [4096, 4096, 4096]}, constants, theirs, images), None)


def _with_result(message: str) -> SubmissionResult:
    sandbox = SandboxInfo(tier="bwrap", device="cpu", cpu_limit_s=60, wall_limit_s=300, memory_limit_mb=4096,
                          file_limit_mb=64, process_limit=32, exit="exit 0")
    check = CheckResult(id="accuracy", title="accuracy", status="passed", score=15, max_score=15, message=message)
    return SubmissionResult(student="kim", assignment="mnist_bn", submission="kim.py", score=15, max_score=15,
                            checks=[check], duration_s=1.0, sandbox=sandbox, fingerprint="x")


def test_a_model_the_grader_could_not_rebuild_needs_a_ta():
    from autograder.catalog import join, msg, render
    note = rebuilt.unreplayed_note(rebuilt.Rebuilt(unsupported="cos"))
    message = render(join([msg("accuracy.passed", epochs=1, samples=100, accuracy=0.9, minimum=0.85, tested=None),
                           note], " "), "en")
    assert unreplayed(_with_result(message)) == "cos"
    [reason] = needs_eyes(_with_result(message), "en")
    assert "cos" in reason and "rebuilt" in reason
    assert needs_eyes(_with_result("fine"), "en") == []


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_patching_the_probes_description_of_the_model_gains_nothing(config, tmp_path, seed):
    """At each of the grader's seeds 0, 1 and 2 (the same verdicts at each): a logistic regression that patches the probe to describe the homework's MLP (90 on the
    grader before the rebuild) gets at most the honest 65, whether it leaves the tape alone (its
    layers are not the described ones) or hands the recorder an MLP (which does not predict what
    the trained model predicted); a decoy branch whose liveness marks are patched gains nothing
    over the plain decoy (85 before); the reference keeps 100, and its rebuilt model predicts
    exactly what it predicted."""
    files = {"reference": REFERENCE}
    for attack in sorted(ATTACKS.glob("*.py")):
        before, _, after = attack.read_text(encoding="utf-8").partition("# --- after the reference ---")
        files[attack.stem] = tmp_path / attack.name
        files[attack.stem].write_text(before + "\n" + REFERENCE.read_text(encoding="utf-8") + "\n" + after,
                                      encoding="utf-8")
    seen: list[float | None] = []
    original = rebuilt.rebuild

    def spied(obs):
        result = original(obs)
        seen.append(result.agreement if result else None)
        return result

    rebuilt.rebuild = spied
    try:
        results = grade_files(config.model_copy(update={"grader": config.grader.model_copy(update={"seed": seed})}),
                              files)
    finally:
        rebuilt.rebuild = original
    assert results["reference"].score == 100, [c.message for c in results["reference"].checks if c.status != "passed"]
    assert 1.0 in seen  # the reference's rebuilt model: the same predictions as its own
    described = results["logreg_patched_description"]
    assert described.score <= 65
    assert {c.id for c in described.checks if c.status == "error"} == {"shapes", "order", "dropout", "init"}
    assert any("runs Linear(784, 10), while" in cause for cause in described.fix_first)
    forged = results["logreg_forged_tape"]
    assert forged.score <= 65
    assert {c.id for c in forged.checks if c.status == "error"} == {"shapes", "order", "dropout", "init", "accuracy"}
    assert any("predicts the same class as your model for only" in cause for cause in forged.fix_first)
    decoy = results["decoy_claimed_live"]
    assert decoy.score <= 70 and {"order", "dropout"} <= {c.id for c in decoy.checks if c.status != "passed"}
