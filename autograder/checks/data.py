"""Check on `load_mnist()` and `make_loaders()`: `loaders`."""

from __future__ import annotations

from ..config import Assignment
from ..rubric import LoadersCheck
from .base import Verdict, check, failed, passed
from .observations import Observations

SHUFFLING_SAMPLERS = {"RandomSampler", "SubsetRandomSampler"}


@check("loaders", "MNIST datasets and the train loader", phases=("data",))
def check_loaders(obs: Observations, cfg: LoadersCheck, assignment: Assignment) -> Verdict:
    data = obs.phase("data")
    problems = []
    if data["sizes"] != [60000, 10000]:
        problems.append(f"the sets from load_mnist() hold {data['sizes'][0]} and {data['sizes'][1]} images; "
                        "MNIST has 60000 train and 10000 test images (train=True / train=False)")
    sample = data["sample"]
    if sample.get("shape") != [1, 28, 28] or sample.get("dtype") != "float32" or not (
            0.0 <= sample.get("min", -1) and sample.get("max", 2) <= 1.0):
        problems.append(f"an image from your train set is {sample.get('type')} {sample.get('shape', '')} "
                        f"{sample.get('dtype', '')}; use transform=transforms.ToTensor() so that each image "
                        "is a 1×28×28 float tensor in [0, 1]")
    if data["batch_size"] != assignment.batch_size:
        problems.append(f"the train loader's batch size is {data['batch_size']}, not {assignment.batch_size}")
    if cfg.shuffle and data["sampler"] not in SHUFFLING_SAMPLERS:
        problems.append("the train loader does not shuffle (shuffle=True)")
    if cfg.drop_last and not data["drop_last"]:
        problems.append("the train loader keeps the last incomplete batch (drop_last=True)")
    if problems:
        text = "; ".join(problems)
        return failed(text[:1].upper() + text[1:] + ".")  # not capitalize(): it lowercases the code in the text
    return passed(f"60000/10000 images as float tensors in [0, 1]; train loader: batch size "
                  f"{data['batch_size']}, shuffled, drop_last ({data['batches']} batches).")
