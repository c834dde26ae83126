"""The bonus lab (09-2's history): a restricted Boltzmann machine pre-trained by CD-k on binarised
MNIST, its weights starting an MLP. Check kinds `rbm_*` (`checks.py`, from `phases.py`)."""
