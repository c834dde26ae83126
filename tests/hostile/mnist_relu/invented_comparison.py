# expect: fail evaluate compare
# A faulty evaluate() used to switch the comparison off (its numbers were not compared, evaluate() being
# charged already), so compare_activations() builds both networks, runs each once through the faulty
# evaluate() and trains neither, and reports accuracies it made up. The grader re-measures the
# networks compare_activations() built: neither learned, so `compare` fails too (honest score 65).


def evaluate(model, test_loader):
    with torch.no_grad():
        for X, Y in test_loader:
            model(X.view(-1, 28 * 28).to(device))
            break
    return 0.5


def compare_activations(train_loader, test_loader, training_epochs=training_epochs):
    results = {}
    for activation, invented in (("relu", 0.9412), ("sigmoid", 0.8876)):
        evaluate(build_model(activation), test_loader)
        results[activation] = invented
    return results
