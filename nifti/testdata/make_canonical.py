#!/usr/bin/python3
"""Fixture for nifti's reorientation tests: nibabel's as_closest_canonical
of a few shared files with different orientations.

Run from the repository root with the system python (Debian python3-nibabel):
    /usr/bin/python3 nifti/testdata/make_canonical.py ../shared/data > nifti/testdata/canonical.json
"""
import hashlib
import json
import sys

import nibabel as nib
import numpy as np

FILES = [
    'nifti/nibabel/nibabel/tests/data/example4d.nii.gz',        # LAS, oblique, 4-D
    'nifti/NIFTI-Reader-JS/data/5D_small.nii',                  # PSR, 5-D
    'nifti/dcm_qa/Ref/cor_asc_35sl_16.nii',                     # LSP
    'nifti/NIFTI-Reader-JS/data/air2.hdr.gz',                   # AIR, oblique pair
    'nifti/nitest-balls1/NIFTI/T1.nii.gz',                      # LPS, scaled
    'nifti/nibabel/nibabel/tests/data/reoriented_anat_moved.nii',  # RAS already
    'ivadomed-data-testing/sub-unf01/anat/sub-unf01_T2w.nii.gz',
    'nifti/nifti-rs/resources/minimal.nii',                     # fall-back affine
]

root = sys.argv[1]
out = []
for rel in FILES:
    img = nib.load(f'{root}/{rel}')
    can = nib.as_closest_canonical(img)
    data = np.asarray(can.get_fdata(dtype=np.float64), dtype='<f4')
    out.append({
        'path': rel,
        'axcodes': list(nib.aff2axcodes(img.affine)),
        'shape': [int(x) for x in can.shape],
        'affine': can.affine.tolist(),
        'sha256_f32le_f': hashlib.sha256(np.asfortranarray(data).tobytes(order='F')).hexdigest(),
    })
json.dump(out, sys.stdout, indent=1)
sys.stdout.write('\n')
