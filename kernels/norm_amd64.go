//go:build !purego

package kernels

import (
	"math"
	"unsafe"
)

// The batch and group norm hooks of the AVX-512 and AVX2 tiers. A norm
// reads each unit (a channel for batch norm, a sample's group for group
// norm) twice, once for its statistics and once to write its output; a
// worker writes unit u in the loop that sums unit u+1, so the second read
// comes from cache. A large output is stored non-temporally (normOutFor).

// normOut holds the kernels that write a norm's output: the tier's, or
// their non-temporal twins.
type normOut struct {
	axpb         func(y, x []float32, a, b, slope float32)
	axpbyc       func(dst, u, v []float32, a, b, c float32)
	sumSqAxpb    func(y, x []float32, a, b float32, xn []float32, slope float32) (sum, sumsq float64)
	sumDotAxpbyc func(dst, u, v []float32, a, b, c float32, un, vn []float32) (sa, sab float64)
	nt           bool // non-temporal
}

var (
	normOutNTAVX512 = normOut{axpbNTAVX512, axpbycNTAVX512, sumSqAxpbNTAVX512, sumDotAxpbycNTAVX512, true}
	normOutNTAVX2   = normOut{axpbNTSlopeAVX2Go, axpbycNTAVX2, sumSqAxpbNTSlopeAVX2Go, sumDotAxpbycNTAVX2, true}
)

// normNTMin, when positive, replaces normNTBytes' threshold (tests).
var normNTMin int

// normNTBytes is the smallest output stored non-temporally: four times
// L2. An output that large has left L2 before the next layer reads it, and
// storing it through the cache reads every line first (a third more
// traffic for the backward) and evicts the unit being re-read: batch norm
// 2D's backward re-reads 1 MB of dy and x per channel beside 1 MB streaming
// in. Non-temporal stores cut the CPU time of forward+backward by 23 %
// (batch norm 8×32×128²) to 38 % (instance norm 2×16×48³).
func normNTBytes() int {
	if normNTMin > 0 {
		return normNTMin
	}
	_, l2 := cacheSizes()
	return 4 * l2
}

// normOutFor picks the output kernels for y, whose planes of s values
// start at multiples of s: non-temporal when y is large and every plane
// starts on a 64-byte line, else the tier's own.
func normOutFor(y []float32, s int) normOut {
	if 4*len(y) >= normNTBytes() && s%16 == 0 && uintptr(unsafe.Pointer(unsafe.SliceData(y)))%64 == 0 {
		switch mk {
		case &memAVX512:
			return normOutNTAVX512
		case &memAVX2:
			return normOutNTAVX2
		}
	}
	return normOutCached()
}

// normOutCached is the tier's own output kernels, which store through the
// cache.
func normOutCached() normOut {
	return normOut{mk.axpb, mk.axpbyc, mk.sumSqAxpb, mk.sumDotAxpbyc, false}
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
	out := normOutFor(y, s)
	j := getJob[bnFwdJob](&bnFwdJobs)
	*j = bnFwdJob{n, c, s, x, gamma, beta, y, mean, invstd, eps, out, normReverse(4 * n * s)}
	parallelJob(c, normGrain(c), j)
	putJob(&bnFwdJobs, j)
	return true
}

// bnFwdJob holds batchNormForwardHook's arguments for its workers.
type bnFwdJob struct {
	n, c, s                         int
	x, gamma, beta, y, mean, invstd []float32
	eps                             float32
	out                             normOut
	rev                             bool // write the planes last first
}

var bnFwdJobs jobList

func (j *bnFwdJob) run(lo, hi int) {
	n, c, s, x, gamma, beta, y, mean, invstd, eps, out := j.n, j.c, j.s, j.x, j.gamma, j.beta, j.y, j.mean, j.invstd, j.eps, j.out
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
			o, on := (i*c+ch)*s, (i*c+ch+1)*s
			if j.rev {
				o = ((n-1-i)*c + ch) * s
			}
			if ch+1 < hi {
				p, q := out.sumSqAxpb(y[o:o+s], x[o:o+s], a, b, x[on:on+s], 1)
				sum += p
				sq += q
			} else {
				out.axpb(y[o:o+s], x[o:o+s], a, b, 1)
			}
		}
	}
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
	out := normOutFor(dx, s)
	if n >= 2 && 8*n*s >= normCoopUnit() {
		batchNormBackwardCoop(n, c, s, x, dy, gamma, mean, invstd, dx, dgamma, dbeta, M, out)
		return true
	}
	j := getJob[bnBwdJob](&bnBwdJobs)
	*j = bnBwdJob{n, c, s, x, dy, gamma, mean, invstd, dx, dgamma, dbeta, M, out, normReverse(8 * n * s)}
	parallelJob(c, normGrain(c), j)
	putJob(&bnBwdJobs, j)
	return true
}

