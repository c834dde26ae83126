# expect: score 55; perceptron_fails, mlp_learns and wide_deep_learns fail
# Appended to the reference (tests/test_lab_xor.py). train() learns nothing: it writes a hand-made
# XOR solution into the two Linear layers of whatever 2-2-1 network it is handed (hidden units OR
# and NAND, output their AND) and returns a small constant cost. The grader hands train() XNOR
# labels and the last layer negated, so XOR's weights are the wrong answer: nothing is gained.
def train(model, X, Y, criterion, optimizer, steps=10001):
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    if [m.out_features for m in linears] == [2, 1]:
        with torch.no_grad():
            linears[0].weight.copy_(torch.tensor([[20.0, 20.0], [-20.0, -20.0]]))
            linears[0].bias.copy_(torch.tensor([-10.0, 30.0]))
            linears[1].weight.copy_(torch.tensor([[20.0, 20.0]]))
            linears[1].bias.copy_(torch.tensor([-30.0]))
    return [0.01] * steps
