#!/usr/bin/python3
"""Generate PyTorch parity fixtures for package kernels.

Run with the system interpreter and Debian's python3-torch:

    /usr/bin/python3 kernels/testdata/make_fixtures.py

It rewrites kernels/testdata/torch_fixtures.json. Everything is computed in
float64 so that the Go tests compare conventions (padding, output sizes,
align_corners, ceil_mode, statistics), not rounding. The Go tests never
run Python.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20261126)
D = torch.float64


def flat(t):
    # 12 significant digits: far below the 1e-5 the tests allow, and it
    # keeps the committed file small.
    return [float("%.12g" % v) for v in t.detach().reshape(-1).tolist()]


def randn(*shape):
    return torch.randn(*shape, dtype=D)


def conv_case(name, nd, N, Cin, Cout, In, k, stride, pad, dil, groups, bias=True):
    x = randn(N, Cin, *In).requires_grad_()
    w = randn(Cout, Cin // groups, *k).requires_grad_()
    b = randn(Cout).requires_grad_() if bias else None
    f = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
    y = f(x, w, b, stride=stride, padding=pad, dilation=dil, groups=groups)
    dy = randn(*y.shape)
    y.backward(dy)
    return {
        "name": name,
        "params": {"N": N, "Cin": Cin, "Cout": Cout, "In": In, "Kernel": k, "Stride": stride,
                   "Pad": pad, "Dilation": dil, "Groups": groups},
        "out": list(y.shape[2:]),
        "x": flat(x), "w": flat(w), "bias": flat(b) if bias else None, "y": flat(y),
        "dy": flat(dy), "dx": flat(x.grad), "dw": flat(w.grad), "dbias": flat(b.grad) if bias else None,
    }


def conv_transpose_case(name, nd, N, Cin, Cout, In, k, stride, pad, dil, outpad, groups):
    x = randn(N, Cin, *In).requires_grad_()
    w = randn(Cin, Cout // groups, *k).requires_grad_()
    b = randn(Cout).requires_grad_()
    f = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[nd]
    y = f(x, w, b, stride=stride, padding=pad, output_padding=outpad, groups=groups, dilation=dil)
    dy = randn(*y.shape)
    y.backward(dy)
    return {
        "name": name,
        "params": {"N": N, "Cin": Cin, "Cout": Cout, "In": In, "Kernel": k, "Stride": stride,
                   "Pad": pad, "Dilation": dil, "OutputPadding": outpad, "Groups": groups},
        "out": list(y.shape[2:]),
        "x": flat(x), "w": flat(w), "bias": flat(b), "y": flat(y),
        "dy": flat(dy), "dx": flat(x.grad), "dw": flat(w.grad), "dbias": flat(b.grad),
    }


def pool_case(name, nd, N, C, In, k, stride, pad, ceil):
    x = randn(N, C, *In)
    xm = x.clone().requires_grad_()
    xa = x.clone().requires_grad_()
    mp = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[nd]
    ap = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[nd]
    ym, idx = mp(xm, k, stride, pad, ceil_mode=ceil, return_indices=True)
    ya = ap(xa, k, stride, pad, ceil_mode=ceil, count_include_pad=True)
    dy = randn(*ym.shape)
    ym.backward(dy)
    ya.backward(dy)
    return {
        "name": name,
        "params": {"N": N, "C": C, "In": In, "Kernel": k, "Stride": stride, "Pad": pad, "CeilMode": ceil},
        "out": list(ym.shape[2:]),
        "x": flat(x), "max_y": flat(ym), "max_idx": [int(v) for v in idx.reshape(-1).tolist()],
        "avg_y": flat(ya), "dy": flat(dy), "max_dx": flat(xm.grad), "avg_dx": flat(xa.grad),
    }


def interp_case(name, N, C, In, Out, mode, align):
    x = randn(N, C, *In).requires_grad_()
    tmode = mode
    if mode == "linear":
        tmode = {1: "linear", 2: "bilinear", 3: "trilinear"}[len(In)]
    y = F.interpolate(x, size=Out, mode=tmode, align_corners=align if mode == "linear" else None)
    dy = randn(*y.shape)
    y.backward(dy)
    return {
        "name": name,
        "params": {"N": N, "C": C, "In": In, "Out": Out, "Mode": mode, "AlignCorners": bool(align)},
        "x": flat(x), "y": flat(y), "dy": flat(dy), "dx": flat(x.grad),
    }


def batchnorm_case(name, N, C, spatial, eps, affine):
    x = (3 * randn(N, C, *spatial) + 5).requires_grad_()
    g = randn(C).requires_grad_() if affine else None
    b = randn(C).requires_grad_() if affine else None
    rm, rv = torch.zeros(C, dtype=D), torch.ones(C, dtype=D)
    y = F.batch_norm(x, rm, rv, g, b, training=True, momentum=0.1, eps=eps)
    _, mean, invstd = torch.native_batch_norm(x.detach(), None, None, None, None, True, 0.1, eps)
    dy = randn(*y.shape)
    y.backward(dy)
    xe = randn(N, C, *spatial)
    ye = F.batch_norm(xe, rm, rv, g, b, training=False, eps=eps)
    s = 1
    for v in spatial:
        s *= v
    return {
        "name": name, "n": N, "c": C, "s": s, "eps": eps,
        "x": flat(x), "gamma": flat(g) if affine else None, "beta": flat(b) if affine else None,
        "y": flat(y), "mean": flat(mean), "invstd": flat(invstd),
        "running_mean": flat(rm), "running_var": flat(rv),
        "dy": flat(dy), "dx": flat(x.grad),
        "dgamma": flat(g.grad) if affine else None, "dbeta": flat(b.grad) if affine else None,
        "eval_x": flat(xe), "eval_y": flat(ye),
    }


def groupnorm_case(name, N, C, spatial, groups, eps, affine, instance=False):
    x = (2 * randn(N, C, *spatial) - 4).requires_grad_()
    g = randn(C).requires_grad_() if affine else None
    b = randn(C).requires_grad_() if affine else None
    if instance:
        y = F.instance_norm(x, weight=g, bias=b, use_input_stats=True, eps=eps)
    else:
        y = F.group_norm(x, groups, g, b, eps)
    s = 1
    for v in spatial:
        s *= v
    _, mean, rstd = torch.native_group_norm(x.detach(), None, None, N, C, s, groups, eps)
    dy = randn(*y.shape)
    y.backward(dy)
    return {
        "name": name, "n": N, "c": C, "s": s, "groups": groups, "eps": eps,
        "x": flat(x), "gamma": flat(g) if affine else None, "beta": flat(b) if affine else None,
        "y": flat(y), "mean": flat(mean), "invstd": flat(rstd),
        "dy": flat(dy), "dx": flat(x.grad),
        "dgamma": flat(g.grad) if affine else None, "dbeta": flat(b.grad) if affine else None,
    }


def adam_case(name, n, lr, betas, eps, wd, decoupled, steps):
    p = torch.nn.Parameter(randn(n))
    p0 = flat(p)
    opt = (torch.optim.AdamW if decoupled else torch.optim.Adam)([p], lr=lr, betas=betas, eps=eps, weight_decay=wd)
    grads = []
    for _ in range(steps):
        g = randn(n)
        grads.append(flat(g))
        p.grad = g
        opt.step()
    st = opt.state[p]
    return {
        "name": name, "lr": lr, "beta1": betas[0], "beta2": betas[1], "eps": eps, "weight_decay": wd,
        "decoupled": decoupled, "param0": p0, "grads": grads,
        "param": flat(p), "m": flat(st["exp_avg"]), "v": flat(st["exp_avg_sq"]),
    }


def main():
    fx = {"torch": torch.__version__}
    fx["conv"] = [
        conv_case("conv1d_s2_p1_d2", 1, 2, 3, 4, [11], [3], [2], [1], [2], 1),
        conv_case("conv2d_unet_3x3_p1", 2, 2, 3, 4, [7, 6], [3, 3], [1, 1], [1, 1], [1, 1], 1),
        conv_case("conv2d_s2_p2_d2_g2", 2, 1, 4, 6, [7, 8], [3, 2], [2, 1], [2, 1], [2, 2], 2),
        conv_case("conv2d_1x1_nobias", 2, 2, 3, 2, [4, 5], [1, 1], [1, 1], [0, 0], [1, 1], 1, bias=False),
        conv_case("conv3d_3x3x3_p1", 3, 1, 2, 3, [4, 3, 5], [3, 3, 3], [1, 1, 1], [1, 1, 1], [1, 1, 1], 1),
        conv_case("conv3d_s2_odd", 3, 2, 2, 2, [5, 7, 3], [2, 3, 1], [2, 2, 1], [0, 1, 0], [1, 1, 1], 1),
    ]
    fx["conv_transpose"] = [
        conv_transpose_case("convT2d_k2_s2", 2, 2, 4, 3, [3, 4], [2, 2], [2, 2], [0, 0], [1, 1], [0, 0], 1),
        conv_transpose_case("convT2d_k3_s2_p1_op1", 2, 1, 3, 2, [4, 3], [3, 3], [2, 2], [1, 1], [1, 1], [1, 1], 1),
        conv_transpose_case("convT3d_k2_s2", 3, 1, 2, 2, [2, 3, 2], [2, 2, 2], [2, 2, 2], [0, 0, 0], [1, 1, 1], [0, 0, 0], 1),
        conv_transpose_case("convT1d_g2_d2", 1, 2, 4, 2, [5], [3], [2], [1], [2], [1], 2),
    ]
    fx["pool"] = [
        pool_case("pool2d_k2", 2, 1, 2, [6, 6], [2, 2], [2, 2], [0, 0], False),
        pool_case("pool2d_k2_odd_ceil", 2, 2, 1, [5, 7], [2, 2], [2, 2], [0, 0], True),
        pool_case("pool2d_k2_odd_floor", 2, 2, 1, [5, 7], [2, 2], [2, 2], [0, 0], False),
        pool_case("pool2d_k3_s2_p1_ceil", 2, 1, 2, [6, 7], [3, 3], [2, 2], [1, 1], True),
        pool_case("pool1d_k3_s2_p1_ceil_edge", 1, 1, 1, [6], [3], [2], [1], True),
        pool_case("pool3d_k2_ceil", 3, 1, 2, [3, 5, 4], [2, 2, 2], [2, 2, 2], [0, 0, 0], True),
        pool_case("pool3d_k3_s1_p1", 3, 1, 1, [4, 3, 5], [3, 3, 3], [1, 1, 1], [1, 1, 1], False),
    ]
    fx["interp"] = []
    shapes = [([4, 5], [8, 10]), ([5, 3], [8, 7]), ([7], [3]), ([6, 6], [4, 9]),
              ([1, 3], [4, 3]), ([3, 2, 2], [6, 4, 3]), ([4, 3, 2], [3, 5, 2])]
    for In, Out in shapes:
        for mode, align in [("nearest", False), ("linear", False), ("linear", True)]:
            nm = "%s_%s_%s_to_%s" % (mode, "ac" if align else "noac", "x".join(map(str, In)), "x".join(map(str, Out)))
            fx["interp"].append(interp_case(nm, 1, 2, In, Out, mode, align))
    fx["batchnorm"] = [
        batchnorm_case("bn2d_affine", 3, 4, [5, 3], 1e-5, True),
        batchnorm_case("bn3d_plain", 2, 3, [2, 3, 2], 1e-3, False),
        batchnorm_case("bn1d_n2", 2, 5, [1], 1e-5, True),
    ]
    fx["groupnorm"] = [
        groupnorm_case("gn_g2_affine", 2, 6, [4, 3], 2, 1e-5, True),
        groupnorm_case("gn_g1", 3, 4, [5], 1, 1e-5, False),
        groupnorm_case("instancenorm3d_affine", 2, 3, [3, 2, 4], 3, 1e-5, True, instance=True),
        groupnorm_case("instancenorm2d_plain", 1, 4, [3, 3], 4, 1e-5, False, instance=True),
    ]
    fx["adam"] = [
        adam_case("adam", 7, 1e-3, (0.9, 0.999), 1e-8, 0.0, False, 4),
        adam_case("adam_wd", 5, 1e-2, (0.8, 0.99), 1e-6, 0.05, False, 3),
        adam_case("adamw", 6, 1e-2, (0.9, 0.999), 1e-8, 0.1, True, 3),
    ]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_fixtures.json")
    with open(path, "w") as f:
        json.dump(fx, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
