"""MNIST held in memory as tensors, served in batches that equal `ToTensor()` batches bit for bit.

Converting 60,000 PIL images per submission would cost more than the training itself. These
datasets look like torchvision's `MNIST` to student code (`data`, `targets`, `test_data`, ...)
while `__getitems__` hands the DataLoader a whole batch in one indexing operation.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


def to_tensor_scale(images_u8: np.ndarray) -> torch.Tensor:
    """uint8 N×28×28 -> float32 N×1×28×28 in [0, 1], exactly as `ToTensor` divides (x / 255 in float32)."""
    scaled = images_u8.astype(np.float32)
    scaled /= np.float32(255)  # in place: one float32 copy of the images, not two (188 MB for the train set)
    return torch.from_numpy(scaled.reshape(-1, 1, 28, 28))


class TensorMNIST(Dataset):
    def __init__(self, images_u8: torch.Tensor, images: torch.Tensor, targets: torch.Tensor, train: bool):
        self.data = images_u8
        self.images = images
        self.targets = targets
        self.train = train

    # torchvision's old names, which the course's code uses (`mnist_test.test_data`).
    @property
    def train_data(self) -> torch.Tensor:
        return self.data

    @property
    def test_data(self) -> torch.Tensor:
        return self.data

    @property
    def train_labels(self) -> torch.Tensor:
        return self.targets

    @property
    def test_labels(self) -> torch.Tensor:
        return self.targets

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.images[index], int(self.targets[index])

    def __getitems__(self, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        index = torch.as_tensor(indices)
        return self.images[index], self.targets[index]

    def subset(self, start: int, stop: int) -> "TensorMNIST":
        return TensorMNIST(self.data[start:stop], self.images[start:stop], self.targets[start:stop], self.train)


def _whole_batch(batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    return batch


def loader(dataset: TensorMNIST, batch_size: int, shuffle: bool, seed: int) -> DataLoader:
    """A real DataLoader (students may inspect it), seeded so that every run sees the same batches."""
    generator = torch.Generator().manual_seed(seed) if shuffle else None
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=shuffle,
                      generator=generator, collate_fn=_whole_batch)
