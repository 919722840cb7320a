#!/usr/bin/python3
"""Generate PyTorch parity fixtures for package autograd.

Run with the system interpreter and Debian's python3-torch:

    /usr/bin/python3 autograd/testdata/make_fixtures.py

It rewrites autograd/testdata/torch_fixtures.json with the conventions that
finite differences cannot check: batch-norm running statistics (momentum,
unbiased running variance) and its eval mode, instance/group norm
statistics, softmax and log-softmax, dropout's inverted scaling, the
gradient PyTorch assigns at the kinks of ReLU, LeakyReLU, ELU, clamp and
abs, the split of maximum/minimum's gradient on ties, Linear's weight
layout, and the unbiased variance. Values are
computed in float64 from inputs that are exact in float32, so the Go
tests can run both element types against them. The Go tests never run
Python.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(20261127)
D = torch.float64


def flat(t):
    return [float("%.12g" % v) for v in t.detach().reshape(-1).tolist()]


def rand(*shape, lo=-2.0, hi=2.0):
    # float32-exact values, held in float64
    return (torch.rand(*shape) * (hi - lo) + lo).to(D)


def tens(t):
    return {"shape": list(t.shape), "data": flat(t)}


cases = []


def batchnorm_case(name, shape, momentum, eps, affine):
    C = shape[1]
    dims = len(shape) - 2
    mod = {0: nn.BatchNorm1d, 1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}[dims]
    bn = mod(C, eps=eps, momentum=momentum, affine=affine).to(D)
    if affine:
        with torch.no_grad():
            bn.weight.copy_(rand(C, lo=0.5, hi=1.5))
            bn.bias.copy_(rand(C))
    bn.running_mean.copy_(rand(C, lo=-0.5, hi=0.5))
    bn.running_var.copy_(rand(C, lo=0.5, hi=1.5))
    case = {"name": name, "op": "batchnorm", "momentum": momentum, "eps": eps, "affine": affine,
            "running_mean0": flat(bn.running_mean), "running_var0": flat(bn.running_var)}
    if affine:
        case["gamma"], case["beta"] = flat(bn.weight), flat(bn.bias)
    steps = []
    bn.train()
    for _ in range(2):
        x = rand(*shape, lo=-1, hi=3).requires_grad_()
        y = bn(x)
        dy = rand(*y.shape)
        y.backward(dy)
        step = {"x": tens(x), "y": flat(y), "dy": flat(dy), "dx": flat(x.grad),
                "running_mean": flat(bn.running_mean), "running_var": flat(bn.running_var)}
        if affine:
            step["dgamma"], step["dbeta"] = flat(bn.weight.grad), flat(bn.bias.grad)
            bn.weight.grad = None
            bn.bias.grad = None
        steps.append(step)
    case["train"] = steps
    bn.eval()
    x = rand(*shape).requires_grad_()
    y = bn(x)
    dy = rand(*y.shape)
    y.backward(dy)
    case["eval"] = {"x": tens(x), "y": flat(y), "dy": flat(dy), "dx": flat(x.grad)}
    cases.append(case)


batchnorm_case("bn1d_NC", [5, 3], 0.1, 1e-5, True)
batchnorm_case("bn1d_NCL", [3, 2, 4], 0.1, 1e-5, True)
batchnorm_case("bn2d", [2, 3, 4, 5], 0.1, 1e-5, True)
batchnorm_case("bn2d_momentum", [3, 2, 3, 3], 0.3, 1e-3, False)
batchnorm_case("bn3d", [2, 2, 3, 2, 3], 0.1, 1e-5, True)


def norm_case(name, op, shape, groups=None, affine=True):
    C = shape[1]
    x = rand(*shape, lo=-1, hi=3).requires_grad_()
    g = rand(C, lo=0.5, hi=1.5).requires_grad_() if affine else None
    b = rand(C).requires_grad_() if affine else None
    if op == "instancenorm":
        y = F.instance_norm(x, weight=g, bias=b, eps=1e-5)
    else:
        y = F.group_norm(x, groups, weight=g, bias=b, eps=1e-5)
    dy = rand(*y.shape)
    y.backward(dy)
    c = {"name": name, "op": op, "groups": groups, "x": tens(x), "y": flat(y), "dy": flat(dy), "dx": flat(x.grad)}
    if affine:
        c.update(gamma=flat(g), beta=flat(b), dgamma=flat(g.grad), dbeta=flat(b.grad))
    cases.append(c)


norm_case("instancenorm2d", "instancenorm", [2, 3, 4, 3])
norm_case("instancenorm3d_noaffine", "instancenorm", [1, 2, 3, 2, 4], affine=False)
norm_case("groupnorm2d", "groupnorm", [2, 4, 3, 3], groups=2)
norm_case("groupnorm3d", "groupnorm", [2, 6, 2, 2, 3], groups=3)


def unary_case(name, op, x, fn, **params):
    x = x.clone().requires_grad_()
    y = fn(x)
    dy = rand(*y.shape)
    y.backward(dy)
    c = {"name": name, "op": op, "x": tens(x), "y": flat(y), "dy": flat(dy), "dx": flat(x.grad)}
    c.update(params)
    cases.append(c)


# Inputs with exact kinks: 0 and the clamp bounds.
kinks = torch.tensor([-1.5, -0.5, 0.0, 0.25, 0.5, 1.0, 2.0, -0.0], dtype=D).reshape(2, 4)
unary_case("relu_kinks", "relu", kinks, F.relu)
unary_case("leaky_relu_kinks", "leaky_relu", kinks, lambda x: F.leaky_relu(x, 0.2), slope=0.2)
unary_case("elu_kinks", "elu", kinks, lambda x: F.elu(x, 1.5), alpha=1.5)
unary_case("clamp_kinks", "clamp", kinks, lambda x: torch.clamp(x, -0.5, 1.0), lo=-0.5, hi=1.0)
unary_case("abs_kinks", "abs", kinks, torch.abs)
unary_case("sigmoid", "sigmoid", rand(3, 5, lo=-8, hi=8), torch.sigmoid)
unary_case("tanh", "tanh", rand(3, 5, lo=-4, hi=4), torch.tanh)
for dim in (1, -1):
    unary_case("softmax_dim%d" % dim, "softmax", rand(2, 4, 3, lo=-10, hi=10), lambda x: F.softmax(x, dim=dim), dim=dim)
    unary_case("log_softmax_dim%d" % dim, "log_softmax", rand(2, 4, 3, lo=-10, hi=10), lambda x: F.log_softmax(x, dim=dim), dim=dim)
unary_case("softmax_large", "softmax", torch.tensor([[1000.0, 1001.0, 999.0]], dtype=D), lambda x: F.softmax(x, dim=1), dim=1)
unary_case("var_unbiased", "var", rand(3, 4, 2), lambda x: torch.var(x, dim=(0, 2), unbiased=True, keepdim=False), dims=[0, 2], unbiased=True)
unary_case("var_biased", "var", rand(3, 4, 2), lambda x: torch.var(x, dim=1, unbiased=False, keepdim=True), dims=[1], unbiased=False)

# Maximum/minimum: PyTorch splits the gradient evenly on ties.
for name, fn in (("maximum", torch.maximum), ("minimum", torch.minimum)):
    a = torch.tensor([[1.0, 2.0, -1.0], [0.5, 3.0, 3.0]], dtype=D).requires_grad_()
    b = torch.tensor([[1.0, 1.0, 0.0], [0.5, 4.0, 3.0]], dtype=D).requires_grad_()
    y = fn(a, b)
    dy = rand(*y.shape)
    y.backward(dy)
    cases.append({"name": name + "_ties", "op": name, "x": tens(a), "w": tens(b), "y": flat(y), "dy": flat(dy),
                  "dx": flat(a.grad), "dw": flat(b.grad)})

# Linear: weight [out, in].
x = rand(3, 4).requires_grad_()
w = rand(2, 4).requires_grad_()
b = rand(2).requires_grad_()
y = F.linear(x, w, b)
dy = rand(*y.shape)
y.backward(dy)
cases.append({"name": "linear", "op": "linear", "x": tens(x), "w": tens(w), "b": flat(b), "y": flat(y),
              "dy": flat(dy), "dx": flat(x.grad), "dw": flat(w.grad), "db": flat(b.grad)})


# Dropout: random masks cannot match, so record what the convention is:
# every output is 0 or x/(1-p), and Dropout2d/3d zero whole channels.
def dropout_case(name, op, shape, p, fn):
    x = rand(*shape, lo=0.5, hi=1.5)
    y = fn(x)
    cases.append({"name": name, "op": op, "p": p, "x": tens(x), "y": flat(y)})


dropout_case("dropout", "dropout", [4, 50], 0.3, lambda x: F.dropout(x, 0.3, training=True))
dropout_case("dropout2d", "channel_dropout", [4, 16, 3, 3], 0.5, lambda x: F.dropout2d(x, 0.5, training=True))
dropout_case("dropout3d", "channel_dropout", [3, 16, 2, 2, 2], 0.25, lambda x: F.dropout3d(x, 0.25, training=True))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_fixtures.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print("wrote", out, len(cases), "cases")
