# 모두를 위한 딥러닝 시즌2 — Lab 06-2 (lab-06_2_softmax_classification): Softmax classification
# Lab 06-2 (lab-06_2_softmax_classification): softmax classification
#
# (docs/adding_a_lab.md의 견본: 이 파일을 reference/<name>.py 로 복사해서 강의 코드로 바꾸세요.)
# (The template of docs/adding_a_lab.md: copy this file to reference/<name>.py and make it the lab's code.)
#
# 아래에 주어진 주석을 기반으로 하여 코딩을 해주세요. 'Fill this blank!' 자리를 채우면 됩니다.
# Write the code the comments below describe: replace every 'Fill this blank!' with your code.
# 채점기가 함수를 하나씩 불러서 확인하므로 함수 이름과 인자는 바꾸지 마세요.
# The grader calls each function on its own: keep the function names and their arguments.

import torch
import torch.nn as nn
import torch.optim as optim


def toy_data():
    # 강의의 x_train (8x4)과 y_train (class 0, 1, 2; label은 LongTensor)
    # The course's x_train (8x4) and y_train (classes 0, 1, 2; labels as LongTensor)
    x_train = torch.FloatTensor([[1, 2, 1, 1],
                                 [2, 1, 3, 2],
                                 [3, 1, 3, 4],
                                 [4, 1, 5, 5],
                                 [1, 7, 5, 5],
                                 [1, 2, 5, 6],
                                 [1, 6, 6, 6],
                                 [1, 7, 7, 7]])
    y_train = torch.LongTensor([2, 2, 2, 1, 1, 1, 0, 0])
    return x_train, y_train


def build_model():
    # 입력 4개, class 3개인 Linear layer 하나 (softmax는 loss가 계산하므로 넣지 않기)
    # One Linear layer: 4 inputs, 3 classes (no softmax: the loss computes it)
    ### BEGIN SOLUTION
    model = nn.Linear(4, 3)
    ### END SOLUTION
    return model


def make_criterion():
    # softmax와 cross entropy를 함께 계산하는 loss
    # The loss that computes the softmax and the cross entropy together
    ### BEGIN SOLUTION
    criterion = nn.CrossEntropyLoss()
    ### END SOLUTION
    return criterion


def make_optimizer(model, learning_rate=0.1):
    # model의 parameter를 learning_rate로 학습하는 SGD
    # SGD over the model's parameters, with learning_rate
    ### BEGIN SOLUTION
    optimizer = optim.SGD(model.parameters(), lr=learning_rate)
    ### END SOLUTION
    return optimizer


def train(model, criterion, optimizer, x_train, y_train, nb_epochs=1000):
    costs = []
    for epoch in range(nb_epochs + 1):
        # H(x)와 cost 계산, cost로 H(x) 개선 (zero_grad, backward, step)
        # Compute H(x) and the cost, and improve H(x) with the cost (zero_grad, backward, step)
        ### BEGIN SOLUTION
        prediction = model(x_train)
        cost = criterion(prediction, y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        ### END SOLUTION
        if epoch % 100 == 0:
            print('Epoch {:4d}/{} Cost: {:.6f}'.format(epoch, nb_epochs, cost.item()))
        costs.append(cost.item())
    return costs


if __name__ == "__main__":
    # For reproducibility
    torch.manual_seed(1)

    x_train, y_train = toy_data()
    model = build_model()
    train(model, make_criterion(), make_optimizer(model, learning_rate=0.1), x_train, y_train)
