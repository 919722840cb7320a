package kernels

import (
	"fmt"
	"testing"
)

// workerCase runs one kernel (or a forward and its backward passes) on
// fixed inputs and returns every output, appended, in float64.
type workerCase struct {
	name string
	run  func() []float64
}

func workerCases[T Float]() []workerCase {
	rng := newRNG(11)
	data := func(n int) []T { return castTo[T](normals(rng, n)) }
	var cases []workerCase
	add := func(name string, run func() []float64) { cases = append(cases, workerCase{name, run}) }

	x1, x2 := data(300001), data(300001)
	add("Sum, Dot, SumSquares", func() []float64 {
		return []float64{float64(Sum(x1)), float64(Dot(x1, x2)), float64(SumSquares(x1))}
	})

	// Convolutions: few and many images, 2D and 3D, strided, grouped,
	// pointwise; the weight gradient in 8, 3, 2 and 1 pieces
	// (bwdWeightPieces), so with fewer pieces than workers, as many, and
	// more.
	for _, p := range []ConvParams{
		{N: 8, Cin: 6, Cout: 16, In: []int{48, 47}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 3, Cin: 5, Cout: 8, In: []int{16, 15, 14}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 8, Cin: 6, Cout: 16, In: []int{24, 23}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 2, Cin: 16, Cout: 16, In: []int{40, 36}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 1, Cin: 8, Cout: 24, In: []int{30, 30}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 5, Cin: 8, Cout: 8, In: []int{25, 26}, Kernel: []int{1, 1}},
		{N: 7, Cin: 4, Cout: 6, In: []int{33, 34}, Kernel: []int{3, 3}, Stride: []int{2, 2}, Groups: 2},
		{N: 4, Cin: 2, Cout: 4, In: []int{9, 9, 9}, Kernel: []int{3, 3, 3}, Stride: []int{2, 2, 2}, Pad: []int{1, 1, 1}},
		// The few-channel backward passes, 2D and 3D.
		{N: 3, Cin: 1, Cout: 9, In: []int{20, 37}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 2, Cin: 2, Cout: 5, In: []int{7, 12, 18}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		// ResNet18's last stage at 64×64 input: 4608 weight columns, more
		// than one 4096-wide block of B, which the 48-wide micro-kernel
		// does not divide.
		{N: 2, Cin: 512, Cout: 512, In: []int{2, 2}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	} {
		x, w, bias := data(p.N*p.Cin*prod(p.In)), data(p.Cout*p.Cin/max(p.Groups, 1)*prod(p.Kernel)), data(p.Cout)
		dy := data(p.N * p.Cout * prod(p.Out()))
		y, dx := make([]T, len(dy)), make([]T, len(x))
		dw, db := make([]T, len(w)), make([]T, p.Cout)
		add(fmt.Sprintf("Conv N=%d Cin=%d Cout=%d In=%v Kernel=%v Stride=%v Groups=%d", p.N, p.Cin, p.Cout, p.In, p.Kernel, p.Stride, p.Groups), func() []float64 {
			ConvForward(p, x, w, bias, y)
			ConvBackwardData(p, dy, w, dx)
			ConvBackwardWeight(p, x, dy, dw, db)
			return concat64(y, dx, dw, db)
		})
	}
	tp := ConvTransposeParams{N: 4, Cin: 8, Cout: 6, In: []int{11, 12}, Kernel: []int{2, 2}, Stride: []int{2, 2}}
	{
		x, w, bias := data(tp.N*tp.Cin*prod(tp.In)), data(tp.Cin*tp.Cout*prod(tp.Kernel)), data(tp.Cout)
		dy := data(tp.N * tp.Cout * prod(tp.Out()))
		y, dx, dw, db := make([]T, len(dy)), make([]T, len(x)), make([]T, len(w)), make([]T, tp.Cout)
		add("ConvTranspose", func() []float64 {
			ConvTransposeForward(tp, x, w, bias, y)
			ConvTransposeBackwardData(tp, dy, w, dx)
			ConvTransposeBackwardWeight(tp, x, dy, dw, db)
			return concat64(y, dx, dw, db)
		})
	}

	for _, s := range [][3]int{{37, 300, 290}, {64, 1200, 24}, {5, 7, 2000}, {300, 40, 500}} {
		m, n, k := s[0], s[1], s[2]
		a, b := data(m*k), data(k*n)
		c0 := data(m * n)
		c := make([]T, m*n)
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}} {
			lda, ldb := k, n
			if tr[0] {
				lda = m
			}
			if tr[1] {
				ldb = k
			}
			add(fmt.Sprintf("Gemm %dx%dx%d transA=%v transB=%v", m, n, k, tr[0], tr[1]), func() []float64 {
				copy(c, c0)
				Gemm(tr[0], tr[1], m, n, k, 0.75, a, lda, b, ldb, 0.5, c, n)
				return castTo[float64](c)
			})
		}
	}

	n, c, s := 6, 8, 900
	x, dy := data(n*c*s), data(n*c*s)
	gamma, beta := data(c), data(c)
	y, dx := make([]T, n*c*s), make([]T, n*c*s)
	dg, dbt := make([]T, c), make([]T, c)
	mean, invstd := make([]T, n*c), make([]T, n*c)
	add("BatchNorm", func() []float64 {
		BatchNormForward(n, c, s, x, gamma, beta, 1e-5, y, mean[:c], invstd[:c])
		BatchNormBackward(n, c, s, x, dy, gamma, mean[:c], invstd[:c], dx, dg, dbt)
		return concat64(y, mean[:c], invstd[:c], dx, dg, dbt)
	})
	for _, groups := range []int{c, 2} { // instance norm, group norm
		add(fmt.Sprintf("GroupNorm groups=%d", groups), func() []float64 {
			GroupNormForward(n, c, s, groups, x, gamma, beta, 1e-5, y, mean[:n*groups], invstd[:n*groups])
			GroupNormBackward(n, c, s, groups, x, dy, gamma, mean[:n*groups], invstd[:n*groups], dx, dg, dbt)
			return concat64(y, mean[:n*groups], invstd[:n*groups], dx, dg, dbt)
		})
	}

	for _, p := range []PoolParams{
		{N: 4, C: 6, In: []int{30, 31}, Kernel: []int{3, 3}, Stride: []int{2, 2}, Pad: []int{1, 1}},
		{N: 2, C: 5, In: []int{12, 13, 14}, Kernel: []int{2, 2, 2}},
	} {
		px := data(p.N * p.C * prod(p.In))
		pdy := data(p.N * p.C * prod(p.Out()))
		py, pdx := make([]T, len(pdy)), make([]T, len(px))
		idx := make([]int32, len(pdy))
		add(fmt.Sprintf("Pool In=%v Kernel=%v", p.In, p.Kernel), func() []float64 {
			MaxPoolForward(p, px, py, idx)
			MaxPoolBackward(p, pdy, idx, pdx)
			r := concat64(py, pdx)
			AvgPoolForward(p, px, py)
			AvgPoolBackward(p, pdy, pdx)
			return append(r, concat64(py, pdx)...)
		})
	}

	ip := InterpParams{N: 3, C: 4, In: []int{17, 19}, Out: []int{34, 38}, Mode: Linear, AlignCorners: true}
	ix, idy := data(ip.N*ip.C*prod(ip.In)), data(ip.N*ip.C*prod(ip.Out))
	iy, idx := make([]T, len(idy)), make([]T, len(ix))
	add("Interp", func() []float64 {
		InterpForward(ip, ix, iy)
		InterpBackward(ip, idy, idx)
		return concat64(iy, idx)
	})

	sx, sdy := data(6*5*700), data(6*5*700)
	sy, sdx := make([]T, len(sx)), make([]T, len(sx))
	add("Softmax", func() []float64 {
		Softmax(6, 5, 700, sx, sy)
		SoftmaxBackward(6, 5, 700, sy, sdy, sdx)
		return concat64(sy, sdx)
	})
	return cases
}

