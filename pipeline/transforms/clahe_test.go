package transforms

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveClip clips and redistributes following skimage's clip_histogram
// step by step with whole-array masks.
func naiveClip(hist []int, limit int) []int {
	h := slices.Clone(hist)
	nExcess := 0
	for _, x := range h {
		if x > limit {
			nExcess += x - limit
		}
	}
	binIncr := nExcess / len(h)
	upper := limit - binIncr
	for i := range h {
		if h[i] > limit {
			h[i] = limit
		}
	}
	low := make([]bool, len(h))
	for i := range h {
		low[i] = h[i] < upper
	}
	for i := range h {
		if low[i] {
			h[i] += binIncr
			nExcess -= binIncr
		}
	}
	for i := range h {
		if h[i] >= upper && h[i] < limit {
			nExcess -= limit - h[i]
			h[i] = limit
		}
	}
	prev := nExcess
	for nExcess > 0 {
		for index := 0; nExcess > 0 && index < len(h); index++ {
			under := 0
			for _, x := range h {
				if x < limit {
					under++
				}
			}
			step := max(under/nExcess, 1)
			sel := make([]bool, len(h))
			for i := index; i < len(h); i += step {
				sel[i] = h[i] < limit
			}
			for i := range h {
				if sel[i] {
					h[i]++
					nExcess--
				}
			}
		}
		if prev == nExcess {
			break
		}
		prev = nExcess
	}
	return h
}

func TestClipHistogram(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for trial := 0; trial < 200; trial++ {
		n := 4 + r.IntN(40)
		hist := make([]int, n)
		total := 0
		for i := range hist {
			hist[i] = r.IntN(50)
			if r.Float64() < 0.2 {
				hist[i] += r.IntN(500)
			}
			total += hist[i]
		}
		limit := 1 + r.IntN(60)
		got := slices.Clone(hist)
		clipHistogram(got, limit)
		if want := naiveClip(hist, limit); !slices.Equal(got, want) {
			t.Fatalf("hist %v limit %d: got %v want %v", hist, limit, got, want)
		}
		for _, x := range got {
			if x > limit {
				t.Fatalf("bin %d above the limit %d", x, limit)
			}
		}
	}
}

func TestClahe(t *testing.T) {
	shape := [3]int{32, 24, 2}
	v := make([]float32, shape[0]*shape[1]*shape[2])
	for i := 0; i < shape[0]; i++ {
		for j := 0; j < shape[1]; j++ {
			for k := 0; k < shape[2]; k++ {
				// low-contrast gradient plus a bright square
				x := 100 + 0.5*float64(i) + 0.2*float64(j) + float64(k)
				if i > 10 && i < 20 && j > 5 && j < 12 {
					x += 30
				}
				v[idx(shape, i, j, k)] = float32(x)
			}
		}
	}
	l := mustParse(t, `{"Clahe": {"clip_limit": 0.02, "kernel_size": [8, 8]}}`).For(Training, false)
	s := &Sample{Im: Part{Data: [][]float32{v}, Shape: shape}}
	if _, err := l.Apply(s, nil); err != nil {
		t.Fatal(err)
	}
	out := s.Im.Data[0]
	for k := 0; k < shape[2]; k++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < shape[0]; i++ {
			for j := 0; j < shape[1]; j++ {
				x := float64(out[idx(shape, i, j, k)])
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
		}
		if lo != 0 || hi != 1 {
			t.Errorf("slice %d: range [%v, %v], want [0, 1]", k, lo, hi)
		}
	}
	// Within one tile the mapping is monotone: brighter input stays brighter.
	a, b := out[idx(shape, 2, 2, 0)], out[idx(shape, 5, 5, 0)]
	if !(a <= b) {
		t.Errorf("equalisation inverted intensities inside a tile: %v > %v", a, b)
	}
	// A constant slice maps to zeros, not NaN.
	c := make([]float32, 64)
	for i := range c {
		c[i] = 7
	}
	res := (&clahe{clip: 0.01, kh: 4, kw: 4}).volume(c, [3]int{8, 8, 1}, nil)
	for _, x := range res {
		if x != 0 {
			t.Fatalf("constant slice gave %v", x)
		}
	}
}
