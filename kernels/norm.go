package kernels

import "fmt"

// checkNorm panics unless the slices of a normalisation over x viewed as
// [n, c, s] have the lengths the shape implies (gamma and beta may be nil;
// stats is the length of mean and invstd).
func checkNorm(kernel string, n, c, s, stats int, x, gamma, beta, mean, invstd int, hasGamma, hasBeta bool) {
	if n < 0 || c < 1 || s < 0 {
		panic(fmt.Sprintf("kernels: %s: invalid shape n=%d c=%d s=%d", kernel, n, c, s))
	}
	mustLen(kernel, "x", x, n*c*s)
	if hasGamma {
		mustLen(kernel, "gamma", gamma, c)
	}
	if hasBeta {
		mustLen(kernel, "beta", beta, c)
	}
	mustLen(kernel, "mean", mean, stats)
	mustLen(kernel, "invstd", invstd, stats)
}

// BatchNormForward normalises x, viewed as [n, c, s], per channel with the
// batch statistics, as PyTorch's batch_norm in training mode:
//
//	mean[ch] = Σ_{b,i} x[b,ch,i] / (n·s)
//	invstd[ch] = 1/√(Σ_{b,i} (x[b,ch,i] − mean[ch])² / (n·s) + eps)   (biased variance)
//	y[b,ch,i] = (x[b,ch,i] − mean[ch])·invstd[ch]·gamma[ch] + beta[ch]
//
// with gamma = 1 and beta = 0 when nil. Sums are accumulated in float64.
// y, mean and invstd are overwritten; the caller updates running
// statistics from mean and invstd (PyTorch uses the unbiased variance,
// ·n·s/(n·s − 1), for the running variance).
func BatchNormForward[T Float](n, c, s int, x, gamma, beta []T, eps T, y, mean, invstd []T) {
	checkNorm("BatchNormForward", n, c, s, c, len(x), len(gamma), len(beta), len(mean), len(invstd), gamma != nil, beta != nil)
	mustLen("BatchNormForward", "y", len(y), n*c*s)
	if batchNormForwardF32 != nil {
		if xf, ok := any(x).([]float32); ok && batchNormForwardF32(n, c, s, xf, any(gamma).([]float32), any(beta).([]float32), float32(eps),
			any(y).([]float32), any(mean).([]float32), any(invstd).([]float32)) {
			return
		}
	}
	Parallel(c, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			m, is := channelMoments(n, c, s, x, eps, ch)
			mean[ch], invstd[ch] = T(m), T(is)
			a, d := affine(gamma, beta, ch, m, is)
			for b := 0; b < n; b++ {
				scaleShift(y[(b*c+ch)*s:(b*c+ch+1)*s], x[(b*c+ch)*s:(b*c+ch+1)*s], a, d)
			}
		}
	})
}

