"""probe/mnist_files.py: a child's first read of each MNIST file is the zygote's tensor, equal to
what torchvision reads; later reads, and changed files, come from the disk."""

from __future__ import annotations

import struct

import numpy as np
import pytest

torch = pytest.importorskip("torch")
mnist = pytest.importorskip("torchvision.datasets.mnist")

from autograder.data import FILES  # noqa: E402
from autograder.probe import mnist_files  # noqa: E402


def _idx(path, array: np.ndarray) -> None:
    header = struct.pack(">I", 0x0800 | array.ndim) + b"".join(struct.pack(">I", n) for n in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def raw(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, "read_image_file", mnist.read_image_file)  # restored after the test
    monkeypatch.setattr(mnist, "read_label_file", mnist.read_label_file)
    monkeypatch.setattr(mnist_files, "_read", {})
    rng = np.random.default_rng(0)
    for key, name in FILES.items():
        shape = (5, 28, 28) if key.endswith("images") else (5,)
        _idx(tmp_path / name, rng.integers(0, 256, shape))
    return tmp_path


def test_first_read_is_shared_and_equal_later_reads_from_disk(raw):
    expected = {name: (mnist.read_image_file if name.endswith("idx3-ubyte") else mnist.read_label_file)(str(raw / name))
                for name in FILES.values()}
    mnist_files.share(raw)
    images, labels = FILES["train_images"], FILES["train_labels"]
    first = mnist.read_image_file(str(raw / images))
    assert torch.equal(first, expected[images]) and first.dtype == torch.uint8 and first.shape == (5, 28, 28)
    assert torch.equal(mnist.read_label_file(str(raw / labels)), expected[labels])
    second = mnist.read_image_file(str(raw / images))
    assert torch.equal(second, first) and second.data_ptr() != first.data_ptr()  # never the same tensor twice


def test_a_changed_file_is_read_anew(raw):
    mnist_files.share(raw)
    name = FILES["test_images"]
    _idx(raw / name, np.full((6, 28, 28), 7))  # another size: an mtime may not have moved within a tick
    assert mnist.read_image_file(str(raw / name)).shape == (6, 28, 28)
