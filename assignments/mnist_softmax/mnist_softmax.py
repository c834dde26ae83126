# 모두를 위한 딥러닝 시즌2 — Lab 07-2 (lab-10-1): MNIST softmax regression
# Lab 07-2 (lab-10-1): softmax regression on MNIST
#
# 아래에 주어진 주석을 기반으로 하여 코딩을 해주세요. 'Fill this blank!' 자리를 채우면 됩니다.
# Write the code the comments below describe: replace every 'Fill this blank!' with your code.
# 채점기가 함수를 하나씩 불러서 확인하므로 함수 이름과 인자는 바꾸지 마세요.
# The grader calls each function on its own: keep the function names and their arguments.
# 전체 학습은 `python mnist_softmax.py` 로 실행합니다.
# Run the full course training with `python mnist_softmax.py`.

import random

import matplotlib.pyplot as plt
import torch
import torchvision.datasets as dsets
import torchvision.transforms as transforms

device = 'cuda' if torch.cuda.is_available() else 'cpu'

# for reproducibility
random.seed(777)
torch.manual_seed(777)
if device == 'cuda':
    torch.cuda.manual_seed_all(777)

# 파라미터 설정 (learning rate, training epochs, batch_size)
# Parameters (learning rate, training epochs, batch size)
# 강의 코드는 lr=0.1 을 optimizer 안에 바로 쓰지만, 채점기가 learning_rate 인자로 넘겨주므로 여기서 변수로 둡니다.
# The course writes lr=0.1 inside the optimizer line; here it is a parameter because the grader passes learning_rate.
learning_rate = 0.1
training_epochs = 15
batch_size = 100


def load_mnist(root="MNIST_data/"):
    # train과 test set으로 나누어 MNIST data 불러오기 (transforms.ToTensor() 사용)
    # Load MNIST as a train set and a test set (use transforms.ToTensor())
    'Fill this blank!'
    return mnist_train, mnist_test


def make_loaders(mnist_train, mnist_test, batch_size=batch_size):
    # dataset loader 만들기 (batch size, shuffle, drop_last 잘 설정할 것!)
    # Make the dataset loaders (set batch size, shuffle and drop_last carefully!)
    # 강의 코드에는 train용 data_loader 하나뿐이고, test_loader는 evaluate()에 넘기기 위해 추가했습니다 (섞지 않고, 버리지 않음).
    # The course has only the train data_loader; test_loader is added for evaluate() (no shuffle, nothing dropped).
    'Fill this blank!'
    return data_loader, test_loader


def build_model():
    # MNIST 이미지 크기 28 * 28 = 784, 출력은 0~9 의 10개 class (Linear layer 하나)
    # MNIST data image of shape 28 * 28 = 784, 10 output classes 0-9 (one Linear layer)
    'Fill this blank!'
    return linear


def make_criterion():
    # cost/loss 정의하기 (CrossEntropy를 사용할 것! Softmax는 내부에서 계산됩니다)
    # Define the cost/loss (use CrossEntropy! Softmax is computed internally)
    'Fill this blank!'
    return criterion


def make_optimizer(model, learning_rate=learning_rate):
    # optimizer 정의하기 (SGD optimizer, learning rate는 learning_rate 인자를 사용할 것!)
    # Define the optimizer (SGD, with the learning_rate argument as its learning rate!)
    'Fill this blank!'
    return optimizer


def train(model, train_loader, criterion, optimizer, training_epochs=training_epochs):
    # cost 계산을 위한 batch 개수
    # Number of batches, for computing the average cost
    total_batch = len(train_loader)
    costs = []

    for epoch in range(training_epochs):
        avg_cost = 0

        # batch 마다 X, Y 불러오기, back propagation과 optimizer로 cost 최소화하기
        # For each batch load X, Y and minimise the cost with back propagation and the optimizer
        for X, Y in train_loader:
            # reshape input image into [batch_size by 784]
            # label is not one-hot encoded
            'Fill this blank!'

            # 강의 코드는 avg_cost += cost / total_batch (tensor) 이지만, float 으로 더해 list에 담습니다.
            # The course adds the cost tensor (cost / total_batch); .item() keeps avg_cost a float for the list.
            avg_cost += cost.item() / total_batch

        print('Epoch:', '%04d' % (epoch + 1), 'cost =', '{:.9f}'.format(avg_cost))
        costs.append(avg_cost)

    print('Learning finished')
    return costs


def evaluate(model, test_loader):
    # test set으로 모델의 정확도 계산하기 (0과 1 사이의 값을 반환, accuracy 초기 값은 0)
    # Compute the model's accuracy on the test set (return a value between 0 and 1, starting from 0)
    # 강의 코드는 mnist_test.test_data (0~255 로 나누지 않은 pixel)를 쓰지만, 학습 때처럼 0~1 로 바뀐 test_loader의 batch를 사용합니다.
    # The course uses mnist_test.test_data (raw 0-255 pixels); use the batches of test_loader, scaled to 0-1 as in training.
    with torch.no_grad():
        'Fill this blank!'
        print('Accuracy:', accuracy.item())
    return accuracy.item()


if __name__ == "__main__":
    mnist_train, mnist_test = load_mnist()
    data_loader, test_loader = make_loaders(mnist_train, mnist_test)
    linear = build_model()
    criterion = make_criterion()
    optimizer = make_optimizer(linear)
    train(linear, data_loader, criterion, optimizer)

    # Test the model using test sets
    evaluate(linear, test_loader)

    # Test set에서 random으로 data를 뽑아 Label과 Prediction을 비교하는 코드
    # Get one and predict: compare the label of a random test image with the prediction
    # 강의 코드와 달리 학습 때처럼 255로 나눠 0~1 로 맞춥니다.
    # Unlike the course, the pixels are divided by 255, as ToTensor did in training.
    with torch.no_grad():
        r = random.randint(0, len(mnist_test) - 1)
        X_single_data = mnist_test.data[r:r + 1].view(-1, 28 * 28).float().div(255).to(device)
        Y_single_data = mnist_test.targets[r:r + 1].to(device)

        print('Label: ', Y_single_data.item())
        single_prediction = linear(X_single_data)
        print('Prediction: ', torch.argmax(single_prediction, 1).item())

        plt.imshow(mnist_test.data[r:r + 1].view(28, 28), cmap='Greys', interpolation='nearest')
        plt.show()
