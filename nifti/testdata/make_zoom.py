#!/usr/bin/python3
"""Fixture for nifti.Zoom: scipy.ndimage.zoom (mode='constant', the default,
as ivadomed's Resample uses it) on small random volumes, orders 0 to 3.

Run from the repository root with the system python (Debian python3-scipy):
    /usr/bin/python3 nifti/testdata/make_zoom.py > nifti/testdata/zoom.json
"""
import json
import sys

import numpy as np
from scipy import ndimage

rng = np.random.default_rng(20240601)
cases = []
for shape, out_shape in [((5, 4, 3), (9, 7, 2)), ((7, 6, 5), (4, 3, 8)), ((3, 5, 1), (5, 9, 1)),
                         ((6, 2, 4), (6, 2, 4)), ((2, 3, 4), (1, 5, 4)), ((8, 8, 3), (5, 11, 6))]:
    a = rng.standard_normal(shape) * 10
    for order in range(4):
        zoom = [o / i for o, i in zip(out_shape, shape)]
        out = ndimage.zoom(a, zoom, order=order)
        assert out.shape == out_shape, (out.shape, out_shape)
        cases.append({'shape': list(shape), 'out_shape': list(out_shape), 'zoom': zoom, 'order': order,
                      'input': a.ravel(order='F').tolist(), 'output': out.ravel(order='F').tolist()})
json.dump(cases, sys.stdout)
sys.stdout.write('\n')
