package metrics

import (
	"math/rand/v2"
	"testing"
)

func blobs(shape [3]int, n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	v := make([]float32, shape[0]*shape[1]*shape[2])
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

// BenchmarkEvaluate3D: a lesion-like case, ~100 objects per volume.
func BenchmarkEvaluate3D(b *testing.B) {
	shape := [3]int{128, 128, 64}
	gt := blobs(shape, 100, 1)
	pred := blobs(shape, 100, 2)
	for i := range pred {
		if gt[i] == 1 && i%3 != 0 {
			pred[i] = 1
		}
	}
	p := DefaultEvalParams()
	p.SizeThr, p.SizeUnit = []float64{20, 100}, "vox"
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := Evaluate3D([][]float32{pred}, [][]float32{gt}, shape, [3]float64{1, 1, 1}, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(gt))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvox/s")
}
