package transforms

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// gammaSample draws from Gamma(shape, 1) by Marsaglia and Tsang's method
// (with the shape+1 boost below 1).
func gammaSample(r *rand.Rand, shape float64) float64 {
	if shape < 1 {
		u := r.Float64()
		return gammaSample(r, shape+1) * math.Pow(u, 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// BetaSample draws from Beta(a, b).
func BetaSample(r *rand.Rand, a, b float64) float64 {
	x := gammaSample(r, a)
	y := gammaSample(r, b)
	return x / (x + y)
}

// Mixup is ivadomed's mixup for segmentation (mixup_alpha): λ ~ Beta(α, α)
// taken as max(λ, 1−λ), a random permutation pairs the samples of the
// batch, and images and labels alike become λ·own + (1−λ)·partner. x and y
// hold one flat sample per batch element (all of one length each); they
// are replaced in place. It returns λ and the permutation.
func Mixup(x, y [][]float32, alpha float64, r *rand.Rand) (float64, []int, error) {
	if alpha <= 0 {
		return 0, nil, fmt.Errorf("transforms: mixup_alpha must be positive, got %v", alpha)
	}
	if len(x) != len(y) {
		return 0, nil, fmt.Errorf("transforms: mixup: %d images but %d labels", len(x), len(y))
	}
	lam := BetaSample(r, alpha, alpha)
	lam = math.Max(lam, 1-lam)
	perm := r.Perm(len(x))
	mix := func(v [][]float32) error {
		orig := make([][]float32, len(v))
		for i := range v {
			orig[i] = append([]float32(nil), v[i]...)
		}
		for i := range v {
			p := orig[perm[i]]
			if len(p) != len(v[i]) {
				return fmt.Errorf("transforms: mixup: batch elements %d and %d differ in size (%d, %d)", i, perm[i], len(v[i]), len(p))
			}
			for k := range v[i] {
				v[i][k] = float32(lam*float64(orig[i][k]) + (1-lam)*float64(p[k]))
			}
		}
		return nil
	}
	if err := mix(x); err != nil {
		return 0, nil, err
	}
	if err := mix(y); err != nil {
		return 0, nil, err
	}
	return lam, perm, nil
}

// BalancedSample is ivadomed's BalancedSampler: each sample weighs 1/(the
// number of samples sharing its label), and n indices are drawn with
// replacement in proportion to the weights (torch.multinomial), so that
// every label is drawn about equally often. labels are the samples' classes
// (for balance_samples.type "gt": whether the slice has foreground).
func BalancedSample(labels []int, n int, r *rand.Rand) []int {
	count := map[int]int{}
	for _, l := range labels {
		count[l]++
	}
	cum := make([]float64, len(labels))
	var total float64
	for i, l := range labels {
		total += 1 / float64(count[l])
		cum[i] = total
	}
	out := make([]int, n)
	for k := range out {
		u := r.Float64() * total
		lo, hi := 0, len(cum)-1
		for lo < hi {
			mid := (lo + hi) / 2
			if cum[mid] > u {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		out[k] = lo
	}
	return out
}
