package nifti

import (
	"fmt"
	"math"
)

// AxisOrientation says which world axis a voxel axis runs along (0: x
// left→right, 1: y posterior→anterior, 2: z inferior→superior; -1 when the
// axis is dropped) and in which direction (+1 or -1).
type AxisOrientation struct {
	Axis int
	Dir  int
}

// Orientation gives the AxisOrientation of the three spatial voxel axes,
// as nibabel's io_orientation.
type Orientation [3]AxisOrientation

// RAS is the closest-canonical orientation: voxel axes along x, y, z, all
// increasing.
var RAS = Orientation{{0, 1}, {1, 1}, {2, 1}}

// IOOrientation returns the world axis and direction closest to each
// voxel axis of a, as nibabel's io_orientation: the rotation nearest the
// 3x3 part (voxel sizes and shears removed), then, for each voxel axis in
// order, the largest remaining component.
func IOOrientation(a Affine) Orientation {
	var rzs [3][3]float64
	for j := range 3 {
		z := math.Sqrt(a[0][j]*a[0][j] + a[1][j]*a[1][j] + a[2][j]*a[2][j])
		if z == 0 {
			z = 1
		}
		for i := range 3 {
			rzs[i][j] = a[i][j] / z
		}
	}
	r := polar(rzs)
	var o Orientation
	for in := range 3 {
		o[in] = AxisOrientation{-1, 0}
		allZero := true
		for i := range 3 {
			if math.Abs(r[i][in]) > 1e-8 {
				allZero = false
			}
		}
		if allZero {
			continue
		}
		out := 0
		for i := 1; i < 3; i++ {
			if math.Abs(r[i][in]) > math.Abs(r[out][in]) {
				out = i
			}
		}
		o[in].Axis = out
		o[in].Dir = 1
		if r[out][in] < 0 {
			o[in].Dir = -1
		}
		r[out] = [3]float64{}
	}
	return o
}

// Codes returns the axis codes of o as nibabel's ornt2axcodes: the letter
// of the world direction each voxel axis increases towards ("RAS", "LPS",
// ...); a dropped axis gives "?".
func (o Orientation) Codes() [3]string {
	labels := [3][2]string{{"L", "R"}, {"P", "A"}, {"I", "S"}}
	var c [3]string
	for i, a := range o {
		switch {
		case a.Axis < 0:
			c[i] = "?"
		case a.Dir > 0:
			c[i] = labels[a.Axis][1]
		default:
			c[i] = labels[a.Axis][0]
		}
	}
	return c
}

// String returns the codes joined, e.g. "LAS".
func (o Orientation) String() string {
	c := o.Codes()
	return c[0] + c[1] + c[2]
}

// ParseOrientation parses axis codes such as "RAS" or "LPI".
func ParseOrientation(codes string) (Orientation, error) {
	var o Orientation
	if len(codes) != 3 {
		return o, fmt.Errorf("nifti: orientation %q: want three letters from R/L, A/P, S/I", codes)
	}
	seen := [3]bool{}
	for i, c := range codes {
		var a AxisOrientation
		switch c {
		case 'R':
			a = AxisOrientation{0, 1}
		case 'L':
			a = AxisOrientation{0, -1}
		case 'A':
			a = AxisOrientation{1, 1}
		case 'P':
			a = AxisOrientation{1, -1}
		case 'S':
			a = AxisOrientation{2, 1}
		case 'I':
			a = AxisOrientation{2, -1}
		default:
			return o, fmt.Errorf("nifti: orientation %q: %q is not one of R L A P S I", codes, c)
		}
		if seen[a.Axis] {
			return o, fmt.Errorf("nifti: orientation %q names an axis twice", codes)
		}
		seen[a.Axis] = true
		o[i] = a
	}
	return o, nil
}

// AxCodes returns the axis codes of an affine, nibabel's aff2axcodes.
func AxCodes(a Affine) [3]string { return IOOrientation(a).Codes() }
