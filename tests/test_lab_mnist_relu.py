"""Lab `mnist_relu` end to end, in one graded batch: the shared contract (tests/labs/contract.py)
and what its messages say. Also `MeasuredAtEverySeed`, which the labs whose evaluate() the course
writes on raw `test_data` share: that mistake and the lab's attacks, graded at several seeds."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from .conftest import grade_files, not_passed
from .labs import mnist_relu
from .labs.contract import LabContract, assert_fails_exactly, message
from .variants import write_variant

HOSTILE = Path(__file__).parent / "hostile"
SEEDS = (0, 1, 2)
HONEST = 70  # the most a submission that leaves out the lab's work may score (issue 21)


def attacks(lab: ModuleType) -> dict[str, tuple[set[str], str]]:
    """The lab's attacks (`tests/hostile/<lab>/*.py`, each put after the reference so that its functions
    replace the reference's): name -> (the checks it must fail, `# expect: fail CHECK ...`, its source)."""
    reference = lab.REFERENCE.read_text(encoding="utf-8")
    found = {}
    for path in sorted((HOSTILE / lab.ASSIGNMENT).glob("*.py")):
        text = path.read_text(encoding="utf-8")
        expected = text.splitlines()[0].removeprefix("# expect: fail").split()
        found[path.stem] = (set(expected), reference + "\n\n" + text)
    return found


class MeasuredAtEverySeed:
    """The course's evaluate() on raw `test_data` (the lab's RAW_EVALUATE variant) and the lab's attacks,
    graded at the grader seeds SEEDS: the same verdicts at each (the raw pixels are caught by the grader's
    pixel-scale probe, not by how far one model's accuracy moves), and no attack above its honest score."""

    lab: ModuleType

    @pytest.fixture(scope="class")
    @classmethod
    def at_seeds(cls, config, tmp_path_factory) -> dict[int, dict]:
        folder = tmp_path_factory.mktemp(f"{cls.lab.ASSIGNMENT}_seeds")
        raw = cls.lab.RAW_EVALUATE
        files = {raw: write_variant(cls.lab.REFERENCE, folder, raw, cls.lab.VARIANTS[raw][0])}
        for name, (_, source) in attacks(cls.lab).items():
            files[name] = folder / f"attack_{name}.py"
            files[name].write_text(source, encoding="utf-8")
        return {seed: grade_files(config.model_copy(update={"grader": config.grader.model_copy(update={"seed": seed})}),
                                  files, assignment=cls.lab.ASSIGNMENT) for seed in SEEDS}

    def test_raw_test_data_in_evaluate_fails_evaluate_alone_at_every_seed(self, at_seeds):
        raw = self.lab.RAW_EVALUATE
        for seed, results in at_seeds.items():
            assert_fails_exactly(results[raw], self.lab.VARIANTS[raw][1])
            said = message(results, raw, "evaluate")
            assert "raw 0-255 pixels" in said and "dataset.test_data" in said, (seed, said)

    def test_attacks_fail_what_they_skip_and_score_no_more_than_honest_at_every_seed(self, at_seeds):
        for name, (expected, _) in attacks(self.lab).items():
            for seed, results in at_seeds.items():
                assert not_passed(results[name]) == expected, (name, seed, {c.id: c.message for c in results[name].checks})
                assert results[name].score <= HONEST, (name, seed, results[name].score)


class TestMnistRelu(LabContract, MeasuredAtEverySeed):
    lab = mnist_relu

    def test_rubric_is_the_labs(self, config):
        lab = config.assignments[mnist_relu.ASSIGNMENT]
        assert list(lab.checks.enabled()) == ["shapes", "order", "init", "optimizer", "evaluate", "training_loop", "accuracy", "compare"]
        assert lab.max_score == 100 and lab.checks.first("init").scheme == "normal"

    def test_the_invented_comparison_is_an_attack_here(self):
        assert set(attacks(mnist_relu)) == {"invented_comparison"}

    def test_messages_say_what_to_fix(self, results):
        assert "784→512" in message(results, "hidden_512", "shapes")
        assert "Linear → Linear → ReLU → Linear" in message(results, "one_activation", "order")
        assert "looks like Xavier init" in message(results, "xavier_init", "init")
        assert "learning rate is 0.01" in message(results, "lr_01", "optimizer")
        assert "torch.no_grad()" in message(results, "no_no_grad", "evaluate")
        assert "optimizer.step() found no gradients" in message(results, "zero_grad_after_backward", "training_loop")
        assert "The check training_loop above" in message(results, "zero_grad_after_backward", "accuracy")
        assert "optimizer.zero_grad() ran 0 times" in message(results, "no_zero_grad", "training_loop")
        assert "running sum" in message(results, "no_zero_grad", "training_loop")
        assert "ran in every batch" in message(results, "model_zero_grad", "training_loop")
        assert "could not count" in message(results, "own_optimizer", "training_loop")
        assert "no network whose activations are all sigmoid" in message(results, "always_relu", "compare")
        assert "N(0, 1): accepted" in message(results, "reference", "init")
        # compare() trained nothing there: the grader's own measurement says so, not the accuracies reported
        assert "Not charged here: the ReLU network did not learn" in message(results, "zero_grad_after_backward",
                                                                             "compare")
        assert "learned" in message(results, "reference", "compare")
