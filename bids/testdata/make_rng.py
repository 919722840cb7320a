#!/usr/bin/python3
"""Write rng.json: reference draws of the two random number generators
ivadomed's splits depend on, for bids/rng_test.go.

  numpy.random.RandomState(seed).permutation(n)   (scikit-learn's train_test_split)
  random.seed(seed); random.sample(range(n), k)   (subject_selection)

Run with the system interpreter and Debian's python3-numpy:
    /usr/bin/python3 make_rng.py   (from bids/testdata)
"""
import json
import random

import numpy as np

perms = []
for seed in (0, 1, 6, 42, 1313, 2**32 - 1):
    for n in (1, 2, 3, 5, 10, 17, 100, 1000):
        perms.append({'seed': seed, 'n': n, 'perm': np.random.RandomState(seed).permutation(n).tolist()})
samples = []
for seed in (0, 6, 42, 1313, 2**40 + 3):
    for n, k in ((1, 1), (5, 2), (10, 10), (21, 3), (30, 4), (30, 6), (200, 7), (1000, 50)):
        random.seed(seed)
        samples.append({'seed': seed, 'n': n, 'k': k, 'sample': random.sample(range(n), k)})
with open('rng.json', 'w') as f:
    json.dump({'numpy': np.__version__, 'permutations': perms, 'samples': samples}, f)
    f.write('\n')
