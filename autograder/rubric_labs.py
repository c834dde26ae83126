"""The parameters of the checks the course's labs add to the core's (`rubric.py`): one pydantic
model per kind, grouped by lab, each judged in `checks/<lab>.py` from `probe/<lab>.py`'s
observations (the architecture kind is the core's `checks/model.py`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .rubric_base import Check


# --- toy-data labs: the XOR lab (08-1, 08-2) and the softmax tips (07-1) ---


class XorDataCheck(Check):
    kind: Literal["xor_data"] = "xor_data"


class ArchitectureCheck(Check):
    """The layers of one builder's model, judged from the ops a forward pass ran."""

    kind: Literal["architecture"] = "architecture"
    builder: str = Field(description="the student function that builds the model, e.g. build_mlp")
    layers: list[tuple[int, int]] = Field(min_length=1, description="Linear (in, out) sizes, in order")
    activation: Literal["sigmoid", "relu", "none"] = Field("sigmoid", description="after each Linear; none: "
                                                          "Linear layers only (a softmax classifier's logits)")
    bias: bool = Field(True, description="every Linear has a bias (the lab's bias=True)")


class BceLossCheck(Check):
    kind: Literal["bce_loss"] = "bce_loss"
    rtol: float = Field(1e-4, gt=0)


class XorFitCheck(Check):
    """Trained by the student's train(), does the builder's model fit XOR (or, for the perceptron,
    must it not)? A network that can fit XOR does not from every initialisation, so it is trained
    from each of `seeds` in turn (offsets to the grader's seed) and passes at the first that fits.
    The seeds are calibrated: ones from which the reference fits within `steps`, so a model built
    the course's way (same layers, same order) fits at the first; one built otherwise gets fresh
    chances. A model that cannot fit XOR never will, whatever the seed: all seeds run."""

    kind: Literal["xor_fit"] = "xor_fit"
    builder: str
    fits: bool = Field(description="true: must fit all four points; false: must not (a single layer cannot)")
    steps: int = Field(ge=1, description="train(..., steps=) for each seed; calibrated in benchmarks/")
    seeds: list[int] = Field([0], min_length=1, max_length=10)


class XorPredictCheck(Check):
    kind: Literal["xor_predict"] = "xor_predict"


class TipsDataCheck(Check):
    kind: Literal["tips_data"] = "tips_data"


class TipsTrainCheck(Check):
    """The student's train() with the grader's SGD: zero_grad/backward/step every epoch, the cost falls."""

    kind: Literal["tips_train"] = "tips_train"
    learning_rate: float = Field(0.1, gt=0, description="the SGD learning rate the grader hands train() (the lab's)")
    epochs: int = Field(20, ge=1, description="nb_epochs passed to train()")


class TipsTestCheck(Check):
    kind: Literal["tips_test"] = "tips_test"


class TipsStandardizeCheck(Check):
    kind: Literal["tips_standardize"] = "tips_standardize"


# --- with and without batch normalization (09-4), judged in checks/bn_pair.py from probe/bn_pair.py ---


class PairShapesCheck(Check):
    kind: Literal["pair_shapes"] = "pair_shapes"
    linear: list[tuple[int, int]] = Field(min_length=1, description="Linear (in, out) of both models")
    batchnorm: list[int] = Field(description="BatchNorm1d sizes of bn_model (nn_model has none)")


class PairOrderCheck(Check):
    kind: Literal["pair_order"] = "pair_order"


class PairTrainModeCheck(Check):
    kind: Literal["pair_train_mode"] = "pair_train_mode"


class PairEvalModeCheck(Check):
    kind: Literal["pair_eval_mode"] = "pair_eval_mode"


class PairEvaluateCheck(Check):
    kind: Literal["pair_evaluate"] = "pair_evaluate"
    tolerance: float = Field(0.002, ge=0)


class PairAccuracyCheck(Check):
    kind: Literal["pair_accuracy"] = "pair_accuracy"
    minimum: float = Field(gt=0, le=1)
    epochs: int = Field(1, ge=1)
    train_samples: int = Field(ge=100)


class PairCompareCheck(Check):
    kind: Literal["pair_compare"] = "pair_compare"
    epochs: int = Field(1, ge=1)
    train_samples: int = Field(2000, ge=100)
    valid_batches: int = Field(50, ge=1, description="whole batches of the holdout handed as valid_loader")
    tolerance: float = Field(0.002, ge=0)


