package autograd

import (
	"fmt"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// ReluBatchNormChannelDropout is ChannelDropout(BatchNorm(Relu(x))),
// ivadomed's conv block after each convolution: the same values, the
// same running-statistics update, the same mask drawn from rng (p = 0 or
// evaluation draws none) and the same gradients, bit for bit, as the
// three ops with the same train flag (see BatchNorm and ChannelDropout
// for their definitions).
//
// What it keeps for the backward pass is less: relu(x), written over x's
// buffer when ReluInPlace could, and 4 numbers per channel and one per
// (sample, channel) plane. The three ops keep relu(x) and the dropout's
// output, which the next convolution reads again for its weight
// gradient. Here that output can be rebuilt from relu(x) in one pass: a
// caller that is done with it calls Drop once the ops that read it have
// run, and Backward recomputes it for each of their backward passes.
func ReluBatchNormChannelDropout[E Float](x, gamma, beta *Var[E], runMean, runVar *tensor.Dense[E], train bool, momentum, eps, p float64, rng *tensor.RNG) *Var[E] {
	const op = "ReluBatchNormChannelDropout"
	xs := x.Shape()
	n, c, s := normShape(op, xs, shapeOf(gamma), shapeOf(beta))
	if (runMean == nil) != (runVar == nil) || (runMean != nil && (runMean.Len() != c || runVar.Len() != c)) {
		panic(fmt.Sprintf("autograd: %s of shape %v: running mean and variance must both be nil or both have %d elements", op, xs, c))
	}
	if runMean == nil {
		train = true // no running statistics: batch statistics (see BatchNorm)
	}
	if train && n*s <= 1 {
		panic(fmt.Sprintf("autograd: %s of shape %v: expected more than 1 value per channel", op, xs))
	}
	checkDropoutP(op, p)
	// a = relu(x), over x's buffer when no one can tell (see ReluInPlace).
	inPlace := overwritable(x)
	a := x.data
	if inPlace {
		kernels.Relu(a.Data(), a.Data())
	} else {
		xc, xcopy := contig(x.data)
		a = tensor.Empty[E](xs...)
		kernels.Relu(a.Data(), xc.Data())
		if xcopy {
			xc.Release()
		}
	}
	g, b := dataOf(gamma), dataOf(beta)
	mean, invstd := tensor.Empty[E](c), tensor.Empty[E](c)
	scale, shift := tensor.Empty[E](c), tensor.Empty[E](c)
	var mask *tensor.Dense[E]
	if train {
		kernels.BatchNormStats(n, c, s, a.Data(), g, b, E(eps), mean.Data(), invstd.Data(), scale.Data(), shift.Data())
		if runMean != nil {
			updateRunning(runMean, runVar, mean.Data(), invstd.Data(), n*s, momentum, eps)
		}
		if p > 0 {
			mask = dropoutMask[E](n*c, p, rng)
		}
	} else {
		// The running statistics as they are now (mean and invstd hold
		// them): the caller may update them before Backward runs.
		copy(mean.Data(), runMean.Contiguous().Data())
		copy(invstd.Data(), runVar.Contiguous().Data())
		kernels.BatchNormInferenceAffine(c, g, b, mean.Data(), invstd.Data(), E(eps), scale.Data(), shift.Data())
	}
	// remake rebuilds relu(x) into a when it was released after the
	// forward pass (see again below).
	remake := func() {
		if st := a.Storage(); st.Released() {
			st.Refill(a.Len())
			x.again(a)
			kernels.Relu(a.Data(), a.Data())
		}
	}
	apply := func(dst *tensor.Dense[E]) {
		remake()
		var ms []E
		if mask != nil {
			ms = mask.Data()
		}
		ad := a.Data()
		eachSample(dst, func(b0, b1 int, d []E) {
			var m []E
			if ms != nil {
				m = ms[b0*c : b1*c]
			}
			kernels.BatchNormApply(b1-b0, c, s, ad[b0*c*s:b1*c*s], scale.Data(), shift.Data(), m, d)
		})
	}
	y := tensor.Empty[E](xs...)
	apply(y)
	saved := []*tensor.Dense[E]{mean, invstd, scale, shift, mask}
	if !inPlace {
		saved = append(saved, a)
	}
	var v *Var[E]
	v = record(op, y, vars(x, gamma, beta), saved, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		v.remat = nil // no op left to differentiate reads y
		remake()
		dy := gradBuffer(gy)
		if mask != nil {
			kernels.ScalePlanes(dy.Data(), dy.Data(), s, mask.Data())
		}
		var dx, dg, db *tensor.Dense[E]
		if train {
			dx, dg, db = batchNormTrainBackward(n, c, s, xs, a.Data(), dy.Data(), g, mean.Data(), invstd.Data(), needs(gamma), needs(beta))
		} else {
			// mean and invstd hold the running mean and variance here.
			dx, dg, db = batchNormEvalBackward(n, c, s, a.Data(), dy.Data(), g, mean.Data(), invstd.Data(), eps, true, needs(gamma), needs(beta))
			dx = dx.Reshape(xs...)
		}
		if dy != gy {
			dy.Release()
		}
		if !needs(x) {
			dx.Release()
			return []*tensor.Dense[E]{nil, dg, db}
		}
		kernels.ReluBackward(dx.Data(), a.Data(), dx.Data())
		return []*tensor.Dense[E]{dx, dg, db}
	})
	if v.requiresGrad {
		v.remat = apply
	}
	if inPlace && v.requiresGrad && x.again != nil && earlyRelease {
		// x's op can run again cheaply: relu(x), x's buffer, goes back now
		// and is rebuilt for the backward passes that read it (the next
		// convolution's, through y's rebuild, and this op's), then
		// released with x's storage. In a 2D U-Net that is the first
		// block's output, the largest map, through the whole step.
		a.Release()
	}
	if inPlace {
		consume(x)
		if !v.requiresGrad && earlyRelease {
			// No backward reads relu(x), and x is consumed: its buffer goes
			// back now rather than to the garbage collector (inference
			// under NoGrad, where nothing else releases it).
			a.Release()
		}
	}
	return fresh(v)
}

