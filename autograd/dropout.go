package autograd

import (
	"fmt"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// Dropout zeroes each element of x with probability p and scales the rest
// by 1/(1−p) (inverted dropout, as torch.nn.functional.dropout), drawing
// from rng. Outside training (train false) or with p = 0 it returns x
// unchanged. p = 1 zeroes everything.
func Dropout[E Float](x *Var[E], p float64, train bool, rng *tensor.RNG) *Var[E] {
	checkDropoutP("Dropout", p)
	if !train || p == 0 {
		return x
	}
	mask := dropoutMask[E](x.data.Len(), p, rng).Reshape(x.Shape()...)
	out := tensor.Mul(x.data, mask)
	return fresh(record("Dropout", out, vars(x), []*tensor.Dense[E]{mask}, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(tensor.Mul(gy, mask))
	}))
}

// ChannelDropout zeroes whole channels (axis 1 of an N×C×… input) with
// probability p and scales the kept ones by 1/(1−p), as PyTorch's
// Dropout1d/2d/3d.
func ChannelDropout[E Float](x *Var[E], p float64, train bool, rng *tensor.RNG) *Var[E] {
	return channelDropout(x, p, train, rng, false)
}

func checkDropoutP(op string, p float64) {
	if p < 0 || p > 1 {
		panic(fmt.Sprintf("autograd: %s probability %v outside [0, 1]", op, p))
	}
}

// dropoutMask draws n factors: 0 with probability p, else 1/(1−p).
func dropoutMask[E Float](n int, p float64, rng *tensor.RNG) *tensor.Dense[E] {
	mask := tensor.Empty[E](n)
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
	return mask
}

// channelDropout scales each (sample, channel) plane by its mask factor,
// over x's own buffer when inPlace is asked for and safe.
func channelDropout[E Float](x *Var[E], p float64, train bool, rng *tensor.RNG, inPlace bool) *Var[E] {
	const op = "ChannelDropout"
	xs := x.Shape()
	if len(xs) < 2 {
		panic(fmt.Sprintf("autograd: %s of shape %v: want N×C×…", op, xs))
	}
	checkDropoutP(op, p)
	if !train || p == 0 {
		return x
	}
	planes := xs[0] * xs[1]
	mask := dropoutMask[E](planes, p, rng)
	plane := 0
	if planes > 0 {
		plane = x.data.Len() / planes
	}
	in := inPlace && overwritable(x)
	xc, xcopy := contig(x.data)
	out := xc
	if !in {
		out = tensor.Empty[E](xs...)
	}
	kernels.ScalePlanes(out.Data(), xc.Data(), plane, mask.Data())
	if xcopy {
		xc.Release()
	}
	v := record(op, out, vars(x), []*tensor.Dense[E]{mask}, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		dx := gradBuffer(gy)
		kernels.ScalePlanes(dx.Data(), dx.Data(), plane, mask.Data())
		return grads(dx)
	})
	if in {
		consume(x)
	}
	return fresh(v)
}
