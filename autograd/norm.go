package autograd

import (
	"fmt"
	"math"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// normShape returns n, c, s for x viewed as [N, C, spatial...].
func normShape(op string, x []int, gamma, beta *[]int) (n, c, s int) {
	if len(x) < 2 {
		panic(fmt.Sprintf("autograd: %s of shape %v: want N×C×…", op, x))
	}
	n, c, s = x[0], x[1], 1
	for _, v := range x[2:] {
		s *= v
	}
	for _, p := range []*[]int{gamma, beta} {
		if p != nil && (len(*p) != 1 || (*p)[0] != c) {
			panic(fmt.Sprintf("autograd: %s of shape %v with an affine parameter of shape %v, want [%d]", op, x, *p, c))
		}
	}
	return n, c, s
}

func shapeOf[E Float](v *Var[E]) *[]int {
	if v == nil {
		return nil
	}
	s := v.Shape()
	return &s
}

func dataOf[E Float](v *Var[E]) []E {
	if v == nil {
		return nil
	}
	return v.data.Contiguous().Data()
}

// BatchNorm is PyTorch's batch_norm over x [N, C, spatial...] (BatchNorm1d
// to 3d). gamma and beta ([C]) may be nil for no affine transform.
//
// In training (train true), or when runMean is nil (PyTorch's
// track_running_stats=False), it normalises with the batch's mean and
// biased variance per channel. In training with running statistics, it
// then updates them in place exactly as PyTorch does:
//
//	runMean = (1 − momentum)·runMean + momentum·mean
//	runVar  = (1 − momentum)·runVar  + momentum·var·M/(M − 1)
//
// where M = N·spatial is the count per channel (the running variance is
// unbiased). In evaluation it normalises with runMean and runVar.
// PyTorch's defaults are momentum 0.1 and eps 1e-5.
func BatchNorm[E Float](x, gamma, beta *Var[E], runMean, runVar *tensor.Dense[E], train bool, momentum, eps float64) *Var[E] {
	xs := x.Shape()
	n, c, s := normShape("BatchNorm", xs, shapeOf(gamma), shapeOf(beta))
	if (runMean == nil) != (runVar == nil) || (runMean != nil && (runMean.Len() != c || runVar.Len() != c)) {
		panic(fmt.Sprintf("autograd: BatchNorm of shape %v: running mean and variance must both be nil or both have %d elements", xs, c))
	}
	xc, xcopy := contig(x.data)
	g, b := dataOf(gamma), dataOf(beta)
	y := tensor.Empty[E](xs...)
	inputs := vars(x, gamma, beta)
	if !train && runMean != nil {
		rm, rv := runMean.Contiguous().Data(), runVar.Contiguous().Data()
		kernels.BatchNormInference(n, c, s, xc.Data(), g, b, rm, rv, E(eps), y.Data())
		var saved []*tensor.Dense[E]
		if xcopy {
			saved = append(saved, xc)
		}
		// Running statistics are constants here; copy them, as the caller
		// may update them before Backward runs.
		rm, rv = append([]E(nil), rm...), append([]E(nil), rv...)
		return fresh(record("BatchNorm", y, inputs, saved, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
			gc, gcopy := contig(gy)
			dx, dg, db := batchNormEvalBackward(n, c, s, xc.Data(), gc.Data(), g, rm, rv, eps, needs(x), needs(gamma), needs(beta))
			if dx != nil {
				dx = dx.Reshape(xs...)
			}
			if gcopy {
				gc.Release()
			}
			return []*tensor.Dense[E]{dx, dg, db}
		}))
	}
	if n*s <= 1 {
		panic(fmt.Sprintf("autograd: BatchNorm in training of shape %v: expected more than 1 value per channel", xs))
	}
	mean, invstd := tensor.Empty[E](c), tensor.Empty[E](c)
	kernels.BatchNormForward(n, c, s, xc.Data(), g, b, E(eps), y.Data(), mean.Data(), invstd.Data())
	if runMean != nil {
		updateRunning(runMean, runVar, mean.Data(), invstd.Data(), n*s, momentum, eps)
	}
	saved := []*tensor.Dense[E]{mean, invstd}
	if xcopy {
		saved = append(saved, xc)
	}
	return fresh(record("BatchNorm", y, inputs, saved, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		gc, gcopy := contig(gy)
		dx, dg, db := batchNormTrainBackward(n, c, s, xs, xc.Data(), gc.Data(), g, mean.Data(), invstd.Data(), needs(gamma), needs(beta))
		if !needs(x) {
			dx.Release()
			dx = nil
		}
		if gcopy {
			gc.Release()
		}
		return []*tensor.Dense[E]{dx, dg, db}
	}))
}

