//go:build !purego

package kernels

import (
	"fmt"
	"math"
)

// The memory-bound kernels of the AVX-512 and AVX2 tiers: each hook
// splits its slices over the workers and streams them through the leaf
// kernels of the installed tier (mk), so that the layer runs at memory
// (or cache) bandwidth. Every split depends only on the shapes, and every
// reduction adds its pieces in a fixed order, so results do not depend on
// the number of workers.

// memGrain is the fewest elements a worker is given.
const memGrain = 1 << 15

func reluHook(dst, x []float32) bool {
	Parallel(len(x), memGrain, func(lo, hi int) { mk.relu(dst[lo:hi], x[lo:hi]) })
	return true
}

func addHook(dst, a, b []float32) bool {
	Parallel(len(a), memGrain, func(lo, hi int) { mk.add(dst[lo:hi], a[lo:hi], b[lo:hi]) })
	return true
}

func subHook(dst, a, b []float32) bool {
	Parallel(len(a), memGrain, func(lo, hi int) { mk.sub(dst[lo:hi], a[lo:hi], b[lo:hi]) })
	return true
}

func mulHook(dst, a, b []float32) bool {
	Parallel(len(a), memGrain, func(lo, hi int) { mk.mul(dst[lo:hi], a[lo:hi], b[lo:hi]) })
	return true
}

func scaleHook(dst []float32, alpha float32, x []float32) bool {
	Parallel(len(x), memGrain, func(lo, hi int) { mk.axpb(dst[lo:hi], x[lo:hi], alpha, 0) })
	return true
}

// axpyHook: y += alpha·x, fused into one rounding.
func axpyHook(alpha float32, x, y []float32) bool {
	Parallel(len(x), memGrain, func(lo, hi int) { mk.axpbyc(y[lo:hi], x[lo:hi], y[lo:hi], alpha, 1, 0) })
	return true
}

// reduceHook sums f over the pieces of [0, n) in float64, one partial per
// piece, added in piece order so the result does not depend on timing.
func reduceHook(n int, f func(lo, hi int) float64) float32 {
	const piece = 1 << 16
	np := ceilDiv(n, piece)
	if np <= 1 {
		return float32(f(0, n))
	}
	partb := getScratch[float64](np)
	part := *partb
	Parallel(np, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			part[i] = f(i*piece, min((i+1)*piece, n))
		}
	})
	var s float64
	for _, v := range part {
		s += v
	}
	putScratch(partb)
	return float32(s)
}

func sumHook(x []float32) (float32, bool) {
	return reduceHook(len(x), func(lo, hi int) float64 { s, _ := mk.sumSq(x[lo:hi]); return s }), true
}

func sumSquaresHook(x []float32) (float32, bool) {
	return reduceHook(len(x), func(lo, hi int) float64 { _, q := mk.sumSq(x[lo:hi]); return q }), true
}

func dotHook(a, b []float32) (float32, bool) {
	return reduceHook(len(a), func(lo, hi int) float64 { _, d := mk.sumDot(a[lo:hi], b[lo:hi]); return d }), true
}

func reluBackwardHook(dx, y, dy []float32) bool {
	Parallel(len(dx), memGrain, func(lo, hi int) { mk.reluBackward(dx[lo:hi], y[lo:hi], dy[lo:hi]) })
	return true
}

