package nifti

import (
	"math"
)

// SetAffine stores affine in the header as nibabel does for a new image:
// the sform with code 2 (aligned) unless a code is already set, and the
// qform (the closest rotation, voxel sizes and qfac) with its code kept.
// The spatial pixdim become the column norms of the affine.
func (h *Header) SetAffine(a Affine) {
	h.SrowX, h.SrowY, h.SrowZ = a[0], a[1], a[2]
	if h.SformCode == 0 {
		h.SformCode = 2
	}
	h.setQForm(a)
}

// analyzeToPair makes an Analyze header, whose image is getting a new
// affine (Reorient, ResampleShape), a NIfTI-1 pair header, as nibabel's
// Nifti1Pair.from_image does, and reports whether h was Analyze. Such a
// header has no qform or sform code, so the new affine goes to both
// transforms and setQForm gives pixdim the affine's voxel sizes: those
// are nibabel's for Analyze, whose affine comes from a .mat beside the
// header when there is one (whatever pixdim says) and which reads a
// negative pixdim as its absolute value. It must run before the codes,
// the qform or the repaired pixdim are read, which depend on the format.
func (h *Header) analyzeToPair() bool {
	if h.Format != Analyze {
		return false
	}
	h.Format, h.raw, h.Magic = NIfTI1Pair, nil, "ni1"
	h.Origin = [5]int16{}
	h.spmMat = nil
	return true
}

// setQForm fills the quaternion, offsets, pixdim[1..3] and qfac from the
// rotation closest to a's 3x3 part (shears stripped by polar
// decomposition), following nibabel's set_qform.
func (h *Header) setQForm(a Affine) {
	var m [3][3]float64
	for i := range 3 {
		for j := range 3 {
			m[i][j] = a[i][j]
		}
	}
	var zooms [3]float64
	for j := range 3 {
		zooms[j] = math.Sqrt(m[0][j]*m[0][j] + m[1][j]*m[1][j] + m[2][j]*m[2][j])
	}
	if det3(m) < 0 {
		zooms[2] = -zooms[2]
	}
	var rz [3][3]float64
	for i := range 3 {
		for j := range 3 {
			if zooms[j] != 0 {
				rz[i][j] = m[i][j] / zooms[j]
			}
		}
	}
	r := polar(rz)
	qfac := 1.0
	if zooms[2] < 0 {
		qfac = -1
		zooms[2] = -zooms[2]
	}
	w, x, y, z := matToQuat(r)
	if w < 0 {
		x, y, z = -x, -y, -z
	}
	h.QuaternB, h.QuaternC, h.QuaternD = x, y, z
	h.QoffsetX, h.QoffsetY, h.QoffsetZ = a[0][3], a[1][3], a[2][3]
	h.Pixdim[0] = qfac
	for j := range 3 {
		if zooms[j] == 0 {
			zooms[j] = 1
		}
		h.Pixdim[j+1] = zooms[j]
	}
	if h.Format.Version() == 1 {
		// Stored as float32: round now so the header reads back the same.
		for _, p := range []*float64{&h.QuaternB, &h.QuaternC, &h.QuaternD, &h.QoffsetX, &h.QoffsetY, &h.QoffsetZ,
			&h.Pixdim[1], &h.Pixdim[2], &h.Pixdim[3]} {
			*p = float64(float32(*p))
		}
		for i := range 4 {
			h.SrowX[i] = float64(float32(h.SrowX[i]))
			h.SrowY[i] = float64(float32(h.SrowY[i]))
			h.SrowZ[i] = float64(float32(h.SrowZ[i]))
		}
	}
}

func det3(m [3][3]float64) float64 {
	return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) -
		m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) +
		m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
}

