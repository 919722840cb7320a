package kernels

import "fmt"

// GroupNormLeakyReluMix computes what GroupNormLeakyReluForward and then a
// 1×1(×1) convolution of its output would, out = bias + w·y with w
// [cout, c] and bias nil or [cout], without making y: per (sample,
// group), the group is summed and its channels, normalised, go into out
// while they are still in the cache. x is read once instead of y being
// written and read. mean and invstd are GroupNormLeakyReluForward's; out
// agrees with the two ops to rounding, not bit for bit. The slope must lie
// in (0, 1].
func GroupNormLeakyReluMix[T Float](n, c, s, groups int, x, gamma, beta []T, eps, slope T, cout int, w, bias, out, mean, invstd []T) {
	const name = "GroupNormLeakyReluMix"
	checkGroups(name, c, groups)
	checkNorm(name, n, c, s, n*groups, len(x), len(gamma), len(beta), len(mean), len(invstd), gamma != nil, beta != nil)
	mustLen(name, "weight", len(w), cout*c)
	if bias != nil {
		mustLen(name, "bias", len(bias), cout)
	}
	mustLen(name, "output", len(out), n*cout*s)
	if !(slope > 0 && slope <= 1) {
		panic(fmt.Sprintf("kernels: %s: slope %v outside (0, 1]", name, slope))
	}
	if groupNormMixF32 != nil {
		if xf, ok := any(x).([]float32); ok && groupNormMixF32(n, c, s, groups, xf, any(gamma).([]float32), any(beta).([]float32), float32(eps), float32(slope),
			cout, any(w).([]float32), any(bias).([]float32), any(out).([]float32), any(mean).([]float32), any(invstd).([]float32)) {
			return
		}
	}
	cg := c / groups
	for i := range n * cout {
		var b T
		if bias != nil {
			b = bias[i%cout]
		}
		o := out[i*s : (i+1)*s]
		for p := range o {
			o[p] = b
		}
	}
	tb := getScratch[T](s)
	defer putScratch(tb)
	t := *tb
	for u := range n * groups {
		m, is := unitStats(x[u*cg*s:(u+1)*cg*s], eps)
		mean[u], invstd[u] = T(m), T(is)
		b, g := u/groups, u%groups
		for ch := g * cg; ch < (g+1)*cg; ch++ {
			a, d := affine(gamma, beta, ch, m, is)
			scaleShift(t, x[(b*c+ch)*s:(b*c+ch+1)*s], a, d)
			leakyReluRange(t, t, slope)
			for k := range cout {
				wk := w[k*c+ch]
				o := out[(b*cout+k)*s : (b*cout+k+1)*s]
				for p, v := range t {
					o[p] += wk * v
				}
			}
		}
	}
}

