// Package nifti reads and writes NIfTI-1, NIfTI-2 and Analyze 7.5 images
// (.nii, .nii.gz, .hdr/.img pairs, each part optionally gzipped) in either
// byte order, and gives the same header values, affine and voxel values as
// nibabel, the Python library the users of ivadomed trust.
//
// The conventions follow nibabel wherever the NIfTI standard leaves room:
//
//   - Scaling: data = raw*scl_slope + scl_inter computed in float64, where a
//     slope of 0 or a non-finite slope means no scaling. Analyze files are
//     read as SPM2 does: funused1 is the slope, funused2 the intercept, and
//     the cal/gl fields are the fall-back.
//   - Affine: the sform when sform_code > 0, else the qform when
//     qform_code > 0, else diag(-pixdim1, pixdim2, pixdim3) centred on the
//     volume (Analyze: SPM's origin field when it is sane).
//   - Header repairs nibabel makes silently (pixdim[0] not ±1 read as 1,
//     zero or negative voxel sizes, unknown xform codes read as 0, a wrong
//     sizeof_hdr next to a valid magic) are made here too; the problems it
//     refuses (unknown datatype, bad magic, too small vox_offset, an
//     infinite intercept, a non-unit quaternion) are errors.
//
// Entry points: ReadHeader, Read (float32, what a model trains on),
// ReadFloat64 (nibabel's get_fdata values exactly), Write (atomic, form
// chosen by the file name), New and NewLike (new images, e.g. predictions
// on their input's grid), Image.Canonical and Image.Reorient (closest RAS
// and back), Image.Resample and Image.ResampleShape (to a voxel size and
// back). Resampling is scipy.ndimage.zoom's, which ivadomed uses: B-spline
// orders 0 (nearest, for labels), 1 (linear), 2 (ivadomed's default for
// images) and 3, corner voxels aligned, mirror boundaries.
//
// Reading streams: voxels are converted chunk by chunk (float32 in the
// host's byte order goes straight into the result), so the stored bytes
// never exist in full next to the converted data; gzip is decompressed
// with the standard library as it is read.
//
// Voxel data are kept in the on-disk (Fortran) order, first index fastest.
// RGB24 and RGBA32 images get a trailing channel axis of 3 or 4 and
// complex images a trailing axis of 2 (real, imaginary); the channel axis is
// the slowest, so each channel is a contiguous plane.
package nifti
