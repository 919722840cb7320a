package kernels

import (
	"math"
	"testing"
)

func TestExp32(t *testing.T) {
	worst := 0.0
	for x := -87.0; x <= 88.5; x += 0.00137 {
		got := float64(exp32(float32(x)))
		want := math.Exp(float64(float32(x)))
		if rel := math.Abs(got-want) / want; rel > worst {
			worst = rel
		}
	}
	if worst > 2.5e-7 { // 2 ulp of float32
		t.Fatalf("exp32 relative error up to %.3g, want ≤ 2.5e-7", worst)
	}
	for _, tc := range []struct{ x, want float32 }{
		{0, 1}, {float32(math.Inf(1)), float32(math.Inf(1))}, {100, float32(math.Inf(1))},
	} {
		if got := exp32(tc.x); got != tc.want {
			t.Errorf("exp32(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
	if got := exp32(-1000); got < 0 || got > 2e-38 {
		t.Errorf("exp32(-1000) = %v, want about 1.2e-38", got)
	}
	if got := exp32(float32(math.Inf(-1))); got < 0 || got > 2e-38 {
		t.Errorf("exp32(-Inf) = %v, want about 1.2e-38", got)
	}
	if got := exp32(float32(math.NaN())); got == got {
		t.Errorf("exp32(NaN) = %v", got)
	}
}
