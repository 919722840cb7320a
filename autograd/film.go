package autograd

import (
	"fmt"
	"slices"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// FiLM is feature-wise linear modulation (Perez et al. 2017),
//
//	y[n, c, …] = γ[n, c]·x[n, c, …] + β[n, c],
//
// for x [N, C, spatial…] and γ, β of N·C values each ([N, C] or
// [N, C, 1, …]): Add(Mul(γ, x), β) in one pass, rounded once (an FMA).
//
// It keeps nothing as large as x for its backward pass, which reads x
// (for γ's gradient) and γ. The two ops kept x and their product; here a
// caller done with x may Drop it, and Backward rebuilds it for this op
// where it can be rebuilt (see Drop).
func FiLM[E Float](x, gamma, beta *Var[E]) *Var[E] {
	const op = "FiLM"
	xs := x.Shape()
	if len(xs) < 3 {
		panic(fmt.Sprintf("autograd: %s of input %v: want [N, C, spatial…]", op, xs))
	}
	n, c := xs[0], xs[1]
	for _, p := range []*Var[E]{gamma, beta} {
		ps := p.Shape()
		if len(ps) < 2 || ps[0] != n || ps[1] != c || p.data.Len() != n*c {
			panic(fmt.Sprintf("autograd: %s of input %v with γ %v and β %v: want [%d, %d] or [%d, %d, 1, …]", op, xs, gamma.Shape(), beta.Shape(), n, c, n, c))
		}
	}
	s := x.data.Len() / (n * c)
	// γ and β are N·C values: copies outlive the views they come from.
	g := slices.Clone(gamma.data.Contiguous().Data())
	b := slices.Clone(beta.data.Contiguous().Data())
	// apply writes y for the samples [b0, b1) into d.
	apply := func(xd []E, b0, b1 int, d []E) {
		for i := b0; i < b1; i++ {
			o := (i - b0) * c * s
			kernels.BatchNormApply(1, c, s, xd[i*c*s:(i+1)*c*s], g[i*c:(i+1)*c], b[i*c:(i+1)*c], nil, d[o:o+c*s])
		}
	}
	xc, xcopy := contig(x.data)
	y := tensor.Empty[E](xs...)
	apply(xc.Data(), 0, n, y.Data())
	if xcopy {
		xc.Release()
	}
	gs, bs := gamma.Shape(), beta.Shape()
	v := record(op, y, vars(x, gamma, beta), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		dyc, dycopy := contig(gy)
		dy := dyc.Data()
		var dx, dg, db *tensor.Dense[E]
		if needs(x) {
			dx = tensor.Empty[E](xs...)
			kernels.ScalePlanes(dx.Data(), dy, s, g)
		}
		if needs(gamma) || needs(beta) {
			var xd []E
			if needs(gamma) {
				xc, xcopy := contig(x.data)
				if xcopy {
					defer xc.Release()
				}
				xd = xc.Data()
				dg = tensor.Empty[E](gs...)
			}
			if needs(beta) {
				db = tensor.Empty[E](bs...)
			}
			kernels.Parallel(n*c, 1, func(lo, hi int) {
				for p := lo; p < hi; p++ {
					plane := dy[p*s : (p+1)*s]
					if dg != nil {
						dg.Data()[p] = kernels.Dot(plane, xd[p*s:(p+1)*s])
					}
					if db != nil {
						db.Data()[p] = kernels.Sum(plane)
					}
				}
			})
		}
		if dycopy {
			dyc.Release()
		}
		return []*tensor.Dense[E]{dx, dg, db}
	})
	if v.requiresGrad && !xcopy && available(x) {
		// y is rebuilt from x, itself rebuilt where it was dropped: a
		// U-Net's FiLMed skip features need not stay through the pass.
		v.remat = func(dst *tensor.Dense[E]) {
			built := rebuild(x)
			eachSample(dst, func(b0, b1 int, d []E) { apply(x.data.Data(), b0, b1, d) })
			if built {
				x.data.Release()
			}
		}
	}
	return fresh(v)
}
