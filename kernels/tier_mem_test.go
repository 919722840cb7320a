package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randF32(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// TestReluTiers checks Relu and ReluBackward of every tier against the
// definition on all the edge lengths and start offsets, NaN and ±0
// included, with guards around the outputs.
func TestReluTiers(t *testing.T) {
	forEachTier(t, func(t *testing.T, tr tier) {
		rng := rand.New(rand.NewPCG(7, uint64(tr)))
		for _, n := range append(edgeSizes, 1000, 70000) {
			for off := 0; off < 16; off++ {
				if n >= 1000 && off%5 != 0 {
					continue
				}
				x := randF32(rng, n)
				dy := randF32(rng, n)
				if n > 3 {
					x[1], x[2], x[3] = float32(math.NaN()), 0, float32(math.Copysign(0, -1))
				}
				y, checkY := guarded(n, off)
				Relu(y, x)
				checkY(t, fmt.Sprintf("Relu n=%d off=%d", n, off))
				for i, v := range x {
					want := float32(math.Max(float64(v), 0))
					if v != v {
						if y[i] == y[i] {
							t.Fatalf("Relu n=%d: y[%d] = %v for NaN input, want NaN", n, i, y[i])
						}
					} else if y[i] != want {
						t.Fatalf("Relu n=%d off=%d: y[%d] = %v, want %v", n, off, i, y[i], want)
					}
				}
				dx, checkDX := guarded(n, (off+7)%16)
				ReluBackward(dx, x, dy)
				checkDX(t, fmt.Sprintf("ReluBackward n=%d off=%d", n, off))
				for i, v := range x {
					want := float32(0)
					if v > 0 {
						want = dy[i]
					}
					if dx[i] != want {
						t.Fatalf("ReluBackward n=%d off=%d: dx[%d] = %v, want %v (y %v)", n, off, i, dx[i], want, v)
					}
				}
			}
		}
	})
}

// TestNormTiers compares batch and group norm, forward and backward, of
// every tier with the float64 generic kernels.
func TestNormTiers(t *testing.T) {
	shapes := [][3]int{{2, 3, 17}, {1, 4, 3}, {3, 2, 1000}, {2, 6, 33}, {4, 8, 65}}
	forEachTier(t, func(t *testing.T, tr tier) {
		rng := rand.New(rand.NewPCG(8, uint64(tr)))
		for si, sh := range shapes {
			n, c, s := sh[0], sh[1], sh[2]
			x, dy := randF32(rng, n*c*s), randF32(rng, n*c*s)
			for i := range x {
				x[i] = 3 + 2*x[i] // a mean and a scale to normalise away
			}
			gamma, beta := randF32(rng, c), randF32(rng, c)
			for _, affine := range []bool{true, false} {
				g, b := gamma, beta
				if !affine {
					g, b = nil, nil
				}
				name := fmt.Sprintf("shape %v affine=%v", sh, affine)
				// Batch norm.
				y, checkY := guarded(len(x), si)
				mean, invstd := make([]float32, c), make([]float32, c)
				BatchNormForward(n, c, s, x, g, b, 1e-5, y, mean, invstd)
				checkY(t, name+" BatchNormForward")
				y64, mean64, invstd64 := make([]float64, len(x)), make([]float64, c), make([]float64, c)
				BatchNormForward(n, c, s, tierTo64(x), tierTo64(g), tierTo64(b), 1e-5, y64, mean64, invstd64)
				closeTo(t, name+" batch y", y, y64, 1)
				closeTo(t, name+" batch mean", mean, mean64, 1)
				closeTo(t, name+" batch invstd", invstd, invstd64, 1)

				dx, checkDX := guarded(len(x), si+3)
				dg, db := make([]float32, c), make([]float32, c)
				BatchNormBackward(n, c, s, x, dy, g, mean, invstd, dx, dg, db)
				checkDX(t, name+" BatchNormBackward")
				dx64, dg64, db64 := make([]float64, len(x)), make([]float64, c), make([]float64, c)
				BatchNormBackward(n, c, s, tierTo64(x), tierTo64(dy), tierTo64(g), tierTo64(mean), tierTo64(invstd), dx64, dg64, db64)
				closeTo(t, name+" batch dx", dx, dx64, 1)
				closeTo(t, name+" batch dgamma", dg, dg64, float64(n*s))
				closeTo(t, name+" batch dbeta", db, db64, float64(n*s))

				// Group norm: instance norm (groups = c) and, when c is even,
				// two channels per group.
				for _, groups := range []int{c, max(c/2, 1)} {
					if c%groups != 0 {
						continue
					}
					gname := fmt.Sprintf("%s groups=%d", name, groups)
					yg, checkYG := guarded(len(x), si+5)
					gm, gi := make([]float32, n*groups), make([]float32, n*groups)
					GroupNormForward(n, c, s, groups, x, g, b, 1e-5, yg, gm, gi)
					checkYG(t, gname+" GroupNormForward")
					yg64, gm64, gi64 := make([]float64, len(x)), make([]float64, n*groups), make([]float64, n*groups)
					GroupNormForward(n, c, s, groups, tierTo64(x), tierTo64(g), tierTo64(b), 1e-5, yg64, gm64, gi64)
					closeTo(t, gname+" group y", yg, yg64, 1)
					closeTo(t, gname+" group mean", gm, gm64, 1)
					closeTo(t, gname+" group invstd", gi, gi64, 1)

					dxg, checkDXG := guarded(len(x), si+9)
					dgg, dbg := make([]float32, c), make([]float32, c)
					GroupNormBackward(n, c, s, groups, x, dy, g, gm, gi, dxg, dgg, dbg)
					checkDXG(t, gname+" GroupNormBackward")
					dxg64, dgg64, dbg64 := make([]float64, len(x)), make([]float64, c), make([]float64, c)
					GroupNormBackward(n, c, s, groups, tierTo64(x), tierTo64(dy), tierTo64(g), tierTo64(gm), tierTo64(gi), dxg64, dgg64, dbg64)
					closeTo(t, gname+" group dx", dxg, dxg64, 1)
					closeTo(t, gname+" group dgamma", dgg, dgg64, float64(n*s))
					closeTo(t, gname+" group dbeta", dbg, dbg64, float64(n*s))
				}
			}
		}
	})
}

// TestMaxPoolTiers compares max pooling forward (values and indices) and
// backward of every tier with the float64 generic kernel, on the 2×2(×2)
// stride-2 shapes the fast path takes and on shapes it hands back.
func TestMaxPoolTiers(t *testing.T) {
	cases := []PoolParams{
		{N: 2, C: 3, In: []int{8, 10}, Kernel: []int{2, 2}},
		{N: 1, C: 2, In: []int{7, 9}, Kernel: []int{2, 2}, Stride: []int{2, 2}},
		{N: 2, C: 2, In: []int{4, 6, 5}, Kernel: []int{2, 2, 2}},
		{N: 1, C: 1, In: []int{5, 5, 7}, Kernel: []int{2, 2, 2}, CeilMode: true},
		{N: 1, C: 2, In: []int{9, 9}, Kernel: []int{3, 3}, Stride: []int{2, 2}, Pad: []int{1, 1}},
	}
	forEachTier(t, func(t *testing.T, tr tier) {
		rng := rand.New(rand.NewPCG(9, uint64(tr)))
		for ci, p := range cases {
			name := fmt.Sprintf("case %d %+v", ci, p)
			x := randF32(rng, p.N*p.C*prod(p.In))
			// Ties and NaNs exercise PyTorch's scan order.
			for i := range x {
				switch rng.IntN(10) {
				case 0:
					x[i] = 1
				case 1:
					x[i] = float32(math.NaN())
				}
			}
			no := p.N * p.C * prod(p.Out())
			y, checkY := guarded(no, ci)
			idx := make([]int32, no)
			MaxPoolForward(p, x, y, idx)
			checkY(t, name+" forward")
			y64, idx64 := make([]float64, no), make([]int32, no)
			MaxPoolForward(p, tierTo64(x), y64, idx64)
			for i := range y64 {
				same := float64(y[i]) == y64[i] || (y[i] != y[i] && y64[i] != y64[i])
				if !same || idx[i] != idx64[i] {
					t.Fatalf("%s: y[%d] = %v at %d, want %v at %d", name, i, y[i], idx[i], y64[i], idx64[i])
				}
			}
			dy := randF32(rng, no)
			dx, checkDX := guarded(len(x), ci+4)
			MaxPoolBackward(p, dy, idx, dx)
			checkDX(t, name+" backward")
			dx64 := make([]float64, len(x))
			MaxPoolBackward(p, tierTo64(dy), idx64, dx64)
			closeTo(t, name+" backward", dx, dx64, 1)
		}
	})
}

// TestElementwiseTiers checks Add, Sub, Mul, Scale, Axpy and the
// reductions of every tier against their definitions on the edge lengths
// and start offsets, with guards around the outputs.
func TestElementwiseTiers(t *testing.T) {
	forEachTier(t, func(t *testing.T, tr tier) {
		rng := rand.New(rand.NewPCG(16, uint64(tr)))
		for _, n := range append(edgeSizes, 1000, 150001) {
			for off := 0; off < 16; off++ {
				if n > 1000 && off%7 != 0 {
					continue
				}
				what := fmt.Sprintf("n=%d off=%d", n, off)
				a, b := randF32(rng, n), randF32(rng, n)
				binary := []struct {
					name string
					f    func(dst, a, b []float32)
					want func(x, y float32) float32
				}{
					{"Add", Add[float32], func(x, y float32) float32 { return x + y }},
					{"Sub", Sub[float32], func(x, y float32) float32 { return x - y }},
					{"Mul", Mul[float32], func(x, y float32) float32 { return x * y }},
				}
				for _, op := range binary {
					dst, check := guarded(n, off)
					op.f(dst, a, b)
					check(t, op.name+" "+what)
					for i := range dst {
						if w := op.want(a[i], b[i]); dst[i] != w {
							t.Fatalf("%s %s: [%d] = %v, want %v", op.name, what, i, dst[i], w)
						}
					}
				}
				dst, check := guarded(n, 15-off)
				Scale(dst, -1.5, a)
				check(t, "Scale "+what)
				for i := range dst {
					if w := -1.5 * a[i]; dst[i] != w {
						t.Fatalf("Scale %s: [%d] = %v, want %v", what, i, dst[i], w)
					}
				}
				y, checkY := guarded(n, off)
				copy(y, b)
				Axpy(0.75, a, y)
				checkY(t, "Axpy "+what)
				for i := range y {
					if w := float64(b[i]) + 0.75*float64(a[i]); math.Abs(float64(y[i])-w) > 1e-6*(1+math.Abs(w)) {
						t.Fatalf("Axpy %s: [%d] = %v, want %v", what, i, y[i], w)
					}
				}
				var s, sq, d, sa float64
				for i := range a {
					s += float64(a[i])
					sq += float64(a[i]) * float64(a[i])
					d += float64(a[i]) * float64(b[i])
					sa += math.Abs(float64(a[i])) * (1 + math.Abs(float64(b[i])) + math.Abs(float64(a[i])))
				}
				tol := 1e-6*sa + 1e-6
				for _, r := range []struct {
					name      string
					got, want float64
				}{{"Sum", float64(Sum(a)), s}, {"SumSquares", float64(SumSquares(a)), sq}, {"Dot", float64(Dot(a, b)), d}} {
					if math.Abs(r.got-r.want) > tol {
						t.Fatalf("%s %s = %v, want %v", r.name, what, r.got, r.want)
					}
				}
			}
		}
	})
}

// TestActAdamInferenceTiers checks LeakyRelu, AdamUpdate and
// BatchNormInference of every tier, through the public entry points (the
// worker split included), against the float64 generic kernels.
func TestActAdamInferenceTiers(t *testing.T) {
	forEachTier(t, func(t *testing.T, tr tier) {
		rng := rand.New(rand.NewPCG(17, uint64(tr)))
		for _, n := range []int{0, 1, 17, 1000, 150001} {
			what := fmt.Sprintf("n=%d", n)
			x, dy := randF32(rng, n), randF32(rng, n)
			y, checkY := guarded(n, n%16)
			LeakyRelu(y, x, 0.01)
			checkY(t, "LeakyRelu "+what)
			y64 := make([]float64, n)
			LeakyRelu(y64, tierTo64(x), 0.01)
			closeTo(t, "LeakyRelu "+what, y, y64, 1)
			dx, checkDX := guarded(n, (n+5)%16)
			LeakyReluBackward(dx, x, dy, 0.01)
			checkDX(t, "LeakyReluBackward "+what)
			LeakyReluBackward(y64, tierTo64(x), tierTo64(dy), 0.01)
			closeTo(t, "LeakyReluBackward "+what, dx, y64, 1)

			p := AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Step: 3}
			param, m, v := randF32(rng, n), randF32(rng, n), randF32(rng, n)
			for i := range v {
				v[i] *= v[i]
			}
			p64, m64, v64 := tierTo64(param), tierTo64(m), tierTo64(v)
			AdamUpdate(p, param, x, m, v)
			AdamUpdate(p, p64, tierTo64(x), m64, v64)
			closeTo(t, "Adam param "+what, param, p64, 1)
			closeTo(t, "Adam m "+what, m, m64, 1)
			closeTo(t, "Adam v "+what, v, v64, 1)
		}
		for _, sh := range [][3]int{{2, 3, 17}, {1, 4, 1}, {3, 2, 1000}} {
			n, c, s := sh[0], sh[1], sh[2]
			x := randF32(rng, n*c*s)
			g, b, rm, rv := randF32(rng, c), randF32(rng, c), randF32(rng, c), randF32(rng, c)
			for i := range rv {
				rv[i] *= rv[i]
			}
			y, check := guarded(len(x), c)
			BatchNormInference(n, c, s, x, g, b, rm, rv, 1e-5, y)
			check(t, fmt.Sprintf("BatchNormInference %v", sh))
			y64 := make([]float64, len(x))
			BatchNormInference(n, c, s, tierTo64(x), tierTo64(g), tierTo64(b), tierTo64(rm), tierTo64(rv), 1e-5, y64)
			closeTo(t, fmt.Sprintf("BatchNormInference %v", sh), y, y64, 1)
		}
	})
}

