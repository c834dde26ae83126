"""MNIST held in memory as tensors, served in batches that equal `ToTensor()` batches bit for bit.

Converting 60,000 PIL images per submission would cost more than the training itself. These
datasets look like torchvision's `MNIST` to student code (`data`, `targets`, `test_data`, ...)
while `__getitems__` hands the DataLoader a whole batch in one indexing operation.

They also note which of torchvision's raw attributes the student function the grader is calling
(`reading_as`) read: the course's own test code reads `mnist_test.test_data`, raw 0-255 pixels
that `ToTensor` never scaled, and whether that costs accuracy depends on the seed; what was read
does not (`checks/evaluation.py` charges it from `READS`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

PIXELS = ("data", "train_data", "test_data")  # the raw uint8 images, under torchvision's names old and new
LABELS = ("targets", "train_labels", "test_labels")
_calling: list[str] = []  # the student function the grader is calling now (outermost first)
READS: dict[str, set[str]] = {}  # student function -> raw attributes it read (its own nested calls included)


@contextmanager
def reading_as(function: str) -> Iterator[None]:
    """While the grader calls `function`, raw reads of every stand-in dataset are that function's."""
    _calling.append(function)
    try:
        yield
    finally:
        _calling.pop()


def to_tensor_scale(images_u8: np.ndarray) -> torch.Tensor:
    """uint8 N×28×28 -> float32 N×1×28×28 in [0, 1], exactly as `ToTensor` divides (x / 255 in float32)."""
    scaled = images_u8.astype(np.float32)
    scaled /= np.float32(255)  # in place: one float32 copy of the images, not two (188 MB for the train set)
    return torch.from_numpy(scaled.reshape(-1, 1, 28, 28))


def _raw(name: str, field: str) -> property:
    """torchvision's attribute `name`, noted as read by the function being called (the grader's own
    code reads the private fields, so it never shows up here)."""

    def read(self: "TensorMNIST") -> torch.Tensor:
        if _calling:
            READS.setdefault(_calling[0], set()).add(name)
        return getattr(self, field)

    return property(read)


class TensorMNIST(Dataset):
    def __init__(self, images_u8: torch.Tensor, images: torch.Tensor, targets: torch.Tensor, train: bool):
        self._pixels = images_u8
        self.images = images
        self._labels = targets
        self.train = train

    # torchvision's names, the old ones included, which the course's code uses (`mnist_test.test_data`).
    data, train_data, test_data = (_raw(name, "_pixels") for name in PIXELS)
    targets, train_labels, test_labels = (_raw(name, "_labels") for name in LABELS)

    def __len__(self) -> int:
        return len(self._labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.images[index], int(self._labels[index])

    def __getitems__(self, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        index = torch.as_tensor(indices)
        return self.images[index], self._labels[index]

    def subset(self, start: int, stop: int) -> "TensorMNIST":
        return TensorMNIST(self._pixels[start:stop], self.images[start:stop], self._labels[start:stop], self.train)


PROBE_IMAGES = 500  # per probe loader: five batches of 100 (the test's first images are never needed)


def scaling_probe(pool: TensorMNIST, batch_size: int, seed: int) -> tuple[torch.nn.Module, list[DataLoader]]:
    """A model and two loaders on which what an evaluate() returns measures how it fed the images.

    The model (Flatten, then Linear 784→10, so that any input shape works) answers 1 when the pixels
    of an image add up to more than 784, else 0: every image scaled to [0, 1] as the loader's are
    sums to at most 784, every raw 0-255 MNIST digit to far more. The loaders hold the same images,
    labelled all 0 and all 1: fed what the loader holds, an evaluate() scores 1 then 0; fed the raw
    pixels (`test_data` without dividing by 255), 0 then 1, whatever the seed or the model trained.
    """
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    with torch.no_grad():
        model[1].weight.zero_()
        model[1].weight[1] = 1.0
        model[1].bias.fill_(-1.0)
        model[1].bias[0], model[1].bias[1] = 0.0, -784.0
    images = pool.subset(0, PROBE_IMAGES)
    loaders = [loader(TensorMNIST(images._pixels, images.images, torch.full_like(images._labels, label), images.train),
                      batch_size, shuffle=False, seed=seed) for label in (0, 1)]
    return model, loaders


def _whole_batch(batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    return batch


def loader(dataset: TensorMNIST, batch_size: int, shuffle: bool, seed: int) -> DataLoader:
    """A real DataLoader (students may inspect it), seeded so that every run sees the same batches."""
    generator = torch.Generator().manual_seed(seed) if shuffle else None
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=shuffle,
                      generator=generator, collate_fn=_whole_batch)
