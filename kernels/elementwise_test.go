package kernels

import (
	"fmt"
	"math"
	"testing"
)

var elemLens = []int{0, 1, 7, 33, parallelMin + 3, 3*parallelMin + 17}

// elemOp runs one elementwise kernel on float64 or float32 slices.
type elemOp struct {
	name  string
	run   func(dst, a, b []float64)
	run32 func(dst, a, b []float32)
	naive func(a, b float64) float64 // nil for Axpy, which accumulates into dst
}

var elemOps = []elemOp{
	{"Add", func(d, a, b []float64) { Add(d, a, b) }, func(d, a, b []float32) { Add(d, a, b) }, func(a, b float64) float64 { return a + b }},
	{"Sub", func(d, a, b []float64) { Sub(d, a, b) }, func(d, a, b []float32) { Sub(d, a, b) }, func(a, b float64) float64 { return a - b }},
	{"Mul", func(d, a, b []float64) { Mul(d, a, b) }, func(d, a, b []float32) { Mul(d, a, b) }, func(a, b float64) float64 { return a * b }},
	{"Div", func(d, a, b []float64) { Div(d, a, b) }, func(d, a, b []float32) { Div(d, a, b) }, func(a, b float64) float64 { return a / b }},
	{"Scale", func(d, a, _ []float64) { Scale(d, -1.5, a) }, func(d, a, _ []float32) { Scale(d, -1.5, a) }, func(a, _ float64) float64 { return -1.5 * a }},
	{"AddScalar", func(d, a, _ []float64) { AddScalar(d, a, 0.25) }, func(d, a, _ []float32) { AddScalar(d, a, 0.25) }, func(a, _ float64) float64 { return a + 0.25 }},
	{"Axpy", func(d, a, _ []float64) { Axpy(0.5, a, d) }, func(d, a, _ []float32) { Axpy(0.5, a, d) }, nil},
	{"Relu", func(d, a, _ []float64) { Relu(d, a) }, func(d, a, _ []float32) { Relu(d, a) }, func(a, _ float64) float64 { return math.Max(a, 0) }},
	{"ReluBackward", func(d, a, b []float64) { ReluBackward(d, a, b) }, func(d, a, b []float32) { ReluBackward(d, a, b) }, func(a, b float64) float64 {
		if a > 0 {
			return b
		}
		return 0
	}},
	{"LeakyRelu", func(d, a, _ []float64) { LeakyRelu(d, a, 0.01) }, func(d, a, _ []float32) { LeakyRelu(d, a, 0.01) }, func(a, _ float64) float64 {
		if a > 0 {
			return a
		}
		return float64(float32(0.01)) * a
	}},
	{"LeakyReluSteep", func(d, a, _ []float64) { LeakyRelu(d, a, -2) }, func(d, a, _ []float32) { LeakyRelu(d, a, -2) }, func(a, _ float64) float64 {
		if a > 0 {
			return a
		}
		return -2 * a
	}},
	{"AddLeakyRelu", func(d, a, b []float64) { AddLeakyRelu(d, a, b, 0.01) }, func(d, a, b []float32) { AddLeakyRelu(d, a, b, 0.01) }, func(a, b float64) float64 {
		if a+b > 0 {
			return a + b
		}
		return float64(float32(0.01)) * (a + b)
	}},
	{"LeakyReluBackward", func(d, a, b []float64) { LeakyReluBackward(d, a, b, 0.2) }, func(d, a, b []float32) { LeakyReluBackward(d, a, b, 0.2) }, func(a, b float64) float64 {
		if a > 0 {
			return b
		}
		return float64(float32(0.2)) * b
	}},
}

func TestElementwiseAgainstNaive(t *testing.T) {
	rng := newRNG(50)
	withWorkers(t, func(t *testing.T) {
		for _, tt := range elemOps {
			for _, n := range elemLens {
				// Inputs exact in float32, so both precisions see the same values.
				a, b, d := to64(to32(normals(rng, n))), to64(to32(normals(rng, n))), to64(to32(normals(rng, n)))
				want := make([]float64, n)
				for i := range want {
					if tt.naive == nil {
						want[i] = d[i] + 0.5*a[i]
					} else {
						want[i] = tt.naive(a[i], b[i])
					}
				}
				d32 := to32(d)
				tt.run32(d32, to32(a), to32(b))
				assertClose(t, fmt.Sprintf("float32 %s n=%d", tt.name, n), to64(d32), want, 1e-6)
				tt.run(d, a, b)
				tol := 0.0
				if tt.name == "LeakyRelu" || tt.name == "LeakyReluBackward" || tt.name == "AddLeakyRelu" {
					tol = 1e-8 // the naive slope is float32-rounded
				}
				assertClose(t, fmt.Sprintf("%s n=%d", tt.name, n), d, want, tol)
				if tt.naive != nil && n > 0 {
					// dst aliasing the first input.
					a2 := append([]float64(nil), a...)
					tt.run(a2, a2, b)
					assertClose(t, fmt.Sprintf("%s aliased n=%d", tt.name, n), a2, want, tol)
				}
			}
		}
	})
}

