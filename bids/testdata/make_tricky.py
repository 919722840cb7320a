#!/usr/bin/python3
"""Build tricky/: small BIDS datasets that bend the layout in the ways the
held-out data may (nested datasets, sessions, labels filed in another
subject's folder, derivatives without description, names without suffix,
hidden files, quoted and ragged TSV rows, CRLF, BOM, unicode), then run
../../../shared/data/make_bids_oracle.py's walker over them to write
tricky-oracle.json, so bids/oracle_test.go checks Index against the same
walker on cases the shared data lacks. Standard library only:

    python3 make_tricky.py [path/to/make_bids_oracle.py]
"""
import importlib.util
import json
import os
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, 'tricky')
oracle_py = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', '..', '..', 'shared', 'data', 'make_bids_oracle.py')
shutil.rmtree(root, ignore_errors=True)


def w(path, text=''):
    p = os.path.join(root, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, 'w', encoding='utf-8', newline='') as f:
        f.write(text)


DD = '{"Name": "%s", "BIDSVersion": "1.9.0"%s}'
# A: sessions, runs, acq, labels of several kinds, one filed in another
# subject's folder, one matching no image, derivative without description.
w('A/dataset_description.json', DD % ('A', ', "DatasetType": "raw", "License": "CC0"'))
w('A/participants.tsv', '\ufeffparticipant_id\tage\tgroup\r\nsub-01\t30\t"a\tb"\r\nsub-02\t\r\n\t\t\r\nsub-03\t41\tx\textra\r\n')
w('A/participants.json', '{"age": {"Units": "years"}}')
w('A/T2w.json', '{"EchoTime": 0.1}')
for s in ('01', '02'):
    for ses in ('pre', 'post'):
        w(f'A/sub-{s}/ses-{ses}/anat/sub-{s}_ses-{ses}_acq-ax_run-1_T2w.nii.gz', 'x' * 3)
        w(f'A/sub-{s}/ses-{ses}/anat/sub-{s}_ses-{ses}_acq-ax_run-1_T2w.json', '{"EchoTime": 0.09}')
        w(f'A/sub-{s}/ses-{ses}/anat/sub-{s}_ses-{ses}_T1w.nii', '')
        w(f'A/derivatives/labels/sub-{s}/ses-{ses}/anat/sub-{s}_ses-{ses}_acq-ax_run-1_T2w_seg-manual.nii.gz', 'y')
    w(f'A/sub-{s}/sub-{s}_sessions.tsv', 'session_id\tacq_time\nses-pre\t2020-01-01\nses-post\t2020-06-01\n')
    w(f'A/sub-{s}/ses-pre/sub-{s}_ses-pre_scans.tsv', f'filename\tacq_time\nanat/sub-{s}_ses-pre_T1w.nii\t2020-01-01T10:00\n')
w('A/sub-03/anat/sub-03_T1w.nii.gz', 'z')
w('A/sub-03/anat/sub-03_T1w_mask-brain.nii.gz', 'z')  # no suffix
w('A/sub-03/anat/sub-03_T1w_mask-brain.json', '{}')
w('A/sub-03/anat/.hidden_T1w.nii.gz', 'h')
w('A/sub-03/.datalad/sub-03_T2w.nii.gz', 'h')
w('A/sub-03/anat/notes_ü_T1w.nii.gz', 'u')  # no sub entity, unicode
w('A/derivatives/labels/sub-01/anat/sub-03_T1w_lesion-manual.nii.gz', 'l')  # other subject's folder
w('A/derivatives/labels/sub-03/anat/sub-03_T1w_seg-manual_rater-2.nii.gz', 'l')
w('A/derivatives/labels/sub-03/anat/sub-03_T1w_seg-manual_rater-2.json', '{}')
w('A/derivatives/labels/sub-09/anat/sub-09_T1w_seg-manual.nii.gz', 'l')  # no image
w('A/derivatives/labels/sub-03_T1w_labels-disc.nii.gz', 'l')  # outside any sub folder
w('A/derivatives/other/dataset_description.json', DD % ('other', ''))
w('A/derivatives/other/sub-01/sub-01_ses-pre_T1w.nii', '')  # same stem as raw: no label
w('A/derivatives/.cache/sub-01_ses-pre_T1w_seg.nii', '')
# A nested dataset (found on its own) and one hidden (ignored).
w('A/sourcedata/B/dataset_description.json', DD % ('B', ''))
w('A/sourcedata/B/sub-x/micr/sub-x_sample-1_chunk-2_SEM.ome.tif', 'm')
w('A/sourcedata/B/sub-x/micr/sub-x_sample-1_chunk-2_SEM.json', '{"PixelSize": [1, 1]}')
w('A/sourcedata/B/sub-x/micr/sub-x_sample-1_photo.jpg', 'p')
w('A/sourcedata/B/samples.tsv', 'sample_id\tparticipant_id\nsample-1\tsub-x\n')
w('A/.hidden/dataset_description.json', DD % ('hidden', ''))
# C: no participants.tsv, broken dataset_description, empty samples.tsv,
# files straight in the subject folder.
w('C/dataset_description.json', '{"Name": 3, "BIDSVersion": "1.0"}')
w('C/samples.tsv', '')
w('C/sub-a/sub-a_T1w.nii.gz', '')
w('C/sub-a/anat/sub-a_echo-1_part-mag_MEGRE.nii.gz', '')
w('C/sub-b/func/sub-b_task-rest_bold.nii.gz', '')
w('C/sub-b/func/sub-b_task-rest_bold.json', '{"RepetitionTime": 2}')
w('C/sub-b/func/sub-b_task-rest_events.tsv', 'onset\n')

spec = importlib.util.spec_from_file_location('oracle', oracle_py)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
datasets = [mod.describe_dataset(root, d) for d in mod.find_datasets(root)]
with open(os.path.join(here, 'tricky-oracle.json'), 'w') as f:
    json.dump({'generator': 'make_tricky.py + make_bids_oracle.py', 'count': len(datasets), 'datasets': datasets}, f, indent=1)
    f.write('\n')
print(len(datasets), 'datasets')
