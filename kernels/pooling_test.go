package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// naivePool computes max pooling (with indices) and average pooling
// (count_include_pad) as PyTorch documents them, in float64.
func naivePool(p PoolParams, x []float64) (maxY []float64, maxIdx []int32, avgY []float64) {
	nd := len(p.In)
	in, k := pad3(p.In, nd, 1), pad3(p.Kernel, nd, 1)
	s := k
	if p.Stride != nil {
		s = pad3(p.Stride, nd, 1)
	}
	pd, out := pad3(p.Pad, nd, 0), pad3(p.Out(), nd, 1)
	inVol := in[0] * in[1] * in[2]
	for pl := 0; pl < p.N*p.C; pl++ {
		for a := 0; a < out[0]; a++ {
			for b := 0; b < out[1]; b++ {
				for c := 0; c < out[2]; c++ {
					best, bi := math.Inf(-1), int32(-1)
					var sum float64
					div := 1
					start := [3]int{a*s[0] - pd[0], b*s[1] - pd[1], c*s[2] - pd[2]}
					for ax := 0; ax < 3; ax++ {
						end := min(start[ax]+k[ax], in[ax]+pd[ax])
						div *= end - start[ax]
					}
					for i := 0; i < k[0]; i++ {
						for j := 0; j < k[1]; j++ {
							for l := 0; l < k[2]; l++ {
								z, h, w := start[0]+i, start[1]+j, start[2]+l
								if z < 0 || z >= in[0] || h < 0 || h >= in[1] || w < 0 || w >= in[2] {
									continue
								}
								f := (z*in[1]+h)*in[2] + w
								v := x[pl*inVol+f]
								sum += v
								if bi < 0 || v > best {
									best, bi = v, int32(f)
								}
							}
						}
					}
					maxY = append(maxY, best)
					maxIdx = append(maxIdx, bi)
					avgY = append(avgY, sum/float64(div))
				}
			}
		}
	}
	return
}

func randPoolParams(rng *rand.Rand, nd int) PoolParams {
	p := PoolParams{N: 1 + rng.IntN(2), C: 1 + rng.IntN(3), CeilMode: rng.IntN(2) == 0}
	explicitStride := rng.IntN(3) != 0
	for i := 0; i < nd; i++ {
		k := 1 + rng.IntN(3)
		pad := rng.IntN(k/2 + 1)
		p.Kernel = append(p.Kernel, k)
		p.Pad = append(p.Pad, pad)
		p.Stride = append(p.Stride, 1+rng.IntN(3))
		p.In = append(p.In, max(1, k-2*pad)+rng.IntN([]int{0, 9, 7, 5}[nd]))
	}
	if !explicitStride {
		p.Stride = nil
	}
	return p
}

func poolCases(rng *rand.Rand, n int) []PoolParams {
	cases := []PoolParams{
		{N: 1, C: 2, In: []int{8, 8}, Kernel: []int{2, 2}},                                            // the U-Net max pool
		{N: 2, C: 1, In: []int{5, 7}, Kernel: []int{2, 2}, CeilMode: true},                            // ceil adds a partial window
		{N: 1, C: 1, In: []int{6}, Kernel: []int{3}, Stride: []int{2}, Pad: []int{1}, CeilMode: true}, // last window would start in the right padding
		{N: 1, C: 2, In: []int{3, 4, 5}, Kernel: []int{2, 2, 2}, CeilMode: true},
		{N: 1, C: 1, In: []int{5, 5}, Kernel: []int{3, 3}, Stride: []int{1, 1}, Pad: []int{1, 1}}, // overlapping windows
	}
	for i := 0; i < n; i++ {
		cases = append(cases, randPoolParams(rng, 1+i%3))
	}
	return cases
}

func TestPoolingAgainstNaive(t *testing.T) {
	withWorkers(t, func(t *testing.T) {
		rng := newRNG(20)
		for i, p := range poolCases(rng, 60) {
			x := normals(rng, p.N*p.C*prodInts(p.In))
			wantMax, wantIdx, wantAvg := naivePool(p, x)
			name := fmt.Sprintf("case %d %+v", i, p)
			y, idx := make([]float64, len(wantMax)), make([]int32, len(wantMax))
			MaxPoolForward(p, x, y, idx)
			assertClose(t, "max "+name, y, wantMax, 0)
			for j := range idx {
				if idx[j] != wantIdx[j] {
					t.Fatalf("idx %s: [%d] = %d, want %d", name, j, idx[j], wantIdx[j])
				}
			}
			AvgPoolForward(p, x, y)
			assertClose(t, "avg "+name, y, wantAvg, 1e-14)

			y32, idx32 := make([]float32, len(y)), make([]int32, len(y))
			MaxPoolForward(p, to32(x), y32, idx32)
			assertClose(t, "float32 max "+name, to64(y32), wantMax, 1e-6)
			AvgPoolForward(p, to32(x), y32)
			assertClose(t, "float32 avg "+name, to64(y32), wantAvg, 1e-6)
		}
	})
}