// bnBwdJob holds batchNormBackwardHook's arguments for its workers.
type bnBwdJob struct {
	n, c, s                                       int
	x, dy, gamma, mean, invstd, dx, dgamma, dbeta []float32
	M                                             float64
	out                                           normOut
	rev                                           bool
}

var bnBwdJobs jobList

func (j *bnBwdJob) run(lo, hi int) {
	n, c, s, x, dy, gamma, mean, invstd, dx, dgamma, dbeta, M, out := j.n, j.c, j.s, j.x, j.dy, j.gamma, j.mean, j.invstd, j.dx, j.dgamma, j.dbeta, j.M, j.out
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
			o, on := (i*c+ch)*s, (i*c+ch+1)*s
			if j.rev {
				o = ((n-1-i)*c + ch) * s
			}
			if ch+1 < hi {
				p, q := out.sumDotAxpbyc(dx[o:o+s], dy[o:o+s], x[o:o+s], float32(a), float32(b), float32(cc), dy[on:on+s], x[on:on+s])
				sdy += p
				sdyx += q
			} else {
				out.axpbyc(dx[o:o+s], dy[o:o+s], x[o:o+s], float32(a), float32(b), float32(cc))
			}
		}
	}
}

// groupNormForwardHook: statistics per (sample, group) over the group's
// contiguous c/groups·s values (summed channel by channel), then a
// per-channel affine map; pipelined as batchNormForwardHook, unit u
// written while unit u+1, the next in memory, is summed.
func groupNormForwardHook(n, c, s, groups int, x, gamma, beta []float32, eps, slope float32, y, mean, invstd []float32) bool {
	if groups <= 0 || c%groups != 0 || s == 0 {
		return false
	}
	cg := c / groups
	us := cg * s // elements of one unit
	out := normOutFor(y, s)
	j := getJob[gnFwdJob](&gnFwdJobs)
	*j = gnFwdJob{s, groups, cg, us, x, gamma, beta, y, mean, invstd, eps, slope, out}
	parallelJob(n*groups, normGrain(n*groups), j)
	putJob(&gnFwdJobs, j)
	return true
}

// gnFwdJob holds groupNormForwardHook's arguments for its workers.
type gnFwdJob struct {
	s, groups, cg, us               int
	x, gamma, beta, y, mean, invstd []float32
	eps, slope                      float32 // slope: a LeakyReLU fused in (1: none)
	out                             normOut
}

var gnFwdJobs jobList

func (j *gnFwdJob) run(lo, hi int) {
	s, groups, cg, us, x, gamma, beta, y, mean, invstd, eps, slope, out := j.s, j.groups, j.cg, j.us, j.x, j.gamma, j.beta, j.y, j.mean, j.invstd, j.eps, j.slope, j.out
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
				p, q := out.sumSqAxpb(y[o:o+s], x[o:o+s], a, b, x[o+us:o+us+s], slope)
				sum += p
				sq += q
			} else {
				out.axpb(y[o:o+s], x[o:o+s], a, b, slope)
			}
		}
	}
}

// groupNormBackwardHook: per (sample, group) unit, with
// x̂ = (x − mean)·invstd and dx̂ = γ·dy,
// dx = invstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)); the means come from
// per-channel Σdy and Σdy·x. Units are taken in memory order and
// pipelined as in the forward (unit u's dx written in the loop that sums
// unit u+1). Each unit leaves its terms of dγ and dβ in a buffer, added
// over the samples in order afterwards, so no sum depends on the split.
//
// With y (GroupNormLeakyReluBackward), each channel of a unit first gets
// the LeakyReLU's gradient, written to dx, which the sums and the update
// then read instead of dy: the channel is still in the cache when they do.
func groupNormBackwardHook(n, c, s, groups int, x, y, dy, gamma, mean, invstd []float32, slope float32, dx, dgamma, dbeta []float32) bool {
	return groupNormBackwardRun(n, c, s, groups, x, y, dy, gamma, mean, invstd, slope, dx, dgamma, dbeta, nil)
}

