# 모두를 위한 딥러닝 시즌2 — Lab 07-1 (lab-07_1_tips): Softmax classifier, train/test set, 전처리(preprocessing)
# Lab 07-1 (lab-07_1_tips): a softmax classifier, a training and a test set, and preprocessing
#
# 아래에 주어진 주석을 기반으로 하여 코딩을 해주세요. 'Fill this blank!' 자리를 채우면 됩니다.
# Write the code the comments below describe: replace every 'Fill this blank!' with your code.
# 채점기가 함수를 하나씩 불러서 확인하므로 함수 이름과 인자는 바꾸지 마세요.
# The grader calls each function on its own: keep the function names and their arguments.
# 전체 실습은 `python softmax_tips.py` 로 실행합니다.
# Run the whole lab with `python softmax_tips.py`.
#
# 강의 코드와 다른 점: 강의 노트북의 셀을 채점기가 부를 수 있는 함수로 나누었습니다. train()은 epoch마다 cost를
# list로 반환하고, test()는 optimizer 인자 없이 (정확도, cost)를 반환하며, 정확도는 %가 아니라 0과 1 사이의 값입니다.
# Where this departs from the course code: the notebook's cells are cut into functions the grader can call. train()
# returns the cost of each epoch as a list, and test() takes no optimizer and returns (accuracy, cost), the accuracy
# as a fraction between 0 and 1, not a percentage.

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


def toy_data():
    # 강의의 train set (x_train 8x3, y_train)과 test set (x_test 3x3, y_test) 만들기 (label은 LongTensor!)
    # Make the course's training set (x_train 8x3, y_train) and test set (x_test 3x3, y_test) (labels as LongTensor!)
    'Fill this blank!'
    return x_train, y_train, x_test, y_test


class SoftmaxClassifierModel(nn.Module):
    def __init__(self):
        super().__init__()
        # 입력 3개, class 3개인 Linear layer 하나
        # One Linear layer: 3 inputs, 3 classes
        'Fill this blank!'

    def forward(self, x):
        # softmax는 F.cross_entropy 안에서 계산되므로 Linear의 출력을 그대로 반환하기
        # F.cross_entropy computes the softmax: return the Linear layer's output as it is
        'Fill this blank!'


def build_model():
    # 위의 SoftmaxClassifierModel로 model 만들기
    # Make the model from SoftmaxClassifierModel above
    'Fill this blank!'
    return model


def train(model, optimizer, x_train, y_train, nb_epochs=20):
    costs = []
    for epoch in range(nb_epochs):
        # H(x) 계산, cost 계산 (F.cross_entropy), cost로 H(x) 개선 (zero_grad, backward, step)
        # Compute H(x), the cost (F.cross_entropy), and improve H(x) with the cost (zero_grad, backward, step)
        'Fill this blank!'

        print('Epoch {:4d}/{} Cost: {:.6f}'.format(
            epoch, nb_epochs, cost.item()
        ))
        costs.append(cost.item())
    return costs


def test(model, x_test, y_test):
    # test set으로 정확도(0과 1 사이)와 cost 계산하기: 모델을 바꾸지 않도록 gradient 없이 (torch.no_grad())
    # Compute the accuracy (between 0 and 1) and the cost on the test set, without gradients (torch.no_grad()),
    # so that the model is not changed
    with torch.no_grad():
        'Fill this blank!'

    print('Accuracy: {}% Cost: {:.6f}'.format(
        accuracy * 100, cost.item()
    ))
    return accuracy, cost.item()


def standardize(x):
    # 전처리(Data Preprocessing): 각 열(column)마다 평균 mu와 표준편차 sigma를 구해 (x - mu) / sigma 로 정규화하기
    # Preprocessing: standardise each column with its mean mu and standard deviation sigma, (x - mu) / sigma
    # x 자신은 바꾸지 말고 새 tensor를 반환할 것! (x.std(dim=0)은 강의처럼 unbiased 표준편차)
    # Return a new tensor and leave x itself unchanged! (x.std(dim=0) is the unbiased standard deviation, as in the lab)
    'Fill this blank!'
    return norm_x


if __name__ == "__main__":
    # For reproducibility
    torch.manual_seed(1)

    x_train, y_train, x_test, y_test = toy_data()
    model = build_model()
    # optimizer 설정
    # The optimizer
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    train(model, optimizer, x_train, y_train)
    test(model, x_test, y_test)

    # learning rate가 너무 크면 발산(overshooting), 너무 작으면 cost가 거의 줄지 않습니다.
    # With a learning rate that is too large the cost diverges (overshooting); too small, it barely falls.
    for lr in (1e5, 1e-10, 1e-1):
        model = build_model()
        train(model, optim.SGD(model.parameters(), lr=lr), x_train, y_train)

    # 전처리 예시: 강의의 multivariate linear regression 데이터
    # Preprocessing, on the lab's multivariate linear regression data
    x_scores = torch.FloatTensor([[73, 80, 75],
                                  [93, 88, 93],
                                  [89, 91, 90],
                                  [96, 98, 100],
                                  [73, 66, 70]])
    print(standardize(x_scores))
