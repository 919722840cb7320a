#!/usr/bin/python3
"""Writes fixtures.json: scipy.ndimage results for the post-processing
steps as ivadomed calls them (label with its default and 18-connected
structures, binary_fill_holes with a 3x3x3 block, keep-largest by
bincount argmax, remove-small with 18-connectivity).
Rerun: /usr/bin/python3 make_fixtures.py (Debian python3-numpy, python3-scipy)."""
import json

import numpy as np
from scipy.ndimage import binary_fill_holes, generate_binary_structure, label


def keep_largest(v):
    lab, n = label(v)
    out = v.copy()
    if n > 1:
        out[lab != (np.bincount(lab.flat)[1:].argmax() + 1)] = 0
    return out


def remove_small(v, size_min):
    lab, n = label(v, structure=generate_binary_structure(3, 2))
    out = v.copy()
    for i in range(1, n + 1):
        if np.count_nonzero(lab == i) < size_min:
            out[lab == i] = 0
    return out


def main():
    rng = np.random.default_rng(5)
    cases = []
    for k in range(16):
        shape = tuple(int(x) for x in rng.integers(1, 10, size=3))
        v = (rng.random(shape) < rng.uniform(0.2, 0.7)).astype(float)
        lab18, n18 = label(v, structure=generate_binary_structure(3, 2))
        lab6, n6 = label(v)
        cases.append({
            "shape": list(shape),
            "in": v.ravel().tolist(),
            "label18": lab18.ravel().tolist(), "n18": int(n18),
            "label6": lab6.ravel().tolist(), "n6": int(n6),
            "fill": binary_fill_holes(v, structure=np.ones((3, 3, 3))).astype(float).ravel().tolist(),
            "largest": keep_largest(v).ravel().tolist(),
            "small3": remove_small(v, 3).ravel().tolist(),
        })
    with open("fixtures.json", "w") as f:
        json.dump(cases, f)


if __name__ == "__main__":
    main()
