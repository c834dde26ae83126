# Alice: a correct solution in the nn.Module style of the course's other notes.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.datasets as dsets
import torchvision.transforms as transforms

device = 'cuda' if torch.cuda.is_available() else 'cpu'
learning_rate = 0.1
training_epochs = 15
batch_size = 100


def load_mnist(root="MNIST_data/"):
    kwargs = dict(root=root, transform=transforms.ToTensor(), download=True)
    return dsets.MNIST(train=True, **kwargs), dsets.MNIST(train=False, **kwargs)


def make_loaders(mnist_train, mnist_test, batch_size=batch_size):
    train = torch.utils.data.DataLoader(mnist_train, batch_size=batch_size, shuffle=True, drop_last=True)
    test = torch.utils.data.DataLoader(mnist_test, batch_size=batch_size)
    return train, test


class BNNet(nn.Module):
    def __init__(self, hidden1, hidden2):
        super().__init__()
        self.fc = nn.ModuleList([nn.Linear(784, hidden1), nn.Linear(hidden1, hidden2), nn.Linear(hidden2, 10)])
        self.bn = nn.ModuleList([nn.BatchNorm1d(hidden1), nn.BatchNorm1d(hidden2)])
        for layer in self.fc:
            nn.init.xavier_normal_(layer.weight)

    def forward(self, x):
        for fc, bn in zip(self.fc, self.bn):
            x = F.dropout(F.relu(bn(fc(x))), p=0.3, training=self.training)
        return self.fc[-1](x)


def build_model(hidden1=100, hidden2=100):
    return BNNet(hidden1, hidden2).to(device)


def make_criterion():
    return nn.CrossEntropyLoss()


def make_optimizer(model, learning_rate=learning_rate):
    return torch.optim.Adam(model.parameters(), lr=learning_rate)


def train(model, train_loader, criterion, optimizer, training_epochs=training_epochs):
    history = []
    for epoch in range(training_epochs):
        model.train()
        total = 0.0
        for X, Y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(X.view(-1, 784).to(device)), Y.to(device))
            loss.backward()
            optimizer.step()
            total += loss.item()
        history.append(total / len(train_loader))
    return history


def evaluate(model, test_loader):
    model.eval()
    correct = seen = 0
    with torch.no_grad():
        for X, Y in test_loader:
            correct += (model(X.view(-1, 784).to(device)).argmax(1) == Y.to(device)).sum().item()
            seen += len(Y)
    return correct / seen


def compare_hidden_sizes(configs, train_loader, test_loader, training_epochs=training_epochs):
    rows = []
    for h1, h2 in configs:
        model = build_model(h1, h2)
        costs = train(model, train_loader, make_criterion(), make_optimizer(model), training_epochs)
        rows.append({"hidden": (h1, h2), "train_cost": costs[-1], "test_accuracy": evaluate(model, test_loader)})
    return rows


if __name__ == "__main__":
    train_loader, test_loader = make_loaders(*load_mnist())
    model = build_model()
    train(model, train_loader, make_criterion(), make_optimizer(model))
    print("Accuracy:", evaluate(model, test_loader))