// batchNormForwardHook: per channel, the float64 sum and sum of squares
// over the n planes, then y = x·a + b with a = γ·invstd, b = β − mean·a.
// A worker's channels are pipelined: channel ch is written in the loop
// that sums channel ch+1 (sumSqAxpb), so x streams from memory once while
// the plane just summed is re-read from cache.
func batchNormForwardHook(n, c, s int, x, gamma, beta []float32, eps float32, y, mean, invstd []float32) bool {
	if n*s == 0 {
		return false
	}
	Parallel(c, normGrain(c), func(lo, hi int) {
		var sum, sq float64
		for i := 0; i < n; i++ {
			a, b := mk.sumSq(x[(i*c+lo)*s : (i*c+lo+1)*s])
			sum += a
			sq += b
		}
		for ch := lo; ch < hi; ch++ {
			mu, is := meanInvStdF64(sum, sq, n*s, eps)
			mean[ch], invstd[ch] = float32(mu), float32(is)
			a, b := affineF32(gamma, beta, ch, mu, is)
			sum, sq = 0, 0
			for i := 0; i < n; i++ {
				o := (i*c + ch) * s
				if ch+1 < hi {
					p, q := mk.sumSqAxpb(y[o:o+s], x[o:o+s], a, b, x[o+s:o+2*s])
					sum += p
					sq += q
				} else {
					mk.axpb(y[o:o+s], x[o:o+s], a, b)
				}
			}
		}
	})
	return true
}

// meanInvStdF64 turns float64 sums over m values into the mean and
// 1/sqrt(biased variance + eps).
func meanInvStdF64(sum, sq float64, m int, eps float32) (mu, is float64) {
	mu = sum / float64(m)
	v := max(sq/float64(m)-mu*mu, 0)
	return mu, 1 / math.Sqrt(v+float64(eps))
}

// affineF32 returns a, b with (x − mu)·is·γ + β = x·a + b for channel ch.
func affineF32(gamma, beta []float32, ch int, mu, is float64) (a, b float32) {
	g, bt := 1.0, 0.0
	if gamma != nil {
		g = float64(gamma[ch])
	}
	if beta != nil {
		bt = float64(beta[ch])
	}
	return float32(g * is), float32(bt - mu*g*is)
}

// batchNormBackwardHook: with Σdy and Σdy·x per channel,
// dβ = Σdy, dγ = invstd·(Σdy·x − mean·Σdy), and
// dx = γ·invstd·(dy − dβ/M − x̂·dγ/M), an affine function of dy and x.
// Pipelined as the forward: channel ch's dx is written in the loop that
// sums channel ch+1.
func batchNormBackwardHook(n, c, s int, x, dy, gamma, mean, invstd, dx, dgamma, dbeta []float32) bool {
	if n*s == 0 {
		return false
	}
	M := float64(n * s)
	Parallel(c, normGrain(c), func(lo, hi int) {
		var sdy, sdyx float64
		for i := 0; i < n; i++ {
			o := (i*c + lo) * s
			a, b := mk.sumDot(dy[o:o+s], x[o:o+s])
			sdy += a
			sdyx += b
		}
		for ch := lo; ch < hi; ch++ {
			mu, is := float64(mean[ch]), float64(invstd[ch])
			dg := is * (sdyx - mu*sdy)
			if dgamma != nil {
				dgamma[ch] = float32(dg)
			}
			if dbeta != nil {
				dbeta[ch] = float32(sdy)
			}
			g := 1.0
			if gamma != nil {
				g = float64(gamma[ch])
			}
			a := g * is
			b := -g * is * is * dg / M
			cc := -b*mu - a*sdy/M
			sdy, sdyx = 0, 0
			for i := 0; i < n; i++ {
				o := (i*c + ch) * s
				if ch+1 < hi {
					p, q := mk.sumDotAxpbyc(dx[o:o+s], dy[o:o+s], x[o:o+s], float32(a), float32(b), float32(cc), dy[o+s:o+2*s], x[o+s:o+2*s])
					sdy += p
					sdyx += q
				} else {
					mk.axpbyc(dx[o:o+s], dy[o:o+s], x[o:o+s], float32(a), float32(b), float32(cc))
				}
			}
		}
	})
	return true
}