// updateRunning updates BatchNorm's running statistics in place from the
// batch's mean and invstd over m values per channel, as PyTorch does
// (the running variance is unbiased).
func updateRunning[E Float](runMean, runVar *tensor.Dense[E], md, isd []E, m int, momentum, eps float64) {
	rm, rv := runMean.Contiguous(), runVar.Contiguous()
	rmd, rvd := rm.Data(), rv.Data()
	mf := float64(m)
	for ch := range rmd {
		is := float64(isd[ch])
		biased := 1/(is*is) - eps
		rmd[ch] = E((1-momentum)*float64(rmd[ch]) + momentum*float64(md[ch]))
		rvd[ch] = E((1-momentum)*float64(rvd[ch]) + momentum*biased*mf/(mf-1))
	}
	if rm != runMean {
		runMean.CopyFrom(rm)
		runVar.CopyFrom(rv)
	}
}

// eachSample calls f with the elements of samples [b0, b1) of dst
// [N, ...]: once for all of them when dst is contiguous, else once per
// sample, each of which must be contiguous (dst a channel range of a
// concatenation, which a recomputation fills in place).
func eachSample[E Float](dst *tensor.Dense[E], f func(b0, b1 int, d []E)) {
	n := dst.Dim(0)
	if dst.IsContiguous() {
		f(0, n, dst.Data())
		return
	}
	for b := range n {
		f(b, b+1, dst.Narrow(0, b, 1).Data())
	}
}

// rebuild refills v's data by its remat when Drop released it, and
// reports whether it did (the caller then releases it again).
func rebuild[E Float](v *Var[E]) bool {
	if v.remat == nil || !v.data.Storage().Released() {
		return false
	}
	v.data.Storage().Refill(v.data.Len())
	v.remat(v.data)
	return true
}

// allRemat reports whether every one of xs can be rebuilt after Drop
// (see available); nil inputs (a custom op's absent ones) do not count.
func allRemat[E Float](xs []*Var[E]) bool {
	for _, x := range xs {
		if x != nil && !available(x) {
			return false
		}
	}
	return true
}

// available reports whether x's data can be had again during Backward,
// for an op that recomputes its output from x (see Var.remat): x can be
// rebuilt itself, or Drop can never release it. The latter holds for good
// once it holds: an op that is not fresh reads its output in its own
// backward pass, a recorded reader's count never falls, and a pinned Var
// stays pinned; and no op may overwrite x in place once another took it.
// Backward releases x only after every op that came after it, the
// rebuilt one's readers included, has run its backward pass.
func available[E Float](x *Var[E]) bool {
	if x.remat != nil {
		return true
	}
	return !x.released && (!x.fresh || x.pinned || x.reads > 0)
}
