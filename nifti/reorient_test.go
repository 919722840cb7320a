package nifti

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
)

// TestCanonicalNibabel compares Canonical with nibabel's
// as_closest_canonical on files of several orientations
// (testdata/canonical.json, made by testdata/make_canonical.py).
func TestCanonicalNibabel(t *testing.T) {
	dir := testenv.SharedData(t)
	b, err := os.ReadFile("testdata/canonical.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Path    string        `json:"path"`
		Axcodes []string      `json:"axcodes"`
		Shape   []int         `json:"shape"`
		Affine  [4][4]float64 `json:"affine"`
		SHA     string        `json:"sha256_f32le_f"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Path, func(t *testing.T) {
			img, err := Read(filepath.Join(dir, c.Path))
			if err != nil {
				t.Fatal(err)
			}
			if got := img.Orientation().Codes(); got[0] != c.Axcodes[0] || got[1] != c.Axcodes[1] || got[2] != c.Axcodes[2] {
				t.Errorf("orientation %v, nibabel %v", got, c.Axcodes)
			}
			can, err := img.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			if !equalInts(can.Header.Shape(), c.Shape) {
				t.Errorf("shape %v, nibabel %v", can.Header.Shape(), c.Shape)
			}
			if HashF32(can.Data) != c.SHA {
				t.Errorf("canonical data differ from nibabel's")
			}
			got := can.Header.Affine()
			for i := range 4 {
				for j := range 4 {
					if w := c.Affine[i][j]; math.Abs(got[i][j]-w) > 1e-6*math.Max(1, math.Abs(w))+1e-6 {
						t.Errorf("affine[%d][%d] = %v, nibabel %v", i, j, got[i][j], w)
					}
				}
			}
			if o := can.Orientation(); o != RAS {
				t.Errorf("canonical image is %s", o)
			}
		})
	}
}

// allOrientations lists the 48 orientations (6 axis orders × 8 flips).
func allOrientations() []Orientation {
	perms := [][3]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	var out []Orientation
	for _, p := range perms {
		for f := 0; f < 8; f++ {
			var o Orientation
			for i := range 3 {
				d := 1
				if f>>i&1 == 1 {
					d = -1
				}
				o[i] = AxisOrientation{p[i], d}
			}
			out = append(out, o)
		}
	}
	return out
}

// TestReorient moves a volume whose values are their own voxel index into
// every orientation and checks that each voxel keeps its world position,
// that the header says the new orientation, and that reorienting back
// restores the data exactly and the affine to float32 precision.
func TestReorient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shape := []int{5, 4, 3, 2}
	n := 5 * 4 * 3 * 2
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(i)
	}
	// An oblique affine with unequal voxel sizes.
	aff := Affine{{-0.9, 0.1, 0.05, 30}, {0.08, 1.9, -0.2, -20}, {0.02, 0.25, 3.1, 10}, {0, 0, 0, 1}}
	img := New(data, shape, aff)
	base := img.Orientation()
	for _, o := range allOrientations() {
		r, err := img.Reorient(o)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Orientation(); got != o {
			t.Fatalf("reoriented to %s, header says %s", o, got)
		}
		ra := r.Header.Affine()
		ia := img.Header.Affine()
		rs := r.Header.Shape()
		for k := 0; k < 20; k++ {
			j := [3]int{rng.IntN(rs[0]), rng.IntN(rs[1]), rng.IntN(rs[2])}
			v := int(r.Data[j[0]+rs[0]*(j[1]+rs[1]*j[2])])
			i := [3]int{v % 5, v / 5 % 4, v / 20 % 3}
			for a := range 3 {
				w1 := ia[a][0]*float64(i[0]) + ia[a][1]*float64(i[1]) + ia[a][2]*float64(i[2]) + ia[a][3]
				w2 := ra[a][0]*float64(j[0]) + ra[a][1]*float64(j[1]) + ra[a][2]*float64(j[2]) + ra[a][3]
				if math.Abs(w1-w2) > 1e-4 {
					t.Fatalf("%s: voxel %v (from %v) moved in world axis %d: %v vs %v", o, j, i, a, w2, w1)
				}
			}
		}
		back, err := r.Reorient(base)
		if err != nil {
			t.Fatal(err)
		}
		sameBits32(t, img.Data, back.Data)
		if !equalInts(back.Shape, img.Shape) {
			t.Fatalf("shape %v after reorienting back, want %v", back.Shape, img.Shape)
		}
		ba := back.Header.Affine()
		for a := range 3 {
			for b := range 4 {
				if math.Abs(ba[a][b]-ia[a][b]) > 1e-5 {
					t.Fatalf("%s: affine after the round trip %v, want %v", o, ba, ia)
				}
			}
		}
	}
}

func TestParseOrientation(t *testing.T) {
	for _, o := range allOrientations() {
		p, err := ParseOrientation(o.String())
		if err != nil || p != o {
			t.Errorf("ParseOrientation(%q) = %v, %v", o.String(), p, err)
		}
	}
	for _, bad := range []string{"", "RA", "RAR", "XYZ", "RASS"} {
		if _, err := ParseOrientation(bad); err == nil {
			t.Errorf("ParseOrientation(%q) succeeded", bad)
		}
	}
}
