package postprocess

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveLabel labels by repeated min-propagation of voxel ids until
// nothing changes, then renumbers by first appearance: a different
// algorithm from Label's flood fill, with the neighbourhood tested
// directly from the definition (at most rank non-zero offsets).
func naiveLabel(fg []bool, shape [3]int, rank int) ([]int32, int) {
	id := make([]int, len(fg))
	for i := range fg {
		if fg[i] {
			id[i] = i + 1
		}
	}
	idx := func(i, j, k int) int { return (i*shape[1]+j)*shape[2] + k }
	for changed := true; changed; {
		changed = false
		for i := 0; i < shape[0]; i++ {
			for j := 0; j < shape[1]; j++ {
				for k := 0; k < shape[2]; k++ {
					p := idx(i, j, k)
					if !fg[p] {
						continue
					}
					for a := max(i-1, 0); a <= min(i+1, shape[0]-1); a++ {
						for b := max(j-1, 0); b <= min(j+1, shape[1]-1); b++ {
							for c := max(k-1, 0); c <= min(k+1, shape[2]-1); c++ {
								nz := 0
								for _, d := range []int{a - i, b - j, c - k} {
									if d != 0 {
										nz++
									}
								}
								q := idx(a, b, c)
								if nz <= rank && fg[q] && id[q] < id[p] {
									id[p] = id[q]
									changed = true
								}
							}
						}
					}
				}
			}
		}
	}
	out := make([]int32, len(fg))
	seen := map[int]int32{}
	for i, v := range id {
		if v == 0 {
			continue
		}
		if _, ok := seen[v]; !ok {
			seen[v] = int32(len(seen) + 1)
		}
		out[i] = seen[v]
	}
	return out, len(seen)
}

func randomMask(r *rand.Rand, n int, p float64) []bool {
	m := make([]bool, n)
	for i := range m {
		m[i] = r.Float64() < p
	}
	return m
}

func TestLabelAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 60; trial++ {
		shape := [3]int{1 + r.IntN(7), 1 + r.IntN(7), 1 + r.IntN(7)}
		fg := randomMask(r, Len(shape), 0.15+0.5*r.Float64())
		for _, conn := range []Connectivity{Face, Edge, Vertex} {
			got, n := Label(fg, shape, conn)
			want, wn := naiveLabel(fg, shape, int(conn))
			if n != wn || !slices.Equal(got, want) {
				t.Fatalf("shape %v %v: got %d objects, naive %d (labels differ: %v)", shape, conn, n, wn, !slices.Equal(got, want))
			}
		}
	}
}

func TestLabelHand(t *testing.T) {
	// Two voxels touching by a corner, one by an edge, in a 2×2×2 block.
	shape := [3]int{2, 2, 2}
	cases := []struct {
		name string
		on   []int
		want [3]int // objects with Face, Edge, Vertex
	}{
		{"corner", []int{0, 7}, [3]int{2, 2, 1}},
		{"edge", []int{0, 3}, [3]int{2, 1, 1}},
		{"face", []int{0, 1}, [3]int{1, 1, 1}},
		{"empty", nil, [3]int{0, 0, 0}},
		{"tetrahedron of edge neighbours", []int{0, 3, 5, 6}, [3]int{4, 1, 1}},
	}
	for _, c := range cases {
		fg := make([]bool, 8)
		for _, i := range c.on {
			fg[i] = true
		}
		for ci, conn := range []Connectivity{Face, Edge, Vertex} {
			if _, n := Label(fg, shape, conn); n != c.want[ci] {
				t.Errorf("%s with %v: %d objects, want %d", c.name, conn, n, c.want[ci])
			}
		}
	}
}
