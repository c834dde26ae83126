"""The rubric's parameters in grader.toml: one pydantic model per kind of check.

`[assignments.<name>.checks.<id>]` is one check. Its kind (which check function judges it, and
which parameters it takes) is its id, unless the table sets `kind`: so one kind can be used
several times with different parameters (two accuracy minimums, say). What a sandbox runs is
planned per kind, not per check: the training budget of a phase (`accuracy`'s epochs and
train_samples, `sweep`'s) comes from the first check of that kind, so instances of one kind judge
the same observations with their own thresholds.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Check(_Strict):
    kind: str  # the check function that judges it: its table's name in grader.toml unless `kind` says otherwise
    points: float = Field(ge=0)


class TrainModeCheck(Check):
    kind: Literal["train_mode"] = "train_mode"


class EvalModeCheck(Check):
    kind: Literal["eval_mode"] = "eval_mode"


class ShapesCheck(Check):
    kind: Literal["shapes"] = "shapes"
    linear: list[tuple[int, int]]
    batchnorm: list[int]


class OrderCheck(Check):
    kind: Literal["order"] = "order"
    block: list[str] = ["linear", "batch_norm", "relu", "dropout"]
    hidden_blocks: int = Field(2, ge=1)


class DropoutCheck(Check):
    kind: Literal["dropout"] = "dropout"
    p: float = Field(0.3, gt=0, lt=1)


class InitCheck(Check):
    kind: Literal["init"] = "init"
    scheme: Literal["xavier", "normal"] = Field("xavier", description="xavier: Xavier uniform or normal; normal: "
                                                "N(0, 1), torch.nn.init.normal_'s default (lab 09-1)")
    false_failure_rate: float = Field(1e-6, gt=0, lt=0.01)


class LoadersCheck(Check):
    kind: Literal["loaders"] = "loaders"
    shuffle: bool = True
    drop_last: bool = True


class LossCheck(Check):
    kind: Literal["loss"] = "loss"
    rtol: float = Field(1e-4, gt=0)


class OptimizerCheck(Check):
    kind: Literal["optimizer"] = "optimizer"
    name: str = "Adam"
    builder: str = Field("build_model", description="the student function whose model the optimizer is handed")


class AccuracyCheck(Check):
    kind: Literal["accuracy"] = "accuracy"
    minimum: float = Field(gt=0, le=1)
    epochs: int = Field(1, ge=1)
    train_samples: int = Field(55000, ge=100)


class EvaluateCheck(Check):
    kind: Literal["evaluate"] = "evaluate"
    tolerance: float = Field(0.002, ge=0)
    no_grad: bool = Field(False, description="also require evaluate() to run without gradients (for labs that "
                          "have no `eval_mode` check, which judges that otherwise)")


class SweepCheck(Check):
    kind: Literal["sweep"] = "sweep"
    configs: list[tuple[int, int]] = Field(min_length=1)
    train_samples: int = Field(5000, ge=100)
    epochs: int = Field(1, ge=1)
    tolerance: float = Field(0.002, ge=0)


class ActivationCompareCheck(Check):
    """The student's comparison of activations (09-1): each network of its kind, its accuracy as
    the grader measures it (`checks/activations.py`)."""

    kind: Literal["activation_compare"] = "activation_compare"
    function: str = "compare_activations"
    activations: list[Literal["relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu"]] = ["relu", "sigmoid"]
    train_samples: int = Field(5000, ge=100, description="the training set handed to it (one model per activation)")
    epochs: int = Field(1, ge=1)
    tolerance: float = Field(0.002, ge=0)


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


CHECK_KINDS: dict[str, type[Check]] = {
    model.model_fields["kind"].default: model
    for model in (ShapesCheck, OrderCheck, DropoutCheck, InitCheck, LoadersCheck, LossCheck, OptimizerCheck,
                  TrainModeCheck, EvalModeCheck, EvaluateCheck, AccuracyCheck, SweepCheck, ActivationCompareCheck,
                  XorDataCheck, ArchitectureCheck, BceLossCheck, XorFitCheck, XorPredictCheck,
                  TipsDataCheck, TipsTrainCheck, TipsTestCheck, TipsStandardizeCheck,
                  BpSigmoidCheck, BpInitCheck, BpForwardCheck, BpBackwardCheck, BpUpdateCheck, BpByHandCheck,
                  BpAccuracyCheck,
                  InitFunctionCheck, FromScratchCheck, ModelInitCheck)
}

AnyCheck = Annotated[Union[tuple(CHECK_KINDS.values())], Field(discriminator="kind")]  # noqa: UP007


class Checks(RootModel[dict[str, AnyCheck]]):
    """The rubric of one assignment, in grader.toml's order. A lab that leaves a check out is not
    graded on it."""

    model_config = ConfigDict(frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults_to_the_id(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        return {check_id: {"kind": check_id, **params} if isinstance(params, dict) else params
                for check_id, params in raw.items()}

    def enabled(self) -> dict[str, Check]:
        return dict(self.root)

    def of_kind(self, kind: str) -> dict[str, Any]:
        return {check_id: check for check_id, check in self.root.items() if check.kind == kind}

    def first(self, kind: str) -> Any | None:
        """The (usually only) check of this kind, for the parameters other checks and phases share."""
        return next(iter(self.of_kind(kind).values()), None)
