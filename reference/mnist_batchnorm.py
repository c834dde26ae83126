# 모두를 위한 딥러닝 시즌2 — Lab 09-4 (lab-10-6): Batch Normalization
# Lab 09-4 (lab-10-6): MNIST with and without batch normalization
#
# 아래에 주어진 주석을 기반으로 하여 코딩을 해주세요. 'Fill this blank!' 자리를 채우면 됩니다.
# Write the code the comments below describe: replace every 'Fill this blank!' with your code.
# 채점기가 함수를 하나씩 불러서 확인하므로 함수 이름과 인자는 바꾸지 마세요.
# The grader calls each function on its own: keep the function names and their arguments.
# 전체 학습은 `python mnist_batchnorm.py` 로 실행합니다.
# Run the full course training with `python mnist_batchnorm.py`.
#
# 강의 코드와 다른 점: 강의 코드의 학습 loop를 함수로 나누었습니다. 또 강의 코드는 Linear → ReLU → BatchNorm 순서로
# 쌓지만, 여기서는 숙제(와 batch normalization 논문)처럼 Linear → BatchNorm → ReLU 순서로 쌓습니다 (채점기는 둘 다 받습니다).
# Where this departs from the course code: the training loop is cut into functions. And the course's code stacks
# Linear → ReLU → BatchNorm; here the order is Linear → BatchNorm → ReLU, as in the homework and the batch
# normalization paper (the grader accepts both).

import torch
import torchvision.datasets as dsets
import torchvision.transforms as transforms

device = 'cuda' if torch.cuda.is_available() else 'cpu'

# parameters
learning_rate = 0.01
training_epochs = 10
batch_size = 32


def load_mnist(root="MNIST_data/"):
    # train과 test set으로 나누어 MNIST data 불러오기
    # Load MNIST as a train set and a test set
    ### BEGIN SOLUTION
    mnist_train = dsets.MNIST(root=root, train=True, transform=transforms.ToTensor(), download=True)
    mnist_test = dsets.MNIST(root=root, train=False, transform=transforms.ToTensor(), download=True)
    ### END SOLUTION
    return mnist_train, mnist_test


def make_loaders(mnist_train, mnist_test, batch_size=batch_size):
    # dataset loader: train은 섞고 (shuffle=True), 둘 다 마지막 작은 batch는 버리기 (drop_last=True), 강의처럼
    # Data loaders: shuffle the train set (shuffle=True), drop the last small batch of both (drop_last=True), as the lab does
    ### BEGIN SOLUTION
    train_loader = torch.utils.data.DataLoader(dataset=mnist_train, batch_size=batch_size, shuffle=True, drop_last=True)
    test_loader = torch.utils.data.DataLoader(dataset=mnist_test, batch_size=batch_size, shuffle=False, drop_last=True)
    ### END SOLUTION
    return train_loader, test_loader


def build_models():
    # bn_model: Linear(784, 32) → BatchNorm1d(32) → ReLU → Linear(32, 32) → BatchNorm1d(32) → ReLU → Linear(32, 10)
    # nn_model: 같은 network에서 BatchNorm만 뺀 것
    # nn_model: the same network without BatchNorm
    ### BEGIN SOLUTION
    linear1 = torch.nn.Linear(784, 32, bias=True)
    linear2 = torch.nn.Linear(32, 32, bias=True)
    linear3 = torch.nn.Linear(32, 10, bias=True)
    relu = torch.nn.ReLU()
    bn1 = torch.nn.BatchNorm1d(32)
    bn2 = torch.nn.BatchNorm1d(32)

    nn_linear1 = torch.nn.Linear(784, 32, bias=True)
    nn_linear2 = torch.nn.Linear(32, 32, bias=True)
    nn_linear3 = torch.nn.Linear(32, 10, bias=True)

    bn_model = torch.nn.Sequential(linear1, bn1, relu,
                                   linear2, bn2, relu,
                                   linear3).to(device)
    nn_model = torch.nn.Sequential(nn_linear1, relu,
                                   nn_linear2, relu,
                                   nn_linear3).to(device)
    ### END SOLUTION
    return bn_model, nn_model


