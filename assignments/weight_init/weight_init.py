# 모두를 위한 딥러닝 시즌2 — Lab 09-2 (lab-10-3): Weight initialization, Xavier와 He를 직접 구현하기
# Lab 09-2 (lab-10-3): weight initialization, Xavier and He written from scratch
#
# 아래에 주어진 주석을 기반으로 하여 코딩을 해주세요. 'Fill this blank!' 자리를 채우면 됩니다.
# Write the code the comments below describe: replace every 'Fill this blank!' with your code.
# 채점기가 함수를 하나씩 불러서 확인하므로 함수 이름과 인자는 바꾸지 마세요.
# The grader calls each function on its own: keep the function names and their arguments.
# 전체 학습은 `python weight_init.py` 로 실행합니다.
# Run the full course training with `python weight_init.py`.
#
# 강의 코드와 다른 점: 강의 코드는 torch.nn.init.xavier_uniform_ 을 부르지만, 이 과제에서는 강의 노트의 수식으로
# 네 가지 초기화 함수를 직접 만들고 (torch.nn.init 사용 금지), 스크립트를 채점기가 부를 수 있는 함수로 나누었습니다.
# Where this departs from the course code: the course calls torch.nn.init.xavier_uniform_; here you write the four
# initializations yourself from the formulas of the course's notes (without torch.nn.init), and the script is cut
# into functions the grader can call.
#
# 분산(variance)과 표준편차(standard deviation)를 헷갈리지 마세요! 표준편차 = √분산 입니다.
# Do not mix up the variance and the standard deviation! The standard deviation is √variance.
# 강의 노트는 표준편차를 "Var(W) = √(2/(n_in+n_out))" 라고 적었는데, 이 값은 분산이 아니라 표준편차입니다.
# The course's notes write the standard deviation as "Var(W) = √(2/(n_in+n_out))": that number is a standard
# deviation, not a variance.
#
#   Xavier normal:  W ~ N(0, std²),  분산 variance = 2/(n_in+n_out),  표준편차 std = √(2/(n_in+n_out))
#   Xavier uniform: W ~ U(-a, a),    a = √(6/(n_in+n_out))            (이때 분산 variance = a²/3 = 2/(n_in+n_out))
#   He normal:      W ~ N(0, std²),  분산 variance = 2/n_in,          표준편차 std = √(2/n_in)
#   He uniform:     W ~ U(-a, a),    a = √(6/n_in)                    (이때 분산 variance = a²/3 = 2/n_in)
#
# n_in (fan_in)은 layer에 들어오는 입력의 수, n_out (fan_out)은 나가는 출력의 수입니다.
# n_in (fan_in) is the number of inputs of the layer, n_out (fan_out) the number of its outputs.
# torch.nn.Linear(n_in, n_out)은 weight를 (n_out, n_in) 모양으로 저장합니다: fan_in = weight.shape[1].
# torch.nn.Linear(n_in, n_out) stores its weight with shape (n_out, n_in): fan_in = weight.shape[1].

import math
import random

import torch
import torchvision.datasets as dsets
import torchvision.transforms as transforms

device = 'cuda' if torch.cuda.is_available() else 'cpu'

# 파라미터 설정 (learning rate, training epochs, batch_size)
# Parameters (learning rate, training epochs, batch size)
learning_rate = 0.001
training_epochs = 15
batch_size = 100


def xavier_uniform_(weight):
    # weight (모양 (fan_out, fan_in))를 U(-a, a), a = √(6/(fan_in+fan_out)) 로 그 자리에서(in place) 채우고 반환하기
    # Fill weight (shape (fan_out, fan_in)) in place from U(-a, a), a = √(6/(fan_in+fan_out)), and return it
    # torch.nn.init 대신 tensor의 method (예: weight.uniform_(-a, a))를 torch.no_grad() 안에서 사용할 것!
    # Instead of torch.nn.init, use the tensor's own method (e.g. weight.uniform_(-a, a)) inside torch.no_grad()!
    'Fill this blank!'
    return weight


def xavier_normal_(weight):
    # weight를 N(0, std²), 표준편차 std = √(2/(fan_in+fan_out)) 로 그 자리에서 채우고 반환하기
    # Fill weight in place from N(0, std²), standard deviation std = √(2/(fan_in+fan_out)), and return it
    # weight.normal_(mean, std)의 두 번째 인자는 분산이 아니라 표준편차입니다.
    # The second argument of weight.normal_(mean, std) is the standard deviation, not the variance.
    'Fill this blank!'
    return weight


def he_uniform_(weight):
    # weight를 U(-a, a), a = √(6/fan_in) 로 그 자리에서 채우고 반환하기 (Xavier에서 n_out이 빠진 것)
    # Fill weight in place from U(-a, a), a = √(6/fan_in), and return it (Xavier without n_out)
    'Fill this blank!'
    return weight


def he_normal_(weight):
    # weight를 N(0, std²), 표준편차 std = √(2/fan_in) 로 그 자리에서 채우고 반환하기
    # Fill weight in place from N(0, std²), standard deviation std = √(2/fan_in), and return it
    'Fill this blank!'
    return weight


def load_mnist(root="MNIST_data/"):
    # train과 test set으로 나누어 MNIST data 불러오기
    # Load MNIST as a train set and a test set
    'Fill this blank!'
    return mnist_train, mnist_test


