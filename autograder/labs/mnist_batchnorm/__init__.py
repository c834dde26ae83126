"""Lab 09-4 (lab-10-6), the same network with and without batch normalization: `build_models()`
gives a pair, so its checks are of their own kinds, `pair_*` (`checks.py`, from `phases.py`)."""