// BatchNormBackward computes the gradients of BatchNormForward (training
// mode, so through the batch statistics too), with x̂ = (x − mean)·invstd
// and M = n·s:
//
//	dbeta[ch]  = Σ_{b,i} dy[b,ch,i]
//	dgamma[ch] = Σ_{b,i} dy[b,ch,i]·x̂[b,ch,i]
//	dx[b,ch,i] = gamma[ch]·invstd[ch]·(dy[b,ch,i] − dbeta[ch]/M − x̂[b,ch,i]·dgamma[ch]/M)
//
// mean and invstd are BatchNormForward's outputs. dx is overwritten, and
// so are dgamma and dbeta unless nil.
func BatchNormBackward[T Float](n, c, s int, x, dy, gamma, mean, invstd []T, dx, dgamma, dbeta []T) {
	checkNorm("BatchNormBackward", n, c, s, c, len(x), len(gamma), len(dbeta), len(mean), len(invstd), gamma != nil, dbeta != nil)
	mustLen("BatchNormBackward", "dy", len(dy), n*c*s)
	mustLen("BatchNormBackward", "dx", len(dx), n*c*s)
	if dgamma != nil {
		mustLen("BatchNormBackward", "dgamma", len(dgamma), c)
	}
	if batchNormBackwardF32 != nil {
		if xf, ok := any(x).([]float32); ok && batchNormBackwardF32(n, c, s, xf, any(dy).([]float32), any(gamma).([]float32), any(mean).([]float32),
			any(invstd).([]float32), any(dx).([]float32), any(dgamma).([]float32), any(dbeta).([]float32)) {
			return
		}
	}
	Parallel(c, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			m, is := float64(mean[ch]), float64(invstd[ch])
			var sdy, sdyx float64
			for b := 0; b < n; b++ {
				o := (b*c + ch) * s
				a, d := dyStats(dy[o:o+s], x[o:o+s], m)
				sdy, sdyx = sdy+a, sdyx+d
			}
			sdyx *= is // Σ dy·x̂
			if dbeta != nil {
				dbeta[ch] = T(sdy)
			}
			if dgamma != nil {
				dgamma[ch] = T(sdyx)
			}
			g := 1.0
			if gamma != nil {
				g = float64(gamma[ch])
			}
			M := float64(n * s)
			// dx = k·dy + kx·(x − mean) + k0 with the statistics folded in.
			k := g * is
			kx := -k * is * sdyx / M
			k0 := -k * sdy / M
			for b := 0; b < n; b++ {
				o := (b*c + ch) * s
				gradLinear(dx[o:o+s], dy[o:o+s], x[o:o+s], T(m), T(k), T(kx), T(k0))
			}
		}
	})
}

// BatchNormInference normalises x, viewed as [n, c, s], with running
// statistics, as PyTorch's batch_norm in evaluation mode:
//
//	y[b,ch,i] = (x[b,ch,i] − runMean[ch]) / √(runVar[ch] + eps) · gamma[ch] + beta[ch]
//
// with gamma = 1 and beta = 0 when nil. y is overwritten. Its gradient
// with respect to x is dy·gamma/√(runVar + eps), per channel.
func BatchNormInference[T Float](n, c, s int, x, gamma, beta, runMean, runVar []T, eps T, y []T) {
	checkNorm("BatchNormInference", n, c, s, c, len(x), len(gamma), len(beta), len(runMean), len(runVar), gamma != nil, beta != nil)
	mustLen("BatchNormInference", "y", len(y), n*c*s)
	if batchNormInferenceF32 != nil {
		if xf, ok := any(x).([]float32); ok && batchNormInferenceF32(n, c, s, xf, any(gamma).([]float32), any(beta).([]float32),
			any(runMean).([]float32), any(runVar).([]float32), float32(eps), any(y).([]float32)) {
			return
		}
	}
	Parallel(n*c, 1, func(lo, hi int) {
		for bc := lo; bc < hi; bc++ {
			ch := bc % c
			a, d := affine(gamma, beta, ch, float64(runMean[ch]), 1/sqrt64(float64(runVar[ch])+float64(eps)))
			scaleShift(y[bc*s:(bc+1)*s], x[bc*s:(bc+1)*s], a, d)
		}
	})
}

// GroupNormForward normalises x, viewed as [n, c, s], over each sample's
// groups of c/groups consecutive channels, as PyTorch's group_norm (and,
// with groups = c, instance_norm): for sample b and group g, over the
// M = (c/groups)·s elements of channels ch of g,
//
//	mean[b·groups+g] = Σ x / M
//	invstd[b·groups+g] = 1/√(Σ (x − mean)² / M + eps)
//	y[b,ch,i] = (x[b,ch,i] − mean)·invstd·gamma[ch] + beta[ch]
//
// with gamma = 1 and beta = 0 when nil. y, mean and invstd are overwritten.
func GroupNormForward[T Float](n, c, s, groups int, x, gamma, beta []T, eps T, y, mean, invstd []T) {
	GroupNormLeakyReluForward(n, c, s, groups, x, gamma, beta, eps, 1, y, mean, invstd)
}