// groupNormMixBackwardHook is groupNormBackwardHook with the prologue of
// mixGrad.channel in place of the LeakyReLU's: each channel's y is
// rebuilt from x block by block, and the gradient of its pre-activation
// written to dx, which the sums and the update then read from the cache.
func groupNormMixBackwardHook(n, c, s, groups int, x, gamma, beta, mean, invstd []float32, slope float32, cout int, w, dout, dx, dgamma, dbeta []float32, dots, sums []float64) bool {
	for i := range sums {
		sums[i], _ = mk.sumSq(dout[i*s:][:s])
	}
	mix := mixGrad{beta: beta, w: w, dout: dout, dots: dots, c: c, cout: cout}
	return groupNormBackwardRun(n, c, s, groups, x, nil, dx, gamma, mean, invstd, slope, dx, dgamma, dbeta, &mix)
}

// groupNormBackwardRun is groupNormBackwardHook, with mix's prologue when
// mix is not nil.
func groupNormBackwardRun(n, c, s, groups int, x, y, dy, gamma, mean, invstd []float32, slope float32, dx, dgamma, dbeta []float32, mix *mixGrad) bool {
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
	out := normOutFor(dx, s)
	if y != nil || mix != nil {
		// The prologue leaves dx's lines dirty in the cache: a
		// non-temporal store would write each of them back twice.
		out = normOutCached()
	}
	j := getJob[gnBwdJob](&gnBwdJobs)
	*j = gnBwdJob{s: s, groups: groups, cg: cg, us: us, x: x, y: y, dy: dy, gamma: gamma, mean: mean, invstd: invstd,
		dx: dx, terms: terms, out: out, slope: slope}
	if mix != nil {
		// A copy: the job outlives the call's frame in the pool, and
		// keeping the pointer would put mix on the heap at every call.
		j.mix, j.mixed = *mix, true
	}
	parallelJob(nu, normGrain(nu), j)
	putJob(&gnBwdJobs, j)
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

// gnBwdJob holds groupNormBackwardHook's arguments for its workers.
type gnBwdJob struct {
	s, groups, cg, us                 int
	x, y, dy, gamma, mean, invstd, dx []float32
	terms                             []float64
	out                               normOut
	slope                             float32
	mix                               mixGrad // when mixed
	mixed                             bool
}

// mixGrad is what GroupNormLeakyReluMixBackward's prologue reads besides
// gnBwdJob's fields.
type mixGrad struct {
	beta, w, dout []float32
	dots          []float64 // Σ y·dout per (sample, channel, output)
	c, cout       int
}

// channel is mixChannelGo on the tier's leaf kernels, mixBlock positions
// at a time so that y and its masked gradient stay in L1: channel ch of
// sample b, with the norm's scale a and shift d; tmp holds 2·mixBlock
// values.
func (m *mixGrad) channel(dx, x []float32, b, ch int, a, d, slope float32, tmp []float32) {
	s := len(dx)
	dot := m.dots[(b*m.c+ch)*m.cout:][:m.cout]
	clear(dot)
	dout := m.dout[b*m.cout*s:][:m.cout*s]
	for p0 := 0; p0 < s; p0 += mixBlock {
		k := min(mixBlock, s-p0)
		t, g := tmp[:k], tmp[mixBlock:][:k]
		mk.axpb(t, x[p0:p0+k], a, d, slope)
		dxb := dx[p0 : p0+k]
		for o := range m.cout {
			gb := dout[o*s+p0:][:k]
			_, dp := mk.sumDot(t, gb)
			dot[o] += dp
			mk.leakyReluBackward(g, t, gb, slope)
			if o == 0 {
				mk.axpb(dxb, g, m.w[ch], 0, 1)
			} else {
				mk.axpbyc(dxb, g, dxb, m.w[o*m.c+ch], 1, 0)
			}
		}
	}
}

var gnBwdJobs jobList

func (j *gnBwdJob) run(lo, hi int) {
	s, groups, cg, us, x, dy, gamma, mean, invstd, dx, terms, out := j.s, j.groups, j.cg, j.us, j.x, j.dy, j.gamma, j.mean, j.invstd, j.dx, j.terms, j.out
	// prologue writes the channel at o's gradient into dx, which stands
	// for dy from then on: the LeakyReLU's (GroupNormLeakyReluBackward) or
	// mixGrad.channel's (GroupNormLeakyReluMixBackward).
	prologue := func(o int) {}
	if j.y != nil {
		y, gy, slope := j.y, j.dy, j.slope
		prologue = func(o int) { mk.leakyReluBackward(dx[o:o+s], y[o:o+s], gy[o:o+s], slope) }
		dy = dx
	} else if j.mixed {
		tb := getScratch[float32](2 * mixBlock)
		defer putScratch(tb)
		tmp := *tb
		prologue = func(o int) {
			u := o / us
			b, ch := u/groups, u%groups*cg+o%us/s
			a, d := affineF32(gamma, j.mix.beta, ch, float64(mean[u]), float64(invstd[u]))
			j.mix.channel(dx[o:o+s], x[o:o+s], b, ch, a, d, j.slope, tmp)
		}
		dy = dx
	}
	bufb := getScratch[float64](4 * cg) // not make: no garbage per call
	defer putScratch(bufb)
	buf := (*bufb)[:4*cg]
	sums, next := buf[:2*cg], buf[2*cg:]
	for k := 0; k < cg; k++ {
		o := lo*us + k*s
		prologue(o)
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
				prologue(p + us)
				next[2*k], next[2*k+1] = out.sumDotAxpbyc(dx[p:p+s], dy[p:p+s], x[p:p+s], float32(is*gk), float32(bx), float32(cc), dy[p+us:p+us+s], x[p+us:p+us+s])
			} else {
				out.axpbyc(dx[p:p+s], dy[p:p+s], x[p:p+s], float32(is*gk), float32(bx), float32(cc))
			}
		}
		sums, next = next, sums
	}
}

