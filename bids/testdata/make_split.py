#!/usr/bin/python3
"""Write split.json: train/valid/test sets drawn by ivadomed's split_dataset
(ivadomed/loader/utils.py, v2.9.10) for bids/split_test.go.

pandas and scikit-learn are not packaged for this system, so the function
below restates split_dataset on a list of row dicts, line by line, and
sklearn's train_test_split for a float train_size (ShuffleSplit: n_train =
floor(train_size * n), n_test = n - n_train, permutation from
numpy.random.RandomState(seed), test = perm[:n_test], train =
perm[n_test:n_test + n_train]). Run with /usr/bin/python3 (python3-numpy).
"""
import json
import math

import numpy as np


def train_test_split(items, train_size, random_state):
    n = len(items)
    assert 0 < train_size < 1
    n_train = math.floor(train_size * n)
    n_test = n - n_train
    assert n_train > 0
    perm = np.random.RandomState(random_state).permutation(n)
    return [items[i] for i in perm[n_test:n_test + n_train]], [items[i] for i in perm[:n_test]]


def unique(seq):
    out = []
    for x in seq:
        if x not in out:
            out.append(x)
    return out


def split_dataset(rows, split_method, data_testing, random_seed, train_frac, test_frac):
    data_type = data_testing['data_type'] or split_method
    data_value = list(data_testing['data_value'])
    rows = [r for r in rows if r.get(split_method) is not None]
    if len(data_value) == 0 and test_frac != 0:
        data_value = sorted(unique(r[data_type] for r in rows))
        test_frac = test_frac if test_frac >= 1 / len(data_value) else 1 / len(data_value)
        data_value, _ = train_test_split(data_value, train_size=test_frac, random_state=random_seed)
    x_test = unique(r['filename'] for r in rows if r[data_type] in data_value)
    x_remain = unique(r[split_method] for r in rows if r[data_type] not in data_value)
    data = sorted(unique(r[split_method] for r in rows))
    train_frac_update = train_frac * len(data) / len(x_remain)
    x_train, x_val = train_test_split(x_remain, train_size=train_frac_update, random_state=random_seed)
    x_train = unique(r['filename'] for r in rows if r[split_method] in x_train)
    x_val = unique(r['filename'] for r in rows if r[split_method] in x_val)
    return sorted(set(x_train) - set(x_test)), sorted(set(x_val) - set(x_test)), sorted(x_test)


def get_new_subject_split(rows, p):
    balance = p.get('balance')
    parts = [rows]
    if balance:
        parts = [[r for r in rows if r.get(balance) == k] for k in unique(r[balance] for r in rows if r.get(balance) is not None)]
    out = {'train': [], 'valid': [], 'test': []}
    for part in parts:
        tr, va, te = split_dataset(part, p['split_method'], p['data_testing'], p['random_seed'],
                                   p['train_fraction'], p['test_fraction'])
        out['train'] += tr
        out['valid'] += va
        out['test'] += te
    return out


# ivadomed's testing/unit_tests/test_split_dataset.py table: 200 participants,
# disability = i % 3, institution_id = i % 5, sorted as strings.
N = 200
participants = sorted(['sub-00' + str(i), str(i % 3), str(i % 5)] for i in range(N))
rows200 = [{'participant_id': p, 'disability': d, 'institution_id': c, 'filename': p} for p, d, c in participants]
# ivadomed-data-testing/microscopy_png: five images, four samples.
rows_micro = [
    {'filename': 'sub-rat2_sample-data5_SEM.png', 'participant_id': 'sub-rat2', 'sample_id': 'sample-data5'},
    {'filename': 'sub-rat3_ses-01_sample-data9_SEM.png', 'participant_id': 'sub-rat3', 'sample_id': 'sample-data9'},
    {'filename': 'sub-rat3_ses-02_sample-data10_SEM.png', 'participant_id': 'sub-rat3', 'sample_id': 'sample-data10'},
    {'filename': 'sub-rat3_ses-02_sample-data11_run-1_SEM.png', 'participant_id': 'sub-rat3', 'sample_id': 'sample-data11'},
    {'filename': 'sub-rat3_ses-02_sample-data11_run-2_SEM.png', 'participant_id': 'sub-rat3', 'sample_id': 'sample-data11'},
]
NONE = {'data_type': None, 'data_value': []}
cases = [
    ('testcenter_0', 'rows200', {'random_seed': 6, 'split_method': 'participant_id', 'data_testing': {'data_type': 'institution_id', 'data_value': ['0']}, 'train_fraction': 0.6, 'test_fraction': 0.2}),
    ('without_testcenter', 'rows200', {'random_seed': 6, 'split_method': 'participant_id', 'data_testing': {'data_type': 'institution_id', 'data_value': []}, 'train_fraction': 0.2, 'test_fraction': 0.4}),
    ('per_patient', 'rows200', {'random_seed': 6, 'split_method': 'participant_id', 'data_testing': NONE, 'train_fraction': 0.45, 'test_fraction': 0.35}),
    ('per_patient_2', 'rows200', {'random_seed': 6, 'split_method': 'participant_id', 'data_testing': NONE, 'train_fraction': 0.6, 'test_fraction': 0}),
    ('per_patient_balance', 'rows200', {'random_seed': 6, 'balance': 'disability', 'split_method': 'participant_id', 'data_testing': NONE, 'train_fraction': 0.45, 'test_fraction': 0.35}),
    ('per_center_balance', 'rows200', {'random_seed': 6, 'balance': 'disability', 'split_method': 'participant_id', 'data_testing': {'data_type': 'institution_id', 'data_value': ['0']}, 'train_fraction': 0.4, 'test_fraction': 0.2}),
    ('seed_1313', 'rows200', {'random_seed': 1313, 'split_method': 'participant_id', 'data_testing': NONE, 'train_fraction': 0.66, 'test_fraction': 0.33}),
    ('microscopy_sample_id', 'rows_micro', {'random_seed': 6, 'split_method': 'sample_id', 'data_testing': NONE, 'train_fraction': 0.6, 'test_fraction': 0.2}),
    ('microscopy_participant_id', 'rows_micro', {'random_seed': 6, 'split_method': 'participant_id', 'data_testing': NONE, 'train_fraction': 0.5, 'test_fraction': 0}),
]
tables = {'rows200': rows200, 'rows_micro': rows_micro}
out = {'tables': tables, 'cases': []}
for name, table, p in cases:
    out['cases'].append({'name': name, 'table': table, 'params': p, 'split': get_new_subject_split(tables[table], p)})
with open('split.json', 'w') as f:
    json.dump(out, f, indent=0)
    f.write('\n')