// groupNormForwardHook: statistics per (sample, group) over the group's
// contiguous c/groups·s values (summed channel by channel), then a
// per-channel affine map; pipelined as batchNormForwardHook, unit u
// written while unit u+1, the next in memory, is summed.
func groupNormForwardHook(n, c, s, groups int, x, gamma, beta []float32, eps float32, y, mean, invstd []float32) bool {
	if groups <= 0 || c%groups != 0 || s == 0 {
		return false
	}
	cg := c / groups
	us := cg * s // elements of one unit
	Parallel(n*groups, normGrain(n*groups), func(lo, hi int) {
		var sum, sq float64
		for k := 0; k < cg; k++ {
			a, b := mk.sumSq(x[lo*us+k*s : lo*us+(k+1)*s])
			sum += a
			sq += b
		}
		for u := lo; u < hi; u++ {
			g := u % groups
			mu, is := meanInvStdF64(sum, sq, us, eps)
			mean[u], invstd[u] = float32(mu), float32(is)
			sum, sq = 0, 0
			for k := 0; k < cg; k++ {
				a, b := affineF32(gamma, beta, g*cg+k, mu, is)
				o := u*us + k*s
				if u+1 < hi {
					p, q := mk.sumSqAxpb(y[o:o+s], x[o:o+s], a, b, x[o+us:o+us+s])
					sum += p
					sq += q
				} else {
					mk.axpb(y[o:o+s], x[o:o+s], a, b)
				}
			}
		}
	})
	return true
}

// groupNormBackwardHook: per (sample, group) unit, with
// x̂ = (x − mean)·invstd and dx̂ = γ·dy,
// dx = invstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)); the means come from
// per-channel Σdy and Σdy·x. Units are taken in memory order and
// pipelined as in the forward (unit u's dx written in the loop that sums
// unit u+1). Each unit leaves its terms of dγ and dβ in a buffer, added
// over the samples in order afterwards, so no sum depends on the split.
func groupNormBackwardHook(n, c, s, groups int, x, dy, gamma, mean, invstd, dx, dgamma, dbeta []float32) bool {
	if groups <= 0 || c%groups != 0 || s == 0 {
		return false
	}
	cg := c / groups
	us := cg * s // elements of one unit
	nu := n * groups
	var terms []float64
	var termsb *[]float64
	if dgamma != nil || dbeta != nil {
		termsb = getScratch[float64](2 * c * n)
		terms = (*termsb)[:2*c*n]
	}
	Parallel(nu, normGrain(nu), func(lo, hi int) {
		buf := make([]float64, 4*cg)
		sums, next := buf[:2*cg], buf[2*cg:]
		for k := 0; k < cg; k++ {
			o := lo*us + k*s
			sums[2*k], sums[2*k+1] = mk.sumDot(dy[o:o+s], x[o:o+s])
		}
		for u := lo; u < hi; u++ {
			g := u % groups
			mu, is := float64(mean[u]), float64(invstd[u])
			var m1, m2 float64
			for k := 0; k < cg; k++ {
				a, b := sums[2*k], sums[2*k+1]
				gk := 1.0
				if gamma != nil {
					gk = float64(gamma[g*cg+k])
				}
				m1 += gk * a
				m2 += gk * is * (b - mu*a)
				if terms != nil {
					terms[2*(u*cg+k)], terms[2*(u*cg+k)+1] = is*(b-mu*a), a
				}
			}
			m := float64(us)
			m1, m2 = m1/m, m2/m
			bx := -is * is * m2
			cc := -is*m1 + is*is*m2*mu
			for k := 0; k < cg; k++ {
				gk := 1.0
				if gamma != nil {
					gk = float64(gamma[g*cg+k])
				}
				p := u*us + k*s
				if u+1 < hi {
					next[2*k], next[2*k+1] = mk.sumDotAxpbyc(dx[p:p+s], dy[p:p+s], x[p:p+s], float32(is*gk), float32(bx), float32(cc), dy[p+us:p+us+s], x[p+us:p+us+s])
				} else {
					mk.axpbyc(dx[p:p+s], dy[p:p+s], x[p:p+s], float32(is*gk), float32(bx), float32(cc))
				}
			}
			sums, next = next, sums
		}
	})
	if terms != nil {
		// Unit u = i·groups + g holds channels g·cg + k at u·cg + k, so
		// channel ch of sample i is at i·c + ch.
		for ch := 0; ch < c; ch++ {
			var dg, db float64
			for i := 0; i < n; i++ {
				dg += terms[2*(i*c+ch)]
				db += terms[2*(i*c+ch)+1]
			}
			if dgamma != nil {
				dgamma[ch] = float32(dg)
			}
			if dbeta != nil {
				dbeta[ch] = float32(db)
			}
		}
		putScratch(termsb)
	}
	return true
}