// GroupNormLeakyReluForward is GroupNormForward followed by a LeakyReLU
// of the given slope, y = max(t, slope·t) for the normalised t, in the
// same pass over y (slope 1 is GroupNormForward). The slope must lie in
// (0, 1].
func GroupNormLeakyReluForward[T Float](n, c, s, groups int, x, gamma, beta []T, eps, slope T, y, mean, invstd []T) {
	checkGroups("GroupNormForward", c, groups)
	checkNorm("GroupNormForward", n, c, s, n*groups, len(x), len(gamma), len(beta), len(mean), len(invstd), gamma != nil, beta != nil)
	mustLen("GroupNormForward", "y", len(y), n*c*s)
	if !(slope > 0 && slope <= 1) {
		panic(fmt.Sprintf("kernels: GroupNormLeakyReluForward: slope %v outside (0, 1]", slope))
	}
	if groupNormForwardF32 != nil {
		if xf, ok := any(x).([]float32); ok && groupNormForwardF32(n, c, s, groups, xf, any(gamma).([]float32), any(beta).([]float32), float32(eps), float32(slope),
			any(y).([]float32), any(mean).([]float32), any(invstd).([]float32)) {
			return
		}
	}
	cg := c / groups
	Parallel(n*groups, 1, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			m, is := unitStats(x[u*cg*s:(u+1)*cg*s], eps)
			mean[u], invstd[u] = T(m), T(is)
			b, g := u/groups, u%groups
			for ch := g * cg; ch < (g+1)*cg; ch++ {
				a, d := affine(gamma, beta, ch, m, is)
				o := (b*c + ch) * s
				scaleShift(y[o:o+s], x[o:o+s], a, d)
				if slope != 1 {
					leakyReluRange(y[o:o+s], y[o:o+s], slope)
				}
			}
		}
	})
}

// unitStats returns the mean of xs and 1/sqrt(its biased variance + eps),
// in float64: one (sample, group) unit of a group norm.
func unitStats[T Float](xs []T, eps T) (m, is float64) {
	m = sum64(xs) / float64(len(xs))
	return m, 1 / sqrt64(sumSqDev64(xs, m)/float64(len(xs))+float64(eps))
}

// GroupNormBackward computes the gradients of GroupNormForward. With
// x̂ = (x − mean)·invstd and, per (sample, group) over its M elements,
// A = Σ dy·gamma and B = Σ dy·gamma·x̂:
//
//	dx[b,ch,i] = invstd·(dy·gamma[ch] − A/M − x̂·B/M)
//	dgamma[ch] = Σ_{b,i} dy[b,ch,i]·x̂[b,ch,i],  dbeta[ch] = Σ_{b,i} dy[b,ch,i]
//
// dx is overwritten, and so are dgamma and dbeta unless nil; dx may be dy
// itself.
func GroupNormBackward[T Float](n, c, s, groups int, x, dy, gamma, mean, invstd []T, dx, dgamma, dbeta []T) {
	checkGroups("GroupNormBackward", c, groups)
	checkNorm("GroupNormBackward", n, c, s, n*groups, len(x), len(gamma), len(dbeta), len(mean), len(invstd), gamma != nil, dbeta != nil)
	mustLen("GroupNormBackward", "dy", len(dy), n*c*s)
	mustLen("GroupNormBackward", "dx", len(dx), n*c*s)
	if dgamma != nil {
		mustLen("GroupNormBackward", "dgamma", len(dgamma), c)
	}
	if groupNormBackwardF32 != nil {
		if xf, ok := any(x).([]float32); ok && groupNormBackwardF32(n, c, s, groups, xf, nil, any(dy).([]float32), any(gamma).([]float32), any(mean).([]float32),
			any(invstd).([]float32), 1, any(dx).([]float32), any(dgamma).([]float32), any(dbeta).([]float32)) {
			return
		}
	}
	groupNormBackwardGeneric(n, c, s, groups, x, dy, gamma, mean, invstd, dx, dgamma, dbeta)
}

