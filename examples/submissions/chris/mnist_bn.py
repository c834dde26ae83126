# Chris: PyTorch's default init, SGD, and no optimizer.zero_grad() (gradients pile up).
import torch
import torchvision.datasets as dsets
import torchvision.transforms as transforms

device = 'cuda' if torch.cuda.is_available() else 'cpu'
learning_rate = 0.1
training_epochs = 15
batch_size = 100


def load_mnist(root="MNIST_data/"):
    train = dsets.MNIST(root=root, train=True, transform=transforms.ToTensor(), download=True)
    test = dsets.MNIST(root=root, train=False, transform=transforms.ToTensor(), download=True)
    return train, test


def make_loaders(mnist_train, mnist_test, batch_size=batch_size):
    return (torch.utils.data.DataLoader(mnist_train, batch_size=batch_size, shuffle=True, drop_last=True),
            torch.utils.data.DataLoader(mnist_test, batch_size=batch_size, shuffle=False))


def build_model(hidden1=100, hidden2=100):
    return torch.nn.Sequential(
        torch.nn.Linear(784, hidden1), torch.nn.BatchNorm1d(hidden1), torch.nn.ReLU(), torch.nn.Dropout(p=0.3),
        torch.nn.Linear(hidden1, hidden2), torch.nn.BatchNorm1d(hidden2), torch.nn.ReLU(), torch.nn.Dropout(p=0.3),
        torch.nn.Linear(hidden2, 10)).to(device)


def make_criterion():
    return torch.nn.CrossEntropyLoss().to(device)


def make_optimizer(model, learning_rate=learning_rate):
    return torch.optim.SGD(model.parameters(), lr=learning_rate)


def train(model, train_loader, criterion, optimizer, training_epochs=training_epochs):
    costs = []
    for epoch in range(training_epochs):
        avg_cost = 0
        model.train()
        for X, Y in train_loader:
            cost = criterion(model(X.view(-1, 28 * 28).to(device)), Y.to(device))
            cost.backward()
            optimizer.step()
            avg_cost += cost.item() / len(train_loader)
        costs.append(avg_cost)
    return costs


def evaluate(model, test_loader):
    with torch.no_grad():
        model.eval()
        correct = sum((model(X.view(-1, 784).to(device)).argmax(1) == Y.to(device)).sum().item()
                      for X, Y in test_loader)
    return correct / len(test_loader.dataset)


def compare_hidden_sizes(configs, train_loader, test_loader, training_epochs=training_epochs):
    results = []
    for hidden1, hidden2 in configs:
        model = build_model(hidden1, hidden2)
        costs = train(model, train_loader, make_criterion(), make_optimizer(model), training_epochs)
        results.append({"hidden": (hidden1, hidden2), "train_cost": costs[-1],
                        "test_accuracy": evaluate(model, test_loader)})
    return results
