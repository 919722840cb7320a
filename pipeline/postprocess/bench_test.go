package postprocess

import (
	"math/rand/v2"
	"testing"
)

func blobVolume(shape [3]int, n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	v := make([]float32, Len(shape))
	for b := 0; b < n; b++ {
		c := [3]int{r.IntN(shape[0]), r.IntN(shape[1]), r.IntN(shape[2])}
		rad := 1 + r.IntN(4)
		for i := max(c[0]-rad, 0); i < min(c[0]+rad, shape[0]); i++ {
			for j := max(c[1]-rad, 0); j < min(c[1]+rad, shape[1]); j++ {
				for k := max(c[2]-rad, 0); k < min(c[2]+rad, shape[2]); k++ {
					v[(i*shape[1]+j)*shape[2]+k] = 1
				}
			}
		}
	}
	return v
}

func BenchmarkLabel(b *testing.B) {
	shape := [3]int{128, 128, 64}
	m := Nonzero(blobVolume(shape, 200, 1))
	b.ResetTimer()
	for b.Loop() {
		Label(m, shape, Edge)
	}
	b.ReportMetric(float64(Len(shape))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvox/s")
}

func BenchmarkApply(b *testing.B) {
	shape := [3]int{128, 128, 64}
	v := blobVolume(shape, 200, 2)
	steps, _ := Parse([]byte(`{"binarize_prediction": {"thr": 0.5}, "fill_holes": {}, "keep_largest": {}, "remove_small": {"unit": "vox", "thr": 3}}`))
	b.ResetTimer()
	for b.Loop() {
		steps.Apply([][]float32{v}, shape, [3]float64{1, 1, 1}, nil)
	}
	b.ReportMetric(float64(Len(shape))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvox/s")
}