// GroupNormLeakyReluBackward computes the gradients of
// GroupNormLeakyReluForward, whose output y was made with the same slope,
// from dy, the gradient of y: GroupNormBackward of LeakyReluBackward(y,
// dy). dx may be dy itself. The AVX-512 and AVX2 tiers apply the
// LeakyReLU's gradient unit by unit, just before the unit is summed, so
// that dy goes through memory once instead of twice.
func GroupNormLeakyReluBackward[T Float](n, c, s, groups int, x, y, dy, gamma, mean, invstd []T, slope T, dx, dgamma, dbeta []T) {
	checkGroups("GroupNormLeakyReluBackward", c, groups)
	checkNorm("GroupNormLeakyReluBackward", n, c, s, n*groups, len(x), len(gamma), len(dbeta), len(mean), len(invstd), gamma != nil, dbeta != nil)
	mustLen("GroupNormLeakyReluBackward", "y", len(y), n*c*s)
	mustLen("GroupNormLeakyReluBackward", "dy", len(dy), n*c*s)
	mustLen("GroupNormLeakyReluBackward", "dx", len(dx), n*c*s)
	if dgamma != nil {
		mustLen("GroupNormLeakyReluBackward", "dgamma", len(dgamma), c)
	}
	if groupNormBackwardF32 != nil {
		if xf, ok := any(x).([]float32); ok && groupNormBackwardF32(n, c, s, groups, xf, any(y).([]float32), any(dy).([]float32), any(gamma).([]float32), any(mean).([]float32),
			any(invstd).([]float32), float32(slope), any(dx).([]float32), any(dgamma).([]float32), any(dbeta).([]float32)) {
			return
		}
	}
	LeakyReluBackward(dx, y, dy, slope)
	groupNormBackwardGeneric(n, c, s, groups, x, dx, gamma, mean, invstd, dx, dgamma, dbeta)
}

// groupNormBackwardGeneric is GroupNormBackward without the hook.
func groupNormBackwardGeneric[T Float](n, c, s, groups int, x, dy, gamma, mean, invstd []T, dx, dgamma, dbeta []T) {
	cg := c / groups
	// Per (sample, channel) Σ dy and Σ dy·(x − mean), kept for dgamma and
	// dbeta so that dy and x are read twice, not three times.
	statsBuf := getScratch[float64](2 * n * c)
	stats := *statsBuf
	Parallel(n*groups, 1, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			b, g := u/groups, u%groups
			m, is := float64(mean[u]), float64(invstd[u])
			var A, B float64 // Σ dy·γ and Σ dy·γ·(x − mean)
			for ch := g * cg; ch < (g+1)*cg; ch++ {
				o := (b*c + ch) * s
				sdy, sdyx := dyStats(dy[o:o+s], x[o:o+s], m)
				stats[2*(b*c+ch)], stats[2*(b*c+ch)+1] = sdy, sdyx
				gm := 1.0
				if gamma != nil {
					gm = float64(gamma[ch])
				}
				A += gm * sdy
				B += gm * sdyx
			}
			M := float64(cg * s)
			// dx = γ·is·dy + kx·(x − mean) + k0, with kx = −is³·B/M and
			// k0 = −is·A/M.
			kx := -is * is * is * B / M
			k0 := -is * A / M
			for ch := g * cg; ch < (g+1)*cg; ch++ {
				o := (b*c + ch) * s
				gm := 1.0
				if gamma != nil {
					gm = float64(gamma[ch])
				}
				gradLinear(dx[o:o+s], dy[o:o+s], x[o:o+s], T(m), T(gm*is), T(kx), T(k0))
			}
		}
	})
	for ch := 0; ch < c && (dgamma != nil || dbeta != nil); ch++ {
		g := ch / cg
		var sg, sb float64
		for b := 0; b < n; b++ {
			sb += stats[2*(b*c+ch)]
			sg += stats[2*(b*c+ch)+1] * float64(invstd[b*groups+g])
		}
		if dgamma != nil {
			dgamma[ch] = T(sg)
		}
		if dbeta != nil {
			dbeta[ch] = T(sb)
		}
	}
	putScratch(statsBuf)
}

func checkGroups(kernel string, c, groups int) {
	if groups < 1 || c%groups != 0 {
		panic(fmt.Sprintf("kernels: %s: %d channels cannot be split into %d groups", kernel, c, groups))
	}
}
