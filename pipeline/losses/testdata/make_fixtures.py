#!/usr/bin/python3
"""Writes fixtures.json: ivadomed's losses (ivadomed/losses.py, 2.9.10,
formulas restated here in PyTorch) evaluated on small random tensors, with
the gradient of each loss with respect to the prediction from torch
autograd. Rerun: /usr/bin/python3 make_fixtures.py (Debian python3-torch).

AdapWingLoss: ivadomed's weighting mask is built from a boolean
binary_opening, so every voxel gets weight 1; the fixture uses that.
DiceCELoss is ivadogo's Dice + cross-entropy (nnU-Net style, on
probabilities).
"""
import json

import torch

torch.manual_seed(11)
torch.set_default_dtype(torch.float64)


def dice(p, t, smooth=1.0):
    i, tf = p.reshape(-1), t.reshape(-1)
    return -(2.0 * (i * tf).sum() + smooth) / (i.sum() + tf.sum() + smooth)


def multiclass_dice(p, t, classes=None):
    cl = range(p.shape[1]) if classes is None else classes
    return sum(dice(p[:, i], t[:, i]) for i in cl) / len(cl)


def bce(p, t):
    return torch.nn.BCELoss()(p, t)


def focal(p, t, gamma=2.0, alpha=0.25, eps=1e-7):
    p = p.clamp(eps, 1.0 - eps)
    ce = -(t * torch.log(p) + (1 - t) * torch.log(1 - p))
    logpt = -ce
    pt = torch.exp(logpt)
    at = alpha * t + (1 - alpha) * (1 - t)
    return (-at * logpt * (1 - pt) ** gamma).sum()


def focal_dice(p, t, beta=1.0, gamma=2.0, alpha=0.25):
    dc = -dice(p, t)
    fc = focal(p, t, gamma, alpha)
    return torch.log(torch.clamp(fc, 1e-7)) - beta * torch.log(torch.clamp(dc, 1e-7))


def gdl(p, t, epsilon=1e-5, include_background=True):
    if include_background:
        shp = [p.size(0), 1] + list(p.size())[2:]
        pb = torch.zeros(shp)
        tb = torch.zeros(shp)
        pb[p.sum(1)[:, None] == 0] = 1
        tb[t.sum(1)[:, None] == 0] = 1
        p = torch.cat([p, pb], 1)
        t = torch.cat([t, tb], 1)
    axes = tuple(range(2, len(t.shape)))
    ts = t.sum(axis=axes)
    w = (1.0 / (ts * ts).clamp(min=epsilon)).detach()
    inter = ((p * t).sum(axis=axes) * w).sum()
    den = ((p + t).sum(axis=axes) * w).sum()
    return -2 * inter / den.clamp(min=epsilon)


def tversky_index(yp, yt, alpha, beta, smooth):
    tp = (yt * yp).sum()
    fn = (yt * (1 - yp)).sum()
    fp = ((1 - yt) * yp).sum()
    return (tp + smooth) / (tp + alpha * fp + beta * fn + smooth)


def tversky(p, t, alpha=0.7, beta=0.3, smooth=1.0):
    n = p.shape[1]
    return -sum(tversky_index(p[:, i], t[:, i], alpha, beta, smooth) for i in range(n)) / n


def focal_tversky(p, t, alpha=0.7, beta=0.3, gamma=1.33, smooth=1.0):
    n = p.shape[1]
    return sum(torch.pow(1 - tversky_index(p[:, i], t[:, i], alpha, beta, smooth), 1 / gamma) for i in range(n)) / n


def l2(p, t):
    return ((p - t) ** 2).sum() / 2


def adapwing(p, t, theta=0.5, alpha=2.1, omega=14.0, epsilon=1.0):
    eps = epsilon
    a = omega * (1 / (1 + torch.pow(theta / eps, alpha - t))) * (alpha - t) * torch.pow(theta / eps, alpha - t - 1) * (1 / eps)
    c = theta * a - omega * torch.log(1 + torch.pow(theta / eps, alpha - t))
    diff = torch.abs(t - p)
    loss = a * diff - c
    idx = diff < theta
    loss[idx] = (omega * torch.log(1 + torch.pow(diff / eps, alpha - t)))[idx]
    return loss.sum()