// batchNormTrainBackward differentiates a training-mode batch norm of x
// (n×c×s, shaped xs) with the batch statistics mean and invstd; dg and db
// are nil where not wanted.
func batchNormTrainBackward[E Float](n, c, s int, xs []int, x, dy, gamma, mean, invstd []E, wantG, wantB bool) (dx, dg, db *tensor.Dense[E]) {
	dx = tensor.Empty[E](xs...)
	var dgs, dbs []E
	if wantG {
		dg = tensor.Empty[E](c)
		dgs = dg.Data()
	}
	if wantB {
		db = tensor.Empty[E](c)
		dbs = db.Data()
	}
	kernels.BatchNormBackward(n, c, s, x, dy, gamma, mean, invstd, dx.Data(), dgs, dbs)
	return dx, dg, db
}

// batchNormEvalBackward differentiates y = (x − rm)/√(rv + eps)·γ + β with
// the running statistics held constant.
func batchNormEvalBackward[E Float](n, c, s int, x, dy, gamma, rm, rv []E, eps float64, wantX, wantG, wantB bool) (dx, dg, db *tensor.Dense[E]) {
	if wantX {
		dx = tensor.Empty[E](n, c, s)
	}
	if wantG {
		dg = tensor.Empty[E](c)
	}
	if wantB {
		db = tensor.Empty[E](c)
	}
	kernels.Parallel(c, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			is := 1 / math.Sqrt(float64(rv[ch])+eps)
			ga := 1.0
			if gamma != nil {
				ga = float64(gamma[ch])
			}
			var sg, sgx float64
			for b := 0; b < n; b++ {
				o := (b*c + ch) * s
				for i := o; i < o+s; i++ {
					sg += float64(dy[i])
					sgx += float64(dy[i]) * (float64(x[i]) - float64(rm[ch])) * is
					if dx != nil {
						dx.Data()[i] = E(float64(dy[i]) * ga * is)
					}
				}
			}
			if dg != nil {
				dg.Data()[ch] = E(sgx)
			}
			if db != nil {
				db.Data()[ch] = E(sg)
			}
		}
	})
	return dx, dg, db
}

// GroupNorm is PyTorch's group_norm: x [N, C, spatial...] is normalised
// per sample over each of groups groups of C/groups channels, with the
// biased variance, then scaled and shifted per channel by gamma and beta
// ([C], or nil).
func GroupNorm[E Float](x *Var[E], groups int, gamma, beta *Var[E], eps float64) *Var[E] {
	return groupNorm("GroupNorm", x, groups, gamma, beta, eps, 1)
}

// groupNorm is GroupNorm (slope 1) or GroupNormLeakyRelu, recorded as op.
// The latter's backward pass takes the LeakyReLU's gradient from its own
// output, whose signs are its input's, as LeakyReluInPlace does: the
// output is not marked fresh, so no in-place op writes over it.
func groupNorm[E Float](op string, x *Var[E], groups int, gamma, beta *Var[E], eps float64, slope E) *Var[E] {
	xs := x.Shape()
	n, c, s := normShape(op, xs, shapeOf(gamma), shapeOf(beta))
	if groups < 1 || c%groups != 0 {
		panic(fmt.Sprintf("autograd: %s of shape %v into %d groups", op, xs, groups))
	}
	xc, xcopy := contig(x.data)
	g, b := dataOf(gamma), dataOf(beta)
	y := tensor.Empty[E](xs...)
	mean, invstd := tensor.Empty[E](n*groups), tensor.Empty[E](n*groups)
	kernels.GroupNormLeakyReluForward(n, c, s, groups, xc.Data(), g, b, E(eps), slope, y.Data(), mean.Data(), invstd.Data())
	saved := []*tensor.Dense[E]{mean, invstd}
	if xcopy {
		saved = append(saved, xc)
	}
	v := record(op, y, vars(x, gamma, beta), saved, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		var dy, dx *tensor.Dense[E]
		dyCopy := false
		if slope != 1 {
			// The LeakyReLU's gradient and then the norm's, over one
			// buffer: gy's where it is the engine's (gradBuffer), so
			// that, as for GroupNorm then LeakyReluInPlace, the pair
			// takes no activation-sized buffer of its own.
			dy = gradBuffer(gy)
			dx = dy
		} else {
			dy, dyCopy = contig(gy)
			dx = tensor.Empty[E](xs...)
		}
		dg, db, dgs, dbs := affineGrads(gamma, beta, c)
		if slope != 1 {
			kernels.GroupNormLeakyReluBackward(n, c, s, groups, xc.Data(), y.Data(), dy.Data(), g, mean.Data(), invstd.Data(), slope, dx.Data(), dgs, dbs)
		} else {
			kernels.GroupNormBackward(n, c, s, groups, xc.Data(), dy.Data(), g, mean.Data(), invstd.Data(), dx.Data(), dgs, dbs)
		}
		if !needs(x) {
			if dx != gy { // gy is the engine's to hand back
				dx.Release()
			}
			dx = nil
		}
		if dyCopy {
			dy.Release()
		}
		return []*tensor.Dense[E]{dx, dg, db}
	})
	if slope != 1 {
		return v
	}
	return fresh(v)
}