def make_criterion():
    # Loss Function 정의하기 (CrossEntropy를 사용할 것! Softmax는 내부에서 계산됩니다)
    # Define the loss function (use CrossEntropy! Softmax is computed internally)
    ### BEGIN SOLUTION
    criterion = torch.nn.CrossEntropyLoss().to(device)    # Softmax is internally computed.
    ### END SOLUTION
    return criterion


def make_optimizer(model, learning_rate=learning_rate):
    # optimizer 정의하기 (Adam optimizer를 사용할 것!)
    # Define the optimizer (use the Adam optimizer!)
    ### BEGIN SOLUTION
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    ### END SOLUTION
    return optimizer


def train_epoch(model, train_loader, criterion, optimizer):
    # 한 epoch 학습하기: model을 train mode로 두고 (BatchNorm이 batch의 통계를 쓰도록), batch마다 cost를 최소화하기
    # Train for one epoch: put the model in train mode (BatchNorm uses the batch's statistics), minimise the cost per batch
    # 반환값: 이 epoch의 batch cost 평균
    # Return the mean of this epoch's batch costs
    total = 0.0
    ### BEGIN SOLUTION
    model.train()  # set the model to train mode
    for X, Y in train_loader:
        # reshape input image into [batch_size by 784]
        # label is not one-hot encoded
        X = X.view(-1, 28 * 28).to(device)
        Y = Y.to(device)

        optimizer.zero_grad()
        prediction = model(X)
        loss = criterion(prediction, Y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    ### END SOLUTION
    return total / len(train_loader)


def evaluate(model, loader, criterion):
    # eval mode에서 gradient 없이 (torch.no_grad()) loss와 accuracy 구하기: 강의처럼 batch마다의 값의 평균
    # Loss and accuracy in eval mode, without gradients (torch.no_grad()): the mean of the batches' values, as the lab does
    loss, acc = 0.0, 0.0
    with torch.no_grad():
        ### BEGIN SOLUTION
        model.eval()     # set the model to evaluation mode
        for X, Y in loader:
            X = X.view(-1, 28 * 28).to(device)
            Y = Y.to(device)
            prediction = model(X)
            correct_prediction = torch.argmax(prediction, 1) == Y
            loss += criterion(prediction, Y).item()
            acc += correct_prediction.float().mean().item()
        ### END SOLUTION
    return loss / len(loader), acc / len(loader)


def compare(train_loader, valid_loader, training_epochs=training_epochs):
    # 강의처럼 bn_model과 nn_model을 같이 학습하고, epoch마다 두 model의 train/valid loss와 accuracy를 [bn, nn] 쌍으로 저장하기
    # As in the lab, train bn_model and nn_model together and keep, every epoch, both models' train/valid loss and
    # accuracy as [bn, nn] pairs
    bn_model, nn_model = build_models()
    criterion = make_criterion()
    bn_optimizer, nn_optimizer = make_optimizer(bn_model), make_optimizer(nn_model)
    train_losses, train_accs, valid_losses, valid_accs = [], [], [], []
    for epoch in range(training_epochs):
        ### BEGIN SOLUTION
        train_epoch(bn_model, train_loader, criterion, bn_optimizer)
        train_epoch(nn_model, train_loader, criterion, nn_optimizer)
        bn_train, nn_train = evaluate(bn_model, train_loader, criterion), evaluate(nn_model, train_loader, criterion)
        bn_valid, nn_valid = evaluate(bn_model, valid_loader, criterion), evaluate(nn_model, valid_loader, criterion)
        train_losses.append([bn_train[0], nn_train[0]])
        train_accs.append([bn_train[1], nn_train[1]])
        valid_losses.append([bn_valid[0], nn_valid[0]])
        valid_accs.append([bn_valid[1], nn_valid[1]])
        ### END SOLUTION
        print('[Epoch %d] valid acc: bn %.4f vs nn %.4f' % (epoch + 1, valid_accs[-1][0], valid_accs[-1][1]))
    return {"train_losses": train_losses, "train_accs": train_accs, "valid_losses": valid_losses, "valid_accs": valid_accs}


if __name__ == "__main__":
    # for reproducibility
    torch.manual_seed(1)
    if device == 'cuda':
        torch.cuda.manual_seed_all(1)

    mnist_train, mnist_test = load_mnist()
    train_loader, test_loader = make_loaders(mnist_train, mnist_test)
    print(compare(train_loader, test_loader))