func TestActivationBackwardFiniteDifference(t *testing.T) {
	rng := newRNG(51)
	x := normals(rng, 50)
	for i := range x {
		if math.Abs(x[i]) < 1e-2 { // keep away from the kink
			x[i] = 0.5
		}
	}
	r := normals(rng, len(x))
	y, dx := make([]float64, len(x)), make([]float64, len(x))
	reluLoss := func() float64 { Relu(y, x); return inner(y, r) }
	ReluBackward(dx, x, r)
	assertClose(t, "ReluBackward", dx, numGrad(reluLoss, x, 1e-4), 1e-8)
	leakyLoss := func() float64 { LeakyRelu(y, x, 0.1); return inner(y, r) }
	LeakyReluBackward(dx, x, r, 0.1)
	assertClose(t, "LeakyReluBackward", dx, numGrad(leakyLoss, x, 1e-4), 1e-8)
}

func TestReluNaN(t *testing.T) {
	y := make([]float32, 3)
	Relu(y, []float32{float32(math.NaN()), -1, 2})
	if !math.IsNaN(float64(y[0])) || y[1] != 0 || y[2] != 2 {
		t.Fatalf("Relu(NaN, -1, 2) = %v, want [NaN 0 2]", y)
	}
}

func TestReductionsAgainstNaive(t *testing.T) {
	rng := newRNG(52)
	for _, n := range elemLens {
		a, b := normals(rng, n), normals(rng, n)
		var s, d, q, abs float64
		for i := range a {
			s += a[i]
			d += a[i] * b[i]
			q += a[i] * a[i]
			abs += math.Abs(a[i]) + math.Abs(a[i]*b[i])
		}
		var got [3][3]float64
		for wi, w := range []int{1, 2, 3} {
			old := SetWorkers(w)
			got[wi] = [3]float64{Sum(a), Dot(a, b), SumSquares(a)}
			SetWorkers(old)
		}
		for i, want := range []float64{s, d, q} {
			if math.Abs(got[0][i]-want) > 1e-12*(1+abs) {
				t.Errorf("n=%d reduction %d = %v, want %v", n, i, got[0][i], want)
			}
			if got[0][i] != got[1][i] || got[0][i] != got[2][i] {
				t.Errorf("n=%d reduction %d depends on the worker count: %v", n, i, [3]float64{got[0][i], got[1][i], got[2][i]})
			}
		}
		if s32 := Sum(to32(a)); math.Abs(float64(s32)-s) > 1e-5*(1+abs) {
			t.Errorf("n=%d float32 Sum = %v, want %v", n, s32, s)
		}
	}
}

// naiveAdam transcribes torch.optim.Adam's single-tensor step.
func naiveAdam(p AdamParams, param, grad, m, v []float64) {
	bc1 := 1 - math.Pow(p.Beta1, float64(p.Step))
	bc2 := 1 - math.Pow(p.Beta2, float64(p.Step))
	for i := range param {
		g := grad[i]
		if p.Decoupled {
			param[i] *= 1 - p.LR*p.WeightDecay
		} else {
			g += p.WeightDecay * param[i]
		}
		m[i] = p.Beta1*m[i] + (1-p.Beta1)*g
		v[i] = p.Beta2*v[i] + (1-p.Beta2)*g*g
		denom := math.Sqrt(v[i])/math.Sqrt(bc2) + p.Eps
		param[i] -= p.LR / bc1 * m[i] / denom
	}
}

func TestAdamAgainstNaive(t *testing.T) {
	rng := newRNG(53)
	for _, decoupled := range []bool{false, true} {
		for _, n := range []int{1, 9, parallelMin + 5} {
			p := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Decoupled: decoupled}
			param := normals(rng, n)
			wantP := append([]float64(nil), param...)
			p32 := to32(param)
			m, v, wm, wv := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			m32, v32 := make([]float32, n), make([]float32, n)
			for step := 1; step <= 5; step++ {
				p.Step = step
				grad := normals(rng, n)
				AdamUpdate(p, param, grad, m, v)
				AdamUpdate(p, p32, to32(grad), m32, v32)
				naiveAdam(p, wantP, grad, wm, wv)
			}
			name := fmt.Sprintf("decoupled=%v n=%d", decoupled, n)
			assertClose(t, "param "+name, param, wantP, 1e-13)
			assertClose(t, "m "+name, m, wm, 1e-13)
			assertClose(t, "v "+name, v, wv, 1e-13)
			assertClose(t, "float32 param "+name, to64(p32), wantP, 1e-6)
		}
	}
}

func TestElementwisePanicsOnLengths(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Add with mismatched lengths did not panic")
		}
	}()
	Add(make([]float32, 3), make([]float32, 3), make([]float32, 2))
}

// TestReluBackwardSpecialValues pins the bit-mask version to the float
// comparison y > 0 on the values where the two could disagree.
func TestReluBackwardSpecialValues(t *testing.T) {
	ys := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), -math.NaN(), 5e-324, -5e-324, 1, -1, math.MaxFloat64}
	dy := make([]float64, len(ys))
	for i := range dy {
		dy[i] = float64(i + 1)
	}
	dx, dx32 := make([]float64, len(ys)), make([]float32, len(ys))
	ReluBackward(dx, ys, dy)
	y32 := to32(ys)
	y32[6], y32[7] = math.Float32frombits(1), -math.Float32frombits(1) // float32 denormals
	y32[10] = math.MaxFloat32
	ReluBackward(dx32, y32, to32(dy))
	for i, y := range ys {
		want := 0.0
		if y > 0 {
			want = dy[i]
		}
		if dx[i] != want || float64(dx32[i]) != want {
			t.Errorf("y=%v: dx = %v (float32 %v), want %v", y, dx[i], dx32[i], want)
		}
	}
}