// GroupNormLeakyReluMixBackward is the backward pass of
// GroupNormLeakyReluMix. Given dout, the gradient of out [n, cout, s], it
// writes the gradient of x into dx and, where they are not nil, those of
// gamma, beta, w [cout, c] and bias [cout]. It never makes y or its
// gradient: each channel's y is rebuilt from x, mean and invstd (the
// forward's) while the channel is summed for the norm's gradient, so x is
// read twice, mostly from the cache the second time, instead of y and its
// gradient being written and read. Results agree with
// ConvBackwardWeight, ConvBackwardData and GroupNormLeakyReluBackward on
// y to rounding, not bit for bit.
func GroupNormLeakyReluMixBackward[T Float](n, c, s, groups int, x, gamma, beta, mean, invstd []T, slope T, cout int, w, dout, dx, dgamma, dbeta, dw, dbias []T) {
	const name = "GroupNormLeakyReluMixBackward"
	checkGroups(name, c, groups)
	checkNorm(name, n, c, s, n*groups, len(x), len(gamma), len(beta), len(mean), len(invstd), gamma != nil, beta != nil)
	mustLen(name, "weight", len(w), cout*c)
	mustLen(name, "output gradient", len(dout), n*cout*s)
	mustLen(name, "dx", len(dx), n*c*s)
	if dgamma != nil {
		mustLen(name, "dgamma", len(dgamma), c)
	}
	if dbeta != nil {
		mustLen(name, "dbeta", len(dbeta), c)
	}
	if dw != nil {
		mustLen(name, "dw", len(dw), cout*c)
	}
	if dbias != nil {
		mustLen(name, "dbias", len(dbias), cout)
	}
	if !(slope > 0 && slope <= 1) {
		panic(fmt.Sprintf("kernels: %s: slope %v outside (0, 1]", name, slope))
	}
	// dots[(b·c + ch)·cout + o] = Σ y·dout over sample b's positions.
	db := getScratch[float64](n * c * cout)
	defer putScratch(db)
	dots := (*db)[:n*c*cout]
	// sums[b·cout + o] = Σ dout over sample b's positions, for dbias.
	var sums []float64
	if dbias != nil {
		sb := getScratch[float64](n * cout)
		defer putScratch(sb)
		sums = (*sb)[:n*cout]
	}
	done := false
	if groupNormMixBackwardF32 != nil {
		if xf, ok := any(x).([]float32); ok {
			done = groupNormMixBackwardF32(n, c, s, groups, xf, any(gamma).([]float32), any(beta).([]float32), any(mean).([]float32), any(invstd).([]float32),
				float32(slope), cout, any(w).([]float32), any(dout).([]float32), any(dx).([]float32), any(dgamma).([]float32), any(dbeta).([]float32), dots, sums)
		}
	}
	if !done {
		for i := range sums {
			sums[i] = sum64(dout[i*s:][:s])
		}
		cg := c / groups
		Parallel(n*c, 1, func(lo, hi int) {
			tb := getScratch[T](s)
			defer putScratch(tb)
			t := (*tb)[:s]
			for bc := lo; bc < hi; bc++ {
				b, ch := bc/c, bc%c
				u := b*groups + ch/cg
				a, d := affine(gamma, beta, ch, float64(mean[u]), float64(invstd[u]))
				mixChannelGo(dx[bc*s:][:s], x[bc*s:][:s], dout[b*cout*s:][:cout*s], t, a, d, slope, w[ch:], c, dots[bc*cout:][:cout])
			}
		})
		groupNormBackwardGeneric(n, c, s, groups, x, dx, gamma, mean, invstd, dx, dgamma, dbeta)
	}
	if dw != nil {
		for o := range cout {
			for ch := range c {
				var sum float64
				for b := range n {
					sum += dots[(b*c+ch)*cout+o]
				}
				dw[o*c+ch] = T(sum)
			}
		}
	}
	if dbias != nil {
		for o := range cout {
			var sum float64
			for b := range n {
				sum += sums[b*cout+o]
			}
			dbias[o] = T(sum)
		}
	}
}

// mixChannelGo is one channel's part of GroupNormLeakyReluMixBackward
// before the norm's: with y = LeakyReLU(a·x + d) (into t), it sets dot[o]
// = Σ y·dout[o] and dx to the gradient of y's pre-activation, Σ_o w[o·c]·
// dout[o] masked by LeakyReLU's slope. dout holds the cout output
// gradients of s values each; w is the weights from this channel on.
func mixChannelGo[T Float](dx, x, dout, t []T, a, d, slope T, w []T, c int, dot []float64) {
	s := len(dx)
	scaleShift(t, x, a, d)
	leakyReluRange(t, t, slope)
	for o := range dot {
		g := dout[o*s:][:s]
		wo := w[o*c]
		var sum float64
		for p, y := range t {
			sum += float64(y) * float64(g[p])
			m := g[p]
			if !(0 < y) {
				m *= slope
			}
			if o == 0 {
				dx[p] = m * wo
			} else {
				dx[p] += m * wo
			}
		}
		dot[o] = sum
	}
}
