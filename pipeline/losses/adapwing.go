package losses

import (
	"math"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// AdapWing is AdapWingLoss (heatmap regression): with d = |y − ŷ| and
// a = α − y, ω·log(1 + (d/ε)^a) where d < θ, else A·d − C, with A and C
// making the two pieces meet at θ; summed. The gradient reaches the
// prediction only (the target's exponent is a constant), through the
// branch each voxel takes, as in PyTorch.
//
// ivadomed multiplies by a mask meant to weigh the foreground by 1+ω, but
// builds it from a boolean binary_opening, so every weight is 1; so is it
// here.
func AdapWing[E autograd.Float](theta, alpha, omega, epsilon float64) Func[E] {
	return func(p, t *v[E]) *v[E] {
		checkShapes("AdapWingLoss", p, t)
		pd := p.Data().Contiguous().Data()
		td := t.Data().Contiguous().Data()
		r := theta / epsilon
		grad := make([]float64, len(pd))
		var sum float64
		for i := range pd {
			y, yh := float64(td[i]), float64(pd[i])
			a := alpha - y
			bigA := omega / (1 + math.Pow(r, a)) * a * math.Pow(r, a-1) / epsilon
			d := math.Abs(y - yh)
			// d(d)/d(ŷ): −sign(y − ŷ), 0 at equality as torch.abs.
			dd := 0.0
			switch {
			case y > yh:
				dd = -1
			case y < yh:
				dd = 1
			}
			if d < theta {
				u := d / epsilon
				ua := math.Pow(u, a)
				sum += omega * math.Log1p(ua)
				if u > 0 {
					grad[i] = omega * a * math.Pow(u, a-1) / (1 + ua) / epsilon * dd
				}
			} else {
				c := theta*bigA - omega*math.Log1p(math.Pow(r, a))
				sum += bigA*d - c
				grad[i] = bigA * dd
			}
		}
		out := tensor.Scalar(E(sum))
		return autograd.Op("AdapWingLoss", out, []*v[E]{p}, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
			g := float64(gy.Item())
			gd := make([]E, len(grad))
			for i, x := range grad {
				gd[i] = E(g * x)
			}
			return []*tensor.Dense[E]{tensor.FromSlice(gd, p.Shape()...)}
		})
	}
}
