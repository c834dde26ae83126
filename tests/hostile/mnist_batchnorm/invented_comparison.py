# expect: fail evaluate compare
# A faulty evaluate() used to switch the comparison off, and the feedback then said "compare() trained
# both models": compare() builds both models, runs each once through the faulty evaluate(), trains
# neither, and reports lists it made up. The grader re-measures the models compare() built: neither
# learned, so `compare` fails too (honest score 70).


def evaluate(model, loader, criterion):
    with torch.no_grad():
        model.eval()
        for X, Y in loader:
            model(X.view(-1, 28 * 28).to(device))
            break
    return 0.0, 0.5


def compare(train_loader, valid_loader, training_epochs=training_epochs):
    bn_model, nn_model = build_models()
    evaluate(bn_model, valid_loader, None)
    evaluate(nn_model, valid_loader, None)
    return {"train_losses": [[0.21, 0.35]] * training_epochs, "train_accs": [[0.94, 0.90]] * training_epochs,
            "valid_losses": [[0.24, 0.38]] * training_epochs, "valid_accs": [[0.93, 0.89]] * training_epochs}
