"""Check on `load_mnist()` and `make_loaders()`: `loaders`."""

from __future__ import annotations

from ..catalog import join, msg
from ..config import Assignment
from ..rubric import LoadersCheck
from .base import Verdict, check, failed, passed
from .observations import Observations

SHUFFLING_SAMPLERS = {"RandomSampler", "SubsetRandomSampler"}


@check("loaders", msg("loaders.title"), phases=("data",))
def check_loaders(obs: Observations, cfg: LoadersCheck, assignment: Assignment) -> Verdict:
    data = obs.phase("data")
    problems = []  # one sentence each: the code in them keeps its case
    if data["sizes"] != [60000, 10000]:
        problems.append(msg("loaders.failed.sizes", train=data["sizes"][0], test=data["sizes"][1]))
    sample = data["sample"]
    if sample.get("shape") != [1, 28, 28] or sample.get("dtype") != "float32" or not (
            0.0 <= sample.get("min", -1) and sample.get("max", 2) <= 1.0):
        problems.append(msg("loaders.failed.sample", type=sample.get("type"), shape=sample.get("shape", ""),
                            dtype=sample.get("dtype", "")))
    if data["batch_size"] != assignment.batch_size:
        problems.append(msg("loaders.failed.batch_size", batch_size=data["batch_size"],
                            expected=assignment.batch_size))
    if cfg.shuffle and data["sampler"] not in SHUFFLING_SAMPLERS:
        problems.append(msg("loaders.failed.no_shuffle"))
    if cfg.drop_last and not data["drop_last"]:
        problems.append(msg("loaders.failed.keeps_last_batch"))
    if problems:
        return failed(msg("loaders.failed", problems=join(problems, " ")))
    return passed(msg("loaders.passed", batch_size=data["batch_size"], batches=data["batches"]))
