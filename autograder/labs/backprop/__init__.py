"""Lab 08-2 (lab-10-X1), backpropagation by hand: a 784-30-10 sigmoid network trained without
autograd. Check kinds `bp_*` (`checks.py`), judged from `phases.py`'s observations."""
