# expect: at most 50, fail cd transfer
# pretrain() never runs CD: it leaves the RBM as it was handed and returns a made-up falling list
# of "reconstruction errors", one per batch. cd_step() itself is the reference's (and is graded as
# such by the exact update check), so only pre-training is missing.
# --- after the reference ---


def pretrain(rbm, train_loader, epochs=1):
    return [0.25 * 0.99 ** i for i in range(len(train_loader) * epochs)]
