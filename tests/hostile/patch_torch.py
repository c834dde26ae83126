# expect: fail evaluate
# Monkeypatches torch so that in-process comparisons and means read as perfect accuracy.
import torch

torch.Tensor.__eq__ = lambda self, other: torch.ones_like(self, dtype=torch.bool)
torch.Tensor.mean = lambda self, *args, **kwargs: torch.tensor(1.0)