// TestAvgPoolInterpTiers compares average pooling and interpolation,
// forward and backward, of every tier with the float64 generic kernels,
// on the shapes the fast paths take (kernel 2 stride 2, nearest ×2) and on
// shapes they hand back.
func TestAvgPoolInterpTiers(t *testing.T) {
	pools := []PoolParams{
		{N: 2, C: 3, In: []int{8, 10}, Kernel: []int{2, 2}},
		{N: 1, C: 2, In: []int{7, 9}, Kernel: []int{2, 2}, Stride: []int{2, 2}},
		{N: 2, C: 2, In: []int{4, 6, 34}, Kernel: []int{2, 2, 2}},
		{N: 1, C: 2, In: []int{5, 3, 67}, Kernel: []int{2, 2, 2}},
		{N: 1, C: 1, In: []int{6, 6, 8}, Kernel: []int{2, 2, 2}, CeilMode: true},
		{N: 1, C: 2, In: []int{9, 9}, Kernel: []int{3, 3}, Stride: []int{2, 2}, Pad: []int{1, 1}},
	}
	interps := []InterpParams{
		{N: 2, C: 3, In: []int{5, 33}, Out: []int{10, 66}, Mode: Nearest},
		{N: 1, C: 2, In: []int{3, 4, 9}, Out: []int{6, 8, 18}, Mode: Nearest},
		{N: 2, C: 2, In: []int{17}, Out: []int{34}, Mode: Nearest},
		{N: 1, C: 2, In: []int{1, 2, 40}, Out: []int{2, 4, 80}, Mode: Nearest},
		{N: 1, C: 2, In: []int{5, 7}, Out: []int{10, 15}, Mode: Nearest},
		{N: 1, C: 2, In: []int{5, 7}, Out: []int{10, 14}, Mode: Linear, AlignCorners: true},
		{N: 2, C: 3, In: []int{8, 33}, Out: []int{16, 66}, Mode: Linear},
		{N: 1, C: 2, In: []int{3, 5, 9}, Out: []int{6, 10, 18}, Mode: Linear},
		{N: 1, C: 2, In: []int{3, 5, 9}, Out: []int{6, 10, 18}, Mode: Linear, AlignCorners: true},
		{N: 1, C: 1, In: []int{4, 5, 40}, Out: []int{3, 5, 17}, Mode: Linear},
		{N: 2, C: 1, In: []int{19}, Out: []int{50}, Mode: Linear, AlignCorners: true},
		{N: 1, C: 2, In: []int{1, 7}, Out: []int{1, 1}, Mode: Linear},
	}
	forEachTier(t, func(t *testing.T, tr tier) {
		rng := rand.New(rand.NewPCG(18, uint64(tr)))
		for ci, p := range pools {
			name := fmt.Sprintf("avg pool %d %+v", ci, p)
			x := randF32(rng, p.N*p.C*prod(p.In))
			no := p.N * p.C * prod(p.Out())
			y, checkY := guarded(no, ci)
			AvgPoolForward(p, x, y)
			checkY(t, name+" forward")
			y64 := make([]float64, no)
			AvgPoolForward(p, tierTo64(x), y64)
			closeTo(t, name+" forward", y, y64, 1)
			dy := randF32(rng, no)
			dx, checkDX := guarded(len(x), ci+4)
			for i := range dx {
				dx[i] = float32(math.NaN()) // must be overwritten everywhere
			}
			AvgPoolBackward(p, dy, dx)
			checkDX(t, name+" backward")
			dx64 := make([]float64, len(x))
			AvgPoolBackward(p, tierTo64(dy), dx64)
			closeTo(t, name+" backward", dx, dx64, 1)
		}
		for ci, p := range interps {
			name := fmt.Sprintf("interp %d %+v", ci, p)
			x := randF32(rng, p.N*p.C*prod(p.In))
			no := p.N * p.C * prod(p.Out)
			y, checkY := guarded(no, ci)
			InterpForward(p, x, y)
			checkY(t, name+" forward")
			y64 := make([]float64, no)
			InterpForward(p, tierTo64(x), y64)
			closeTo(t, name+" forward", y, y64, 1)
			dy := randF32(rng, no)
			dx, checkDX := guarded(len(x), ci+4)
			for i := range dx {
				dx[i] = float32(math.NaN())
			}
			InterpBackward(p, dy, dx)
			checkDX(t, name+" backward")
			dx64 := make([]float64, len(x))
			InterpBackward(p, tierTo64(dy), dx64)
			closeTo(t, name+" backward", dx, dx64, 1)
		}
	})
}

