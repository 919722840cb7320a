package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// perturbScheduling makes the goroutines of parallel jobs yield or sleep
// before random pieces, so that repeated calls hand the pieces to
// different goroutines in different orders. It returns a restore func.
func perturbScheduling() func() {
	pieceHook = func(int) {
		switch rand.IntN(4) {
		case 0:
			runtime.Gosched()
		case 1:
			time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
		}
	}
	return func() { pieceHook = nil }
}

// reductionCase runs a kernel whose outputs combine values computed by
// different pieces of a parallel loop and returns its outputs, appended.
type reductionCase struct {
	name string
	// anyWorkers: the result must not depend on the worker count either.
	anyWorkers bool
	run        func() []float64
}

func reductionCases[T Float]() []reductionCase {
	rng := newRNG(5)
	long := func(n int) []T { return castTo[T](normals(rng, n)) }
	x1, x2 := long(300001), long(300001)
	var cases []reductionCase
	cases = append(cases,
		reductionCase{"Sum", true, func() []float64 { return []float64{float64(Sum(x1))} }},
		reductionCase{"Dot", true, func() []float64 { return []float64{float64(Dot(x1, x2))} }},
		reductionCase{"SumSquares", true, func() []float64 { return []float64{float64(SumSquares(x1))} }},
	)
	for _, p := range []ConvParams{
		{N: 8, Cin: 6, Cout: 16, In: []int{19, 17}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 5, Cin: 4, Cout: 8, In: []int{9, 10, 11}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 6, Cin: 8, Cout: 8, In: []int{15, 16}, Kernel: []int{1, 1}},
		{N: 7, Cin: 4, Cout: 6, In: []int{13, 14}, Kernel: []int{3, 3}, Stride: []int{2, 2}, Groups: 2},
		{N: 5, Cin: 1, Cout: 9, In: []int{21, 19}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	} {
		x := long(p.N * p.Cin * prod(p.In))
		dy := long(p.N * p.Cout * prod(p.Out()))
		dw := make([]T, p.Cout*p.Cin/max(p.Groups, 1)*prod(p.Kernel))
		db := make([]T, p.Cout)
		cases = append(cases, reductionCase{fmt.Sprintf("ConvBackwardWeight N=%d In=%v Kernel=%v Stride=%v Groups=%d", p.N, p.In, p.Kernel, p.Stride, p.Groups), false, func() []float64 {
			ConvBackwardWeight(p, x, dy, dw, db)
			return append(castTo[float64](dw), castTo[float64](db)...)
		}})
	}
	n, c, s, groups := 6, 8, 700, 4
	x, dy := long(n*c*s), long(n*c*s)
	gamma, beta := long(c), long(c)
	y, dx := make([]T, n*c*s), make([]T, n*c*s)
	dg, dbt := make([]T, c), make([]T, c)
	mean, invstd := make([]T, n*groups), make([]T, n*groups)
	cases = append(cases,
		reductionCase{"BatchNorm", true, func() []float64 {
			BatchNormForward(n, c, s, x, gamma, beta, 1e-5, y, mean[:c], invstd[:c])
			BatchNormBackward(n, c, s, x, dy, gamma, mean[:c], invstd[:c], dx, dg, dbt)
			return concat64(y, mean[:c], invstd[:c], dx, dg, dbt)
		}},
		reductionCase{"GroupNorm", true, func() []float64 {
			GroupNormForward(n, c, s, groups, x, gamma, beta, 1e-5, y, mean, invstd)
			GroupNormBackward(n, c, s, groups, x, dy, gamma, mean, invstd, dx, dg, dbt)
			return concat64(y, mean, invstd, dx, dg, dbt)
		}},
	)
	return cases
}

func castTo[U, T Float](s []T) []U {
	r := make([]U, len(s))
	for i, v := range s {
		r[i] = U(v)
	}
	return r
}

func concat64[T Float](s ...[]T) []float64 {
	var r []float64
	for _, v := range s {
		r = append(r, castTo[float64](v)...)
	}
	return r
}

// TestDeterministicReductions runs every reducing kernel many times at 2
// and 3 workers with the pieces handed out in perturbed orders, on every
// tier, and requires bit-identical outputs; the kernels marked anyWorkers
// must also agree between worker counts.
func TestDeterministicReductions(t *testing.T) {
	runs := 12
	if testing.Short() || raceEnabled {
		runs = 4
	}
	defer SetWorkers(Workers())
	defer perturbScheduling()()
	for _, tr := range availableTiers() {
		t.Run(tr.String(), func(t *testing.T) {
			defer setTier(tr)()
			t.Run("float32", func(t *testing.T) { checkDeterministic(t, reductionCases[float32](), runs) })
			t.Run("float64", func(t *testing.T) { checkDeterministic(t, reductionCases[float64](), runs) })
		})
	}
}

func checkDeterministic(t *testing.T, cases []reductionCase, runs int) {
	for _, c := range cases {
		var first []float64
		for _, nw := range []int{2, 3} {
			SetWorkers(nw)
			ref := c.run()
			if first == nil {
				first = ref
			}
			if c.anyWorkers && !sameBits(ref, first) {
				t.Errorf("%s: 3 workers give a result different from 2 workers", c.name)
			}
			for r := 0; r < runs; r++ {
				if got := c.run(); !sameBits(got, ref) {
					t.Errorf("%s, %d workers: run %d differs from the first run", c.name, nw, r+1)
					break
				}
			}
		}
	}
}

func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