def dice_ce(p, t, smooth=1e-5):
    axes = [0] + list(range(2, p.dim()))
    tp = (p * t).sum(axes)
    fp = (p * (1 - t)).sum(axes)
    fn = ((1 - p) * t).sum(axes)
    dc = (2 * tp + smooth) / (2 * tp + fp + fn + smooth).clamp(min=1e-8)
    if p.shape[1] == 1:
        ce = torch.nn.BCELoss()(p, t)
    else:
        ce = -(t * torch.log(p.clamp(min=1e-7))).sum(1).mean()
    return ce - dc.mean()


def combination(p, t):
    return adapwing(p, t) + l2(p, t) + dice(p, t)


CASES = [
    ("DiceLoss", {}, dice),
    ("DiceLoss", {"smooth": 0.5}, lambda p, t: dice(p, t, 0.5)),
    ("MultiClassDiceLoss", {}, multiclass_dice),
    ("MultiClassDiceLoss", {"classes_of_interest": [1]}, lambda p, t: multiclass_dice(p, t, [1])),
    ("BinaryCrossEntropyLoss", {}, bce),
    ("FocalLoss", {}, focal),
    ("FocalLoss", {"gamma": 1.5, "alpha": 0.4}, lambda p, t: focal(p, t, 1.5, 0.4)),
    ("FocalDiceLoss", {}, focal_dice),
    ("FocalDiceLoss", {"beta": 0.5, "gamma": 1, "alpha": 0.5}, lambda p, t: focal_dice(p, t, 0.5, 1.0, 0.5)),
    ("GeneralizedDiceLoss", {}, gdl),
    ("GeneralizedDiceLoss", {"include_background": False}, lambda p, t: gdl(p, t, include_background=False)),
    ("TverskyLoss", {}, tversky),
    ("TverskyLoss", {"alpha": 0.3, "beta": 0.7, "smooth": 0.1}, lambda p, t: tversky(p, t, 0.3, 0.7, 0.1)),
    ("FocalTverskyLoss", {}, focal_tversky),
    ("L2loss", {}, l2),
    ("AdapWingLoss", {}, adapwing),
    ("AdapWingLoss", {"theta": 0.3, "alpha": 2.5, "omega": 10, "epsilon": 0.5},
     lambda p, t: adapwing(p, t, 0.3, 2.5, 10.0, 0.5)),
    ("DiceCELoss", {}, dice_ce),
    ("LossCombination", {"losses_list": ["AdapWingLoss", "L2loss", "DiceLoss"], "params_list": [None, None, None]}, combination),
]


def main():
    out = []
    shapes = [(2, 2, 3, 4), (1, 3, 3, 2, 2), (2, 1, 5, 3)]
    for name, params, fn in CASES:
        for k, shape in enumerate(shapes):
            if params.get("classes_of_interest") and shape[1] <= max(params["classes_of_interest"]):
                continue
            p = (torch.rand(shape) * 0.9 + 0.05)
            if name == "DiceCELoss" and shape[1] > 1:
                p = torch.softmax(torch.randn(shape) * 2, 1)
            t = (torch.rand(shape) < 0.4).double()
            if name in ("AdapWingLoss", "L2loss", "LossCombination") and k == 1:
                t = torch.rand(shape)  # soft heatmap target
            if name == "GeneralizedDiceLoss" and k == 0:
                p[0, :, 0, 0] = 0  # empty voxel: background channel becomes 1
                t[0, :, 0, 0] = 0
            p.requires_grad_(True)
            loss = fn(p, t)
            loss.backward()
            out.append({"name": name, "params": params, "shape": list(shape),
                        "pred": p.detach().reshape(-1).tolist(), "target": t.reshape(-1).tolist(),
                        "loss": loss.item(), "grad": p.grad.reshape(-1).tolist()})
    with open("fixtures.json", "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