// normReverse reports whether a batch norm whose channel reads unit bytes
// writes each channel's planes last first: when two channels do not fit
// in L2, the one being written is partly evicted by the next one
// streaming in, and its planes summed last are the likeliest still there
// (batchnorm3d 2×16×48³ forward+backward, medians of 6 interleaved
// rounds: CPU 3.9 → 3.4 ms at one thread, 4.4 → 4.3 at two; at
// 8×32×128², whose two channels just fit, it cost 5 %).
func normReverse(unit int) bool {
	if normRevUnit > 0 {
		return unit >= normRevUnit
	}
	_, l2 := cacheSizes()
	return 2*unit > l2
}

// normRevUnit, when positive, replaces normReverse's threshold (tests).
var normRevUnit int

// normGrain is the grain of the pipelined norm loops: about two pieces
// per worker, since the first unit of a piece is summed alone and its
// last written alone.
func normGrain(units int) int {
	return max(1, units/(2*Workers()))
}

// batchNormInferenceHook: y = x·a + b per plane with the running
// statistics folded into a and b, one pass.
func batchNormInferenceHook(n, c, s int, x, gamma, beta, runMean, runVar []float32, eps float32, y []float32) bool {
	j := getJob[bnInfJob](&bnInfJobs)
	*j = bnInfJob{c, s, x, gamma, beta, runMean, runVar, y, eps}
	parallelJob(n*c, 1, j)
	putJob(&bnInfJobs, j)
	return true
}

// bnInfJob holds batchNormInferenceHook's arguments for its workers.
type bnInfJob struct {
	c, s                               int
	x, gamma, beta, runMean, runVar, y []float32
	eps                                float32
}

var bnInfJobs jobList

func (j *bnInfJob) run(lo, hi int) {
	c, s, x, y := j.c, j.s, j.x, j.y
	for bc := lo; bc < hi; bc++ {
		ch := bc % c
		a, b := affineF32(j.gamma, j.beta, ch, float64(j.runMean[ch]), 1/math.Sqrt(float64(j.runVar[ch])+float64(j.eps)))
		mk.axpb(y[bc*s:(bc+1)*s], x[bc*s:(bc+1)*s], a, b, 1)
	}
}
