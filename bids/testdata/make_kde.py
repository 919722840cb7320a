#!/usr/bin/python3
"""Write kde.json: the cluster bounds ivadomed's FiLM Kde_model finds
(loader/film.py), for bids/film_test.go.

scikit-learn is not packaged here, so GridSearchCV(KernelDensity(), cv=5)
is restated with numpy: 5 contiguous folds (KFold without shuffle), score =
sum of held-out log densities (scipy.special.logsumexp of Gaussian kernels),
mean over folds, first best bandwidth. The minima are found with
scipy.signal.argrelextrema(e, np.less), as ivadomed does.
Run with /usr/bin/python3 (python3-numpy, python3-scipy).
"""
import json

import numpy as np
from scipy.signal import argrelextrema
from scipy.special import logsumexp


def log_density(train, h, x):
    z = (x[:, None] - train[None, :]) / h
    return logsumexp(-0.5 * z * z, axis=1) - np.log(len(train)) - np.log(h) - 0.5 * np.log(2 * np.pi)


def fit(data, value_range, grid):
    data = np.asarray(data, dtype=float)
    n = len(data)
    sizes = [n // 5 + (1 if i < n % 5 else 0) for i in range(5)]
    best, best_score = None, None
    for h in grid:
        scores, start = [], 0
        for s in sizes:
            test = data[start:start + s]
            train = np.concatenate([data[:start], data[start + s:]])
            scores.append(log_density(train, h, test).sum())
            start += s
        score = np.mean(scores)
        if best is None or score > best_score:
            best, best_score = h, score
    e = log_density(data, best, value_range)
    minima = value_range[argrelextrema(e, np.less)[0]]
    return float(best), minima.tolist()


ranges = {'FlipAngle': np.linspace(0, 360, 1000), 'RepetitionTime': np.logspace(-1, 1, 1000),
          'EchoTime': np.logspace(-3, 1, 1000)}
grid = np.logspace(-4, 1, 50)
cases = [
    ('FlipAngle', [9, 120, 30, 9, 120, 30, 9, 120, 30]),
    ('FlipAngle', [90, 90, 90, 90, 90, 15, 15]),
    ('RepetitionTime', [2.0, 1.5, 0.8, 2.1, 1.9, 0.75, 0.7]),
    ('EchoTime', [0.00372, 0.12, 0.0153, 0.004, 0.11, 0.016, 0.0038, 0.125]),
    ('EchoTime', [0.01, 0.011, 0.012, 0.05, 0.051, 0.09, 0.2, 0.21, 0.22, 0.5, 1.5]),
]
out = []
for key, data in cases:
    bw, minima = fit(data, ranges[key], grid)
    out.append({'key': key, 'data': data, 'bandwidth': bw, 'minima': minima})
with open('kde.json', 'w') as f:
    json.dump(out, f, indent=0)
    f.write('\n')
