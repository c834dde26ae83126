# expect: fail shapes order dropout init
# build_model() gives the homework's model on its first call only (the one the structure checks
# look at); every later call, including the one the grader trains, builds BatchNorm after ReLU,
# PyTorch's default init and Dropout(0.5).
# --- after the reference ---
_honest_build_model = build_model
_built = []


def build_model(hidden1=100, hidden2=100):
    _built.append(1)
    if len(_built) == 1:
        return _honest_build_model(hidden1, hidden2)
    return torch.nn.Sequential(
        torch.nn.Linear(784, hidden1), torch.nn.ReLU(), torch.nn.BatchNorm1d(hidden1), torch.nn.Dropout(0.5),
        torch.nn.Linear(hidden1, hidden2), torch.nn.ReLU(), torch.nn.BatchNorm1d(hidden2), torch.nn.Dropout(0.5),
        torch.nn.Linear(hidden2, 10)).to(device)