// TestMemWorkersBitIdentical runs the memory-bound kernels of every tier
// at 1, 2 and 3 workers and requires the same bits: every split depends
// only on the shapes, and reductions add their pieces in a fixed order.
func TestMemWorkersBitIdentical(t *testing.T) {
	defer SetWorkers(Workers())
	n, c, s := 3, 4, 24*40 // 2D planes of 24×40, 3D planes of 4×6×40
	S := n * c * s
	forEachTier(t, func(t *testing.T, tr tier) {
		rng := rand.New(rand.NewPCG(20, uint64(tr)))
		x, dy, g, b := randF32(rng, S), randF32(rng, S), randF32(rng, c), randF32(rng, c)
		rv := randF32(rng, c)
		for i := range rv {
			rv[i] *= rv[i]
		}
		big := randF32(rng, 300001)
		run := func() [][]float32 {
			var out [][]float32
			keep := func(s ...[]float32) {
				for _, v := range s {
					out = append(out, append([]float32(nil), v...))
				}
			}
			y, dx, mean, invstd, dg, db := make([]float32, S), make([]float32, S), make([]float32, n*c), make([]float32, n*c), make([]float32, c), make([]float32, c)
			BatchNormForward(n, c, s, x, g, b, 1e-5, y, mean[:c], invstd[:c])
			BatchNormBackward(n, c, s, x, dy, g, mean[:c], invstd[:c], dx, dg, db)
			keep(y, dx, mean[:c], invstd[:c], dg, db)
			GroupNormForward(n, c, s, c, x, g, b, 1e-5, y, mean, invstd)
			GroupNormBackward(n, c, s, c, x, dy, g, mean, invstd, dx, dg, db)
			keep(y, dx, mean, invstd, dg, db)
			BatchNormInference(n, c, s, x, g, b, g, rv, 1e-5, y)
			keep(y)
			lr := make([]float32, len(big))
			LeakyRelu(lr, big, 0.01)
			keep(lr)
			keep([]float32{Sum(big), Dot(big, lr), SumSquares(big)})
			param, m, v := append([]float32(nil), big...), make([]float32, len(big)), make([]float32, len(big))
			AdamUpdate(AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1}, param, big, m, v)
			keep(param, m, v)
			for _, in := range [][]int{{24, 40}, {4, 6, 40}} {
				k := []int{2, 2, 2}[:len(in)]
				pp := PoolParams{N: n, C: c, In: in, Kernel: k}
				so := S >> len(in)
				py, idx := make([]float32, so), make([]int32, so)
				MaxPoolForward(pp, x, py, idx)
				MaxPoolBackward(pp, dy[:so], idx, dx)
				keep(py, dx)
				AvgPoolForward(pp, x, py)
				AvgPoolBackward(pp, dy[:so], dx)
				keep(py, dx)
				half := make([]int, len(in))
				for i := range in {
					half[i] = in[i] / 2
				}
				ip := InterpParams{N: n, C: c, In: half, Out: in, Mode: Nearest}
				InterpForward(ip, x[:so], y)
				InterpBackward(ip, dy, py)
				keep(y, py)
			}
			return out
		}
		SetWorkers(1)
		ref := run()
		for _, w := range []int{2, 3} {
			SetWorkers(w)
			got := run()
			for i := range ref {
				for j := range ref[i] {
					if math.Float32bits(got[i][j]) != math.Float32bits(ref[i][j]) {
						t.Fatalf("%d workers: output %d [%d] = %v, 1 worker %v", w, i, j, got[i][j], ref[i][j])
					}
				}
			}
		}
	})
}
