#!/usr/bin/python3
"""Writes eval3d.json: random small volumes and the 3D evaluation metrics
ivadomed's Evaluation3DMetrics gives them, computed here with numpy and
scipy.ndimage.label (18-connectivity) as the independent reference for
pipeline/metrics. Rerun: /usr/bin/python3 make_fixtures.py (Debian
python3-numpy, python3-scipy).

One deliberate difference from ivadomed, mirrored in the Go code: the size
bin of a predicted object is its own size (ivadomed reads the bin map at the
voxels of the matched ground-truth object).
"""
import json

import numpy as np
from scipy.ndimage import generate_binary_structure, label

STRUCT = generate_binary_structure(3, 2)


def bins_of(thr, unit, vv):
    rng, suf = [], []
    for i, t in enumerate(thr):
        lo = 0 if i == 0 else thr[i - 1] + 1
        hi = t
        if unit == "mm3":
            lo, hi = np.round(lo / vv), np.round(hi / vv)
        rng.append([lo, hi])
        suf.append("_" + str(lo) + "-" + str(hi) + unit)
    lo = thr[-1] + 1
    if unit == "mm3":
        lo = np.round(lo / vv)
    rng.append([lo, np.inf])
    suf.append("_" + str(lo) + "-INF" + unit)
    return rng, suf


def size_bin(n, rng):
    b = 0
    for i, (lo, hi) in enumerate(rng):
        if lo <= n <= hi:
            b = i + 1
    return b


def evaluate(pred, gt, vox, params):
    vv = float(np.prod(vox))
    out = {}
    rng = suf = None
    if "target_size" in params:
        rng, suf = bins_of(params["target_size"]["thr"], params["target_size"]["unit"], vv)
    ov = params.get("overlap", {"unit": "vox", "thr": 3})
    for c in range(gt.shape[-1]):
        p, g = pred[..., c], gt[..., c]
        pl, npred = label(p, structure=STRUCT)
        gl, ngt = label(g, structure=STRUCT)

        def thr_for(gt_label):
            if ov["unit"] == "vox":
                return ov["thr"]
            if ov["unit"] == "mm3":
                return np.round(ov["thr"] / vv)
            return np.round(np.count_nonzero(gl == gt_label) * ov["thr"])

        def ltp_lfn(b):
            ltp = lfn = nobj = 0
            for i in range(1, ngt + 1):
                obj = gl == i
                if b is not None and size_bin(np.count_nonzero(obj), rng) != b:
                    continue
                if np.count_nonzero((obj * p).astype(int)) >= thr_for(i):
                    ltp += 1
                else:
                    lfn += 1
                nobj += 1
            return ltp, lfn, nobj

        def lfp(b):
            n = 0
            for i in range(1, npred + 1):
                obj = pl == i
                if b is not None and size_bin(np.count_nonzero(obj), rng) != b:
                    continue
                lab = np.max(obj * gl)
                if np.count_nonzero((obj * g).astype(int)) < thr_for(lab):
                    n += 1
            return n

        def ltpr(b=None):
            ltp, lfn, nobj = ltp_lfn(b)
            if ltp + lfn == 0 or nobj == 0:
                return None, nobj
            return ltp / (ltp + lfn), nobj

        def lfdr(b=None):
            ltp, _, nobj = ltp_lfn(b)
            fp = lfp(b)
            if ltp + fp == 0 or nobj == 0:
                return None
            return fp / (ltp + fp)

        s = str(c)
        vp, vg = float(np.sum(p)) * vv, float(np.sum(g)) * vv
        rvd = None if vg == 0 else (vg - vp) / vg
        tp, fp_, fn = np.sum(p * g), np.sum(p * (1 - g)), np.sum((1 - p) * g)
        tn = np.sum((1 - p) * (1 - g))
        out["vol_pred_class" + s] = vp
        out["vol_gt_class" + s] = vg
        out["rvd_class" + s] = rvd
        out["avd_class" + s] = None if rvd is None else abs(rvd)
        out["dice_class" + s] = None if np.sum(p) + np.sum(g) == 0 else float(2 * tp / (np.sum(p) + np.sum(g)))
        out["recall_class" + s] = None if tp + fn <= 0 else float(tp / (tp + fn))
        out["precision_class" + s] = None if tp + fp_ <= 0 else float(tp / (tp + fp_))
        out["specificity_class" + s] = None if tn + fp_ <= 0 else float(tn / (tn + fp_))
        out["n_pred_class" + s] = npred
        out["n_gt_class" + s] = ngt
        out["ltpr_class" + s] = ltpr()[0]
        out["lfdr_class" + s] = lfdr()
        out["mse_class" + s] = float(np.sum((g - p) ** 2) / (g.shape[0] * g.shape[1]))
        if rng is not None:
            gbins = sorted({size_bin(np.count_nonzero(gl == i), rng) for i in range(1, ngt + 1)} - {0})
            pbins = sorted({size_bin(np.count_nonzero(pl == i), rng) for i in range(1, npred + 1)} - {0})
            for b in gbins:
                v, n = ltpr(b)
                out["ltpr" + suf[b - 1] + "_class" + s] = v
                out["n" + suf[b - 1]] = n
            for b in pbins:
                out["lfdr" + suf[b - 1] + "_class" + s] = lfdr(b)
    return out


