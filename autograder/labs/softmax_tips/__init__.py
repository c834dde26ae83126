"""Lab 07-1 (lab-07_1_tips): a softmax classifier on toy data, training and test sets, standardising.
Check kinds `tips_*` (`checks.py`, from `phases.py`); its `model` check is the core's `architecture`."""
