package kernels

import (
	"fmt"
	"math"
	"testing"
)

func naiveSoftmax(outer, n, inner int, x []float64, logOut bool) []float64 {
	y := make([]float64, len(x))
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			at := func(j int) int { return (o*n+j)*inner + i }
			m := math.Inf(-1)
			for j := 0; j < n; j++ {
				m = math.Max(m, x[at(j)])
			}
			var s float64
			for j := 0; j < n; j++ {
				s += math.Exp(x[at(j)] - m)
			}
			for j := 0; j < n; j++ {
				if logOut {
					y[at(j)] = x[at(j)] - m - math.Log(s)
				} else {
					y[at(j)] = math.Exp(x[at(j)]-m) / s
				}
			}
		}
	}
	return y
}

var softmaxShapes = [][3]int{{1, 1, 1}, {2, 3, 5}, {1, 4, 1}, {3, 1, 7}, {2, 5, softmaxBlock + 3}, {1, 2, 2*softmaxBlock + 1}}

func TestSoftmaxAgainstNaive(t *testing.T) {
	rng := newRNG(60)
	withWorkers(t, func(t *testing.T) {
		for _, sh := range softmaxShapes {
			outer, n, in := sh[0], sh[1], sh[2]
			x := normals(rng, outer*n*in)
			for i := range x {
				x[i] *= 30 // large logits: the maximum must be subtracted
			}
			for _, logOut := range []bool{false, true} {
				name := fmt.Sprintf("%v log=%v", sh, logOut)
				want := naiveSoftmax(outer, n, in, x, logOut)
				y := make([]float64, len(x))
				f := Softmax[float64]
				if logOut {
					f = LogSoftmax[float64]
				}
				f(outer, n, in, x, y)
				assertClose(t, name, y, want, 1e-12)
				// In place.
				xc := append([]float64(nil), x...)
				f(outer, n, in, xc, xc)
				assertClose(t, "in place "+name, xc, want, 1e-12)
				f32 := Softmax[float32]
				if logOut {
					f32 = LogSoftmax[float32]
				}
				y32 := make([]float32, len(x))
				f32(outer, n, in, to32(x), y32)
				assertClose(t, "float32 "+name, to64(y32), want, 1e-4)
			}
		}
	})
}

func TestSoftmaxBackwardFiniteDifference(t *testing.T) {
	rng := newRNG(61)
	for _, sh := range softmaxShapes[:4] {
		outer, n, in := sh[0], sh[1], sh[2]
		x, r := normals(rng, outer*n*in), normals(rng, outer*n*in)
		y, dx := make([]float64, len(x)), make([]float64, len(x))
		for _, logOut := range []bool{false, true} {
			name := fmt.Sprintf("%v log=%v", sh, logOut)
			fwd, bwd := Softmax[float64], SoftmaxBackward[float64]
			if logOut {
				fwd, bwd = LogSoftmax[float64], LogSoftmaxBackward[float64]
			}
			loss := func() float64 { fwd(outer, n, in, x, y); return inner(y, r) }
			loss()
			bwd(outer, n, in, y, r, dx)
			assertClose(t, name, dx, numGrad(loss, x, 1e-5), 1e-7)
			// dx may be dy (numGrad left y at a perturbed x: recompute it).
			loss()
			rc := append([]float64(nil), r...)
			bwd(outer, n, in, y, rc, rc)
			assertClose(t, "in place "+name, rc, dx, 0)
		}
	}
}
