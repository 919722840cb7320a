package optim

import (
	"math"

	"github.com/ivadogo/ivadogo/autograd"
)

// ClipGradNorm scales the gradients of ps so that their global L2 norm is
// at most maxNorm, as torch.nn.utils.clip_grad_norm_ does (scale factor
// maxNorm/(norm+1e-6), never above 1), and returns the norm before
// clipping. Parameters without a gradient are ignored.
func ClipGradNorm(ps []*autograd.Value, maxNorm float64) float64 {
	var sq float64
	for _, p := range ps {
		_, g := grad(p)
		var s float64
		for _, x := range g {
			s += float64(x) * float64(x)
		}
		sq += s
	}
	norm := math.Sqrt(sq)
	coef := maxNorm / (norm + 1e-6)
	if coef >= 1 {
		return norm
	}
	c := float32(coef)
	for _, p := range ps {
		_, g := grad(p)
		for j := range g {
			g[j] *= c
		}
	}
	return norm
}
