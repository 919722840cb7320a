package autograd

import (
	"fmt"

	"github.com/ivadogo/ivadogo/tensor"
)

// Dropout zeroes each element of x with probability p and scales the rest
// by 1/(1−p) (inverted dropout, as torch.nn.functional.dropout), drawing
// from rng. Outside training (train false) or with p = 0 it returns x
// unchanged. p = 1 zeroes everything.
func Dropout[E Float](x *Var[E], p float64, train bool, rng *tensor.RNG) *Var[E] {
	return dropout("Dropout", x, p, train, rng, x.Shape())
}

// ChannelDropout zeroes whole channels (axis 1 of an N×C×… input) with
// probability p and scales the kept ones by 1/(1−p), as PyTorch's
// Dropout1d/2d/3d.
func ChannelDropout[E Float](x *Var[E], p float64, train bool, rng *tensor.RNG) *Var[E] {
	if x.data.Dims() < 2 {
		panic(fmt.Sprintf("autograd: ChannelDropout of shape %v: want N×C×…", x.Shape()))
	}
	ms := make([]int, x.data.Dims())
	for i := range ms {
		ms[i] = 1
	}
	ms[0], ms[1] = x.Dim(0), x.Dim(1)
	return dropout("ChannelDropout", x, p, train, rng, ms)
}

func dropout[E Float](op string, x *Var[E], p float64, train bool, rng *tensor.RNG, maskShape []int) *Var[E] {
	if p < 0 || p > 1 {
		panic(fmt.Sprintf("autograd: %s probability %v outside [0, 1]", op, p))
	}
	if !train || p == 0 {
		return x
	}
	mask := tensor.Empty[E](maskShape...)
	d := mask.Data()
	scale := E(0)
	if p < 1 {
		scale = E(1 / (1 - p))
	}
	for i := range d {
		if rng.Float64() < p {
			d[i] = 0
		} else {
			d[i] = scale
		}
	}
	out := tensor.Mul(x.data, mask)
	return record(op, out, vars(x), []*tensor.Dense[E]{mask}, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(tensor.Mul(gy, mask))
	})
}
