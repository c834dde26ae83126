# 모두를 위한 딥러닝 시즌2 — 숙제 Q1-1, Q1-2: MNIST, Batch Normalization, Dropout, Xavier initialization
# Homework Q1-1 and Q1-2: an MNIST MLP with Batch Normalization, Dropout and Xavier initialization
#
# 아래에 주어진 주석을 기반으로 하여 코딩을 해주세요. 'Fill this blank!' 자리를 채우면 됩니다.
# Write the code the comments below describe: replace every 'Fill this blank!' with your code.
# 채점기가 함수를 하나씩 불러서 확인하므로 함수 이름과 인자는 바꾸지 마세요.
# The grader calls each function on its own: keep the function names and their arguments.
# 전체 학습은 `python mnist_bn.py` 로 실행합니다.
# Run the full course training with `python mnist_bn.py`.

import random

import torch
import torchvision.datasets as dsets
import torchvision.transforms as transforms

device = 'cuda' if torch.cuda.is_available() else 'cpu'

# 파라미터 설정 (learning rate, training epochs, batch_size)
# Parameters (learning rate, training epochs, batch size)
learning_rate = 0.1
training_epochs = 15
batch_size = 100


def load_mnist(root="MNIST_data/"):
    #train과 test set으로 나누어 MNIST data 불러오기
    # Load MNIST as a train set and a test set
    'Fill this blank!'
    return mnist_train, mnist_test


def make_loaders(mnist_train, mnist_test, batch_size=batch_size):
    #dataset loader에 train과 test할당하기(batch size, shuffle, drop_last 잘 설정할 것!)
    # Make a data loader for train and for test (set batch size, shuffle and drop_last carefully!)
    'Fill this blank!'
    return train_loader, test_loader


def build_model(hidden1=100, hidden2=100):
    # Layer 쌓기 (조건: 3개의 Layer 사용, DropOut 사용 (p=0.3), ReLU 함수 사용, Batch normalization하기)
    # Stack the layers (3 Linear layers, Dropout with p=0.3, ReLU, Batch normalization)
    # 각 Layer의 Hidden node 수 : 1st Layer (784,100), 2nd Layer(100,100),3rd Layer(100,10)
    # Hidden nodes of each layer: 1st layer (784, 100), 2nd layer (100, 100), 3rd layer (100, 10)
    'Fill this blank!'

    #xavier initialization을 이용하여 각 layer의 weight 초기화
    # Initialise the weight of each layer with Xavier initialization
    'Fill this blank!'

    # torch.nn.Sequential을 이용하여 model 정의하기(쌓는 순서: linear-Batch Normalization Layer - ReLU- DropOut)
    # Define the model with torch.nn.Sequential (order: Linear - Batch Normalization layer - ReLU - Dropout)
    'Fill this blank!'
    return bn_model


def make_criterion():
    # Loss Function 정의하기 (CrossEntropy를 사용할 것!)
    # Define the loss function (use CrossEntropy!)
    'Fill this blank!'
    return criterion


def make_optimizer(model, learning_rate=learning_rate):
    #optimizer 정의하기 (Adam optimizer를 사용할 것!)
    # Define the optimizer (use the Adam optimizer!)
    'Fill this blank!'
    return bn_optimizer


def train(model, train_loader, criterion, optimizer, training_epochs=training_epochs):
    #cost 계산을 위한 변수 설정
    # Number of batches, for computing the average cost
    train_total_batch = len(train_loader)
    costs = []

    #Training epoch (cost 값 초기 설정(0으로)과 model의 train 설정 꼭 할 것)
    # Training epochs (always reset the cost to 0 and put the model in train mode)
    for epoch in range(training_epochs):
        'Fill this blank!'

        #train dataset을 불러오고(X,Y 불러오기), back propagation과 optimizer를 사용하여 loss를 최적화하는 코드
        # Load the train batches (X, Y) and minimise the loss with back propagation and the optimizer
        for X, Y in train_loader:
            'Fill this blank!'

            avg_cost += bn_loss.item() / train_total_batch

        print('Epoch:', '%04d' % (epoch + 1), 'cost =', '{:.9f}'.format(avg_cost))
        costs.append(avg_cost)

    print('Learning finished')
    return costs


def evaluate(model, test_loader):
    #test data로 모델의 정확도를 검증하는 코드 (model의 evaluation mode 설정 꼭 할 것)
    # Check the model's accuracy on the test data (always put the model in evaluation mode)
    #X_test 불러올 때 view를 사용하여 차원 변환할 것/ Y_test를 불러올때 labels사용
    # Reshape X_test with view / use the labels for Y_test
    #accuracy의 초기 값 설정(0으로) 꼭 할 것
    # Always start the accuracy at 0
    with torch.no_grad():
        'Fill this blank!'

        print("Accuracy: ", bn_acc.item())
    return bn_acc.item()


def compare_hidden_sizes(configs, train_loader, test_loader, training_epochs=training_epochs):
    """반환값: configs 순서대로, 설정 (hidden1, hidden2) 마다 dict 하나씩 담은 list
    Returns a list with one dict per configuration, in the order of `configs`:

        {"hidden": (hidden1, hidden2),  # the configuration's pair of hidden sizes
         "train_cost": 0.123,           # float: the average train cost of the last epoch
         "test_accuracy": 0.951}        # float in [0, 1]: what evaluate() returns on test_loader
    """
    # Q1-2) Layer 들의 Hidden node 수를 증가 또는 감소 (ex: 200, 300, 50...) 시켰을 때, train set에서의 cost와 test set에서 Accuracy가 기존 결과와 비교하였을 때 어떻게 달라졌는지 비교
    # Q1-2) Increase or decrease the hidden nodes of the layers (e.g. 200, 300, 50...) and compare the train cost and the test accuracy with the original result
    # Hidden node 수 변화 시 주의해야 할 점: 각 Layer의 앞 뒤 node 숫자 일치시키기, Batch Normalizaion Layer의 node 숫자와 일치시키기
    # Careful when changing hidden nodes: match the node counts of consecutive layers, and of each Batch Normalization layer
    results = []
    for hidden1, hidden2 in configs:
        'Fill this blank!'
    return results


if __name__ == "__main__":
    mnist_train, mnist_test = load_mnist()
    train_loader, test_loader = make_loaders(mnist_train, mnist_test)
    bn_model = build_model()
    criterion = make_criterion()
    bn_optimizer = make_optimizer(bn_model)
    train(bn_model, train_loader, criterion, bn_optimizer)
    evaluate(bn_model, test_loader)

    ##Test set에서 random으로 data를 뽑아 Label과 Prediction을 비교하는 코드
    # Pick a random test image and compare its label with the prediction
    with torch.no_grad():
        bn_model.eval()
        r = random.randint(0, len(mnist_test) - 1)
        X_single_data = mnist_test.data[r:r + 1].view(-1, 28 * 28).float().div(255).to(device)
        Y_single_data = mnist_test.targets[r:r + 1].to(device)

        print('Label: ', Y_single_data.item())
        single_prediction = bn_model(X_single_data)
        print('Prediction: ', torch.argmax(single_prediction, 1).item())

    # Q1-2: hidden node 수 비교
    # Q1-2: compare hidden sizes
    for row in compare_hidden_sizes([(100, 100), (200, 150), (50, 50)], train_loader, test_loader):
        print(row)
