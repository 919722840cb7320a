package nn

import (
	"fmt"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// FiLMGenerator is ivadomed's FiLMgenerator: an MLP from a metadata vector
// to 2·C values in (0, 1), Linear(n, 64)→σ→Linear(64, 16)→σ→Linear(16, 2C)→σ.
type FiLMGenerator struct {
	Base
	Linear1, Linear2, Linear3 *Linear
}

// NewFiLMGenerator returns a generator for nMeta metadata values and c
// channels.
func NewFiLMGenerator(nMeta, c int) *FiLMGenerator {
	const hid = 64
	m := &FiLMGenerator{Linear1: NewLinear(nMeta, hid), Linear2: NewLinear(hid, hid/4), Linear3: NewLinear(hid/4, 2*c)}
	m.Child("linear1", m.Linear1)
	m.Child("linear2", m.Linear2)
	m.Child("linear3", m.Linear3)
	return m
}

// FiLM is Feature-wise Linear Modulation (Perez et al. 2017) as ivadomed's
// FiLMlayer: out = γ ⊙ x + β with γ and β per sample and channel, made by a
// generator from the sample's metadata.
//
// Weight sharing follows ivadomed: the FiLM layers of a network are called
// in order, and from the second one on, the generator's hidden layer
// (linear2.weight) is replaced by the first layer's, at the first forward
// pass. PyTorch's parameter count drops accordingly after that pass, and
// ivadogo's does too.
type FiLM struct {
	Base
	C         int
	Generator *FiLMGenerator
}

// NewFiLM returns a FiLM layer for c channels conditioned on nMeta values.
func NewFiLM(nMeta, c int) *FiLM {
	if nMeta <= 0 {
		panic(fmt.Sprintf("nn: FiLM layer needs a positive number of metadata values, got %d", nMeta))
	}
	m := &FiLM{C: c, Generator: NewFiLMGenerator(nMeta, c)}
	m.Child("generator", m.Generator)
	return m
}

// Forward modulates x [N, C, spatial...] with the metadata meta [N, nMeta].
// shared is the hidden weight to tie to (nil for the first FiLM layer of
// the network); Forward returns the one the next layer must use.
func (m *FiLM) Forward(x, meta, shared *autograd.Value) (out, next *autograd.Value) {
	g := m.Generator
	if shared != nil && g.Linear2.Weight != shared {
		g.Linear2.Weight = shared
	}
	h := autograd.Sigmoid(g.Linear1.Forward(meta))
	h = autograd.Sigmoid(g.Linear2.Forward(h))
	p := autograd.Sigmoid(g.Linear3.Forward(h)) // [N, 2C]
	xs := x.Shape()
	if len(xs) < 3 || p.Shape()[0] != xs[0] {
		panic(fmt.Sprintf("nn: FiLM of input %v with metadata %v", xs, meta.Shape()))
	}
	c := xs[1]
	shape := append([]int{xs[0], 2 * m.C}, ones(len(xs)-2)...)
	p = autograd.Reshape(p, shape...)
	gamma := autograd.Narrow(p, 1, 0, c)
	beta := autograd.Narrow(p, 1, c, c)
	out = autograd.FiLM(x, gamma, beta)
	if tracer != nil {
		trace(m, "FiLM", out, 0)
	}
	return out, g.Linear2.Weight
}

// Params returns the γ and β the layer applies to a sample with metadata
// meta (ivadomed's FiLMlayer.gammas and .betas for that sample), one per
// channel. The generator is a function of the metadata alone, so no image
// is needed.
func (m *FiLM) Params(meta []float32) (gamma, beta []float32) {
	var p []float32
	autograd.NoGrad(func() {
		g := m.Generator
		x := autograd.Const(tensor.FromSlice(append([]float32(nil), meta...), 1, len(meta)))
		h := autograd.Sigmoid(g.Linear1.Forward(x))
		h = autograd.Sigmoid(g.Linear2.Forward(h))
		p = autograd.Sigmoid(g.Linear3.Forward(h)).Data().Contiguous().Data()
	})
	return p[:m.C:m.C], p[m.C:]
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// filmChain threads the shared hidden weight through a network's FiLM
// layers in call order.
type filmChain struct {
	meta, w *autograd.Value
}

// apply runs f on x if f is non-nil, tying weights along the chain.
func (c *filmChain) apply(f *FiLM, x *autograd.Value) *autograd.Value {
	if f == nil {
		return x
	}
	if c.meta == nil {
		panic("nn: the model has FiLM layers but no metadata was given")
	}
	var out *autograd.Value
	out, c.w = f.Forward(x, c.meta, c.w)
	// In the U-Nets x is a norm block's output and read by nothing else:
	// its buffer goes back now and is rebuilt for FiLM's backward pass
	// (Drop leaves it where it cannot be rebuilt).
	autograd.Drop(x)
	return out
}
