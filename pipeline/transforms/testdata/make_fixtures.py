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
    for n in [1, 2, 7, 30]:
        a = rng.random(n)
        out["percentile"].append({"in": a.tolist(), "q": [0, 5, 37.5, 95, 100],
                                  "out": [float(np.percentile(a, q)) for q in [0, 5, 37.5, 95, 100]]})
    with open("fixtures.json", "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
