package autograd

import (
	"fmt"
	"slices"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// ConvOpts are the hyper-parameters of Conv and ConvTranspose, one value
// per spatial axis. Nil Stride and Dilation mean 1, nil Pad and
// OutputPadding mean 0, Groups 0 means 1.
type ConvOpts struct {
	Stride, Pad, Dilation []int
	Groups                int
	OutputPadding         []int // ConvTranspose only
}

// contig returns t itself when it is contiguous, else a contiguous copy,
// and whether it copied (a copy is the caller's to release).
func contig[E Float](t *tensor.Dense[E]) (*tensor.Dense[E], bool) {
	c := t.Contiguous()
	return c, c != t
}

// convCheck panics unless x and w have the ranks of a 1D to 3D
// convolution and b, when given, is a vector; it returns b's shape.
func convCheck[E Float](op string, xs, ws []int, b *Var[E]) []int {
	if nd := len(xs) - 2; nd < 1 || nd > 3 || len(ws) != len(xs) {
		panic(fmt.Sprintf("autograd: %s of input %v with weight %v: want N×C×(1 to 3 spatial axes) and a weight of the same rank", op, xs, ws))
	}
	if b == nil {
		return nil
	}
	bs := b.Shape()
	if len(bs) != 1 {
		panic(fmt.Sprintf("autograd: %s bias of shape %v", op, bs))
	}
	return bs
}

// Conv is PyTorch's conv1d/conv2d/conv3d (chosen by x's rank): x is
// [N, Cin, spatial...], w is [Cout, Cin/Groups, kernel...] and b is
// [Cout] or nil.
func Conv[E Float](x, w, b *Var[E], o ConvOpts) *Var[E] {
	p, out := convParams("Conv", x.Shape(), w, b, o)
	return convRecord("Conv", x, w, b, o, out, convPasses[E]{
		cheap:          volume(w.Shape()[1:]) <= cheapConv,
		forward:        func(x, w, b, y []E) { kernels.ConvForward(p, x, w, b, y) },
		backwardData:   func(dy, w, dx []E) { kernels.ConvBackwardData(p, dy, w, dx) },
		backwardWeight: func(x, dy, dw, db []E) { kernels.ConvBackwardWeight(p, x, dy, dw, db) },
	})
}

// convParams checks a convolution of an input of shape xs with w and b
// and returns its kernel parameters and output shape.
func convParams[E Float](op string, xs []int, w, b *Var[E], o ConvOpts) (kernels.ConvParams, []int) {
	ws := w.Shape()
	bs := convCheck(op, xs, ws, b)
	groups := max(o.Groups, 1)
	if xs[1] != ws[1]*groups || (b != nil && bs[0] != ws[0]) {
		panic(fmt.Sprintf("autograd: %s of input %v with weight %v, bias %v and %d groups", op, xs, ws, bs, groups))
	}
	p := kernels.ConvParams{N: xs[0], Cin: xs[1], Cout: ws[0], In: xs[2:], Kernel: ws[2:],
		Stride: o.Stride, Pad: o.Pad, Dilation: o.Dilation, Groups: groups}
	return p, append([]int{xs[0], ws[0]}, p.Out()...)
}

// ConvLeaky is Conv(LeakyRelu(x, slope), w, b, o) without the
// activation's own pass where the kernels apply it as they read x
// (kernels.ConvForwardLeaky, kernels.ConvBackwardWeightLeaky): a
// pre-activation block's LeakyReLU and convolution. Its backward pass
// reads x, not the activation: the input gradient is backward-data's
// through LeakyReluBackward of x.
func ConvLeaky[E Float](x, w, b *Var[E], slope E, o ConvOpts) *Var[E] {
	p, out := convParams("ConvLeaky", x.Shape(), w, b, o)
	return convRecord("ConvLeaky", x, w, b, o, out, convPasses[E]{
		forward:        func(x, w, b, y []E) { kernels.ConvForwardLeaky(p, x, slope, w, b, y) },
		backwardData:   func(dy, w, dx []E) { kernels.ConvBackwardData(p, dy, w, dx) },
		backwardWeight: func(x, dy, dw, db []E) { kernels.ConvBackwardWeightLeaky(p, x, slope, dy, dw, db) },
		mask:           func(x, dx []E) { kernels.LeakyReluBackward(dx, x, dx, slope) },
	})
}

// ConvUpsampled is Conv(Interpolate(x, 2·size, InterpNearest, false), w,
// b, o) for a convolution of kernel 3, padding 1, stride 1 and one group:
// an upsampling block of the Modified 3D U-Net's decoder. The kernels
// compute it at x's resolution where that is faster
// (kernels.ConvForwardUpsampled), and the upsampled map is never made or
// kept; the results then agree with Conv of the upsampling to rounding.
func ConvUpsampled[E Float](x, w, b *Var[E], o ConvOpts) *Var[E] {
	xs := x.Shape()
	us := slices.Clone(xs)
	for i := 2; i < len(us); i++ {
		us[i] *= 2
	}
	p, out := convParams("ConvUpsampled", us, w, b, o)
	if !kernels.ConvUpsampledFits(p) {
		panic(fmt.Sprintf("autograd: ConvUpsampled of input %v with weight %v and %+v: want kernel 3, padding 1, stride 1, dilation 1 and one group", xs, w.Shape(), o))
	}
	return convRecord("ConvUpsampled", x, w, b, o, out, convPasses[E]{
		forward:        func(x, w, b, y []E) { kernels.ConvForwardUpsampled(p, x, w, b, y) },
		backwardData:   func(dy, w, dx []E) { kernels.ConvBackwardUpsampled(p, nil, dy, w, dx, nil, nil) },
		backwardWeight: func(x, dy, dw, db []E) { kernels.ConvBackwardUpsampled(p, x, dy, nil, nil, dw, db) },
		both:           func(x, dy, w, dx, dw, db []E) { kernels.ConvBackwardUpsampled(p, x, dy, w, dx, dw, db) },
	})
}

// weightGrads are a convolution's weight gradient and, where its bias
// needs one, the bias gradient (dbs its data, nil without).
type weightGrads[E Float] struct {
	dw, db *tensor.Dense[E]
	dbs    []E
}

func newWeightGrads[E Float](w, b *Var[E]) weightGrads[E] {
	g := weightGrads[E]{dw: tensor.Empty[E](w.Shape()...)}
	if b != nil && needs(b) {
		g.db = tensor.Empty[E](b.Shape()...)
		g.dbs = g.db.Data()
	}
	return g
}

// hand sets gs[0] to dw where w needs it (else releases it) and gs[1] to
// db where there is one.
func (g weightGrads[E]) hand(gs []*tensor.Dense[E], w *Var[E]) {
	if needs(w) {
		gs[0] = g.dw
	} else {
		g.dw.Release()
	}
	if g.db != nil {
		gs[1] = g.db
	}
}

// checkOut panics unless every spatial size of out, the output of op on
// input xs with weight ws, is positive.
func checkOut(op string, xs, ws []int, o ConvOpts, out []int) {
	for _, s := range out[2:] {
		if s < 1 {
			panic(fmt.Sprintf("autograd: %s of input %v with weight %v and %+v gives output %v", op, xs, ws, o, out))
		}
	}
}

// ConvTranspose is PyTorch's conv_transpose1d/2d/3d: x is
// [N, Cin, spatial...], w is [Cin, Cout/Groups, kernel...] and b is
// [Cout] or nil. The output size is (in−1)·stride − 2·pad +
// dilation·(k−1) + outputPadding + 1.
func ConvTranspose[E Float](x, w, b *Var[E], o ConvOpts) *Var[E] {
	xs, ws := x.Shape(), w.Shape()
	bs := convCheck("ConvTranspose", xs, ws, b)
	groups := max(o.Groups, 1)
	cout := ws[1] * groups
	if xs[1] != ws[0] || (b != nil && bs[0] != cout) {
		panic(fmt.Sprintf("autograd: ConvTranspose of input %v with weight %v, bias %v and %d groups", xs, ws, bs, groups))
	}
	p := kernels.ConvTransposeParams{N: xs[0], Cin: xs[1], Cout: cout, In: xs[2:], Kernel: ws[2:],
		Stride: o.Stride, Pad: o.Pad, Dilation: o.Dilation, OutputPadding: o.OutputPadding, Groups: groups}
	return convRecord("ConvTranspose", x, w, b, o, append([]int{xs[0], cout}, p.Out()...), convPasses[E]{
		forward:        func(x, w, b, y []E) { kernels.ConvTransposeForward(p, x, w, b, y) },
		backwardData:   func(dy, w, dx []E) { kernels.ConvTransposeBackwardData(p, dy, w, dx) },
		backwardWeight: func(x, dy, dw, db []E) { kernels.ConvTransposeBackwardWeight(p, x, dy, dw, db) },
	})
}

// cheapConv is the most multiply-adds per output element (input channels
// per group times kernel volume) of a convolution that is run again
// rather than have its output kept (see Var.again): a 2D U-Net's first
// convolution (1 channel, 3×3) costs 9, a thousandth of a training
// step's next one (64 channels, 3×3: 576 per output, and three passes).
const cheapConv = 32

// volume multiplies the sizes of s.
func volume(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}

// convPasses are the three kernels of a convolution-like op, bound to its
// parameters, on contiguous data; cheap says the forward pass may run
// again to rebuild the output (see Var.again).
type convPasses[E Float] struct {
	cheap          bool
	forward        func(x, w, b, y []E)
	backwardData   func(dy, w, dx []E)
	backwardWeight func(x, dy, dw, db []E)
	// mask, when set, turns backward-data's dx into x's gradient by x
	// (ConvLeaky's LeakyReLU): the backward pass keeps x for it.
	mask func(x, dx []E)
	// both, when set, computes dx and the weight gradients in one call
	// where both are needed (ConvUpsampled, whose passes share their
	// reading of dy).
	both func(x, dy, w, dx, dw, db []E)
}

// convRecord runs k.forward into a new tensor of shape out and records
// the op whose backward pass runs the other two kernels. Conv and
// ConvTranspose differ only in their kernels and shapes.
func convRecord[E Float](name string, x, w, b *Var[E], o ConvOpts, out []int, k convPasses[E]) *Var[E] {
	xs, ws := x.Shape(), w.Shape()
	checkOut(name, xs, ws, o, out)
	xc, xcopy := contig(x.data)
	wc, wcopy := contig(w.data)
	var bias []E
	if b != nil {
		bias = b.data.Contiguous().Data()
	}
	y := tensor.Empty[E](out...)
	k.forward(xc.Data(), wc.Data(), bias, y.Data())
	var saved []*tensor.Dense[E]
	if xcopy {
		saved = append(saved, xc)
	}
	if wcopy {
		saved = append(saved, wc)
	}
	inputs := vars(x, w, b)
	if b == nil {
		inputs = vars(x, w)
	}
	v := fresh(record(name, y, inputs, saved, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		g, gcopy := contig(gy)
		gs := make([]*tensor.Dense[E], len(inputs))
		// The weight gradient, the one pass that reads x unless a mask
		// does, runs first: an x that Drop released is rebuilt for it alone
		// and released again before dx takes a buffer of x's size (see
		// node.lazy).
		built := false
		if needs(w) || (b != nil && needs(b)) {
			built = rebuild(x)
			wg := newWeightGrads(w, b)
			if k.both != nil && needs(x) {
				gs[0] = tensor.Empty[E](xs...)
				k.both(xc.Data(), g.Data(), wc.Data(), gs[0].Data(), wg.dw.Data(), wg.dbs)
			} else {
				k.backwardWeight(xc.Data(), g.Data(), wg.dw.Data(), wg.dbs)
			}
			wg.hand(gs[1:], w)
			if built && k.mask == nil {
				x.data.Release()
				built = false
			}
		}
		if needs(x) && gs[0] == nil {
			gs[0] = tensor.Empty[E](xs...)
			k.backwardData(g.Data(), wc.Data(), gs[0].Data())
			if k.mask != nil {
				built = built || rebuild(x)
				k.mask(xc.Data(), gs[0].Data())
			}
		}
		if built {
			x.data.Release()
		}
		if gcopy {
			g.Release()
		}
		return gs
	}))
	if v.node != nil {
		v.node.lazy = true
	}
	// The network's input (a leaf, kept by the caller) through a cheap
	// convolution can be convolved again, bit for bit, while the weights
	// are unchanged, which they are until the optimiser's step.
	if k.cheap && v.requiresGrad && x.node == nil && !xcopy && !wcopy {
		v.again = func(dst *tensor.Dense[E]) { k.forward(xc.Data(), wc.Data(), bias, dst.Data()) }
	}
	return v
}
