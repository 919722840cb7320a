package postprocess

import (
	"math"
	"strings"
	"testing"
)

func TestUncertainty(t *testing.T) {
	shape := [3]int{1, 1, 8}
	// Three passes over one class. Objects: pass 0 {1,2,3}, pass 1 {2,3},
	// pass 2 {2,3,4} and {7}. The hard map (any vote) has {1..4} (4
	// voxels) and {7} (1 voxel, skipped).
	mc := [][][]float32{
		{{0, 1, 1, 1, 0, 0, 0, 0}},
		{{0, 0, 1, 1, 0, 0, 0, 0}},
		{{0, 0, 1, 1, 1, 0, 0, 1}},
	}
	m, err := Uncertainty(mc, shape)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 1, 1, 1, 1, 0, 0, 1}; !slicesEqual(m.Hard[0], want) {
		t.Errorf("hard %v, want %v", m.Hard[0], want)
	}
	ent := func(p float64) float64 { return -(p*math.Log(p+1e-5) + (1-p)*math.Log(1-p+1e-5)) }
	// voxel 1: p̄ = 1/3
	if got := float64(m.Vox[0][1]); math.Abs(got-ent(1.0/3)) > 1e-6 {
		t.Errorf("entropy %v, want %v", got, ent(1.0/3))
	}
	if m.Vox[0][0] != 0 {
		t.Errorf("entropy of a sure background voxel %v, want 0 (clipped)", m.Vox[0][0])
	}
	// IoU: ∩ = {2,3}, ∪ = {1,2,3,4} → 0.5. Volumes 3, 2, 3: mean 8/3.
	if got := m.IoU[0][2]; math.Abs(float64(got)-0.5) > 1e-6 {
		t.Errorf("IoU %v, want 0.5", got)
	}
	mu := 8.0 / 3
	sd := math.Sqrt(((3-mu)*(3-mu)*2 + (2-mu)*(2-mu)) / 3)
	if got := float64(m.CV[0][4]); math.Abs(got-sd/mu) > 1e-6 {
		t.Errorf("CV %v, want %v", got, sd/mu)
	}
	avg := (ent(1.0/3) + 1*ent(1) + ent(1) + ent(1.0/3)) / 4
	if got := float64(m.AvgUnc[0][1]); math.Abs(got-avg) > 1e-5 {
		t.Errorf("avgUnc %v, want %v", got, avg)
	}
	if m.IoU[0][7] != 0 || m.CV[0][7] != 0 {
		t.Errorf("one-voxel object got structure values")
	}
	if math.Abs(float64(m.Soft[0][2])-1) > 1e-7 {
		t.Errorf("soft %v", m.Soft[0][2])
	}
	if _, err := Uncertainty(mc[:1], shape); err == nil || !strings.Contains(err.Error(), "at least 2") {
		t.Errorf("one pass: %v", err)
	}
}

func slicesEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
