# expect: at most 50, fail cd transfer
# One that knows `transfer` looks at frozen features: pretrain() runs no CD and redraws W as
# N(0, 0.3²), whose random sigmoid features classify MNIST better than 60 CD updates' features do
# (0.80-0.84 against 0.67-0.72), and returns a made-up falling list. `cd` measures that nothing was
# learned, and `transfer` counts features only from an RBM that pretrain() trains.
# --- after the reference ---


def pretrain(rbm, train_loader, epochs=1):
    with torch.no_grad():
        rbm.W.copy_(torch.randn_like(rbm.W) * 0.3)
    return [0.25 * 0.99 ** i for i in range(len(train_loader) * epochs)]
