package transforms

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

func benchApply(b *testing.B, raw string, shape [3]int, zooms [3]float64) {
	l, err := Parse(json.RawMessage(raw))
	if err != nil {
		b.Fatal(err)
	}
	c := l.For(Training, false)
	img := ramp(shape)
	r := rand.New(rand.NewPCG(1, 1))
	b.ResetTimer()
	for b.Loop() {
		s := &Sample{Im: Part{Data: [][]float32{img}, Shape: shape}, GT: Part{Data: [][]float32{img}, Shape: shape}, Zooms: zooms}
		if _, err := c.Apply(s, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

// The 2D training augmentation of ivadomed's config.json on a 128×128 slice.
func BenchmarkTrain2D(b *testing.B) {
	benchApply(b, `{"RandomAffine": {"degrees": 5, "scale": [0.1, 0.1], "translate": [0.03, 0.03]},
		"ElasticTransform": {"alpha_range": [28.0, 30.0], "sigma_range": [3.5, 4.5], "p": 1},
		"NormalizeInstance": {"applied_to": ["im"]}}`, [3]int{128, 128, 1}, [3]float64{1, 1, 1})
}

func BenchmarkResample3D(b *testing.B) {
	benchApply(b, `{"Resample": {"hspace": 0.75, "wspace": 0.75, "dspace": 1}}`, [3]int{64, 64, 32}, [3]float64{1, 1, 1})
}

// The 3D training augmentation of the 3D reference config
// (shared/reference/ivadomed-runs/config_3d.json) on one of its patches.
func BenchmarkAffine3D(b *testing.B) {
	benchApply(b, `{"RandomAffine": {"degrees": 5, "scale": [0.1, 0.1, 0.1], "translate": [0.03, 0.03, 0.03], "applied_to": ["im", "gt"]}}`,
		[3]int{48, 48, 16}, [3]float64{1, 1, 1})
}
