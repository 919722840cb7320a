package nn

import (
	"math"

	"github.com/ivadogo/ivadogo/tensor"
)

// rng is the generator every initialiser and every dropout layer's own
// generator is drawn from, as PyTorch draws from its global one.
var rng = tensor.NewRNG(0)

// SetSeed reseeds the package's generator: models built after the same
// seed get the same initial weights and dropout masks.
func SetSeed(seed uint64) { rng = tensor.NewRNG(seed) }

// kaimingDefault fills w and b as PyTorch's Conv and Linear
// reset_parameters do: kaiming_uniform_(w, a=√5), i.e. U(±1/√fan_in),
// and the bias U(±1/√fan_in).
func kaimingDefault(w, b *tensor.Tensor) {
	w.KaimingUniform(rng, math.Sqrt(5), tensor.FanIn, "leaky_relu")
	if b != nil {
		fanIn, _ := tensor.Fans(w.Shape())
		bound := 0.0
		if fanIn > 0 {
			bound = 1 / math.Sqrt(float64(fanIn))
		}
		b.FillUniform(rng, float32(-bound), float32(bound))
	}
}