// normGrain is the grain of the pipelined norm loops: about two pieces
// per worker, since the first unit of a piece is summed alone and its
// last written alone.
func normGrain(units int) int {
	return max(1, units/(2*Workers()))
}

// pool2 reports whether p is a kernel-2, stride-2, unpadded max pooling in
// 2 or 3 dimensions whose windows tile the input (floor mode), and the
// spatial sizes seen in 3D.
func pool2(p PoolParams) (in, out [3]int, ok bool) {
	nd := len(p.In)
	if nd < 2 || nd > 3 || len(p.Kernel) != nd {
		return in, out, false
	}
	in[0], out[0] = 1, 1
	for i := 0; i < nd; i++ {
		j := 3 - nd + i
		if p.Kernel[i] != 2 || at(p.Stride, i, 2) != 2 || at(p.Pad, i, 0) != 0 || p.In[i] < 2 {
			return in, out, false
		}
		if p.CeilMode && p.In[i]%2 != 0 {
			return in, out, false
		}
		in[j], out[j] = p.In[i], p.In[i]/2
	}
	if nd == 2 {
		in[0], out[0] = 1, 1
	}
	return in, out, true
}

// maxPool2ForwardHook: the 2×2 (×2) windows scanned in PyTorch's order,
// strict > so the first maximum wins, a NaN always wins (the last NaN).
func maxPool2ForwardHook(p PoolParams, x, y []float32, idx []int32) bool {
	in, out, ok := pool2(p)
	if !ok {
		return false
	}
	threeD := len(p.In) == 3
	H, W := in[1], in[2]
	inVol, outVol := in[0]*H*W, out[0]*out[1]*out[2]
	OW := out[2]
	Parallel(p.N*p.C, 1, func(lo, hi int) {
		var offs [4]int64
		rows := offs[:2]
		if threeD {
			rows = offs[:4]
		}
		for pl := lo; pl < hi; pl++ {
			xp := x[pl*inVol : (pl+1)*inVol]
			j := pl * outVol
			for od := 0; od < out[0]; od++ {
				for oh := 0; oh < out[1]; oh++ {
					b0 := int64((2*od*H + 2*oh) * W)
					offs[0], offs[1] = b0, b0+int64(W)
					offs[2], offs[3] = b0+int64(H*W), b0+int64(H*W+W)
					mk.maxPool2Rows(y[j:j+OW], idx[j:j+OW], xp, rows, OW)
					j += OW
				}
			}
		}
	})
	return true
}

// maxPool2BackwardHook: dx = 0, then dy scattered to the argmax indices,
// one plane at a time so the plane is still in cache for the scatter.
func maxPool2BackwardHook(p PoolParams, dy []float32, idx []int32, dx []float32) bool {
	in, out, ok := pool2(p)
	if !ok {
		return false
	}
	inVol, outVol := in[0]*in[1]*in[2], out[0]*out[1]*out[2]
	Parallel(p.N*p.C, 1, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			d := dx[pl*inVol : (pl+1)*inVol]
			clear(d)
			o := pl * outVol
			for j, i := range idx[o : o+outVol] {
				if uint(i) >= uint(inVol) {
					panic(fmt.Sprintf("kernels: MaxPoolBackward: idx[%d] = %d outside the plane of %d elements", o+j, i, inVol))
				}
				d[i] += dy[o+j]
			}
		}
	})
	return true
}