// GroupNormLeakyRelu is LeakyRelu(GroupNorm(x, groups, gamma, beta, eps),
// slope) in one pass over the output (kernels.GroupNormLeakyReluForward),
// for a slope in (0, 1]; it saves the LeakyReLU's pass of GroupNorm
// followed by LeakyReluInPlace, with the same results and gradients.
func GroupNormLeakyRelu[E Float](x *Var[E], groups int, gamma, beta *Var[E], eps float64, slope E) *Var[E] {
	if !(slope > 0 && slope <= 1) {
		panic(fmt.Sprintf("autograd: GroupNormLeakyRelu slope %v outside (0, 1]", slope))
	}
	return groupNorm("GroupNormLeakyRelu", x, groups, gamma, beta, eps, slope)
}

// InstanceNorm is PyTorch's instance_norm without running statistics
// (InstanceNorm1d/2d/3d's default): each (sample, channel) plane is
// normalised by its own mean and biased variance, then scaled and shifted
// by gamma and beta ([C], or nil).
func InstanceNorm[E Float](x, gamma, beta *Var[E], eps float64) *Var[E] {
	if x.data.Dims() < 2 {
		panic(fmt.Sprintf("autograd: InstanceNorm of shape %v: want N×C×…", x.Shape()))
	}
	return GroupNorm(x, x.Dim(1), gamma, beta, eps)
}

// affineGrads returns the gradients of a norm's gamma and beta, [c]
// each, and their data, for those that need one (nil otherwise).
func affineGrads[E Float](gamma, beta *Var[E], c int) (dg, db *tensor.Dense[E], dgs, dbs []E) {
	if needs(gamma) {
		dg = tensor.Empty[E](c)
		dgs = dg.Data()
	}
	if needs(beta) {
		db = tensor.Empty[E](c)
		dbs = db.Data()
	}
	return dg, db, dgs, dbs
}

// mixBackwardMaxOut is the most output channels for which
// GroupNormLeakyReluConv1's backward pass runs the fused kernel
// (kernels.GroupNormLeakyReluMixBackward), whose work per input channel
// grows with them, rather than rebuilding the map for the convolution's
// kernels. Measured at [2, 32, 48³], medians of 9, ms (fused against
// rebuilt): 1 output 3.6 / 6.9, 2 4.8 / 7.9, 4 6.6 / 10.0, 8 10.9 / 8.3,
// 16 19.8 / 11.8.
const mixBackwardMaxOut = 4

