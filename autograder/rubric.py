"""The rubric's parameters in grader.toml: one pydantic model per kind of check.

`[assignments.<name>.checks.<id>]` is one check. Its kind (which check function judges it, and
which parameters it takes) is its id, unless the table sets `kind`: so one kind can be used
several times with different parameters (two accuracy minimums, say). What a sandbox runs is
planned per kind, not per check: the training budget of a phase (`accuracy`'s epochs and
train_samples, `sweep`'s) comes from the first check of that kind, so instances of one kind judge
the same observations with their own thresholds.

The core's kinds are here; a lab's own kinds are in its folder (`labs/<name>/rubric.py`), found
by `labs.load`, so that no list here grows when a lab is added.
"""

from __future__ import annotations

from types import ModuleType
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from . import labs, layers
from .rubric_base import Check


class TrainModeCheck(Check):
    kind: Literal["train_mode"] = "train_mode"


class TrainingLoopCheck(Check):
    """`zero_grad()`, `backward()` and `step()` in every batch of `train()` (`checks/training.py`):
    for labs whose budget cannot tell a missing `zero_grad()` from a correct loop by accuracy."""

    kind: Literal["training_loop"] = "training_loop"


class EvalModeCheck(Check):
    kind: Literal["eval_mode"] = "eval_mode"


class ConvShape(BaseModel):
    """One convolution as `shapes` expects it: `{channels = [1, 32], kernel = 3, padding = 1}`. The
    padding is what the layer amounts to, so `padding="same"` (stride 1, kernel 3) is 1."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    channels: tuple[int, int] = Field(description="(in_channels, out_channels)")
    kernel: int = Field(ge=1, description="kernel_size (square)")
    stride: int = Field(1, ge=1)
    padding: int = Field(0, ge=0)


class ShapesCheck(Check):
    kind: Literal["shapes"] = "shapes"
    linear: list[tuple[int, int]]
    batchnorm: list[int] = []
    conv: list[ConvShape] | None = Field(None, description="the convolutions, in any order; unset: not judged")


class OrderCheck(Check):
    kind: Literal["order"] = "order"
    block: list[str] = Field(["linear", "batch_norm", "relu", "dropout"], min_length=1, description="the ops of "
                             "one hidden block, as autograder/layers.py names them (conv2d, max_pool2d, relu, ...)")
    hidden_blocks: int = Field(2, ge=1)

    @field_validator("block")
    @classmethod
    def _known_ops(cls, block: list[str]) -> list[str]:
        unknown = [kind for kind in block if kind not in set(layers.KINDS.values()) or not layers.is_layer(kind)]
        if unknown:
            raise ValueError(f"unknown op {unknown[0]!r} (known: the names in autograder/layers.py, e.g. linear, "
                             "conv2d, max_pool2d, batch_norm, relu, dropout)")
        return block


class DropoutCheck(Check):
    kind: Literal["dropout"] = "dropout"
    p: float = Field(0.3, gt=0, lt=1)


class InitCheck(Check):
    kind: Literal["init"] = "init"
    scheme: Literal["xavier", "normal"] = Field("xavier", description="xavier: Xavier uniform or normal; normal: "
                                                "N(0, 1), torch.nn.init.normal_'s default (lab 09-1)")
    false_failure_rate: float = Field(1e-6, gt=0, lt=0.01)
    layers: list[Literal["linear", "conv"]] = Field(["linear"], min_length=1, description="whose weights are "
                                                    "judged: the Linear layers, the convolutions, or both")


class ArchitectureCheck(Check):
    """The layers of one builder's model, judged from the ops a forward pass ran (several builders
    per lab: a check of this kind per builder)."""

    kind: Literal["architecture"] = "architecture"
    builder: str = Field(description="the student function that builds the model, e.g. build_mlp")
    layers: list[tuple[int, int]] = Field(min_length=1, description="Linear (in, out) sizes, in order")
    activation: Literal["sigmoid", "relu", "none"] = Field("sigmoid", description="after each Linear; none: "
                                                          "Linear layers only (a softmax classifier's logits)")
    bias: bool = Field(True, description="every Linear has a bias (the lab's bias=True)")


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
    test_samples: int = Field(10000, ge=100, le=10000, description="the first test images the accuracy is measured "
                              "on (all 10000 unless a slow model's budget asks for fewer)")


class EvaluateCheck(Check):
    kind: Literal["evaluate"] = "evaluate"
    tolerance: float = Field(0.002, ge=0)
    no_grad: bool = Field(False, description="also require evaluate() to run without gradients (for labs that "
                          "have no `eval_mode` check, which judges that otherwise)")


class SweepCheck(Check):
    """The student's comparison of hidden sizes (Q1-2): one model per configuration, each of the right
    sizes, each learned as the grader measures it, each reported as measured (`checks/evaluation.py`)."""

    kind: Literal["sweep"] = "sweep"
    configs: list[tuple[int, int]] = Field(min_length=1)
    train_samples: int = Field(5000, ge=100)
    epochs: int = Field(1, ge=1)
    tolerance: float = Field(0.002, ge=0)
    test_samples: int = Field(2000, ge=100, le=10000, description="the hidden test images each model predicts")
    learned: float = Field(0.3, gt=0, lt=1, description="the accuracy on them that counts as trained "
                           "(benchmarks/calibration.md, `python -m benchmarks.calibrate --check sweep`)")


class ActivationCompareCheck(Check):
    """The student's comparison of activations (09-1): each network of its kind, its accuracy as
    the grader measures it (`checks/activations.py`)."""

    kind: Literal["activation_compare"] = "activation_compare"
    function: str = "compare_activations"
    activations: list[Literal["relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu"]] = ["relu", "sigmoid"]
    train_samples: int = Field(5000, ge=100, description="the training set handed to it (one model per activation)")
    epochs: int = Field(1, ge=1)
    tolerance: float = Field(0.002, ge=0)


CORE_KINDS = (ShapesCheck, OrderCheck, DropoutCheck, InitCheck, ArchitectureCheck, LoadersCheck, LossCheck,
              OptimizerCheck, TrainModeCheck, TrainingLoopCheck, EvalModeCheck, EvaluateCheck, AccuracyCheck, SweepCheck,
              ActivationCompareCheck)


def _kinds_of(module: ModuleType) -> list[type[Check]]:
    """The parameter models a lab's `rubric.py` defines: its classes with a kind of their own (a base
    class that several kinds share, without a kind, is not one)."""
    return [value for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Check) and value.__module__ == module.__name__
            and isinstance(value.model_fields["kind"].default, str)]


LAB_KINDS = tuple(model for module in labs.load("rubric") for model in _kinds_of(module))
CHECK_KINDS: dict[str, type[Check]] = {model.model_fields["kind"].default: model for model in (*CORE_KINDS, *LAB_KINDS)}

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
