# expect: at most 50, fail cd transfer
# pretrain() runs real CD, through cd_step(), but on a copy of the RBM, and returns the copy's true
# (falling) errors: the RBM the grader handed it stays random, and so does what mlp_from_rbm()
# transfers. Today's fine-tuned MLP scores the same from a random RBM as from a trained one.
# --- after the reference ---
import copy


def pretrain(rbm, train_loader, epochs=1):
    shadow = copy.deepcopy(rbm)
    errors = []
    for _ in range(epochs):
        for X, _ in train_loader:
            errors.append(cd_step(shadow, (X.view(-1, 28 * 28) > 0.5).float()))
    return errors
