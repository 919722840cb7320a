#!/usr/bin/python3
"""Fixture for nifti.Sum/Describe: numpy's sum, mean, min and max
(pairwise summation in 8192-element buffers) of arrays whose magnitudes
span many orders, where a naive loop gives different bits. The values are
generated exactly in both languages (see statsValues in stats_test.go):
    x[i] = ldexp((i*2654435761 mod 2**32) / 2**32 - 0.5, (i*7 mod 41) - 20)

Run from the repository root with the system python (Debian python3-numpy):
    /usr/bin/python3 nifti/testdata/make_stats.py > nifti/testdata/stats.json
"""
import json
import math
import sys

import numpy as np

cases = []
for n in [1, 7, 8, 100, 128, 129, 1000, 8192, 8193, 20011, 100003]:
    a = np.array([math.ldexp((i * 2654435761 % 2**32) / 2**32 - 0.5, (i * 7 % 41) - 20) for i in range(n)])
    cases.append({'n': n, 'sum': float(a.sum()), 'mean': float(a.mean()), 'min': float(a.min()), 'max': float(a.max())})
json.dump(cases, sys.stdout, indent=1)
sys.stdout.write('\n')
