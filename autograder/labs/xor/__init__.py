"""Labs 08-1 and 08-2: the perceptron cannot learn XOR, multi-layer perceptrons can, on four points
without MNIST. Check kinds `xor_data`, `bce_loss`, `xor_fit`, `xor_predict` (`checks.py`, from
`phases.py`); its builders' layers are the core's `architecture` kind."""
