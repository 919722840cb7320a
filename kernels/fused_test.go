package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestScalePlanes checks ScalePlanes against a plain loop, out of place
// and in place, for planes that split across the parallel ranges and a
// zero factor whose plane holds a NaN (cleared, as dropout drops it).
func TestScalePlanes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ planes, plane int }{{1, 1}, {3, 7}, {5, 40000}, {64, 1000}, {2, 65537}} {
		n := tc.planes * tc.plane
		x := make([]float32, n)
		for i := range x {
			x[i] = r.Float32()*2 - 1
		}
		scale := make([]float32, tc.planes)
		for p := range scale {
			if p%3 != 1 {
				scale[p] = 1 / 0.7
			}
		}
		if tc.planes > 1 {
			x[tc.plane] = fusedTestNaN()
		}
		want := make([]float32, n)
		for p := range tc.planes {
			for i := range tc.plane {
				if scale[p] != 0 {
					want[p*tc.plane+i] = scale[p] * x[p*tc.plane+i]
				}
			}
		}
		got := make([]float32, n)
		ScalePlanes(got, x, tc.plane, scale)
		ScalePlanes(x, x, tc.plane, scale)
		for i := range want {
			if got[i] != want[i] || x[i] != want[i] {
				t.Fatalf("%d planes of %d: element %d = %v (in place %v), want %v", tc.planes, tc.plane, i, got[i], x[i], want[i])
			}
		}
	}
}

func fusedTestNaN() float32 {
	var z float32
	return z / z
}

// TestScalePlanesShapes checks that mismatched lengths panic.
func TestScalePlanesShapes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for 10 elements in 3 planes of 3")
		}
	}()
	ScalePlanes(make([]float32, 10), make([]float32, 10), 3, make([]float32, 3))
}