// mk is the installed tier's leaf kernels (nil in the generic tier).
var mk *memKernels

// installMemTier points the memory-bound hooks at tier t's kernels.
func installMemTier(t tier) {
	reluF32, reluBackwardF32 = nil, nil
	leakyReluF32, leakyReluBackwardF32 = nil, nil
	addF32, subF32, mulF32, scaleF32, axpyF32 = nil, nil, nil, nil, nil
	sumF32, dotF32, sumSquaresF32 = nil, nil, nil
	batchNormForwardF32, batchNormBackwardF32, batchNormInferenceF32 = nil, nil, nil
	groupNormForwardF32, groupNormBackwardF32 = nil, nil
	maxPoolForwardF32, maxPoolBackwardF32 = nil, nil
	adamF32 = nil
	avgPoolForwardF32, avgPoolBackwardF32 = nil, nil
	interpForwardF32, interpBackwardF32 = nil, nil
	switch t {
	case tierAVX512:
		mk = &memAVX512
	case tierAVX2:
		mk = &memAVX2
	default:
		mk = nil
		return
	}
	reluF32, reluBackwardF32 = reluHook, reluBackwardHook
	leakyReluF32, leakyReluBackwardF32 = leakyReluHook, leakyReluBackwardHook
	addF32, subF32, mulF32, scaleF32, axpyF32 = addHook, subHook, mulHook, scaleHook, axpyHook
	sumF32, dotF32, sumSquaresF32 = sumHook, dotHook, sumSquaresHook
	batchNormForwardF32, batchNormBackwardF32 = batchNormForwardHook, batchNormBackwardHook
	batchNormInferenceF32 = batchNormInferenceHook
	groupNormForwardF32, groupNormBackwardF32 = groupNormForwardHook, groupNormBackwardHook
	if mk.maxPool2Rows != nil {
		maxPoolForwardF32, maxPoolBackwardF32 = maxPool2ForwardHook, maxPool2BackwardHook
	}
	adamF32 = adamHook
	avgPoolForwardF32, avgPoolBackwardF32 = avgPool2ForwardHook, avgPool2BackwardHook
	interpForwardF32, interpBackwardF32 = interpForwardHook, interpBackwardHook
}

func leakyReluHook(dst, x []float32, slope float32) bool {
	Parallel(len(x), memGrain, func(lo, hi int) { mk.leakyRelu(dst[lo:hi], x[lo:hi], slope) })
	return true
}

func leakyReluBackwardHook(dx, x, dy []float32, slope float32) bool {
	Parallel(len(dx), memGrain, func(lo, hi int) { mk.leakyReluBackward(dx[lo:hi], x[lo:hi], dy[lo:hi], slope) })
	return true
}

// adamHook: the whole step in one pass over the four arrays.
func adamHook(p AdamParams, param, grad, m, v []float32) bool {
	c := newAdamCoefs[float32](p)
	Parallel(len(param), memGrain, func(lo, hi int) { mk.adam(&c, param[lo:hi], grad[lo:hi], m[lo:hi], v[lo:hi]) })
	return true
}

// batchNormInferenceHook: y = x·a + b per plane with the running
// statistics folded into a and b, one pass.
func batchNormInferenceHook(n, c, s int, x, gamma, beta, runMean, runVar []float32, eps float32, y []float32) bool {
	Parallel(n*c, 1, func(lo, hi int) {
		for bc := lo; bc < hi; bc++ {
			ch := bc % c
			a, b := affineF32(gamma, beta, ch, float64(runMean[ch]), 1/math.Sqrt(float64(runVar[ch])+float64(eps)))
			mk.axpb(y[bc*s:(bc+1)*s], x[bc*s:(bc+1)*s], a, b)
		}
	})
	return true
}