# --- backpropagation by hand (08-2), judged in checks/backprop.py from probe/backprop.py ---


class BpSigmoidCheck(Check):
    kind: Literal["bp_sigmoid"] = "bp_sigmoid"


class BpInitCheck(Check):
    kind: Literal["bp_init"] = "bp_init"
    hidden: list[int] = Field([30, 17], min_length=1, description="init_params(hidden=...) values tried")
    false_failure_rate: float = Field(1e-6, gt=0, lt=0.01)


class _BpNumbers(Check):
    tolerance: float = Field(1e-4, gt=0, description="largest relative error against the trusted float64 computation")


class BpForwardCheck(_BpNumbers):
    kind: Literal["bp_forward"] = "bp_forward"


class BpBackwardCheck(_BpNumbers):
    kind: Literal["bp_backward"] = "bp_backward"


class BpUpdateCheck(_BpNumbers):
    kind: Literal["bp_update"] = "bp_update"


class BpByHandCheck(Check):
    kind: Literal["bp_by_hand"] = "bp_by_hand"


class BpAccuracyCheck(Check):
    kind: Literal["bp_accuracy"] = "bp_accuracy"
    minimum: float = Field(gt=0, le=1)
    steps: int = Field(ge=1, description="train(..., steps=): batches of the assignment's batch_size")
    train_samples: int = Field(ge=100, description="the training images the grader's loader holds")


# --- the weight-initialisation lab (09-2), judged in checks/weight_init.py from probe/weight_init.py ---


class InitFunctionCheck(Check):
    """One hand-written init function, called by the grader on weights of several shapes: does it fill
    each in place with the scheme's variance and the law's shape (statistics in `checks/init_stats.py`)?"""

    kind: Literal["init_function"] = "init_function"
    function: str = Field(description="the student function, e.g. xavier_uniform_")
    scheme: Literal["xavier", "he"] = Field(description="xavier: variance 2/(fan_in+fan_out); he: 2/fan_in")
    law: Literal["uniform", "normal"]
    shapes: list[tuple[int, int]] = Field(min_length=1, description="(fan_out, fan_in) weights it is handed, "
                                          "as nn.Linear stores them; include non-square ones so swapped fans show")
    false_failure_rate: float = Field(1e-6, gt=0, lt=0.01, description="chance that a correct function fails, "
                                      "all shapes and tests together")


class FromScratchCheck(Check):
    """The init functions are written from the formulas: none of them calls into torch.nn.init."""

    kind: Literal["from_scratch"] = "from_scratch"
    functions: list[str] = Field(min_length=1)


class ModelInitCheck(Check):
    """The builder applies the init function it is handed to every Linear weight (the grader hands
    its own, which leaves a mark)."""

    kind: Literal["model_init"] = "model_init"
    builder: str = "build_model"
    parameter: str = Field("init_fn", description="the builder's keyword argument that takes the init function")


# --- the RBM bonus (09-2's history), judged in checks/rbm.py from probe/rbm.py ---


class RbmConditionalsCheck(Check):
    kind: Literal["rbm_conditionals"] = "rbm_conditionals"


class RbmSamplingCheck(Check):
    kind: Literal["rbm_sampling"] = "rbm_sampling"
    draws: int = Field(4000, ge=100, description="samples of one input, whose frequencies are compared per unit")
    false_failure_rate: float = Field(1e-6, gt=0, lt=0.01, description="chance that a correct sampler fails")


class RbmFreeEnergyCheck(Check):
    kind: Literal["rbm_free_energy"] = "rbm_free_energy"


class RbmCdCheck(Check):
    kind: Literal["rbm_cd"] = "rbm_cd"
    k: int = Field(2, ge=1, le=10, description="cd_step(..., k=): Gibbs steps")
    learning_rate: float = Field(0.1, gt=0)


class RbmTransferCheck(Check):
    kind: Literal["rbm_transfer"] = "rbm_transfer"
    minimum: float = Field(gt=0, le=1)
    pretrain_samples: int = Field(ge=100, description="images pretrain() runs over (one epoch)")
    train_samples: int = Field(ge=100, description="images the grader trains the MLP on (one pass)")
    learning_rate: float = Field(0.001, gt=0, description="the grader's Adam")