func TestPoolingBackwardFiniteDifference(t *testing.T) {
	withWorkers(t, func(t *testing.T) {
		rng := newRNG(21)
		for i, p := range poolCases(rng, 30) {
			x := normals(rng, p.N*p.C*prodInts(p.In))
			r := normals(rng, p.N*p.C*prodInts(p.Out()))
			y, idx := make([]float64, len(r)), make([]int32, len(r))
			name := fmt.Sprintf("case %d %+v", i, p)

			maxLoss := func() float64 { MaxPoolForward(p, x, y, idx); return inner(y, r) }
			maxLoss()
			dx := make([]float64, len(x))
			MaxPoolBackward(p, r, idx, dx)
			assertClose(t, "max dx "+name, dx, numGrad(maxLoss, x, 1e-6), 1e-6)

			avgLoss := func() float64 { AvgPoolForward(p, x, y); return inner(y, r) }
			AvgPoolBackward(p, r, dx)
			assertClose(t, "avg dx "+name, dx, numGrad(avgLoss, x, 1e-3), 1e-8)

			// float32, through the hooks where they apply.
			x32, r32, dx32 := to32(x), to32(r), make([]float32, len(x))
			y32, idx32 := make([]float32, len(r)), make([]int32, len(r))
			AvgPoolBackward(p, r32, dx32)
			assertClose(t, "float32 avg dx "+name, to64(dx32), dx, 1e-5)
			maxLoss()
			MaxPoolForward(p, x32, y32, idx32)
			for j := range idx {
				if idx32[j] != idx[j] {
					t.Fatalf("float32 idx %s: [%d] = %d, float64 %d", name, j, idx32[j], idx[j])
				}
			}
			MaxPoolBackward(p, r32, idx32, dx32)
			MaxPoolBackward(p, r, idx, dx)
			assertClose(t, "float32 max dx "+name, to64(dx32), dx, 1e-6)
		}
	})
}

func TestMaxPoolNaN(t *testing.T) {
	nan := math.NaN()
	p := PoolParams{N: 1, C: 1, In: []int{4}, Kernel: []int{4}}
	x := []float64{1, nan, 5, nan}
	y, idx := make([]float64, 1), make([]int32, 1)
	MaxPoolForward(p, x, y, idx)
	if !math.IsNaN(y[0]) || idx[0] != 3 {
		t.Fatalf("max of %v = %v at %d, want NaN at 3 (PyTorch takes the last NaN)", x, y[0], idx[0])
	}
}

func TestPoolingPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
	}{
		{"pad over half the kernel", func() {
			p := PoolParams{N: 1, C: 1, In: []int{4}, Kernel: []int{2}, Pad: []int{2}}
			AvgPoolForward(p, make([]float32, 4), make([]float32, 4))
		}},
		{"input smaller than the kernel", func() {
			p := PoolParams{N: 1, C: 1, In: []int{1}, Kernel: []int{3}, Pad: []int{0}}
			MaxPoolForward(p, make([]float32, 1), make([]float32, 1), make([]int32, 1))
		}},
		{"zero stride", func() {
			p := PoolParams{N: 1, C: 1, In: []int{4}, Kernel: []int{2}, Stride: []int{0}}
			AvgPoolBackward(p, make([]float32, 2), make([]float32, 4))
		}},
		{"short y", func() {
			p := PoolParams{N: 1, C: 1, In: []int{4, 4}, Kernel: []int{2, 2}}
			MaxPoolForward(p, make([]float32, 16), make([]float32, 3), make([]int32, 4))
		}},
		{"bad index", func() {
			p := PoolParams{N: 1, C: 1, In: []int{4}, Kernel: []int{2}}
			MaxPoolBackward(p, make([]float32, 2), []int32{0, 9}, make([]float32, 4))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, ok := r.(string); !ok || !strings.HasPrefix(msg, "kernels: ") {
					t.Fatalf("panic value %v, want a message starting with \"kernels: \"", r)
				}
			}()
			tt.fn()
		})
	}
}
