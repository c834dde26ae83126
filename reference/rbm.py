# 모두를 위한 딥러닝 시즌2 — Lab 09-2 보너스: RBM (Restricted Boltzmann Machine) pre-training
# Lab 09-2 bonus: pre-training with a restricted Boltzmann machine (RBM), the history of weight initialization
#
# 아래에 주어진 주석을 기반으로 하여 코딩을 해주세요. 'Fill this blank!' 자리를 채우면 됩니다.
# Write the code the comments below describe: replace every 'Fill this blank!' with your code.
# 채점기가 함수를 하나씩 불러서 확인하므로 함수 이름과 인자는 바꾸지 마세요.
# The grader calls each function on its own: keep the function names and their arguments.
# 전체 실습은 `python rbm.py` 로 실행합니다.
# Run the whole lab with `python rbm.py`.
#
# 강의 노트 (09-2)는 weight 초기화의 역사로 RBM pre-training을 소개하지만 코드는 없습니다: 이 보너스 과제는 그 내용을
# 직접 구현합니다. 이진화한 MNIST (pixel > 0.5)로 RBM을 CD-k (contrastive divergence)로 학습하고, 그 weight로
# MLP의 첫 layer를 시작합니다.
# The course's notes (09-2) tell the history of weight initialization through RBM pre-training, without code: this
# bonus lab writes it. An RBM learns binarised MNIST (pixel > 0.5) by CD-k (contrastive divergence), and its weights
# start the first layer of an MLP.

import torch
import torch.nn as nn
import torchvision.datasets as dsets
import torchvision.transforms as transforms

device = 'cuda' if torch.cuda.is_available() else 'cpu'


class RBM(nn.Module):
    def __init__(self, n_visible=784, n_hidden=128):
        super().__init__()
        # W (n_hidden, n_visible)는 작은 정규분포 N(0, 0.01²)로, v_bias (n_visible)와 h_bias (n_hidden)는 0으로 시작하기
        # Start W (n_hidden, n_visible) from a small normal N(0, 0.01²), v_bias (n_visible) and h_bias (n_hidden) at 0
        ### BEGIN SOLUTION
        self.W = nn.Parameter(torch.randn(n_hidden, n_visible) * 0.01)
        self.v_bias = nn.Parameter(torch.zeros(n_visible))
        self.h_bias = nn.Parameter(torch.zeros(n_hidden))
        ### END SOLUTION

    def p_h_given_v(self, v):
        # p(h = 1 | v) = sigmoid(v·Wᵀ + h_bias)
        # p(h = 1 | v) = sigmoid(v·Wᵀ + h_bias)
        ### BEGIN SOLUTION
        return torch.sigmoid(v @ self.W.t() + self.h_bias)
        ### END SOLUTION

    def p_v_given_h(self, h):
        # p(v = 1 | h) = sigmoid(h·W + v_bias)
        # p(v = 1 | h) = sigmoid(h·W + v_bias)
        ### BEGIN SOLUTION
        return torch.sigmoid(h @ self.W + self.v_bias)
        ### END SOLUTION

    def sample_h(self, v):
        # p(h|v)의 확률로 0 또는 1 뽑기 (torch.bernoulli)
        # Draw 0 or 1 with the probability p(h|v) (torch.bernoulli)
        ### BEGIN SOLUTION
        return torch.bernoulli(self.p_h_given_v(v))
        ### END SOLUTION

    def sample_v(self, h):
        # p(v|h)의 확률로 0 또는 1 뽑기
        # Draw 0 or 1 with the probability p(v|h)
        ### BEGIN SOLUTION
        return torch.bernoulli(self.p_v_given_h(h))
        ### END SOLUTION

    def free_energy(self, v):
        # F(v) = -v·v_bias - Σ_j log(1 + exp(v·W_jᵀ + h_bias_j)): 예제마다 하나의 값
        # F(v) = -v·v_bias - Σ_j log(1 + exp(v·W_jᵀ + h_bias_j)): one value per example
        ### BEGIN SOLUTION
        return -(v @ self.v_bias) - torch.nn.functional.softplus(v @ self.W.t() + self.h_bias).sum(dim=1)
        ### END SOLUTION


