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