// GroupNormLeakyReluConv1 is Conv(GroupNormLeakyRelu(x, groups, gamma,
// beta, eps, slope), w, b) for a 1×1(×1) convolution w [Cout, C, 1, …]
// and b nil or [Cout]: a segmentation head (Modified3DUNet's in
// evaluation). The forward pass never makes the normalised map
// (kernels.GroupNormLeakyReluMix), which is written and read again
// otherwise; nor does the backward pass, for up to mixBackwardMaxOut
// outputs (kernels.GroupNormLeakyReluMixBackward), and above that it
// rebuilds the map. The output and gradients agree with the two ops' to
// rounding, not bit for bit.
func GroupNormLeakyReluConv1[E Float](x *Var[E], groups int, gamma, beta *Var[E], eps float64, slope E, w, b *Var[E]) *Var[E] {
	const op = "GroupNormLeakyReluConv1"
	xs, ws := x.Shape(), w.Shape()
	n, c, s := normShape(op, xs, shapeOf(gamma), shapeOf(beta))
	if groups < 1 || c%groups != 0 {
		panic(fmt.Sprintf("autograd: %s of shape %v into %d groups", op, xs, groups))
	}
	if !(slope > 0 && slope <= 1) {
		panic(fmt.Sprintf("autograd: %s slope %v outside (0, 1]", op, slope))
	}
	bs := convCheck(op, xs, ws, b)
	if ws[1] != c || volume(ws[2:]) != 1 || (b != nil && bs[0] != ws[0]) {
		panic(fmt.Sprintf("autograd: %s of input %v with weight %v and bias %v: want a 1×1 convolution of %d channels", op, xs, ws, bs, c))
	}
	cout := ws[0]
	xc, xcopy := contig(x.data)
	wc, wcopy := contig(w.data)
	g, bt := dataOf(gamma), dataOf(beta)
	var bias []E
	if b != nil {
		bias = b.data.Contiguous().Data()
	}
	out := tensor.Empty[E](append([]int{n, cout}, xs[2:]...)...)
	mean, invstd := tensor.Empty[E](n*groups), tensor.Empty[E](n*groups)
	kernels.GroupNormLeakyReluMix(n, c, s, groups, xc.Data(), g, bt, E(eps), slope, cout, wc.Data(), bias, out.Data(), mean.Data(), invstd.Data())
	saved := []*tensor.Dense[E]{mean, invstd}
	if xcopy {
		saved = append(saved, xc)
	}
	if wcopy {
		saved = append(saved, wc)
	}
	ones := make([]int, len(xs)-2)
	for i := range ones {
		ones[i] = 1
	}
	p := kernels.ConvParams{N: n, Cin: c, Cout: cout, In: xs[2:], Kernel: ones}
	return record(op, out, vars(x, gamma, beta, w, b), saved, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		dout, dcopy := contig(gy)
		if dcopy {
			defer dout.Release()
		}
		gs := make([]*tensor.Dense[E], 5)
		if cout > mixBackwardMaxOut {
			// Many outputs: the map, rebuilt, and the convolution's kernels.
			y := tensor.Empty[E](xs...)
			m2, is2 := tensor.Empty[E](n*groups), tensor.Empty[E](n*groups)
			kernels.GroupNormLeakyReluForward(n, c, s, groups, xc.Data(), g, bt, E(eps), slope, y.Data(), m2.Data(), is2.Data())
			m2.Release()
			is2.Release()
			defer y.Release()
			if needs(w) || needs(b) {
				wg := newWeightGrads(w, b)
				kernels.ConvBackwardWeight(p, y.Data(), dout.Data(), wg.dw.Data(), wg.dbs)
				wg.hand(gs[3:], w)
			}
			if needs(x) || needs(gamma) || needs(beta) {
				dy := tensor.Empty[E](xs...)
				kernels.ConvBackwardData(p, dout.Data(), wc.Data(), dy.Data())
				dg, db, dgs, dbs := affineGrads(gamma, beta, c)
				kernels.GroupNormLeakyReluBackward(n, c, s, groups, xc.Data(), y.Data(), dy.Data(), g, mean.Data(), invstd.Data(), slope, dy.Data(), dgs, dbs)
				gs[0], gs[1], gs[2] = dy, dg, db
			}
		} else {
			// dx is the kernel's scratch even where x needs no gradient.
			dx := tensor.Empty[E](xs...)
			dg, db, dgs, dbs := affineGrads(gamma, beta, c)
			var wg weightGrads[E]
			var dws []E
			if needs(w) || needs(b) {
				wg = newWeightGrads(w, b)
				dws = wg.dw.Data()
			}
			kernels.GroupNormLeakyReluMixBackward(n, c, s, groups, xc.Data(), g, bt, mean.Data(), invstd.Data(), slope, cout, wc.Data(), dout.Data(), dx.Data(), dgs, dbs, dws, wg.dbs)
			if dws != nil {
				wg.hand(gs[3:], w)
			}
			gs[0], gs[1], gs[2] = dx, dg, db
		}
		if !needs(x) && gs[0] != nil {
			gs[0].Release()
			gs[0] = nil
		}
		return gs
	})
}
