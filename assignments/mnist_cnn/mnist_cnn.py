# 모두를 위한 딥러닝 시즌2 — Lab 10-1 (lab-10_1): MNIST와 합성곱 신경망 (CNN)
# Lab 10-1 (lab-10_1): MNIST and a convolutional neural network (CNN), trained with Adam
#
# 아래에 주어진 주석을 기반으로 하여 코딩을 해주세요. 'Fill this blank!' 자리를 채우면 됩니다.
# Write the code the comments below describe: replace every 'Fill this blank!' with your code.
# 채점기가 함수를 하나씩 불러서 확인하므로 함수 이름과 인자는 바꾸지 마세요.
# The grader calls each function on its own: keep the function names and their arguments.
# 전체 학습은 `python mnist_cnn.py` 로 실행합니다 (CPU에서는 시간이 꽤 걸립니다).
# Run the full course training with `python mnist_cnn.py` (on a CPU it takes a while).
#
# 강의 코드와 다른 점: 강의 코드는 스크립트 하나지만, 여기서는 채점기가 부를 수 있도록 함수로 나누었습니다.
# CNN 클래스는 build_model() 안에 정의합니다.
# Where this departs from the course code: the course's script is cut into functions the grader can call;
# the CNN class is defined inside build_model().

import random

import torch
import torchvision.datasets as dsets
import torchvision.transforms as transforms
import torch.nn.init

device = 'cuda' if torch.cuda.is_available() else 'cpu'

# 파라미터 설정 (learning rate, training epochs, batch_size)
# Parameters (learning rate, training epochs, batch size)
learning_rate = 0.001
training_epochs = 15
batch_size = 100


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


def build_model():
    # CNN 모델 (합성곱 층 2개)
    # CNN model (2 convolution layers)
    class CNN(torch.nn.Module):

        def __init__(self):
            super(CNN, self).__init__()
            # 첫 번째 층: 입력 이미지 (?, 1, 28, 28) → Conv2d(1, 32, kernel_size=3, stride=1, padding=1) → (?, 32, 28, 28)
            # → ReLU → MaxPool2d(kernel_size=2, stride=2) → (?, 32, 14, 14) 크기가 됩니다
            # L1: input image (?, 1, 28, 28) -> Conv2d(1, 32, kernel_size=3, stride=1, padding=1) -> (?, 32, 28, 28)
            # -> ReLU -> MaxPool2d(kernel_size=2, stride=2) -> (?, 32, 14, 14)
            'Fill this blank!'
            # 두 번째 층: (?, 32, 14, 14) → Conv2d(32, 64, kernel_size=3, stride=1, padding=1) → (?, 64, 14, 14)
            # → ReLU → MaxPool2d(kernel_size=2, stride=2) → (?, 64, 7, 7) 크기가 됩니다
            # L2: (?, 32, 14, 14) -> Conv2d(32, 64, kernel_size=3, stride=1, padding=1) -> (?, 64, 14, 14)
            # -> ReLU -> MaxPool2d(kernel_size=2, stride=2) -> (?, 64, 7, 7)
            'Fill this blank!'
            # 마지막 Fully Connected 층: 7x7x64 입력 → 10 출력, weight는 xavier_uniform_로 초기화할 것!
            # Final FC layer: 7x7x64 inputs -> 10 outputs; initialise its weight with xavier_uniform_!
            'Fill this blank!'

        def forward(self, x):
            # layer1 → layer2 → FC 층에 넣기 위해 펼치기 (flatten) → fc
            # layer1 -> layer2 -> flatten them for the FC layer -> fc
            'Fill this blank!'
            return out

    # CNN 모델 만들기
    # Instantiate the CNN model
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
    print('Learning started. It takes sometime.')

    for epoch in range(training_epochs):
        avg_cost = 0

        for X, Y in train_loader:
            # 이미지는 이미 (1, 28, 28) 크기이므로 reshape하지 않음, label은 one-hot encoding 하지 않음
            # The image is already of size (1, 28, 28): no reshape; the label is not one-hot encoded
            'Fill this blank!'

            # 강의 코드와 다른 점: 강의 코드는 avg_cost += cost / total_batch 로 tensor를 더하지만, 여기서는
            # cost.item()으로 숫자를 더합니다 (batch마다 계산 그래프를 붙잡아 두지 않고, costs가 float의 list가 됨).
            # Departure from the course: the course adds the tensor (avg_cost += cost / total_batch); here
            # cost.item() adds a number, so no batch's graph is kept alive and costs is a list of floats.
            avg_cost += cost.item() / total_batch

        print('[Epoch: {:>4}] cost = {:>.9}'.format(epoch + 1, avg_cost))
        costs.append(avg_cost)

    print('Learning Finished!')
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
    model = build_model()
    criterion = make_criterion()
    optimizer = make_optimizer(model)
    train(model, train_loader, criterion, optimizer)
    evaluate(model, test_loader)
