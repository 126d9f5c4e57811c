"""Longer runs of the degradation experiment on docs/normalization.zh.md (same models, more data, more steps).

Command (CPU, one thread; about 10 minutes on 2 cores), output in degradation_long.log:

    python experiments/lecture9/degradation_long.py 1000 2000
    python experiments/lecture9/degradation_long.py 10000 1000

Each line: number of images, steps, model, training loss at step 200, at steps/2 and at the end.
Not run by the tests: the page runs the short version and quotes these numbers.
"""
import sys, torch, torch.nn as nn, torch.nn.functional as F
from dlnotes import seed_everything
from dlnotes.data import load_mnist
from dlnotes.init import kaiming_normal_
torch.set_num_threads(1)
images, labels = load_mnist("train")
def data(n):
    X = torch.from_numpy(images[:n]).float().div(255).unsqueeze(1)
    X = F.avg_pool2d(X, 2).flatten(1); X = (X - X.mean()) / X.std()
    return X, torch.from_numpy(labels[:n])
def deep_mlp(depth, width, norm=False):
    layers, d_in = [], 196
    for _ in range(depth - 1):
        linear = nn.Linear(d_in, width); kaiming_normal_(linear.weight, nonlinearity="relu"); nn.init.zeros_(linear.bias)
        layers += [linear] + ([nn.BatchNorm1d(width)] if norm else []) + [nn.ReLU()]; d_in = width
    return nn.Sequential(*layers, nn.Linear(d_in, 10))
class ResidualMLP(nn.Module):
    def __init__(self, depth, width, zero_init=True):
        super().__init__()
        n_blocks = (depth - 2) // 2
        self.inp = nn.Linear(196, width)
        self.f1 = nn.ModuleList(nn.Linear(width, width) for _ in range(n_blocks))
        self.f2 = nn.ModuleList(nn.Linear(width, width) for _ in range(n_blocks))
        self.out = nn.Linear(width, 10)
        for linear in [self.inp, *self.f1, *self.f2]:
            kaiming_normal_(linear.weight, nonlinearity="relu"); nn.init.zeros_(linear.bias)
        if zero_init:
            for linear in self.f2: nn.init.zeros_(linear.weight)
    def forward(self, x):
        a = torch.relu(self.inp(x))
        for f1, f2 in zip(self.f1, self.f2): a = torch.relu(a + f2(torch.relu(f1(a))))
        return self.out(a)
n, steps = int(sys.argv[1]), int(sys.argv[2])
X, y = data(n)
for name, make in {"plain4": lambda: deep_mlp(4, 32), "plain30": lambda: deep_mlp(30, 32), "res30": lambda: ResidualMLP(30, 32)}.items():
    seed_everything(0); m = make(); opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9); L=[]
    for k in range(steps):
        loss = F.cross_entropy(m(X), y); opt.zero_grad(); loss.backward(); opt.step(); L.append(loss.item())
    print(n, steps, name, [f"{L[k-1]:.4f}" for k in (200, steps//2, steps)], flush=True)