// matToQuat converts a rotation matrix to a quaternion (w, x, y, z) with
// the numerically stable branch choice of NIfTI's nifti_mat44_to_quatern.
func matToQuat(r [3][3]float64) (w, x, y, z float64) {
	xd, yd, zd := r[0][0], r[1][1], r[2][2]
	a := xd + yd + zd + 1
	if a > 0.5 {
		w = 0.5 * math.Sqrt(a)
		x = 0.25 * (r[2][1] - r[1][2]) / w
		y = 0.25 * (r[0][2] - r[2][0]) / w
		z = 0.25 * (r[1][0] - r[0][1]) / w
		return
	}
	switch {
	case xd >= yd && xd >= zd:
		x = 0.5 * math.Sqrt(1+xd-yd-zd)
		y = 0.25 * (r[0][1] + r[1][0]) / x
		z = 0.25 * (r[0][2] + r[2][0]) / x
		w = 0.25 * (r[2][1] - r[1][2]) / x
	case yd >= zd:
		y = 0.5 * math.Sqrt(1+yd-xd-zd)
		x = 0.25 * (r[0][1] + r[1][0]) / y
		z = 0.25 * (r[1][2] + r[2][1]) / y
		w = 0.25 * (r[0][2] - r[2][0]) / y
	default:
		z = 0.5 * math.Sqrt(1+zd-xd-yd)
		x = 0.25 * (r[0][2] + r[2][0]) / z
		y = 0.25 * (r[1][2] + r[2][1]) / z
		w = 0.25 * (r[1][0] - r[0][1]) / z
	}
	return
}

// symEig3 diagonalises the symmetric 3x3 matrix a by Jacobi rotations:
// a = V diag(e) Vᵀ, eigenvectors in the columns of V.
func symEig3(a [3][3]float64) (e [3]float64, v [3][3]float64) {
	v = [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	for sweep := 0; sweep < 50; sweep++ {
		off := a[0][1]*a[0][1] + a[0][2]*a[0][2] + a[1][2]*a[1][2]
		if off < 1e-300 {
			break
		}
		for p := 0; p < 2; p++ {
			for q := p + 1; q < 3; q++ {
				if a[p][q] == 0 {
					continue
				}
				theta := (a[q][q] - a[p][p]) / (2 * a[p][q])
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := range 3 {
					akp, akq := a[k][p], a[k][q]
					a[k][p] = c*akp - s*akq
					a[k][q] = s*akp + c*akq
				}
				for k := range 3 {
					apk, aqk := a[p][k], a[q][k]
					a[p][k] = c*apk - s*aqk
					a[q][k] = s*apk + c*aqk
				}
				for k := range 3 {
					vkp, vkq := v[k][p], v[k][q]
					v[k][p] = c*vkp - s*vkq
					v[k][q] = s*vkp + c*vkq
				}
			}
		}
	}
	return [3]float64{a[0][0], a[1][1], a[2][2]}, v
}

// polar returns the orthogonal factor of m's polar decomposition, built
// from the singular vectors whose singular values are not negligible: R = Σ (m vₖ / sₖ) vₖᵀ. For a rank-deficient m
// the result is a partial isometry, as nibabel's io_orientation uses.
func polar(m [3][3]float64) [3][3]float64 {
	var mtm [3][3]float64
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				mtm[i][j] += m[k][i] * m[k][j]
			}
		}
	}
	e, v := symEig3(mtm)
	var s [3]float64
	smax := 0.0
	for i := range 3 {
		s[i] = math.Sqrt(math.Max(e[i], 0))
		smax = math.Max(smax, s[i])
	}
	// numpy's tolerance is max(S)·3·eps on singular values from an SVD;
	// through the eigenvalues of mᵀm a zero singular value comes out near
	// sqrt(eps)·max(S), so the cut is placed above that.
	tol := smax * 1e-7
	var r [3][3]float64
	for k := range 3 {
		if !(s[k] > tol) {
			continue
		}
		var u [3]float64
		for i := range 3 {
			for j := range 3 {
				u[i] += m[i][j] * v[j][k]
			}
			u[i] /= s[k]
		}
		for i := range 3 {
			for j := range 3 {
				r[i][j] += u[i] * v[j][k]
			}
		}
	}
	return r
}
