package pipeline

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/nifti"
	"github.com/ivadogo/ivadogo/pipeline/postprocess"
)

// volume is a 3D image in RAS orientation, C order (x slowest, z fastest),
// as numpy indexes nibabel's canonical array.
type volume struct {
	data  []float32
	shape [3]int
	zooms [3]float64
	// src is the image as read (its own orientation), ras its canonical
	// version; both are kept header-only once data is taken.
	src, ras *nifti.Image
}

// volumeFile is a file for readVolume and what a microscopy image needs
// beyond its pixels. A PNG holds no pixel size: that is in the BIDS
// metadata known where the file was found, which travels with the path
// (a frame's row, or segment's --pixel-size) rather than through state
// shared by every run in the process.
type volumeFile struct {
	path string
	// meta is the sidecar metadata of an image of a frame (a label's is
	// its image's); nil for a file named alone (segment -i), whose sidecar
	// is looked up beside it or in its BIDS dataset (sidecarMeta).
	meta map[string]any
	// label binarises a microscopy label as ivadomed does.
	label bool
	// pixelSize, when set, is the pixel size of a microscopy image whose
	// metadata has none (segment --pixel-size).
	pixelSize *PixelSize
}

// loneFile is a file named alone, as segment -i names its images.
func loneFile(path string) volumeFile { return volumeFile{path: path} }

// rowFile is the image of a frame row.
func rowFile(r *bids.Row) volumeFile { return volumeFile{path: r.Path, meta: rowMeta(r)} }

// labelFile is a label (or ROI) of the image of row img: a microscopy
// label takes its image's pixel size, as in ivadomed.
func labelFile(path string, img *bids.Row) volumeFile {
	return volumeFile{path: path, meta: rowMeta(img), label: true}
}

// rowMeta is a row's metadata, never nil, so that a row without a
// PixelSize is an error rather than a look for a sidecar.
func rowMeta(r *bids.Row) map[string]any {
	if r.Values == nil {
		return map[string]any{}
	}
	return r.Values
}

// readVolume reads a 3D NIfTI file and reorients it to RAS; a PNG, TIFF
// or JPEG microscopy image is read by readMicroscopy.
func readVolume(f volumeFile) (*volume, error) {
	if isMicroscopy(f.path) {
		return readMicroscopy(f)
	}
	img, err := nifti.Read(f.path)
	if err != nil {
		return nil, err
	}
	return volumeOf(img, f.path)
}

func volumeOf(img *nifti.Image, path string) (*volume, error) {
	// Shape ends in a channel axis for RGB and complex voxels, which a 2D
	// image's would pass for a third spatial axis.
	if dt := img.Header.Datatype; dt.Channels() > 1 {
		return nil, fmt.Errorf("pipeline: %s: voxels of type %v hold %d values each, want one (a grey-level image)", path, dt, dt.Channels())
	}
	sh := img.Shape
	for len(sh) > 3 && sh[len(sh)-1] == 1 {
		sh = sh[:len(sh)-1]
	}
	if len(sh) != 3 {
		if len(sh) == 2 {
			sh = []int{sh[0], sh[1], 1}
		} else {
			return nil, fmt.Errorf("pipeline: %s: image of shape %v, want a 3D volume", path, img.Shape)
		}
	}
	ras, err := img.Canonical()
	if err != nil {
		return nil, fmt.Errorf("pipeline: %s: %w", path, err)
	}
	rs := ras.Shape
	shape := [3]int{rs[0], 1, 1}
	if len(rs) > 1 {
		shape[1] = rs[1]
	}
	if len(rs) > 2 {
		shape[2] = rs[2]
	}
	z := ras.Header.Zooms()
	var zooms [3]float64
	for i := range zooms {
		zooms[i] = 1
		if i < len(z) && z[i] > 0 {
			zooms[i] = z[i]
		}
	}
	v := &volume{data: postprocess.FromFortran(ras.Data, shape), shape: shape, zooms: zooms, src: img, ras: ras}
	// From here the canonical image serves for its header (grid, affine)
	// only: its voxels, a copy as large as the source, are v.data's.
	ras.Data = nil
	return v, nil
}

// sameGrid reports whether two volumes share shape and grid, as a label
// must share its image's. The affines may differ where headers were
// written rounded (ivadomed's testing data has a lesion label whose affine
// keeps two decimals), as long as every voxel of b lies less than half a
// voxel from the same voxel of a: then both name the same voxels, and the
// voxels are used as they are, as ivadomed uses them.
func sameGrid(a, b *volume) error {
	if a.shape != b.shape {
		return fmt.Errorf("shape %v differs from the image's %v", b.shape, a.shape)
	}
	aa, ba := a.ras.Header.Affine(), b.ras.Header.Affine()
	if s := gridShift(aa, ba, a.shape); !(s < 0.5) {
		i, j := largestDiff(aa, ba)
		return fmt.Errorf("grid differs from the image's: its voxels lie up to %.3g voxels from the image's (affine row %d col %d: %g vs %g)", s, i, j, ba[i][j], aa[i][j])
	}
	return nil
}

// gridShift is how far, in voxels of a, the voxels of a grid of shape with
// affine b lie from those with affine a, at most over the grid: an affine
// map's largest move over a box is at a corner. It is +Inf where a is
// singular.
func gridShift(a, b nifti.Affine, shape [3]int) float64 {
	var l [3][3]float64
	for i := range 3 {
		for j := range 3 {
			l[i][j] = a[i][j]
		}
	}
	inv, ok := invert3(l)
	if !ok {
		return math.Inf(1)
	}
	worst := 0.0
	for corner := range 8 {
		var c [3]float64
		for k := range 3 {
			if corner>>k&1 == 1 {
				c[k] = float64(shape[k] - 1)
			}
		}
		var w [3]float64 // world position of b's voxel c less a's
		for i := range 3 {
			w[i] = b[i][3] - a[i][3]
			for k := range 3 {
				w[i] += (b[i][k] - a[i][k]) * c[k]
			}
		}
		for i := range 3 {
			d := inv[i][0]*w[0] + inv[i][1]*w[1] + inv[i][2]*w[2]
			worst = max(worst, math.Abs(d))
		}
	}
	return worst
}

