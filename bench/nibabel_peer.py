#!/usr/bin/python3
"""Time nibabel reading and writing NIfTI files, the peer of bench/nifti_test.go.

Usage (system python, Debian python3-nibabel):
    /usr/bin/python3 bench/nibabel_peer.py [--reps N] [--write-dir DIR] FILE...
    /usr/bin/python3 bench/nibabel_peer.py --serve

The first form prints one JSON line per file and operation:
    {"file": FILE, "op": "read", "ms": median, "reps": N, "bytes": nbytes}
With --serve it reads commands from stdin, one per line, and answers each
with one JSON line {"ms": ...} timing a single run:
    read FILE            time the read of FILE
    write FILE OUT       read FILE once (untimed), then time writing it to OUT
so that the Go benchmark can interleave its own runs with nibabel's and
both see the same machine load.

read  = nib.load(FILE, mmap=False).get_fdata(dtype=np.float32), what ivadomed
        does but with the data really read: with nibabel's default mmap=True an
        uncompressed file is only mapped, and the reading happens later, page
        by page, when the data are first used;
write = nib.save(Nifti1Image(data, affine, header), OUT) with nibabel's
        defaults (gzip level 1 for .gz), stored in the file's own datatype.
"""
import argparse
import json
import os
import statistics
import sys
import time

import nibabel as nib
import numpy as np


def read(f):
    return nib.load(f, mmap=False).get_fdata(dtype=np.float32)


def prepare_write(f):
    img = nib.load(f, mmap=False)
    out = nib.Nifti1Image(img.get_fdata(dtype=np.float32), img.affine, img.header)
    out.set_data_dtype(img.get_data_dtype())
    return out


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1e3


def serve():
    cache = {}
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == 'read':
            ms = timed(lambda: read(parts[1]))
        elif parts[0] == 'write':
            if parts[1] not in cache:
                cache.clear()
                cache[parts[1]] = prepare_write(parts[1])
            img = cache[parts[1]]
            ms = timed(lambda: nib.save(img, parts[2]))
        else:
            print(json.dumps({'error': f'unknown command {parts[0]}'}), flush=True)
            continue
        print(json.dumps({'ms': ms}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--write-dir')
    ap.add_argument('--serve', action='store_true')
    ap.add_argument('files', nargs='*')
    args = ap.parse_args()
    if args.serve:
        serve()
        return
    for f in args.files:
        data = read(f)
        read(f)  # warm-up
        ms = statistics.median(timed(lambda: read(f)) for _ in range(args.reps))
        print(json.dumps({'file': f, 'op': 'read', 'ms': ms, 'reps': args.reps, 'bytes': data.nbytes}), flush=True)
        if args.write_dir:
            img = prepare_write(f)
            out = os.path.join(args.write_dir, 'peer_' + os.path.basename(f))
            nib.save(img, out)
            ms = statistics.median(timed(lambda: nib.save(img, out)) for _ in range(args.reps))
            print(json.dumps({'file': f, 'op': 'write', 'ms': ms, 'reps': args.reps, 'bytes': data.nbytes}), flush=True)


if __name__ == '__main__':
    main()
