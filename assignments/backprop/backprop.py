# 모두를 위한 딥러닝 시즌2 — Lab 08-2 (lab-10-X1-mnist_back_prop): Backpropagation을 직접 구현하기
# Lab 08-2 (lab-10-X1-mnist_back_prop): backpropagation written by hand
#
# 아래에 주어진 주석을 기반으로 하여 코딩을 해주세요. 'Fill this blank!' 자리를 채우면 됩니다.
# Write the code the comments below describe: replace every 'Fill this blank!' with your code.
# 채점기가 함수를 하나씩 불러서 확인하므로 함수 이름과 인자는 바꾸지 마세요.
# The grader calls each function on its own: keep the function names and their arguments.
# 전체 학습은 `python backprop.py` 로 실행합니다.
# Run the full course training with `python backprop.py`.
#
# 강의 코드와 다른 점: 강의 코드의 학습 loop를 채점기가 부를 수 있는 함수(init_params, forward, backward, update,
# train)로 나누었고, parameter는 dict에 담습니다. autograd (.backward(), torch.autograd)는 쓰지 않습니다.
# Where this departs from the course code: the course's training loop is cut into functions the grader can call
# (init_params, forward, backward, update, train), and the parameters travel in a dict. No autograd (.backward(),
# torch.autograd) anywhere.
#
# 강의의 약속을 그대로 따릅니다: loss는 ½·Σ(y_pred − Y)² (Y는 one-hot), diff = y_pred - Y,
# bias의 gradient는 예제마다 (d_b = d_l, 모양 batch × n) 계산하고 update에서 batch 평균을 씁니다.
# The course's conventions are kept: the loss is ½·Σ(y_pred − Y)² (Y one-hot), diff = y_pred - Y, and the bias
# gradient is kept per example (d_b = d_l, shape batch × n), its batch mean applied in update.

import torch
import torchvision.datasets as dsets
import torchvision.transforms as transforms

device = 'cuda' if torch.cuda.is_available() else 'cpu'

# parameters
learning_rate = 0.5
batch_size = 10


def sigmoid(x):
    # sigmoid 함수: 1 / (1 + e^(-x))
    # The sigmoid function: 1 / (1 + e^(-x))
    'Fill this blank!'


def sigmoid_prime(x):
    # sigmoid 함수의 미분: sigmoid(x) * (1 - sigmoid(x))
    # The derivative of the sigmoid: sigmoid(x) * (1 - sigmoid(x))
    'Fill this blank!'


def init_params(hidden=30):
    # w1 (784, hidden), b1 (hidden,), w2 (hidden, 10), b2 (10,) 를 정규분포 N(0, 1)로 초기화하기 (torch.randn)
    # Initialise w1 (784, hidden), b1 (hidden,), w2 (hidden, 10), b2 (10,) from the normal distribution N(0, 1)
    'Fill this blank!'
    return {"w1": w1, "b1": b1, "w2": w2, "b2": b2}


def forward(params, X):
    # forward: l1 = X·w1 + b1, a1 = sigmoid(l1), l2 = a1·w2 + b2, y_pred = sigmoid(l2)
    # The forward pass: l1 = X·w1 + b1, a1 = sigmoid(l1), l2 = a1·w2 + b2, y_pred = sigmoid(l2)
    w1, b1, w2, b2 = params["w1"], params["b1"], params["w2"], params["b2"]
    'Fill this blank!'
    return {"l1": l1, "a1": a1, "l2": l2, "y_pred": y_pred}


def backward(params, cache, X, Y):
    # Back prop (chain rule): diff = y_pred - Y 에서 시작해 d_l2, d_b2, d_w2, d_a1, d_l1, d_b1, d_w1 계산하기
    # Back prop (chain rule): from diff = y_pred - Y, compute d_l2, d_b2, d_w2, d_a1, d_l1, d_b1, d_w1
    # d_b1, d_b2는 강의처럼 예제마다의 값 (d_b = d_l, 모양 batch × n) 입니다.
    # d_b1 and d_b2 are per example, as in the lab (d_b = d_l, shape batch × n).
    w2 = params["w2"]
    l1, a1, l2, y_pred = cache["l1"], cache["a1"], cache["l2"], cache["y_pred"]
    diff = y_pred - Y
    'Fill this blank!'
    return {"d_w1": d_w1, "d_b1": d_b1, "d_w2": d_w2, "d_b2": d_b2}


def update(params, grads, learning_rate=learning_rate):
    # w = w - learning_rate * d_w, b = b - learning_rate * mean(d_b, 0) (강의처럼 bias는 batch 평균)
    # w = w - learning_rate * d_w, b = b - learning_rate * mean(d_b, 0) (the bias by its batch mean, as in the lab)
    'Fill this blank!'
    return {"w1": w1, "b1": b1, "w2": w2, "b2": b2}


def train(params, train_loader, learning_rate=learning_rate, steps=10000):
    # steps 번 학습하기: batch마다 X를 [batch x 784]로, Y를 one-hot으로 바꾸고 forward, backward, update
    # Train for `steps` steps: for each batch, reshape X into [batch x 784], make Y one-hot, then forward, backward, update
    # 1000 step마다 그 batch의 cost ½·Σ(y_pred − Y)² 를 costs에 담아 반환합니다.
    # Every 1000 steps, keep that batch's cost ½·Σ(y_pred − Y)² in costs, which is returned.
    costs = []
    i = 0
    while i < steps:
        for X, Y in train_loader:
            i += 1
            'Fill this blank!'
            if i % 1000 == 0:
                cost = 0.5 * torch.sum((cache["y_pred"] - Y) ** 2).item()
                print(i, cost)
                costs.append(cost)
            if i == steps:
                break
    return params, costs


if __name__ == "__main__":
    # for reproducibility
    torch.manual_seed(777)
    if device == 'cuda':
        torch.cuda.manual_seed_all(777)

    # MNIST dataset
    mnist_train = dsets.MNIST(root='MNIST_data/', train=True, transform=transforms.ToTensor(), download=True)
    mnist_test = dsets.MNIST(root='MNIST_data/', train=False, transform=transforms.ToTensor(), download=True)

    # dataset loader
    data_loader = torch.utils.data.DataLoader(dataset=mnist_train, batch_size=batch_size, shuffle=True, drop_last=True)

    params, costs = train(init_params(), data_loader)

    # 강의 코드와 다른 점: 강의 코드는 test_data (0~255 의 원래 픽셀)로 평가하지만, 학습 때처럼 255로 나눈 이미지를 씁니다.
    # Departure from the course: the course tests on test_data (raw 0-255 pixels); here they are divided by 255 as in training.
    X_test = mnist_test.data.view(-1, 28 * 28).float().div(255).to(device)[:1000]
    Y_test = mnist_test.targets.to(device)[:1000]
    y_pred = forward(params, X_test)["y_pred"]
    print('Accuracy:', (torch.argmax(y_pred, 1) == Y_test).float().mean().item())
