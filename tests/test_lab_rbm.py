"""Lab `rbm` (bonus) end to end, in one graded batch: the shared contract (tests/labs/contract.py),
what its messages say, and its points apart from the course total in the course gradebook; then the
red-team submissions of tests/hostile/rbm/ (no pre-training behind a made-up or borrowed error list),
each held to its honest score at grader seeds 0, 1 and 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.report import course_gradebook_csv

from .conftest import grade_files, not_passed, statuses
from .labs import rbm
from .labs.contract import LabContract, message
from .test_hostile import SPLIT


class TestRbm(LabContract):
    lab = rbm

    def test_messages_say_what_to_fix(self, results):
        assert "sigmoid(h @ W + v_bias)" in message(results, "p_v_without_bias", "conditionals")
        assert "torch.bernoulli" in message(results, "threshold_sampling", "sampling")
        assert "one per example" in message(results, "free_energy_total", "free_energy")
        assert "probabilities (not samples)" in message(results, "sampled_positive_phase", "cd")
        assert "does not start equal to the RBM's W" in message(results, "fresh_first_layer", "transfer")
        assert "returned 0 values" in message(results, "pretrain_returns_no_errors", "cd")

    def test_bonus_points_stand_apart_from_the_course_total(self, results, config):
        assert config.assignments["rbm"].bonus and not config.assignments["mnist_bn"].bonus
        text = course_gradebook_csv({"mnist_bn": [results["reference"].model_copy(update={"score": 90.0})],
                                     "rbm": [results["reference"]]},
                                    {"mnist_bn": 100.0, "rbm": 100.0}, frozenset({"rbm"}))
        header, row = text.strip().splitlines()[:2]
        assert header.split(",")[-4:] == ["total", "max_total", "bonus", "max_bonus"]
        assert row.split(",")[-4:] == ["90", "100", "100", "100"]


HOSTILE = Path(__file__).parent / "hostile" / "rbm"
SEEDS = (0, 1, 2)


def attack_source(path: Path) -> tuple[float, set[str], str]:
    """(the most it may score, the checks it must fail, its source around the reference)."""
    text = path.read_text(encoding="utf-8")
    expectation = text.splitlines()[0].removeprefix("# expect: at most ")
    most, _, failing = expectation.partition(", fail ")
    before, _, after = text.partition(SPLIT)
    return float(most), set(failing.split()), before + "\n" + rbm.REFERENCE.read_text(encoding="utf-8") + "\n" + after


@pytest.fixture(scope="module")
def attacked(config, tmp_path_factory) -> dict[int, dict]:
    """Every attack of tests/hostile/rbm/ graded at grader seeds 0, 1 and 2 (the seed of every
    phase: the grader's RBM weights, its data order, CD's samples, the classifier's training)."""
    folder = tmp_path_factory.mktemp("rbm_attacks")
    files = {}
    for path in sorted(HOSTILE.glob("*.py")):
        files[path.stem] = folder / path.name
        files[path.stem].write_text(attack_source(path)[2], encoding="utf-8")
    graded = {}
    for seed in SEEDS:
        seeded = config.model_copy(update={"grader": config.grader.model_copy(update={"seed": seed})})
        graded[seed] = grade_files(seeded, files, assignment="rbm")
    return graded


@pytest.mark.parametrize("attack", sorted(path.stem for path in HOSTILE.glob("*.py")))
def test_an_attack_without_pretraining_gets_its_honest_score_at_every_seed(attacked, attack):
    most, failing, _ = attack_source(HOSTILE / f"{attack}.py")
    verdicts = {seed: statuses(attacked[seed][attack]) for seed in SEEDS}
    for seed in SEEDS:
        result = attacked[seed][attack]
        assert result.score <= most, (seed, {c.id: c.message for c in result.checks})
        assert not_passed(result) == failing, (seed, {c.id: c.message for c in result.checks})
    assert verdicts[0] == verdicts[1] == verdicts[2], verdicts
    said = {c.id: c.message for c in attacked[0][attack].checks}
    assert "cd_step(rbm, v)" in said["cd"]  # measured untrained, or no CD step ran
    assert "pretrain() does not train the RBM (measured under cd)" in said["transfer"]
