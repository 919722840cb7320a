#!/usr/bin/python3
"""Writes fixtures.json: scipy.ndimage results the Go transforms must
match (zoom of order 1 and 2, gaussian_filter in constant and reflect mode,
affine_transform of order 1, numpy percentiles, center_of_mass).
Rerun: /usr/bin/python3 make_fixtures.py (Debian python3-numpy,
python3-scipy)."""
import json

import numpy as np
from scipy import ndimage


def main():
    rng = np.random.default_rng(7)
    out = {"zoom": [], "gauss": [], "affine": [], "percentile": []}
    for shape, factors, order in [
        ((5, 6, 4), (1.5, 0.7, 1.3), 2),
        ((5, 6, 4), (1.5, 0.7, 1.3), 1),
        ((7, 5, 1), (0.6, 1.8, 1.0), 2),
        ((7, 5, 1), (0.6, 1.8, 1.0), 1),
        ((3, 9, 2), (2.2, 0.5, 2.0), 2),
    ]:
        a = rng.random(shape)
        z = ndimage.zoom(a, factors, order=order)
        out["zoom"].append({"shape": shape, "factors": factors, "order": order,
                            "in": a.ravel().tolist(), "out_shape": z.shape, "out": z.ravel().tolist()})
    for shape, sigma, mode in [((6, 7, 5), 1.3, "constant"), ((6, 7, 1), 2.0, "constant"), ((9, 4, 3), 0.8, "reflect"),
                               ((6, 7, 1), 1.5, "reflect")]:
        a = rng.random(shape) * 2 - 1
        g = ndimage.gaussian_filter(a, sigma, mode=mode, cval=0)
        out["gauss"].append({"shape": shape, "sigma": sigma, "mode": mode, "in": a.ravel().tolist(), "out": g.ravel().tolist()})
    for shape in [(8, 9, 1), (6, 7, 5)]:
        a = rng.random(shape)
        ang = 0.3
        rot = np.array([[np.cos(ang), -np.sin(ang), 0], [np.sin(ang), np.cos(ang), 0], [0, 0, 1]])
        scale = np.diag([1 / 1.1, 1 / 0.9, 1.0])
        t = rot.dot(scale)
        c = 0.5 * np.array(shape)
        trans = np.array([1.0, -2.0, 0.0])
        offset = c - c.dot(t) + trans
        r = ndimage.affine_transform(a, t.T, order=1, offset=offset, output_shape=shape)
        out["affine"].append({"shape": shape, "matrix": t.T.ravel().tolist(), "offset": offset.tolist(),
                              "in": a.ravel().tolist(), "out": r.ravel().tolist()})
    # ivadomed's RandomAffine matrices for each rotation plane, forward and
    # undo (scale·rotate), through affine_transform.
    out["random_affine"] = []
    for axes, undo in [([0, 1], False), ([0, 2], False), ([1, 2], False), ([0, 2], True), ([1, 2], True)]:
        shape = (7, 6, 5)
        a = rng.random(shape)
        angle, scales, trans = 0.35, [1.1, 0.95, 0.9], [1.0, -1.0, 2.0]
        c_, s_ = np.cos(angle), np.sin(angle)
        if axes == [0, 1]:
            rot = np.array([[c_, -s_, 0], [s_, c_, 0], [0, 0, 1]])
        elif axes == [0, 2]:
            rot = np.array([[c_, 0, s_], [0, 1, 0], [-s_, 0, c_]])
        else:
            rot = np.array([[1, 0, 0], [0, c_, -s_], [0, s_, c_]])
        scale = np.diag([1 / scales[0], 1 / scales[1], 1 / scales[2]])
        t = scale.dot(rot) if undo else rot.dot(scale)
        centre = 0.5 * np.array(shape)
        offset = centre - centre.dot(t) + trans
        r = ndimage.affine_transform(a, t.T, order=1, offset=offset, output_shape=shape)
        out["random_affine"].append({"shape": shape, "axes": axes, "undo": undo, "angle": angle, "scale": scales,
                                     "shift": trans, "in": a.ravel().tolist(), "out": r.ravel().tolist()})
    for n in [1, 2, 7, 30]:
        a = rng.random(n)
        out["percentile"].append({"in": a.tolist(), "q": [0, 5, 37.5, 95, 100],
                                  "out": [float(np.percentile(a, q)) for q in [0, 5, 37.5, 95, 100]]})
    with open("fixtures.json", "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
