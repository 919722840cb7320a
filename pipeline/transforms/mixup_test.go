package transforms

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestBetaSample(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for _, c := range []struct{ a, b float64 }{{0.5, 0.5}, {2, 3}, {0.2, 0.2}, {5, 1}} {
		var sum, ss float64
		const n = 40000
		for i := 0; i < n; i++ {
			x := BetaSample(r, c.a, c.b)
			if x < 0 || x > 1 {
				t.Fatalf("Beta(%v,%v) gave %v", c.a, c.b, x)
			}
			sum += x
			ss += x * x
		}
		mean := sum / n
		vr := ss/n - mean*mean
		wm := c.a / (c.a + c.b)
		wv := c.a * c.b / ((c.a + c.b) * (c.a + c.b) * (c.a + c.b + 1))
		// 5 standard errors of the mean, 10 % on the variance
		if math.Abs(mean-wm) > 5*math.Sqrt(wv/n) || math.Abs(vr-wv) > 0.1*wv {
			t.Errorf("Beta(%v,%v): mean %v var %v, want %v %v", c.a, c.b, mean, vr, wm, wv)
		}
	}
}

func TestMixup(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := [][]float32{{1, 1}, {3, 3}, {5, 5}}
	y := [][]float32{{1, 0}, {0, 1}, {1, 1}}
	x0 := [][]float32{{1, 1}, {3, 3}, {5, 5}}
	y0 := [][]float32{{1, 0}, {0, 1}, {1, 1}}
	lam, perm, err := Mixup(x, y, 0.4, r)
	if err != nil {
		t.Fatal(err)
	}
	if lam < 0.5 || lam > 1 {
		t.Errorf("λ = %v, want in [0.5, 1]", lam)
	}
	for i := range x {
		for k := range x[i] {
			wx := float32(lam*float64(x0[i][k]) + (1-lam)*float64(x0[perm[i]][k]))
			wy := float32(lam*float64(y0[i][k]) + (1-lam)*float64(y0[perm[i]][k]))
			if math.Abs(float64(x[i][k]-wx)) > 1e-6 || math.Abs(float64(y[i][k]-wy)) > 1e-6 {
				t.Fatalf("sample %d: got %v/%v, want %v/%v", i, x[i][k], y[i][k], wx, wy)
			}
		}
	}
	if _, _, err := Mixup(x, y[:2], 0.4, r); err == nil {
		t.Error("batch size mismatch: no error")
	}
	if _, _, err := Mixup(x, y, 0, r); err == nil {
		t.Error("alpha 0: no error")
	}
}

func TestBalancedSample(t *testing.T) {
	// 90 negatives, 10 positives: drawn about half and half.
	labels := make([]int, 100)
	for i := 90; i < 100; i++ {
		labels[i] = 1
	}
	r := rand.New(rand.NewPCG(3, 3))
	draw := BalancedSample(labels, 20000, r)
	pos := 0
	for _, i := range draw {
		if i < 0 || i >= 100 {
			t.Fatalf("index %d out of range", i)
		}
		pos += labels[i]
	}
	if f := float64(pos) / 20000; math.Abs(f-0.5) > 0.02 {
		t.Errorf("positive fraction %v, want about 0.5", f)
	}
}
