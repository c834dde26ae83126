"""What every phase works with inside the sandbox: the data the zygote loaded, the context of one
job (its plan, the student's module, the grader's seeded loaders), and the grader's own
measurements of a student's model (eval mode, no gradients, compared in numpy)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import torch

from ..sandbox.protocol import Job, ProbePlan
from . import datasets
from .student import call, wrong_type


@dataclass
class Mnist:
    """What the zygote loaded once: train set (images and labels) and test images, no test labels."""

    train: datasets.TensorMNIST
    test_images: torch.Tensor


@dataclass
class Context:
    job: Job
    data: Mnist | None  # None for a lab that does not need MNIST
    out: Path
    device: str
    module: ModuleType | None = None
    trained: torch.nn.Module | None = None  # the model after the grading run, for evaluate()
    builds: list[dict[str, Any]] = field(default_factory=list)  # every model a builder gave, described

    @property
    def plan(self) -> ProbePlan:
        return self.job.plan

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        assert self.module is not None
        with datasets.reading_as(function):  # what it reads of the stand-in datasets is noted (datasets.READS)
            return call(self.module, self.job.module_path, function, *args, **kwargs)

    def seed(self, offset: int = 0) -> None:
        seed = self.plan.seed + offset
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)

    def holdout(self) -> datasets.TensorMNIST:
        return self.data.train.subset(60000 - self.plan.holdout, 60000)

    def holdout_loader(self):
        return datasets.loader(self.holdout(), self.plan.batch_size, shuffle=False, seed=self.plan.seed)

    def train_loader(self, samples: int):
        return datasets.loader(self.data.train.subset(0, samples), self.plan.batch_size, shuffle=True,
                               seed=self.plan.seed)

    def inputs(self, images: torch.Tensor) -> torch.Tensor:
        """Images shaped as this assignment's model takes them (`model_input`, the plan's input_shape)."""
        return model_input(images, self.plan.input_shape)

    def fresh_model(self, builder: str = "build_model", seed_offset: int = 0, **kwargs: Any) -> torch.nn.Module:
        """A new model from the student's `builder` (called with `kwargs`), built from the grader's seed
        (plus `seed_offset`)."""
        self.seed(seed_offset)
        model = self.call(builder, **kwargs)
        if not isinstance(model, torch.nn.Module):
            raise wrong_type(builder, "module", model)
        if len(self.builds) < 20:
            self.builds.append({"builder": builder, "kwargs": sorted(kwargs), "modules": describe_modules(model)})
        return model.to(self.device)


def describe_modules(model: torch.nn.Module) -> list[dict[str, Any]]:
    """The layers of a model in registration order, with their sizes (a Linear's features, a
    convolution's channels, kernel, stride and padding, a pooling's window), dropout probability and
    the scale of each Linear weight: what `shapes`, `order`, `dropout` and `init` judge, and what
    must not change from one call of the builder to the next."""
    modules = []
    for name, module in model.named_modules():
        entry: dict[str, Any] = {"name": name, "type": type(module).__name__}
        if isinstance(module, torch.nn.Linear):
            entry.update({"in": module.in_features, "out": module.out_features,
                          "std": float(module.weight.detach().float().std()) if module.weight.numel() > 1 else 0.0})
        elif isinstance(module, torch.nn.modules.conv._ConvNd):
            entry.update({"in": module.in_channels, "out": module.out_channels, "kernel": list(module.kernel_size),
                          "stride": list(module.stride), "padding": _padding(module)})
        elif isinstance(module, (torch.nn.modules.pooling._MaxPoolNd, torch.nn.modules.pooling._AvgPoolNd)):
            entry.update({"kernel": _ints(module.kernel_size), "stride": _ints(module.stride or module.kernel_size)})
        elif isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            entry["features"] = module.num_features
        elif isinstance(module, torch.nn.modules.dropout._DropoutNd):
            entry["p"] = float(module.p)
        modules.append(entry)
    return modules


def _ints(value: Any) -> list[int]:
    return [int(v) for v in value] if isinstance(value, (tuple, list)) else [int(value)]


def _padding(conv: torch.nn.Module) -> list[int]:
    """A convolution's padding per side, as numbers: `padding="same"` is what it amounts to (kernel 3,
    stride 1: 1), `"valid"` is 0, and `padding_mode` (zeros, reflect, ...) does not change the size."""
    if conv.padding == "valid":
        return [0] * len(conv.kernel_size)
    if conv.padding == "same":
        return [d * (k - 1) // 2 for d, k in zip(conv.dilation, conv.kernel_size)]
    return _ints(conv.padding)


def model_input(images: torch.Tensor, input_shape: list[int] | tuple[int, ...] | None) -> torch.Tensor:
    """Images (N, 1, 28, 28) as the assignment's model takes them: `input_shape` per image
    (grader.toml's `input_shape`: [784] for the MLP labs, [1, 28, 28] for a CNN); None flattens."""
    return images.reshape(len(images), *(input_shape or [-1]))


def number(value: Any) -> float | None:
    """A student's scalar (float, int, 0-d tensor, numpy scalar) as a float, else None."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.detach().item()
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if math.isfinite(value) else None
    return None


def flatten(images: torch.Tensor) -> torch.Tensor:
    """Images as a (N, 784) batch: what a lab's own phases hand an MLP (the core's use `model_input`)."""
    return model_input(images, None)


MAX_MODELS = 6  # the models of one comparison (or one sweep configuration) the grader re-measures


def predict(model: torch.nn.Module, images: torch.Tensor, device: str, batch: int = 1000,
            input_shape: list[int] | None = None) -> np.ndarray:
    """The grader's own measurement: eval mode, no gradients, argmax of the outputs (images shaped
    as `model_input` does)."""
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(images), batch):
            logits = model(model_input(images[start:start + batch], input_shape).to(device))
            out.append(torch.argmax(logits, 1).cpu())
    return torch.cat(out).numpy().astype(np.int64)


def holdout_accuracy(ctx: Context, model: torch.nn.Module) -> float:
    held = ctx.holdout()
    return float((predict(model, held.images, ctx.device, input_shape=ctx.plan.input_shape)
                  == held.targets.numpy()).mean())


def buffers(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: value.detach().clone() for name, value in model.named_buffers()}


def holdout_as_evaluate(ctx: Context, model: torch.nn.Module) -> float:
    """The accuracy `evaluate()` should return: the grader's own measurement, done the way a correct
    `evaluate()` does it, on the very batches it is handed (`holdout_loader()`, in order, one forward
    pass each, eval mode, no gradients) from the same seeded random state (`_evaluate_call` seeds too).

    Why not simply excuse `evaluate` when `eval_mode` fails? For a deterministic model this equals
    any other measurement. For a model that stays random in eval mode (`F.dropout(x, p)` without
    `training=self.training`), the dropout masks are then the same as in the student's call, so a
    correct `evaluate()` returns exactly this number and is not charged for the model's bug, which
    `eval_mode` already charges, while a wrong `evaluate()` (percentages, unscaled pixels, a wrong
    count) is still caught: the two checks stay independent. (An `evaluate()` that batches
    differently sees other masks, and may then differ by the noise of dropout.)
    """
    model.eval()
    ctx.seed()
    correct = total = 0
    with torch.no_grad():
        for images, labels in ctx.holdout_loader():
            logits = model(ctx.inputs(images).to(ctx.device))
            # Compared in numpy: a submission that patches torch.Tensor.__eq__ cannot fool the grader here.
            correct += int((torch.argmax(logits, 1).cpu().numpy() == labels.numpy()).sum())
            total += len(labels)
    return correct / total


def plain(value: Any) -> dict[str, Any]:
    """A value a student function returned, as JSON: a tensor's dtype, shape and (when small) values."""
    if not isinstance(value, torch.Tensor):
        return {"type": type(value).__name__}
    return {"type": "Tensor", "dtype": str(value.dtype).replace("torch.", ""), "shape": list(value.shape),
            "values": value.detach().cpu().double().tolist() if value.numel() <= 64 else None}
