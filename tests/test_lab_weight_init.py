"""Lab `weight_init` end to end, in one graded batch: the shared contract (tests/labs/contract.py),
whose variants include each mistake the init checks must reject (swapped fans, the other law, the
other scheme, a variance used as a std, a missing factor 2, not in place, torch.nn.init, an ignored
init_fn), and what the messages say."""

from __future__ import annotations

from .labs import weight_init
from .labs.contract import LabContract, message


class TestWeightInit(LabContract):
    lab = weight_init

    def test_rubric_is_the_labs(self, config):
        lab = config.assignments[weight_init.ASSIGNMENT]
        assert set(lab.checks.enabled()) == {"xavier_uniform", "xavier_normal", "he_uniform", "he_normal",
                                             "from_scratch", "model_init", "shapes", "accuracy"}
        assert lab.max_score == 100

    def test_messages_name_the_mistake(self, results):
        assert "fan_out used in place of fan_in" in message(results, "swapped_fans_he_uniform", "he_uniform")
        assert "variance used as the standard deviation" in message(results, "variance_as_std_xavier_normal",
                                                                     "xavier_normal")
        assert "bound without its square root" in message(results, "no_sqrt_xavier_uniform", "xavier_uniform")
        assert "missing factor 2" in message(results, "missing_two_he_normal", "he_normal")
        assert "the other scheme (Xavier)" in message(results, "xavier_in_he_normal", "he_normal")
        assert "outside ±a" in message(results, "normal_law_xavier_uniform", "xavier_uniform")
        assert "a uniform law none" in message(results, "uniform_law_xavier_normal", "xavier_normal")
        assert "returned a new tensor" in message(results, "not_in_place_he_uniform", "he_uniform")
        assert "return weight" in message(results, "no_return_he_normal", "he_normal")
        assert "torch.no_grad()" in message(results, "no_no_grad_xavier_normal", "xavier_normal")
        assert "torch.nn.init.xavier_normal_" in message(results, "nn_init_xavier_normal", "from_scratch")
        assert "torch.nn.init.kaiming_uniform_" in message(results, "nn_init_by_name_he_uniform", "from_scratch")
        assert "xavier_uniform_ by name" in message(results, "ignores_init_fn", "model_init")
        assert "Linear 256→10 was not handed to it" in message(results, "last_layer_not_initialised", "model_init")
        # 784→256: Xavier std sqrt(2 / 1040), He std sqrt(2 / 784)
        assert "256×784: std 0.043" in message(results, "reference", "xavier_uniform")
        assert "(expected 0.0505)" in message(results, "reference", "he_normal")
