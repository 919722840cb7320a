package kernels

import "testing"

// TestConvSteadyStateAllocs checks that a float32 convolution forward and
// backward pass on preallocated buffers allocates nothing once the scratch
// free lists are warm, on every tier and for worker counts below, at and
// above the number of images. Under -short it runs small shapes with the
// same structure as the benchmark cases; otherwise the benchmark shapes
// themselves (benchConvCases, the cases of ../shared/bench).
func TestConvSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("too slow under the race detector (see raceEnabled)")
	}
	type shape struct {
		n, cin, cout int
		in           []int
		stride       int // 0: 1
	}
	shapes := []shape{
		{8, 1, 32, []int{16, 16}, 0}, // one input channel: backward data has Cout 1
		{2, 8, 8, []int{20, 20}, 0},
		{1, 5, 7, []int{9, 11}, 0},
		{2, 16, 16, []int{12, 12, 12}, 0},
		{2, 1, 16, []int{10, 10, 10}, 0},
		{1, 13, 24, []int{6, 7, 8}, 0},
		// The output-channel path (convoc_amd64.go): a 6³ layer, all
		// three passes, and a stride-2 layer.
		{2, 64, 64, []int{6, 6, 6}, 0},
		{2, 32, 64, []int{12, 12, 12}, 2},
	}
	workers := []int{1, Workers(), 3}
	runs, warmups := 4, 20
	if !testing.Short() {
		shapes = shapes[:0]
		for _, c := range benchConvCases {
			shapes = append(shapes, shape{c.n, c.cin, c.cout, c.spatial, 0})
		}
		workers = []int{Workers()}
		runs, warmups = 1, 3
	}
	defer SetWorkers(Workers())
	for _, tr := range availableTiers() {
		t.Run(tr.String(), func(t *testing.T) {
			defer setTier(tr)()
			for _, s := range shapes {
				nd := len(s.in)
				p := ConvParams{N: s.n, Cin: s.cin, Cout: s.cout, In: s.in,
					Kernel: []int{3, 3, 3}[:nd], Pad: []int{1, 1, 1}[:nd]}
				if s.stride > 1 {
					p.Stride = []int{s.stride, s.stride, s.stride}[:nd]
				}
				rng := newRNG(7)
				x := to32(normals(rng, s.n*s.cin*prod(s.in)))
				w := to32(normals(rng, s.cout*s.cin*prod(p.Kernel)))
				y := make([]float32, s.n*s.cout*prod(p.Out()))
				dy := to32(normals(rng, len(y)))
				dx, dw, db := make([]float32, len(x)), make([]float32, len(w)), make([]float32, s.cout)
				bias := to32(normals(rng, s.cout))
				// Two parts of c0 and Cin−c0 channels (ConvForwardConcat),
				// where there are two: x's values, in another order.
				var parts [][]float32
				if c0 := s.cin / 2; c0 > 0 {
					plane := s.n * prod(s.in)
					parts = [][]float32{x[:c0*plane], x[c0*plane:]}
				}
				// x as the input of an upsampling by 2 that p convolves
				// (ConvForwardUpsampled), where p's sizes are even, on the
				// phases (forced). Through the upsampled map it allocates
				// what InterpForward and InterpBackward do.
				up := s.stride <= 1
				for _, v := range s.in {
					up = up && v%2 == 0
				}
				xu := x[:len(x)>>nd]
				step := func() {
					if up {
						defer func(old int) { upPhasedMin = old }(upPhasedMin)
						upPhasedMin = 1
						ConvForwardUpsampled(p, xu, w, bias, y)
						ConvBackwardUpsampled(p, xu, dy, w, dx[:len(xu)], dw, db)
					}
					ConvForward(p, x, w, bias, y)
					if parts != nil {
						ConvForwardConcat(p, parts, w, bias, y)
						ConvBackwardWeightConcat(p, parts, dy, dw, db)
						ConvBackwardDataConcat(p, dy, w, parts)
					}
					ConvForwardLeaky(p, x, 0.01, w, bias, y)
					ConvBackwardWeightLeaky(p, x, 0.01, dy, dw, db)
					ConvBackwardData(p, dy, w, dx)
					ConvBackwardWeight(p, x, dy, dw, db)
				}
				for _, nw := range workers {
					SetWorkers(nw)
					// Warm up: the first calls fill the scratch and job free
					// lists, and the runtime's own caches of the records a
					// goroutine parks on (sudogs, per P, counted as mallocs)
					// until parking on one P and waking on the other balances.
					// Under a loaded machine that takes more than one call.
					for range warmups {
						step()
					}
					// A per-call allocation shows in every window; the
					// runtime's occasional refill of those caches on a
					// loaded machine shows in one. So the steady state
					// must be clean in one of three windows.
					var got []float64
					for range 3 {
						a := testing.AllocsPerRun(runs, step)
						if got = append(got, a); a == 0 {
							break
						}
					}
					if got[len(got)-1] != 0 {
						t.Errorf("N=%d Cin=%d Cout=%d In=%v stride %d, %d workers: %v allocations per forward+backward in three windows, want 0",
							s.n, s.cin, s.cout, s.in, max(s.stride, 1), nw, got)
					}
				}
			}
		})
	}
}