def cd_step(rbm, v, k=1, learning_rate=0.1):
    # CD-k 한 번: positive phase는 p(h|v0), k번의 Gibbs step은 rbm.sample_h / rbm.sample_v로 (h는 sample),
    # negative phase는 p(h|v_k). W += lr·(p(h|v0)ᵀ·v0 − p(h|v_k)ᵀ·v_k) / batch, bias도 같은 방식 (batch 평균).
    # One CD-k update: the positive phase with p(h|v0), k Gibbs steps with rbm.sample_h / rbm.sample_v (sampled h),
    # the negative phase with p(h|v_k). W += lr·(p(h|v0)ᵀ·v0 − p(h|v_k)ᵀ·v_k) / batch, the biases likewise (batch means).
    # 반환값: 재구성 오차, h0 ~ p(h|v0)를 뽑아 mean((v0 − p(v|h0))²)
    # Return the reconstruction error: with h0 drawn from p(h|v0), mean((v0 − p(v|h0))²)
    with torch.no_grad():
        v0 = v
        ### BEGIN SOLUTION
        p_h0 = rbm.p_h_given_v(v0)
        h = rbm.sample_h(v0)
        error = torch.mean((v0 - rbm.p_v_given_h(h)) ** 2).item()
        vk = v0
        for _ in range(k):
            vk = rbm.sample_v(h)
            h = rbm.sample_h(vk)
        p_hk = rbm.p_h_given_v(vk)
        batch = v0.shape[0]
        rbm.W += learning_rate * (p_h0.t() @ v0 - p_hk.t() @ vk) / batch
        rbm.v_bias += learning_rate * torch.mean(v0 - vk, dim=0)
        rbm.h_bias += learning_rate * torch.mean(p_h0 - p_hk, dim=0)
        ### END SOLUTION
    return error


def pretrain(rbm, train_loader, epochs=1):
    # 이진화한 MNIST (pixel > 0.5)로 epochs번 cd_step 하기: batch마다의 재구성 오차를 list로 반환
    # Run cd_step on binarised MNIST (pixel > 0.5) for `epochs` epochs: return every batch's reconstruction error
    errors = []
    for epoch in range(epochs):
        for X, _ in train_loader:
            ### BEGIN SOLUTION
            v = (X.view(-1, 28 * 28) > 0.5).float().to(device)
            errors.append(cd_step(rbm, v))
            ### END SOLUTION
    return errors


def mlp_from_rbm(rbm):
    # 784-128-10 MLP (Linear → sigmoid → Linear): 첫 Linear의 weight와 bias를 RBM의 W와 h_bias로 시작하기
    # A 784-128-10 MLP (Linear → sigmoid → Linear): start its first Linear's weight and bias from the RBM's W and h_bias
    ### BEGIN SOLUTION
    first = nn.Linear(784, rbm.W.shape[0])
    with torch.no_grad():
        first.weight.copy_(rbm.W)
        first.bias.copy_(rbm.h_bias)
    model = nn.Sequential(first, nn.Sigmoid(), nn.Linear(rbm.W.shape[0], 10)).to(device)
    ### END SOLUTION
    return model


if __name__ == "__main__":
    torch.manual_seed(777)
    mnist_train = dsets.MNIST(root='MNIST_data/', train=True, transform=transforms.ToTensor(), download=True)
    loader = torch.utils.data.DataLoader(dataset=mnist_train, batch_size=100, shuffle=True, drop_last=True)
    rbm = RBM().to(device)
    errors = pretrain(rbm, loader)
    print('reconstruction error: first batch %.4f, last batch %.4f' % (errors[0], errors[-1]))
    model = mlp_from_rbm(rbm)
    print(model)
