"""Lab 09-2 (lab-10-3): Xavier and He initialisation written from the formulas. Check kinds
`init_function`, `from_scratch`, `model_init` (`checks.py`, from `phases.py`)."""
