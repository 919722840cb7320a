package nifti

import (
	"fmt"
	"math"
)

// Affine is a 4x4 voxel-to-world matrix (row major, last row 0 0 0 1):
// world = A · [i j k 1]ᵀ, world axes RAS+ in millimetres.
type Affine = [4][4]float64

// quaternionThreshold is nibabel's tolerance for 1-(b²+c²+d²) < 0: three
// float32 epsilons, the precision the quaternion is stored with.
const quaternionThreshold = -3 * 1.1920928955078125e-07

// Shape returns the image shape, dim[1..dim[0]], as nibabel reports it
// (with FreeSurfer's two conventions for long vectors). A header with
// dim[0] = 0 has shape [0].
func (h *Header) Shape() []int {
	n := int(h.Dim[0])
	if n == 0 {
		return []int{0}
	}
	if n > 7 {
		n = 7
	}
	if n < 0 {
		n = 0
	}
	s := make([]int, n)
	for i := range s {
		s[i] = int(h.Dim[i+1])
	}
	if h.Format.Version() > 0 && len(s) >= 3 {
		switch {
		case s[0] == -1 && s[1] == 1 && s[2] == 1 && h.Glmin != 0:
			s[0] = int(h.Glmin)
		case s[0] == 27307 && s[1] == 1 && s[2] == 6:
			s[0], s[2] = 163842, 1
		}
	}
	return s
}

// fixedPixdim returns pixdim with nibabel's repairs: a zero voxel size
// becomes 1, a negative one its absolute value, and a qfac (pixdim[0])
// other than ±1 becomes 1.
func (h *Header) fixedPixdim() [8]float64 {
	p := h.Pixdim
	for i := 1; i <= 3; i++ {
		if p[i] == 0 {
			p[i] = 1
		}
		p[i] = math.Abs(p[i])
	}
	if h.Format.Version() > 0 && p[0] != 1 && p[0] != -1 {
		p[0] = 1
	}
	return p
}

// Zooms returns the voxel sizes pixdim[1..ndim] after nibabel's repairs
// (zero spatial sizes read as 1, negative ones as their absolute value).
func (h *Header) Zooms() []float64 {
	n := int(h.Dim[0])
	if n <= 0 {
		return []float64{1}
	}
	if n > 7 {
		n = 7
	}
	p := h.fixedPixdim()
	return append([]float64(nil), p[1:n+1]...)
}

// SlopeInter returns the scaling applied to the stored values: slope and
// intercept, or (1, 0) when the header holds no valid slope (0, NaN or
// infinite). A valid slope with a non-finite intercept is an error for
// NIfTI (nibabel refuses it); SPM2 Analyze reads it as 0.
func (h *Header) SlopeInter() (slope, inter float64, err error) {
	if h.Format.Version() == 0 {
		return h.spm2SlopeInter()
	}
	s, i := h.SclSlope, h.SclInter
	if s == 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return 1, 0, nil
	}
	if math.IsNaN(i) || math.IsInf(i, 0) {
		return 0, 0, fmt.Errorf("valid scl_slope %g but invalid scl_inter %g", s, i)
	}
	return s, i, nil
}

// spm2SlopeInter follows SPM2's spm_vol_ana.m as nibabel does: funused1 is
// the scale, funused2 the intercept; without a scale, the ratio of the
// calibrated to the stored range.
func (h *Header) spm2SlopeInter() (float64, float64, error) {
	s := h.SclSlope
	if s != 0 && !math.IsNaN(s) && !math.IsInf(s, 0) {
		i := h.SclInter
		if math.IsNaN(i) || math.IsInf(i, 0) {
			i = 0
		}
		return s, i, nil
	}
	unscaled := int64(h.Glmax) - int64(h.Glmin)
	scaled := float64(float32(h.CalMax) - float32(h.CalMin))
	if unscaled != 0 && scaled != 0 {
		s = scaled / float64(int32(unscaled))
		i := h.CalMin - s*float64(h.Glmin)
		return s, i, nil
	}
	return 1, 0, nil
}

// validXform reports whether c is one of NIfTI's xform codes; nibabel
// reads any other code as 0.
func validXform(c int32) bool { return c >= 0 && c <= 5 }

// effQformCode and effSformCode are the codes nibabel acts on.
func (h *Header) effQformCode() int32 {
	if h.Format.Version() == 0 || !validXform(h.QformCode) {
		return 0
	}
	return h.QformCode
}

func (h *Header) effSformCode() int32 {
	if h.Format.Version() == 0 || !validXform(h.SformCode) {
		return 0
	}
	return h.SformCode
}

// quaternion returns (w, x, y, z) with w filled in so that the quaternion
// has unit norm; ok is false when b²+c²+d² exceeds 1 by more than the
// float32 precision of the fields.
func (h *Header) quaternion() (w, x, y, z float64, ok bool) {
	x, y, z = h.QuaternB, h.QuaternC, h.QuaternD
	w2 := 1 - (x*x + y*y + z*z)
	if w2 < 0 {
		return 0, x, y, z, w2 >= quaternionThreshold
	}
	return math.Sqrt(w2), x, y, z, true
}