// invert3 inverts m, reporting false where it is singular.
func invert3(m [3][3]float64) ([3][3]float64, bool) {
	var inv [3][3]float64
	for i := range 3 {
		for j := range 3 {
			// The cofactor of m[j][i], by the cyclic indices.
			r0, r1 := (j+1)%3, (j+2)%3
			c0, c1 := (i+1)%3, (i+2)%3
			inv[i][j] = m[r0][c0]*m[r1][c1] - m[r0][c1]*m[r1][c0]
		}
	}
	det := m[0][0]*inv[0][0] + m[0][1]*inv[1][0] + m[0][2]*inv[2][0]
	if det == 0 || math.IsNaN(det) {
		return inv, false
	}
	for i := range 3 {
		for j := range 3 {
			inv[i][j] /= det
		}
	}
	return inv, true
}

// largestDiff is the entry where two affines differ most.
func largestDiff(a, b nifti.Affine) (int, int) {
	bi, bj, worst := 0, 0, -1.0
	for i := range 3 {
		for j := range 4 {
			if d := math.Abs(a[i][j] - b[i][j]); d > worst {
				bi, bj, worst = i, j, d
			}
		}
	}
	return bi, bj
}

// hwdPerm gives, for slice_axis, the RAS axes that become H, W and D
// (ivadomed's transposes: sagittal (2,1,0), coronal (2,0,1), axial
// identity); slices are taken along D.
func hwdPerm(axis string) ([3]int, error) {
	switch axis {
	case "sagittal":
		return [3]int{2, 1, 0}, nil
	case "coronal":
		return [3]int{2, 0, 1}, nil
	case "axial", "":
		return [3]int{0, 1, 2}, nil
	}
	return [3]int{}, fmt.Errorf("pipeline: slice_axis %q: want axial, sagittal or coronal", axis)
}

// permute returns v (C order, shape sh) with its axes permuted: out axis i
// is input axis p[i].
func permute(v []float32, sh [3]int, p [3]int) ([]float32, [3]int) {
	if p == [3]int{0, 1, 2} {
		return v, sh
	}
	out := [3]int{sh[p[0]], sh[p[1]], sh[p[2]]}
	st := [3]int{sh[1] * sh[2], sh[2], 1}
	s0, s1, s2 := st[p[0]], st[p[1]], st[p[2]]
	r := make([]float32, len(v))
	n := 0
	for i := 0; i < out[0]; i++ {
		for j := 0; j < out[1]; j++ {
			base := i*s0 + j*s1
			for k := 0; k < out[2]; k++ {
				r[n] = v[base+k*s2]
				n++
			}
		}
	}
	return r, out
}

// inverse returns the permutation that undoes p.
func inverse(p [3]int) [3]int {
	var q [3]int
	for i, a := range p {
		q[a] = i
	}
	return q
}

// slice copies slice k (along the last axis) of an H×W×D C-order volume.
func slice(v []float32, sh [3]int, k int) []float32 {
	out := make([]float32, sh[0]*sh[1])
	for i := 0; i < sh[0]*sh[1]; i++ {
		out[i] = v[i*sh[2]+k]
	}
	return out
}

// setSlice writes s into slice k of an H×W×D C-order volume.
func setSlice(v []float32, sh [3]int, k int, s []float32) {
	for i := 0; i < sh[0]*sh[1]; i++ {
		v[i*sh[2]+k] = s[i]
	}
}

// stem is a file name without directory and NIfTI extension.
func stem(path string) string {
	b := filepath.Base(path)
	for _, ext := range []string{".nii.gz", ".nii", ".img.gz", ".hdr.gz", ".img", ".hdr", ".png", ".tif", ".tiff", ".jpg", ".jpeg"} {
		if strings.HasSuffix(strings.ToLower(b), ext) {
			return b[:len(b)-len(ext)]
		}
	}
	return b
}

// writeSrc writes volumes already in src's own orientation (Fortran order).
func writeSrc(path string, src *nifti.Image, vols [][]float32) error {
	sh := src.Header.Shape()
	if len(sh) > 3 {
		sh = sh[:3]
	}
	for len(sh) < 3 {
		sh = append(sh, 1)
	}
	data := vols[0]
	if len(vols) > 1 {
		data = make([]float32, 0, len(vols[0])*len(vols))
		for _, v := range vols {
			data = append(data, v...)
		}
		sh = append(sh, len(vols))
	}
	// The source's header (transform codes, units, qform) carries over
	// whether there are one or several classes: a 4D file differs from
	// a 3D one only in its fourth axis, as nibabel's from ivadomed does.
	img := nifti.NewLike(src, data, sh, nifti.Float32)
	if err := nifti.Write(path, img); err != nil {
		return fmt.Errorf("pipeline: writing %s: %w", path, err)
	}
	return nil
}

// newLikeRAS makes an image on the canonical grid of ras holding a C-order
// volume.
func newLikeRAS(ras *nifti.Image, v []float32, shape [3]int) *nifti.Image {
	return nifti.NewLike(ras, postprocess.ToFortran(v, shape), []int{shape[0], shape[1], shape[2]}, nifti.Float32)
}
