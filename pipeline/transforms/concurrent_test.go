package transforms

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// TestConcurrentApply: loader goroutines share one Compose, each with its
// own generator, and get what a lone goroutine gets (run with -race).
func TestConcurrentApply(t *testing.T) {
	c := mustParse(t, `{
		"RandomAffine": {"degrees": 10, "scale": [0.1, 0.1], "translate": [0.1, 0.1]},
		"ElasticTransform": {"alpha_range": [3, 5], "sigma_range": [1, 2], "p": 0.5},
		"RandomGamma": {"log_gamma_range": [-0.3, 0.3]},
		"AdditiveGaussianNoise": {"std": 0.05},
		"Clahe": {"clip_limit": 0.02, "kernel_size": [4, 4]},
		"NormalizeInstance": {"applied_to": ["im"]}
	}`).For(Training, false)
	shape := [3]int{12, 10, 1}
	run := func(seed uint64) []float32 {
		s := &Sample{Im: Part{Data: [][]float32{ramp(shape)}, Shape: shape}, GT: Part{Data: [][]float32{ramp(shape)}, Shape: shape}}
		if _, err := c.Apply(s, rand.New(rand.NewPCG(seed, 0))); err != nil {
			t.Error(err)
		}
		return s.Im.Data[0]
	}
	want := make([][]float32, 8)
	for i := range want {
		want[i] = run(uint64(i))
	}
	var wg sync.WaitGroup
	got := make([][]float32, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = run(uint64(i))
		}()
	}
	wg.Wait()
	for i := range got {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("seed %d: concurrent result differs", i)
		}
	}
}