// quatToMat is nibabel's quat2mat: the rotation of a (not necessarily
// unit) quaternion.
func quatToMat(w, x, y, z float64) [3][3]float64 {
	nq := w*w + x*x + y*y + z*z
	if nq < 2.220446049250313e-16 {
		return [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	}
	s := 2 / nq
	X, Y, Z := x*s, y*s, z*s
	wX, wY, wZ := w*X, w*Y, w*Z
	xX, xY, xZ := x*X, x*Y, x*Z
	yY, yZ, zZ := y*Y, y*Z, z*Z
	return [3][3]float64{
		{1 - (yY + zZ), xY - wZ, xZ + wY},
		{xY + wZ, 1 - (xX + zZ), yZ - wX},
		{xZ - wY, yZ + wX, 1 - (xX + yY)},
	}
}

// qformFrom builds the qform matrix with the given pixdim.
func (h *Header) qformFrom(p [8]float64) Affine {
	w, x, y, z, _ := h.quaternion()
	r := quatToMat(w, x, y, z)
	vox := [3]float64{p[1], p[2], p[3]}
	vox[2] *= p[0]
	var a Affine
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			a[i][j] = r[i][j] * vox[j]
		}
	}
	a[0][3], a[1][3], a[2][3] = h.QoffsetX, h.QoffsetY, h.QoffsetZ
	a[3][3] = 1
	return a
}

// QForm returns the matrix of the quaternion fields, whatever qform_code
// says. As nibabel, it uses the stored pixdim when it is valid (voxel
// sizes not negative, qfac ±1) and the repaired pixdim otherwise. For
// Analyze it returns the identity.
func (h *Header) QForm() Affine {
	if h.Format.Version() == 0 {
		return identity()
	}
	p := h.Pixdim
	if p[1] < 0 || p[2] < 0 || p[3] < 0 || (p[0] != 1 && p[0] != -1) {
		p = h.fixedPixdim()
	}
	return h.qformFrom(p)
}

// SForm returns the matrix of the srow fields, whatever sform_code says.
// For Analyze it returns the identity.
func (h *Header) SForm() Affine {
	if h.Format.Version() == 0 {
		return identity()
	}
	return Affine{h.SrowX, h.SrowY, h.SrowZ, {0, 0, 0, 1}}
}

func identity() Affine {
	return Affine{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}
}

// Affine returns the voxel-to-world affine nibabel chooses: the sform if
// sform_code > 0, else the qform if qform_code > 0, else the fall-back
// diag(-pixdim1, pixdim2, pixdim3) centred on the volume. Analyze images
// use the affine of an SPM .mat file beside the header, else SPM's origin
// field when it lies inside a sane range.
func (h *Header) Affine() Affine {
	if h.Format.Version() == 0 {
		if h.spmMat != nil {
			return *h.spmMat
		}
		return h.originAffine()
	}
	if h.effSformCode() != 0 {
		return h.SForm()
	}
	if h.effQformCode() != 0 {
		return h.qformFrom(h.fixedPixdim())
	}
	return h.baseAffine()
}

// baseAffine is nibabel's shape_zoom_affine with the x axis flipped.
func (h *Header) baseAffine() Affine {
	n := int(h.Dim[0])
	if n > 7 {
		n = 7
	}
	p := h.fixedPixdim()
	shape := [3]float64{1, 1, 1}
	zooms := [3]float64{1, 1, 1}
	for i := 0; i < 3 && i < n; i++ {
		shape[i] = float64(h.Dim[i+1])
		zooms[i] = p[i+1]
	}
	zooms[0] = -zooms[0]
	a := identity()
	for i := 0; i < 3; i++ {
		a[i][i] = zooms[i]
		a[i][3] = -((shape[i] - 1) / 2) * zooms[i]
	}
	return a
}

// originAffine is SPM's Analyze affine: voxel sizes with x flipped, and
// the 1-based origin voxel when it is set and inside (-dim, 2·dim).
func (h *Header) originAffine() Affine {
	p := h.fixedPixdim()
	zooms := [3]float32{-float32(p[1]), float32(p[2]), float32(p[3])}
	use := false
	for i := 0; i < 3; i++ {
		if h.Origin[i] != 0 {
			use = true
		}
	}
	for i := 0; i < 3; i++ {
		o, d := int64(h.Origin[i]), h.Dim[i+1]
		if !(o > -d && o < d*2) {
			use = false
		}
	}
	a := identity()
	for i := 0; i < 3; i++ {
		a[i][i] = float64(zooms[i])
		if use {
			// numpy computes int16 * float32 in float32.
			a[i][3] = float64(float32(-(h.Origin[i] - 1)) * zooms[i])
		} else {
			a[i][3] = -((float64(h.Dim[i+1]) - 1) / 2) * float64(zooms[i])
		}
	}
	return a
}

// XYZUnits returns the spatial unit of xyzt_units ("unknown", "meter",
// "mm", "micron").
func (h *Header) XYZUnits() string {
	switch h.XYZTUnits & 7 {
	case 1:
		return "meter"
	case 2:
		return "mm"
	case 3:
		return "micron"
	}
	return "unknown"
}

// TUnits returns the temporal unit of xyzt_units ("unknown", "sec",
// "msec", "usec", "hz", "ppm", "rads").
func (h *Header) TUnits() string {
	switch h.XYZTUnits & 56 {
	case 8:
		return "sec"
	case 16:
		return "msec"
	case 24:
		return "usec"
	case 32:
		return "hz"
	case 40:
		return "ppm"
	case 48:
		return "rads"
	}
	return "unknown"
}