def blobs(rng, shape, n):
    v = np.zeros(shape)
    for _ in range(n):
        c = [rng.integers(0, s) for s in shape]
        r = [rng.integers(0, 3) for _ in shape]
        sl = tuple(slice(max(ci - ri, 0), ci + ri + 1) for ci, ri in zip(c, r))
        v[sl] = 1
    return v


def main():
    rng = np.random.default_rng(20261126)
    cases = []
    params_list = [
        {},
        {"target_size": {"unit": "vox", "thr": [20, 100]}, "overlap": {"unit": "vox", "thr": 3}},
        {"target_size": {"unit": "mm3", "thr": [10, 40]}, "overlap": {"unit": "ratio", "thr": 0.3}},
        {"target_size": {"unit": "vox", "thr": [5]}, "overlap": {"unit": "mm3", "thr": 2}},
    ]
    for k in range(12):
        shape = tuple(int(x) for x in rng.integers(4, 14, size=3))
        ncls = 1 + (k % 3 == 2)
        gt = np.stack([blobs(rng, shape, int(rng.integers(0, 6))) for _ in range(ncls)], -1)
        pred = np.stack([blobs(rng, shape, int(rng.integers(0, 6))) for _ in range(ncls)], -1)
        # Move part of the prediction onto the truth so detections occur.
        pred = np.maximum(pred, gt * (rng.random(gt.shape) < 0.7))
        vox = [float(x) for x in rng.choice([0.5, 1.0, 2.0], size=3)]
        params = params_list[k % len(params_list)]
        cases.append({
            "shape": list(shape),
            "voxel": vox,
            "params": params,
            "pred": [pred[..., c].ravel().tolist() for c in range(ncls)],
            "gt": [gt[..., c].ravel().tolist() for c in range(ncls)],
            "want": evaluate(pred, gt, vox, params),
        })
    with open("eval3d.json", "w") as f:
        json.dump(cases, f)

    # hausdorff_score as ivadomed computes it, with scipy's directed_hausdorff
    from scipy.spatial.distance import directed_hausdorff
    hd = []
    for shape in [(5, 7), (3, 4, 5), (2, 3, 4, 5), (6, 1, 3)]:
        p = (rng.random(shape) < 0.5).astype(float)
        g = (rng.random(shape) < 0.5).astype(float)
        pp, gg = p, g
        if len(shape) == 4:
            n, h, d, w = shape
            pp, gg = p.reshape((h, n * d, w)), g.reshape((h, n * d, w))
        if pp.ndim == 3:
            v = sum(directed_hausdorff(pp[:, i, :], gg[:, i, :])[0] for i in range(pp.shape[1])) / pp.shape[1]
        else:
            v = directed_hausdorff(pp, gg)[0]
        hd.append({"shape": list(shape), "pred": p.ravel().tolist(), "gt": g.ravel().tolist(), "want": v})
    with open("hausdorff.json", "w") as f:
        json.dump(hd, f)


if __name__ == "__main__":
    main()
