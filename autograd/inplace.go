package autograd

import (
	"slices"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// The in-place ops below write their result over their input's buffer
// when nothing can tell: the input was made by an op that marked it fresh
// (a convolution, a normalisation, an addition, dropout: their backward
// passes never read their own output), no op has taken it as an input
// yet, and nobody pinned it with Data. A model then keeps one activation
// buffer where conv → ReLU or norm → LeakyReLU → dropout would keep two
// or three. The input Var is consumed: any later use of it panics as a
// released Var. Where the conditions do not hold, each is its
// out-of-place twin, with the same result and gradients.

// fresh marks v's data as overwritable by an in-place op (see above).
func fresh[E Float](v *Var[E]) *Var[E] {
	v.fresh = true
	return v
}

// overwritable reports whether an in-place op may write over x's data.
func overwritable[E Float](x *Var[E]) bool {
	return x.fresh && x.uses == 0 && !x.pinned && !x.released && x.data.IsContiguous()
}

// consume marks x, whose data an in-place op has overwritten, unusable.
func consume[E Float](x *Var[E]) { x.released = true }

// ReluInPlace is Relu, computed over x's buffer when that is safe (see
// the comment above): x may not be used again unless it was not. Relu's
// backward needs only its output, which is what the buffer then holds.
func ReluInPlace[E Float](x *Var[E]) *Var[E] {
	if !overwritable(x) {
		return Relu(x)
	}
	out := x.data
	kernels.Relu(out.Data(), out.Data())
	v := record("Relu", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		dx := gradBuffer(gy)
		kernels.ReluBackward(dx.Data(), out.Data(), dx.Data())
		return grads(dx)
	})
	consume(x)
	return v
}

// LeakyReluInPlace is LeakyRelu, computed over x's buffer when that is
// safe (see the comment above) and slope > 0, so that the output has the
// input's signs and backward can work from it.
func LeakyReluInPlace[E Float](x *Var[E], slope E) *Var[E] {
	if !(slope > 0) || !overwritable(x) {
		return LeakyRelu(x, slope)
	}
	out := x.data
	kernels.LeakyRelu(out.Data(), out.Data(), slope)
	v := record("LeakyRelu", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		dx := gradBuffer(gy)
		kernels.LeakyReluBackward(dx.Data(), out.Data(), dx.Data(), slope)
		return grads(dx)
	})
	consume(x)
	return v
}

// AddLeakyReluInPlace is LeakyReluInPlace(Add(a, b), slope) in one pass,
// computed over a's buffer when that is safe (see the comment above): a
// residual block's sum and its activation. a and b must have one shape;
// the slope must be positive, so that the output's sign is the sum's and
// the backward pass reads the output alone. Otherwise, or where a may not
// be overwritten, it is the two ops.
func AddLeakyReluInPlace[E Float](a, b *Var[E], slope E) *Var[E] {
	if !(slope > 0) || !overwritable(a) || !slices.Equal(a.Shape(), b.Shape()) || !b.data.IsContiguous() {
		return LeakyReluInPlace(Add(a, b), slope)
	}
	out := a.data
	kernels.AddLeakyRelu(out.Data(), out.Data(), b.data.Data(), slope)
	v := record("AddLeakyRelu", out, vars(a, b), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		dx := gradBuffer(gy)
		kernels.LeakyReluBackward(dx.Data(), out.Data(), dx.Data(), slope)
		return grads(dx, dx)
	})
	consume(a)
	return v
}

// ChannelDropoutInPlace is ChannelDropout, computed over x's buffer when
// that is safe (see the comment above); it draws the same mask from rng.
func ChannelDropoutInPlace[E Float](x *Var[E], p float64, train bool, rng *tensor.RNG) *Var[E] {
	return channelDropout(x, p, train, rng, true)
}

// gradBuffer returns the contiguous buffer, holding gy, over which an
// elementwise backward pass computes its input's gradient: gy itself when
// it is contiguous, as it is then the engine's buffer, held by no other
// Var and released after this op's backward (Backward hands it on as the
// input's gradient instead), which saves a buffer and a stream of memory
// traffic; else a contiguous copy.
func gradBuffer[E Float](gy *tensor.Dense[E]) *tensor.Dense[E] {
	if gy.IsContiguous() {
		return gy
	}
	return gy.Clone()
}

// Drop tells the engine that the caller will not use v again. When no
// backward pass can read v's data (v was made by an op that never reads
// its output, with a buffer of its own, and every op that took it reads
// only its shape: Concat, Interpolate, MaxPool), or when the op that made
// v can recompute it (ReluBatchNormChannelDropout), the buffer goes back
// to the pool now instead of at Backward, and v is released; otherwise
// Drop does nothing. A recomputable v is rebuilt during Backward for each
// op whose backward reads it, and released again after it. A U-Net
// decoder drops the upsampled map and the skip features once they are
// concatenated (a fifth of a 2D U-Net's activations live only until
// then), and each conv block the normalised input of its second
// convolution once that has run.
func Drop[E Float](v *Var[E]) {
	if v == nil || !v.fresh || (v.reads > 0 && v.remat == nil) || v.pinned || v.released || !earlyRelease {
		return
	}
	v.data.Release()
	v.released = true
}
