#!/usr/bin/python3
"""Time nibabel reading and writing NIfTI files, the peer of bench/nifti_test.go.

Usage (system python, Debian python3-nibabel):
    /usr/bin/python3 bench/nibabel_peer.py [--reps N] [--write-dir DIR] FILE...

For each FILE prints one JSON line per operation:
    {"file": FILE, "op": "read", "ms": median, "reps": N, "bytes": nbytes}
read  = nib.load(FILE, mmap=False).get_fdata(dtype=np.float32), what ivadomed
        does but with the data really read: with nibabel's default mmap=True an
        uncompressed float32 file is only mapped, and the reading happens
        later, page by page, when the data are first used;
write = nib.save(image, DIR/<name>) with nibabel's defaults (gzip level 1
        for .gz), when --write-dir is given; the image is read once before.
"""
import argparse
import json
import os
import statistics
import time

import nibabel as nib
import numpy as np


def median_ms(fn, reps):
    fn()  # warm-up: page cache, imports
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--write-dir')
    ap.add_argument('files', nargs='+')
    args = ap.parse_args()
    for f in args.files:
        def read():
            return nib.load(f, mmap=False).get_fdata(dtype=np.float32)
        data = read()
        ms = median_ms(read, args.reps)
        print(json.dumps({'file': f, 'op': 'read', 'ms': ms, 'reps': args.reps, 'bytes': data.nbytes}), flush=True)
        if args.write_dir:
            img = nib.load(f)
            out_img = nib.Nifti1Image(data, img.affine, img.header)
            out_img.set_data_dtype(img.get_data_dtype())
            out = os.path.join(args.write_dir, 'peer_' + os.path.basename(f))
            ms = median_ms(lambda: nib.save(out_img, out), args.reps)
            print(json.dumps({'file': f, 'op': 'write', 'ms': ms, 'reps': args.reps, 'bytes': data.nbytes}), flush=True)


if __name__ == '__main__':
    main()