// TestWorkerCountInvariance requires every kernel whose work is shared
// out (convolutions and their two backward passes, GEMM, batch, instance
// and group norm, reductions, pooling, interpolation, softmax) to give
// bit-identical results with 1, 2 and 3 workers, on every tier, so that a
// seed reproduces a training run whatever the number of cores. Reductions
// must therefore be cut into pieces that depend on the problem size alone
// and be added in a fixed order.
func TestWorkerCountInvariance(t *testing.T) {
	defer SetWorkers(Workers())
	for _, tr := range availableTiers() {
		t.Run(tr.String(), func(t *testing.T) {
			defer setTier(tr)()
			t.Run("float32", func(t *testing.T) { checkWorkerCounts(t, workerCases[float32]()) })
			if !testing.Short() {
				t.Run("float64", func(t *testing.T) { checkWorkerCounts(t, workerCases[float64]()) })
			}
		})
	}
}

func checkWorkerCounts(t *testing.T, cases []workerCase) {
	for _, c := range cases {
		SetWorkers(1)
		ref := c.run()
		for _, nw := range []int{2, 3} {
			SetWorkers(nw)
			if got := c.run(); !sameBits(got, ref) {
				d := 0
				for i := range got {
					if got[i] != ref[i] {
						d++
					}
				}
				t.Errorf("%s: %d workers differ from 1 worker in %d of %d values", c.name, nw, d, len(ref))
			}
		}
	}
}
