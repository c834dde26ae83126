# expect: fail by_hand
# replaces: backward (the reference's function of that name, by tests/test_capability.py)
# backward() takes its gradients from autograd's engine, called directly: a C function, so no Python
# frame for the grader's profiler to see. Red-team row of issue 21 (backprop, route 1), scored 100.
from torch.autograd.variable import Variable


def backward(params, cache, X, Y):
    w1 = params["w1"].clone().requires_grad_()
    w2 = params["w2"].clone().requires_grad_()
    l1 = torch.matmul(X, w1) + params["b1"]
    l2 = torch.matmul(sigmoid(l1), w2) + params["b2"]
    loss = 0.5 * torch.sum((sigmoid(l2) - Y) ** 2)
    d_w1, d_w2, d_l1, d_l2 = Variable._execution_engine.run_backward(
        (loss,), (torch.ones_like(loss),), False, False, (w1, w2, l1, l2), False, False)
    return {"d_w1": d_w1, "d_b1": d_l1, "d_w2": d_w2, "d_b2": d_l2}