def make_loaders(mnist_train, mnist_test, batch_size=batch_size):
    # dataset loader에 train과 test할당하기 (강의 코드의 data_loader가 여기서는 train_loader입니다)
    # Make a data loader for train and for test (the course's data_loader is train_loader here)
    # 강의 코드와 다른 점: 강의 코드는 test set을 loader 없이 한 번에 평가하지만, 여기서는 test_loader를 씁니다.
    # Departure from the course: the course evaluates the test set in one piece without a loader; here a test_loader is used.
    'Fill this blank!'
    return train_loader, test_loader


def build_model(init_fn=xavier_uniform_):
    # nn layers (Linear 3개, Hidden node 수 256, ReLU 사용): (784,256), (256,256), (256,10)
    # nn layers (3 Linear layers, 256 hidden nodes, ReLU): (784, 256), (256, 256), (256, 10)
    'Fill this blank!'

    # 인자로 받은 init_fn으로 각 layer의 weight 초기화하기 (강의 코드의 torch.nn.init.xavier_uniform_ 자리)
    # Initialise the weight of each layer with the init_fn argument (where the course calls torch.nn.init.xavier_uniform_)
    'Fill this blank!'

    # model
    'Fill this blank!'
    return model


def make_criterion():
    # Loss Function 정의하기 (CrossEntropy를 사용할 것! Softmax는 내부에서 계산됩니다)
    # Define the loss function (use CrossEntropy! Softmax is computed internally)
    'Fill this blank!'
    return criterion


def make_optimizer(model, learning_rate=learning_rate):
    # optimizer 정의하기 (Adam optimizer를 사용할 것!)
    # Define the optimizer (use the Adam optimizer!)
    'Fill this blank!'
    return optimizer


def train(model, train_loader, criterion, optimizer, training_epochs=training_epochs):
    # cost 계산을 위한 변수 설정
    # Number of batches, for computing the average cost
    total_batch = len(train_loader)
    costs = []

    for epoch in range(training_epochs):
        avg_cost = 0

        for X, Y in train_loader:
            # 이미지를 [batch_size x 784] 로 바꾸기, label은 one-hot encoding 하지 않음
            # Reshape the images into [batch_size by 784]; the labels are not one-hot encoded
            'Fill this blank!'

            # 강의 코드와 다른 점: 강의 코드는 avg_cost += cost / total_batch 로 tensor를 더하지만, 여기서는
            # cost.item()으로 숫자를 더합니다 (batch마다 계산 그래프를 붙잡아 두지 않고, costs가 float의 list가 됨).
            # Departure from the course: the course adds the tensor (avg_cost += cost / total_batch); here
            # cost.item() adds a number, so no batch's graph is kept alive and costs is a list of floats.
            avg_cost += cost.item() / total_batch

        print('Epoch:', '%04d' % (epoch + 1), 'cost =', '{:.9f}'.format(avg_cost))
        costs.append(avg_cost)

    print('Learning finished')
    return costs


def evaluate(model, test_loader):
    # test data로 모델의 정확도를 검증하는 코드: 0과 1 사이의 정확도를 반환합니다 (예: 0.98).
    # Check the model's accuracy on the test data: return it as a fraction between 0 and 1 (e.g. 0.98).
    # 강의 코드와 다른 점: 강의 코드는 mnist_test.test_data (0~255 의 원래 픽셀, ToTensor로 나누지 않음)로
    # 평가하지만, 여기서는 학습 때와 같이 [0, 1]로 바뀐 test_loader의 이미지를 씁니다.
    # Departure from the course: the course tests on mnist_test.test_data (raw 0-255 pixels, not scaled by
    # ToTensor); here the test_loader's images are used, scaled to [0, 1] like the training images.
    with torch.no_grad():
        'Fill this blank!'

        print('Accuracy:', accuracy.item())
    return accuracy.item()


if __name__ == "__main__":
    # 재현성을 위한 seed 설정 (강의 코드는 파일 맨 위에서 하지만, 채점기는 seed를 직접 정하므로 여기로 옮겼습니다)
    # For reproducibility (the course seeds at the top of the file; the grader sets its own seed, so it moved here)
    random.seed(777)
    torch.manual_seed(777)
    if device == 'cuda':
        torch.cuda.manual_seed_all(777)

    mnist_train, mnist_test = load_mnist()
    train_loader, test_loader = make_loaders(mnist_train, mnist_test)
    # 강의 노트처럼 초기화 방법을 바꿔 가며 비교해 보세요 (예: build_model(init_fn=he_normal_)).
    # Compare the initializations as the course's notes do (e.g. build_model(init_fn=he_normal_)).
    model = build_model()
    criterion = make_criterion()
    optimizer = make_optimizer(model)
    train(model, train_loader, criterion, optimizer)
    evaluate(model, test_loader)

    # Test set에서 random으로 data를 뽑아 Label과 Prediction을 비교하는 코드
    # Get one test image at random and compare its label with the prediction
    # 강의 코드와 다른 점: test_data/test_labels (이제 쓰지 않는 이름) 대신 data/targets를 쓰고, 학습 때처럼 255로 나눕니다.
    # Departure from the course: data/targets instead of the deprecated test_data/test_labels, divided by 255 as in training.
    with torch.no_grad():
        r = random.randint(0, len(mnist_test) - 1)
        X_single_data = mnist_test.data[r:r + 1].view(-1, 28 * 28).float().div(255).to(device)
        Y_single_data = mnist_test.targets[r:r + 1].to(device)

        print('Label: ', Y_single_data.item())
        single_prediction = model(X_single_data)
        print('Prediction: ', torch.argmax(single_prediction, 1).item())
