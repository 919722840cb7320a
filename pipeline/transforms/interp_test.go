package transforms

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

type fixtures struct {
	Zoom []struct {
		Shape    [3]int     `json:"shape"`
		Factors  [3]float64 `json:"factors"`
		Order    int        `json:"order"`
		In       []float32  `json:"in"`
		OutShape [3]int     `json:"out_shape"`
		Out      []float64  `json:"out"`
	} `json:"zoom"`
	Gauss []struct {
		Shape [3]int    `json:"shape"`
		Sigma float64   `json:"sigma"`
		Mode  string    `json:"mode"`
		In    []float64 `json:"in"`
		Out   []float64 `json:"out"`
	} `json:"gauss"`
	Affine []struct {
		Shape  [3]int     `json:"shape"`
		Matrix [9]float64 `json:"matrix"`
		Offset [3]float64 `json:"offset"`
		In     []float32  `json:"in"`
		Out    []float64  `json:"out"`
	} `json:"affine"`
	RandomAffine []struct {
		Shape [3]int     `json:"shape"`
		Axes  [2]int     `json:"axes"`
		Undo  bool       `json:"undo"`
		Angle float64    `json:"angle"`
		Scale [3]float64 `json:"scale"`
		Shift [3]float64 `json:"shift"`
		In    []float32  `json:"in"`
		Out   []float64  `json:"out"`
	} `json:"random_affine"`
	Percentile []struct {
		In  []float32 `json:"in"`
		Q   []float64 `json:"q"`
		Out []float64 `json:"out"`
	} `json:"percentile"`
}

func loadFixtures(t *testing.T) fixtures {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "fixtures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixtures
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func maxDiff[T float32 | float64](got []T, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range got {
		d = math.Max(d, math.Abs(float64(got[i])-want[i]))
	}
	return d
}

func TestZoomScipy(t *testing.T) {
	for i, c := range loadFixtures(t).Zoom {
		out := zoomShape(c.Shape, c.Factors)
		if out != c.OutShape {
			t.Errorf("case %d: shape %v, scipy %v", i, out, c.OutShape)
			continue
		}
		got := zoom(c.In, c.Shape, out, c.Order)
		if d := maxDiff(got, c.Out); d > 1e-5 {
			t.Errorf("case %d (order %d, %v→%v): max difference %g from scipy", i, c.Order, c.Shape, out, d)
		}
	}
}

func TestGaussianScipy(t *testing.T) {
	for i, c := range loadFixtures(t).Gauss {
		v := append([]float64(nil), c.In...)
		gaussianFilter(v, c.Shape, c.Sigma, c.Mode == "reflect")
		if d := maxDiff(v, c.Out); d > 1e-12 {
			t.Errorf("case %d (%s, σ %v, %v): max difference %g from scipy", i, c.Mode, c.Sigma, c.Shape, d)
		}
	}
}

func TestPercentileNumpy(t *testing.T) {
	for i, c := range loadFixtures(t).Percentile {
		for j, q := range c.Q {
			if got := percentile(c.In, q); math.Abs(got-c.Out[j]) > 1e-6 {
				t.Errorf("case %d q %v: %v, numpy %v", i, q, got, c.Out[j])
			}
		}
	}
}

func TestMirrorReflectIndex(t *testing.T) {
	cases := []struct {
		i, n, mirror, reflect int
	}{
		{-1, 4, 1, 0}, {-2, 4, 2, 1}, {4, 4, 2, 3}, {5, 4, 1, 2}, {0, 1, 0, 0}, {-3, 1, 0, 0}, {2, 4, 2, 2},
	}
	for _, c := range cases {
		if m := mirrorIndex(c.i, c.n); m != c.mirror {
			t.Errorf("mirrorIndex(%d,%d) = %d, want %d", c.i, c.n, m, c.mirror)
		}
		if r := reflectIndex(c.i, c.n); r != c.reflect {
			t.Errorf("reflectIndex(%d,%d) = %d, want %d", c.i, c.n, r, c.reflect)
		}
	}
}

// TestRandomAffineMatrices: ivadomed's rotation matrix for each plane,
// forward and undo order, against the fixture built the same way in
// Python.
func TestRandomAffineMatrices(t *testing.T) {
	for i, c := range loadFixtures(t).RandomAffine {
		p := &affineParams{angle: c.Angle, axes: c.Axes, scale: c.Scale, shift: c.Shift}
		got := transformPart(Part{Data: [][]float32{c.In}, Shape: c.Shape}, p.matrix(c.Undo), c.Shift)
		if d := maxDiff(got.Data[0], c.Out); d > 1e-5 {
			t.Errorf("case %d (axes %v, undo %v): max difference %g from scipy", i, c.Axes, c.Undo, d)
		}
	}
}
