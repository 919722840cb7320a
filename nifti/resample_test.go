package nifti

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// TestZoomScipy compares Zoom with scipy.ndimage.zoom on random volumes
// for orders 0 to 3 (testdata/zoom.json, made by testdata/make_zoom.py).
func TestZoomScipy(t *testing.T) {
	b, err := os.ReadFile("testdata/zoom.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Shape    []int     `json:"shape"`
		OutShape []int     `json:"out_shape"`
		Zoom     []float64 `json:"zoom"`
		Order    Interp    `json:"order"`
		Input    []float64 `json:"input"`
		Output   []float64 `json:"output"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if got := ZoomShape(c.Shape, c.Zoom); !equalInts(got, c.OutShape) {
			t.Errorf("ZoomShape(%v, %v) = %v, scipy %v", c.Shape, c.Zoom, got, c.OutShape)
		}
		got := Zoom(c.Input, c.Shape, c.OutShape, c.Order)
		worst := 0.0
		for i := range got {
			worst = math.Max(worst, math.Abs(got[i]-c.Output[i]))
		}
		if worst > 1e-9 {
			t.Errorf("order %d, %v -> %v: max difference from scipy %g", c.Order, c.Shape, c.OutShape, worst)
		}
	}
}

// TestResample checks the image-level resampling: shape from the voxel
// sizes, the affine keeping corner voxels in place, the header's new
// voxel sizes, nearest keeping label values, and the way back.
func TestResample(t *testing.T) {
	shape := []int{10, 8, 6}
	data := make([]float32, 10*8*6)
	labels := make([]float32, len(data))
	for z := range 6 {
		for y := range 8 {
			for x := range 10 {
				i := x + 10*(y+8*z)
				data[i] = float32(2*x + 3*y - z) // linear: reproduced exactly by Linear
				if x > 3 && y > 2 {
					labels[i] = 1
				}
				if z > 3 {
					labels[i] = 2
				}
			}
		}
	}
	aff := Affine{{0, 0, 1.5, -4}, {-0.5, 0, 0, 7}, {0, 2, 0, 1}, {0, 0, 0, 1}}
	img := New(data, shape, aff)
	r, err := img.Resample([3]float64{0.25, 1, 0.75}, Linear)
	if err != nil {
		t.Fatal(err)
	}
	// zooms are (0.5, 2, 1.5): factors 2, 2, 2.
	if want := []int{20, 16, 12}; !equalInts(r.Header.Shape(), want) || !equalInts(r.Shape, want) {
		t.Fatalf("shape %v, want %v", r.Header.Shape(), want)
	}
	ra := r.Header.Affine()
	corner := func(a Affine, i, j, k float64) [3]float64 {
		var w [3]float64
		for r := range 3 {
			w[r] = a[r][0]*i + a[r][1]*j + a[r][2]*k + a[r][3]
		}
		return w
	}
	if a, b := corner(aff, 9, 7, 5), corner(ra, 19, 15, 11); math.Abs(a[0]-b[0])+math.Abs(a[1]-b[1])+math.Abs(a[2]-b[2]) > 1e-5 {
		t.Errorf("last voxel moved from %v to %v", a, b)
	}
	z := r.Header.Zooms()
	for i, want := range []float64{0.5 * 9 / 19, 2 * 7.0 / 15, 1.5 * 5 / 11} {
		if math.Abs(z[i]-want) > 1e-6 {
			t.Errorf("zoom %d = %v, want %v", i, z[i], want)
		}
	}
	// A linear function is reproduced exactly by linear interpolation.
	for k := range 12 {
		for j := range 16 {
			for i := range 20 {
				x, y, zz := float64(i)*9/19, float64(j)*7/15, float64(k)*5/11
				want := 2*x + 3*y - zz
				if got := float64(r.Data[i+20*(j+16*k)]); math.Abs(got-want) > 1e-4 {
					t.Fatalf("voxel (%d,%d,%d) = %v, want %v", i, j, k, got, want)
				}
			}
		}
	}
	back, err := r.ResampleShape([3]int{10, 8, 6}, Linear)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		if math.Abs(float64(back.Data[i]-data[i])) > 1e-4 {
			t.Fatalf("voxel %d after the way back = %v, want %v", i, back.Data[i], data[i])
		}
	}
	ba := back.Header.Affine()
	for i := range 3 {
		for j := range 4 {
			if math.Abs(ba[i][j]-aff[i][j]) > 1e-5 {
				t.Fatalf("affine after the way back %v, want %v", ba, aff)
			}
		}
	}
	lab := New(labels, shape, aff)
	rl, err := lab.Resample([3]float64{0.3, 0.7, 2}, Nearest)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rl.Data {
		if v != 0 && v != 1 && v != 2 {
			t.Fatalf("nearest resampling made label value %v", v)
		}
	}
	if _, err := img.Resample([3]float64{100, 1, 1}, Linear); err == nil {
		t.Error("resampling to an empty axis succeeded")
	}
}
