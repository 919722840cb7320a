package autograd

import (
	"fmt"
	"slices"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// ConvConcat is Conv(Concat(1, xs...), w, b, o) without the
// concatenation where the kernels read the parts in place
// (kernels.ConvForwardConcat, kernels.ConvBackwardWeightConcat): a
// decoder's convolution of an upsampled map and its skip connection. The
// backward pass writes each part's channels of the input gradient into a
// tensor of its own (kernels.ConvBackwardDataConcat).
func ConvConcat[E Float](xs []*Var[E], w, b *Var[E], o ConvOpts) *Var[E] {
	if len(xs) == 0 {
		panic("autograd: ConvConcat of no inputs")
	}
	ws := w.Shape()
	xs0 := xs[0].Shape()
	cin := 0
	for _, x := range xs {
		s := x.Shape()
		if len(s) != len(xs0) || len(s) < 3 || s[0] != xs0[0] || !slices.Equal(s[2:], xs0[2:]) {
			panic(fmt.Sprintf("autograd: ConvConcat of inputs %v and %v: want N×C×spatial with the same N and spatial sizes", xs0, s))
		}
		cin += s[1]
	}
	cat := append([]int{xs0[0], cin}, xs0[2:]...)
	bs := convCheck("ConvConcat", cat, ws, b)
	groups := max(o.Groups, 1)
	if cin != ws[1]*groups || (b != nil && bs[0] != ws[0]) {
		panic(fmt.Sprintf("autograd: ConvConcat of inputs of %d channels in all (%v) with weight %v, bias %v and %d groups", cin, cat, ws, bs, groups))
	}
	p := kernels.ConvParams{N: cat[0], Cin: cin, Cout: ws[0], In: cat[2:], Kernel: ws[2:],
		Stride: o.Stride, Pad: o.Pad, Dilation: o.Dilation, Groups: groups}
	out := append([]int{cat[0], ws[0]}, p.Out()...)
	checkOut("ConvConcat", cat, ws, o, out)
	parts := make([][]E, len(xs))
	copies := contigParts(xs, parts)
	var saved []*tensor.Dense[E]
	wc, wcopy := contig(w.data)
	if wcopy {
		saved = append(saved, wc)
	}
	var bias []E
	if b != nil {
		bias = b.data.Contiguous().Data()
	}
	y := tensor.Empty[E](out...)
	kernels.ConvForwardConcat(p, parts, wc.Data(), bias, y.Data())
	releaseAll(copies)
	inputs := append(slices.Clone(xs), w)
	if b != nil {
		inputs = append(inputs, b)
	}
	return fresh(record("ConvConcat", y, inputs, saved, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		g, gcopy := contig(gy)
		gs := make([]*tensor.Dense[E], len(inputs))
		nx := len(xs)
		if needs(w) || (b != nil && needs(b)) {
			// The parts as they are now: Backward has rebuilt those that
			// Drop released.
			copies := contigParts(xs, parts)
			wg := newWeightGrads(w, b)
			kernels.ConvBackwardWeightConcat(p, parts, g.Data(), wg.dw.Data(), wg.dbs)
			releaseAll(copies)
			wg.hand(gs[nx:], w)
		}
		if slices.ContainsFunc(xs, needs[E]) {
			// Each part's gradient in a tensor of its own, contiguous for
			// the ops before it; a part that needs none takes scratch.
			dxs := make([][]E, len(xs))
			var scratch []*tensor.Dense[E]
			for i, x := range xs {
				d := tensor.Empty[E](x.Shape()...)
				if needs(x) {
					gs[i] = d
				} else {
					scratch = append(scratch, d)
				}
				dxs[i] = d.Data()
			}
			kernels.ConvBackwardDataConcat(p, g.Data(), wc.Data(), dxs)
			releaseAll(scratch)
		}
		if gcopy {
			g.Release()
		}
		return gs
	}))
}

// contigParts sets parts[i] to the data of xs[i], a contiguous copy where
// it is not contiguous, and returns the copies, the caller's to release.
func contigParts[E Float](xs []*Var[E], parts [][]E) []*tensor.Dense[E] {
	var copies []*tensor.Dense[E]
	for i, x := range xs {
		xc, xcopy := contig(x.data)
		if xcopy {
			copies = append(copies, xc)
		}
		parts[i] = xc.Data()
	}
	return copies
}

// releaseAll hands ts back to the pool.
func releaseAll[E Float](ts []*tensor.Dense[E]) {
	for _, t := range ts {
		t.Release()
	}
}
