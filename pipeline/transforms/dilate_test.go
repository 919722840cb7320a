package transforms

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestDilateGT(t *testing.T) {
	shape := [3]int{9, 9, 1}
	gt := make([]float32, 81)
	gt[idx(shape, 4, 4, 0)] = 1
	// An object of 4 voxels: nb_it = round(2·2) = 4 rings of 0.8, 0.6, 0.4, 0.2.
	for _, p := range [][2]int{{1, 1}, {1, 2}, {2, 1}, {2, 2}} {
		gt[idx(shape, p[0], p[1], 0)] = 1
	}
	l := mustParse(t, `{"DilateGT": {"dilation_factor": 2, "applied_to": ["gt"]}}`).For(Training, false)
	grewAny := false
	for seed := uint64(0); seed < 20; seed++ {
		s := &Sample{GT: Part{Data: [][]float32{append([]float32(nil), gt...)}, Shape: shape}}
		if _, err := l.Apply(s, rand.New(rand.NewPCG(seed, 3))); err != nil {
			t.Fatal(err)
		}
		out := s.GT.Data[0]
		for i, x := range out {
			if gt[i] == 1 && x != 1 {
				t.Fatalf("seed %d: original voxel %d became %v", seed, i, x)
			}
			if x < 0 || x > 1 {
				t.Fatalf("seed %d: value %v outside [0, 1]", seed, x)
			}
			if gt[i] == 0 && x > 0 {
				grewAny = true
				// Within reach: 2 rings around the single voxel
				// (round(2·√1)), 4 around the 2×2 block (round(2·√4)).
				i0, j0 := i/9, i%9
				d1 := iabs(i0-4) + iabs(j0-4)
				d2 := max(0, 1-i0, i0-2) + max(0, 1-j0, j0-2)
				if d1 > 2 && d2 > 4 {
					t.Fatalf("seed %d: voxel (%d,%d) out of reach got %v", seed, i0, j0, x)
				}
				// Values are sums of ring values k/3 or k/5, never above 1.
			}
		}
	}
	if !grewAny {
		t.Errorf("no seed dilated anything")
	}
	// A factor of 0 leaves the label alone.
	s := &Sample{GT: Part{Data: [][]float32{append([]float32(nil), gt...)}, Shape: shape}}
	if _, err := mustParse(t, `{"DilateGT": {"dilation_factor": 0}}`).For(Training, false).Apply(s, rand.New(rand.NewPCG(1, 1))); err != nil || !slices.Equal(s.GT.Data[0], gt) {
		t.Errorf("factor 0 changed the label (%v)", err)
	}
}

func TestDilateHelpers(t *testing.T) {
	shape := [3]int{5, 5, 1}
	m := make([]bool, 25)
	m[12] = true
	d := dilate(m, shape, false)
	if n := count(d); n != 5 {
		t.Errorf("6-connected dilation of one voxel in 2D: %d voxels, want 5", n)
	}
	d = dilate(m, shape, true)
	if n := count(d); n != 9 {
		t.Errorf("3×3 dilation: %d voxels, want 9", n)
	}
	if n := count(erode(d, shape)); n != 1 {
		t.Errorf("erosion of a 3×3 block: %d voxels, want 1", n)
	}
	// A ring with a hole: fillFace fills the centre.
	ring := make([]bool, 25)
	for _, p := range []int{6, 7, 8, 11, 13, 16, 17, 18} {
		ring[p] = true
	}
	if f := fillFace(ring, shape); !f[12] || count(f) != 9 {
		t.Errorf("fillFace: %v", f)
	}
}

func count(m []bool) int {
	n := 0
	for _, b := range m {
		if b {
			n++
		}
	}
	return n
}

func iabs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
