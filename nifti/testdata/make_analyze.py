#!/usr/bin/python3
"""Fixture for the header that Canonical/Reorient and ResampleShape give an Analyze input.

Run from the repository root with the system python (Debian python3-nibabel, scipy):
    /usr/bin/python3 nifti/testdata/make_analyze.py

It writes nifti/testdata/analyze/ with three SPM2 Analyze images of 5x4x3 float32 voxels:

  origin  pixdim (0.9, 1.7, 2.3), SPM origin (3, 2, 2): affine diag(-0.9, 1.7, 2.3)
  negpix  the same with pixdim[1] stored as -0.9 (nibabel and SPM read 0.9)
  mat     a .mat beside the header (permuted and flipped axes, voxel sizes 1.1, 0.6, 2.0)
          while pixdim still says (0.9, 1.7, 2.3): the .mat wins

and analyze.json with, per image, nibabel's affine, and for as_closest_canonical and for a
resampling to another shape (affine · diag((in-1)/(out-1))) the affine, the shape and the
voxel sizes nibabel's header gives the result (its update_header: the new affine's column
norms), plus the canonical data in C order.
"""
import json
import os

import nibabel as nib
import numpy as np
import scipy.io as sio

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "analyze")
SHAPE = (5, 4, 3)
RESAMPLED = (9, 3, 5)


def write(name, pixdim, origin, mat=None):
    data = np.arange(np.prod(SHAPE), dtype=np.float32).reshape(SHAPE) * 0.5 - 3
    hdr = nib.Spm2AnalyzeHeader()
    hdr.set_data_shape(SHAPE)
    hdr.set_data_dtype(np.float32)
    hdr["pixdim"][1:4] = [abs(p) for p in pixdim]
    hdr["origin"][:3] = origin
    path = os.path.join(HERE, name + ".hdr")
    nib.save(nib.Spm2AnalyzeImage(data, None, hdr), path)
    if any(p < 0 for p in pixdim):
        # nibabel writes voxel sizes as their absolute values: patch the stored one.
        with open(path, "r+b") as f:
            f.seek(76 + 4)
            f.write(np.asarray(pixdim, dtype="<f4").tobytes())
    if mat is not None:
        # SPM's .mat: "mat" maps 1-based voxels, "M" is the same without the x flip.
        from_111 = np.eye(4)
        from_111[:3, 3] = -1
        m = np.asarray(mat) @ from_111
        sio.savemat(os.path.join(HERE, name + ".mat"), {"M": np.diag([-1, 1, 1, 1]) @ m, "mat": m}, format="4")
    return path


def case(name, path):
    img = nib.load(path)
    can = nib.as_closest_canonical(img)
    scale = [(i - 1) / (o - 1) if o > 1 else 1.0 for i, o in zip(img.shape, RESAMPLED)]
    raff = img.affine @ np.diag(scale + [1.0])
    res = nib.Nifti1Pair(np.zeros(RESAMPLED, np.float32), raff, nib.Nifti1Pair.from_image(img).header)
    res.update_header()
    return {
        "name": name,
        "file": os.path.basename(path),
        "affine": img.affine.tolist(),
        "canonical": {
            "shape": list(can.shape),
            "affine": can.affine.tolist(),
            "zooms": [float(z) for z in can.header.get_zooms()[:3]],
            "data": [float(v) for v in np.asarray(can.dataobj, dtype=np.float64).ravel(order="F")],
        },
        "resampled": {
            "shape": list(RESAMPLED),
            "affine": raff.tolist(),
            "zooms": [float(z) for z in res.header.get_zooms()[:3]],
        },
    }


def main():
    os.makedirs(HERE, exist_ok=True)
    out = [
        case("origin", write("origin", (0.9, 1.7, 2.3), (3, 2, 2))),
        case("negpix", write("negpix", (-0.9, 1.7, 2.3), (3, 2, 2))),
        case("mat", write("mat", (0.9, 1.7, 2.3), (0, 0, 0),
                          mat=[[0, 0, -2.0, 10], [1.1, 0, 0, -5], [0, -0.6, 0, 3], [0, 0, 0, 1]])),
    ]
    with open(os.path.join(HERE, "analyze.json"), "w") as f:
        json.dump({"nibabel": nib.__version__, "cases": out}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
