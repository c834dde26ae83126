"""Lab `rbm` (the bonus: RBM pre-training, the history in 09-2): submissions derived from its
reference, each breaking one rule (or none, in another correct style), as data. Edits are applied by
`tests.variants.apply_edits`, so a substitution that no longer applies to the reference fails loudly."""

from __future__ import annotations

from pathlib import Path

ASSIGNMENT = "rbm"
REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "rbm.py"

P_V = "        return torch.sigmoid(h @ self.W + self.v_bias)\n"
SAMPLE_H = "        return torch.bernoulli(self.p_h_given_v(v))\n"
FREE_ENERGY = ("        return -(v @ self.v_bias) - torch.nn.functional.softplus(v @ self.W.t() + self.h_bias).sum(dim=1)\n")

# name -> (edits, checks that must not pass). An edit is (old, new) text or ("def NAME", code).
VARIANTS: dict[str, tuple[list[tuple[str, str]], set[str]]] = {
    # Other correct styles.
    "exp_sigmoid": ([(P_V, "        return 1 / (1 + torch.exp(-(torch.matmul(h, self.W) + self.v_bias)))\n")], set()),
    "rand_sampling": ([(SAMPLE_H, "        p = self.p_h_given_v(v)\n        return (torch.rand_like(p) < p).float()\n")],
                      set()),
    "log1p_free_energy": ([(FREE_ENERGY, "        return -v.mv(self.v_bias) - torch.log1p(torch.exp(v.mm(self.W.t()) "
                                         "+ self.h_bias)).sum(1)\n")], set()),
    # One bug each.
    "p_v_without_bias": ([(P_V, "        return torch.sigmoid(h @ self.W)\n")], {"conditionals"}),
    "threshold_sampling": ([(SAMPLE_H, "        return (self.p_h_given_v(v) > 0.5).float()\n")], {"sampling"}),
    "free_energy_total": ([(FREE_ENERGY, FREE_ENERGY.replace(".sum(dim=1)", ".sum(dim=1).sum()"))], {"free_energy"}),
    # The positive phase with sampled h0 instead of the probabilities p(h|v0).
    "sampled_positive_phase": ([("        p_h0 = rbm.p_h_given_v(v0)\n        h = rbm.sample_h(v0)\n",
                                 "        h = rbm.sample_h(v0)\n        p_h0 = h\n")], {"cd"}),
    "fresh_first_layer": ([("        first.weight.copy_(rbm.W)\n", "")], {"transfer"}),
    # pretrain() trains but keeps cd_step's errors to itself: charged by `cd` alone, not by `transfer` too.
    "pretrain_returns_no_errors": ([("            errors.append(cd_step(rbm, v))\n", "            cd_step(rbm, v)\n")],
                                   {"cd"}),
}

# What benchmarks/calibrate.py grades next to the reference (benchmarks/calibration_rbm.md).
# The reference alone: a first layer not copied from W fails before accuracy counts. What `transfer` must
# separate the reference from (an RBM pretrain() left untrained) is graded by benchmarks/calibrate_rbm_transfer.py,
# from tests/hostile/rbm/.
CALIBRATION: tuple[str, ...] = ()
