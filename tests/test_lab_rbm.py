"""Lab `rbm` (bonus) end to end, in one graded batch: the shared contract (tests/labs/contract.py),
what its messages say, and its points apart from the course total in the course gradebook."""

from __future__ import annotations

from autograder.report import course_gradebook_csv

from .labs import rbm
from .labs.contract import LabContract, message


class TestRbm(LabContract):
    lab = rbm

    def test_messages_say_what_to_fix(self, results):
        assert "sigmoid(h @ W + v_bias)" in message(results, "p_v_without_bias", "conditionals")
        assert "torch.bernoulli" in message(results, "threshold_sampling", "sampling")
        assert "one per example" in message(results, "free_energy_total", "free_energy")
        assert "probabilities (not samples)" in message(results, "sampled_positive_phase", "cd")
        assert "does not start equal to the RBM's W" in message(results, "fresh_first_layer", "transfer")

    def test_bonus_points_stand_apart_from_the_course_total(self, results, config):
        assert config.assignments["rbm"].bonus and not config.assignments["mnist_bn"].bonus
        text = course_gradebook_csv({"mnist_bn": [results["reference"].model_copy(update={"score": 90.0})],
                                     "rbm": [results["reference"]]},
                                    {"mnist_bn": 100.0, "rbm": 100.0}, frozenset({"rbm"}))
        header, row = text.strip().splitlines()[:2]
        assert header.split(",")[-4:] == ["total", "max_total", "bonus", "max_bonus"]
        assert row.split(",")[-4:] == ["90", "100", "100", "100"]
