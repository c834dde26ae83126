# expect: fail optimizer
# make_optimizer() returns the Adam the homework asks for, but train() quietly trains with its own
# SGD instead of the optimizer it is handed.
# --- after the reference ---
_honest_train = train


def train(model, train_loader, criterion, optimizer, training_epochs=training_epochs):
    return _honest_train(model, train_loader, criterion, torch.optim.SGD(model.parameters(), lr=0.1),
                         training_epochs)
