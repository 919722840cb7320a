package kernels

import "fmt"

// A convolution of kernel 3, padding 1 and stride 1 over a map that
// nearest-neighbour upsampling by 2 made (the decoder of the Modified 3D
// U-Net) is computed at the resolution of the map before upsampling.
// Along an upsampled axis, output 2i+a reads upsampled positions
// 2i+a−1 … 2i+a+1, which are input positions i−1, i, i (a = 0) or
// i, i, i+1 (a = 1): two taps, whose weights are sums of the three. So
// each of the 2^nd output phases is a convolution of x with kernel 2 and
// weights of its own, and all of them together are one convolution of
// kernel 2 and padding 1 with 2^nd·Cout output channels on s+1 positions
// per axis, of which phase a keeps a … a+s−1. In 3D it multiplies 8 of
// every 27 products of the upsampled convolution, and the upsampled map
// is never made.

// upPhasedMin is the smallest input size, on every axis of a 3D
// convolution, at which the phases run. Measured (batch 2, 2 workers,
// medians of 15, ms; forward, backward-data, weight gradient, and both
// gradients in one call; the upsampling and the upsampled convolution
// against the phases): 32→16 to 48³ 10.6, 9.5, 12.8, 22.3 against 9.0,
// 8.9, 11.2, 20.3; 64→32 to 24³ 5.7, 4.6, 6.6, 11.2 against 4.7, 4.5,
// 4.9, 9.3; 16→8 to 48³ 3.4, 3.2, 5.3, 8.5 against 2.5, 2.9, 3.3, 5.8;
// 128→64 to 12³ 3.1, 2.9, 3.3, 6.2 against 3.7, 3.0, 3.9, 6.7.
// The smaller the map, the more the phases' s+1 positions per axis waste.
// In 2D the phases would multiply 4 products per output against the
// Winograd path's 2.25, so they are not taken there. Tests lower it to run
// the phases on small shapes and in 1D and 2D.
var upPhasedMin = 12

// upGeom is a convolution of an upsampled map (p, at the upsampled
// resolution) seen at the input's resolution.
type upGeom struct {
	n, cin, cout int
	nd           int
	s, f, j      [3]int // input sizes; 2 on an upsampled axis, 1 on a leading one; s+f−1
	k            [3]int // p's kernel: 3, or 1 on a leading axis
	phases       int    // Π f
	taps, qtaps  int    // Π k and Π f: the kernel volumes of p and of q
	// t[ph][k] is the tap of q that tap k of p becomes in phase ph.
	t [8][27]uint8
}

// ConvUpsampledFits reports whether ConvForwardUpsampled and
// ConvBackwardUpsampled compute p, the convolution of the upsampled map:
// kernel 3, padding 1, stride 1 and dilation 1 on every axis, one group,
// and even sizes.
func ConvUpsampledFits(p ConvParams) bool {
	return upFits(p.geom("ConvUpsampledFits"), len(p.In))
}

// upFits is ConvUpsampledFits on cg, of nd spatial axes.
func upFits(cg convGeom, nd int) bool {
	ok := cg.groups == 1
	for i := 3 - nd; i < 3; i++ {
		ok = ok && cg.k[i] == 3 && cg.p[i] == 1 && cg.s[i] == 1 && cg.d[i] == 1 && cg.in[i]%2 == 0
	}
	return ok
}

// newUpGeom checks that p is a convolution ConvUpsampledFits takes and
// returns its geometry at half its sizes; anything else is the caller's
// misuse.
func newUpGeom(p ConvParams, kernel string) upGeom {
	cg := p.geom(kernel)
	nd := len(p.In)
	if !upFits(cg, nd) {
		panic(fmt.Sprintf("kernels: %s: needs kernel 3, padding 1, stride 1, dilation 1, one group and even sizes: %+v", kernel, p))
	}
	g := upGeom{n: cg.n, cin: cg.cin, cout: cg.cout, nd: nd, phases: 1, taps: cg.kVol(), qtaps: 1}
	for i := 0; i < 3; i++ {
		g.f[i], g.k[i] = 1, 1
		if i >= 3-nd {
			g.f[i], g.k[i] = 2, 3
		}
		g.s[i] = cg.in[i] / g.f[i]
		g.j[i] = g.s[i] + g.f[i] - 1
		g.phases *= g.f[i]
	}
	g.qtaps = g.phases
	for ph := 0; ph < g.phases; ph++ {
		a := g.phase(ph)
		for k := 0; k < g.taps; k++ {
			kk := [3]int{k / (g.k[1] * g.k[2]), k / g.k[2] % g.k[1], k % g.k[2]}
			t := 0
			for i := 0; i < 3; i++ {
				ti := 0
				if g.f[i] == 2 {
					ti = (kk[i]+a[i]+1)/2 - a[i]
				}
				t = t*g.f[i] + ti
			}
			g.t[ph][k] = uint8(t)
		}
	}
	return g
}

// phase returns the parities of phase ph, one per axis.
func (g *upGeom) phase(ph int) [3]int {
	return [3]int{ph / (g.f[1] * g.f[2]), ph / g.f[2] % g.f[1], ph % g.f[2]}
}

func (g *upGeom) inVol() int    { return g.s[0] * g.s[1] * g.s[2] }
func (g *upGeom) phaseVol() int { return g.j[0] * g.j[1] * g.j[2] }
func (g *upGeom) outVol() int   { return 8 / (1 << (3 - g.nd)) * g.inVol() }

// planes is the number of output planes, [N, Cout, first upsampled size].
func (g *upGeom) planes() int { return g.n * g.cout * g.s[0] * g.f[0] }

// phased reports whether the phases run (see upPhasedMin).
func (g *upGeom) phased() bool {
	if upPhasedMin <= 1 {
		return true
	}
	return g.nd == 3 && min(g.s[0], g.s[1], g.s[2]) >= upPhasedMin
}

// upJob holds a call's arguments and the sizes that its convolution on
// the phases (q) and its upsampling (ip) point into.
type upJob[T Float] struct {
	g             upGeom
	y, yq, bias   []T
	qin, qk, qpad [3]int
	ipIn, ipOut   [3]int
	backward      bool
	planes        int
}

var upJobs [2]jobList

func newUpJob[T Float](g upGeom) *upJob[T] {
	j := getJob[upJob[T]](typedList[T](&upJobs))
	j.g = g
	for i := 0; i < 3; i++ {
		j.qin[i], j.qk[i], j.qpad[i] = g.s[i], g.f[i], g.f[i]-1
		j.ipIn[i], j.ipOut[i] = g.s[i], g.s[i]*g.f[i]
	}
	return j
}

func (j *upJob[T]) done() { putJob(typedList[T](&upJobs), j) }

// q is the convolution of kernel 2 and padding 1 whose output channel
// ph·Cout + o is phase ph of output channel o.
func (j *upJob[T]) q() ConvParams {
	nd := j.g.nd
	return ConvParams{N: j.g.n, Cin: j.g.cin, Cout: j.g.phases * j.g.cout,
		In: j.qin[3-nd:], Kernel: j.qk[3-nd:], Pad: j.qpad[3-nd:]}
}

// up is the nearest upsampling by 2 of x.
func (j *upJob[T]) up() InterpParams {
	nd := j.g.nd
	return InterpParams{N: j.g.n, C: j.g.cin, In: j.ipIn[3-nd:], Out: j.ipOut[3-nd:], Mode: Nearest}
}

// upFold sets wq, q's weights [phases·Cout, Cin, 2^nd], from p's w.
func upFold[T Float](g *upGeom, w, wq []T) { upWeights(g, w, wq, false) }

// upUnfold sets dw, the gradient of p's weights, from dwq, that of q's.
func upUnfold[T Float](g *upGeom, dwq, dw []T) { upWeights(g, dw, dwq, true) }

// upWeightJob folds (or, unfold, sums back) the weights of the (o, c)
// pairs lo to hi.
type upWeightJob[T Float] struct {
	g      *upGeom
	w, wq  []T
	unfold bool
}

var upWeightJobs [2]jobList

func upWeights[T Float](g *upGeom, w, wq []T, unfold bool) {
	l := typedList[T](&upWeightJobs)
	j := getJob[upWeightJob[T]](l)
	*j = upWeightJob[T]{g: g, w: w, wq: wq, unfold: unfold}
	parallelJob(g.cout*g.cin, 256, j)
	putJob(l, j)
}

func (j *upWeightJob[T]) run(lo, hi int) {
	g := j.g
	if g.nd == 3 {
		if j.unfold {
			upUnfold3(j.w, j.wq, g.cout*g.cin, lo, hi)
		} else {
			upFold3(j.w, j.wq, g.cout*g.cin, lo, hi)
		}
		return
	}
	per := g.cout * g.cin
	for oc := lo; oc < hi; oc++ {
		w := j.w[oc*g.taps : (oc+1)*g.taps]
		if !j.unfold {
			clear(j.wq[oc*g.qtaps : (oc+1)*g.qtaps])
		} else {
			clear(w)
		}
		for ph := 0; ph < g.phases; ph++ {
			tp := &g.t[ph]
			q := j.wq[(ph*per+oc)*g.qtaps : (ph*per+oc+1)*g.qtaps]
			if j.unfold {
				for k := range w {
					w[k] += q[tp[k]]
				}
				continue
			}
			if ph > 0 {
				clear(q)
			}
			for k, v := range w {
				q[tp[k]] += v
			}
		}
	}
}

// upFold3 is upFold in 3D for the (o, c) pairs lo to hi of per, one axis
// at a time: along an axis, phase 0 takes taps (w0, w1+w2) and phase 1
// (w0+w1, w2), 74 additions per pair instead of the table's 216.
func upFold3[T Float](w, wq []T, per, lo, hi int) {
	stride := 8 * per // from one phase to the next in wq
	for oc := lo; oc < hi; oc++ {
		s := w[oc*27 : oc*27+27]
		var r [3][3][2][2]T // [k0][k1][a2][t2]
		for k := 0; k < 9; k++ {
			v := s[3*k : 3*k+3]
			r[k/3][k%3] = [2][2]T{{v[0], v[1] + v[2]}, {v[0] + v[1], v[2]}}
		}
		var q [3][2][2][2][2]T // [k0][a1][a2][t1][t2]
		for k0 := range 3 {
			for a2 := range 2 {
				for t2 := range 2 {
					c0, c1, c2 := r[k0][0][a2][t2], r[k0][1][a2][t2], r[k0][2][a2][t2]
					q[k0][0][a2][0][t2], q[k0][0][a2][1][t2] = c0, c1+c2
					q[k0][1][a2][0][t2], q[k0][1][a2][1][t2] = c0+c1, c2
				}
			}
		}
		for a := range 4 { // (a1, a2)
			for t := range 4 { // (t1, t2)
				a1, a2, t1, t2 := a>>1, a&1, t>>1, t&1
				c0, c1, c2 := q[0][a1][a2][t1][t2], q[1][a1][a2][t1][t2], q[2][a1][a2][t1][t2]
				d0 := a*stride + oc*8 + t // phase (0, a1, a2), tap (0, t1, t2)
				d1 := d0 + 4*stride       // phase (1, a1, a2)
				wq[d0], wq[d0+4] = c0, c1+c2
				wq[d1], wq[d1+4] = c0+c1, c2
			}
		}
	}
}

// upUnfold3 is upUnfold in 3D for the (o, c) pairs lo to hi of per, the
// transpose of upFold3: along an axis, tap 0 gets phase 0's tap 0 and
// phase 1's tap 0, tap 1 phase 0's tap 1 and phase 1's tap 0, tap 2 phase
// 0's tap 1 and phase 1's tap 1.
func upUnfold3[T Float](dw, dwq []T, per, lo, hi int) {
	stride := 8 * per
	for oc := lo; oc < hi; oc++ {
		var q [3][2][2][2][2]T // [k0][a1][a2][t1][t2]
		for a := range 4 {
			for t := range 4 {
				a1, a2, t1, t2 := a>>1, a&1, t>>1, t&1
				d0 := a*stride + oc*8 + t
				d1 := d0 + 4*stride
				g00, g01, g10, g11 := dwq[d0], dwq[d0+4], dwq[d1], dwq[d1+4]
				q[0][a1][a2][t1][t2] = g00 + g10
				q[1][a1][a2][t1][t2] = g01 + g10
				q[2][a1][a2][t1][t2] = g01 + g11
			}
		}
		var r [3][3][2][2]T // [k0][k1][a2][t2]
		for k0 := range 3 {
			for a2 := range 2 {
				for t2 := range 2 {
					g00, g01 := q[k0][0][a2][0][t2], q[k0][0][a2][1][t2]
					g10, g11 := q[k0][1][a2][0][t2], q[k0][1][a2][1][t2]
					r[k0][0][a2][t2] = g00 + g10
					r[k0][1][a2][t2] = g01 + g10
					r[k0][2][a2][t2] = g01 + g11
				}
			}
		}
		d := dw[oc*27 : oc*27+27]
		for k := 0; k < 9; k++ {
			v := &r[k/3][k%3]
			d[3*k] = v[0][0] + v[1][0]
			d[3*k+1] = v[0][1] + v[1][0]
			d[3*k+2] = v[0][1] + v[1][1]
		}
	}
}

// run interleaves (forward) or splits (backward, which also clears what
// no output reads) the output planes lo to hi: the planes of the last two
// axes of [N, Cout, upsampled sizes]. Each row of a plane is made of two
// phases, the second read one position on, and the rows of one parity
// read consecutive rows of their phases, so each parity's rows are one
// call of the rows kernels.
func (j *upJob[T]) run(lo, hi int) {
	g := &j.g
	if j.backward && hi > j.planes {
		j.zero(max(lo, j.planes)-j.planes, hi-j.planes)
	}
	s, S0, S1 := g.s[2], g.s[0]*g.f[0], g.s[1]*g.f[1]
	m0 := g.f[0] - 1              // parity mask and shift: f is 1 or 2
	step := g.cout * g.phaseVol() // from one phase to the next
	for pl := lo; pl < min(hi, j.planes); pl++ {
		h0, no := pl%S0, pl/S0
		n, o := no/g.cout, no%g.cout
		a0 := h0 & m0
		for a1 := range g.f[1] {
			q0 := n*g.phases*step + o*g.phaseVol() + (a0*g.f[1]+a1)*2*step + ((h0>>m0+a0)*g.j[1]+a1)*g.j[2]
			q1 := q0 + step + 1
			yo, rows := (pl*S1+a1)*2*s, g.s[1]
			ys := g.f[1] * 2 * s // from one of these rows of y to the next
			if j.backward {
				split2Rows(j.yq[q0:], j.yq[q1:], j.y[yo:], s, rows, g.j[2], ys)
				for r := range rows {
					j.yq[q0+r*g.j[2]+s], j.yq[q1+r*g.j[2]-1] = 0, 0
				}
				continue
			}
			merge2Rows(j.y[yo:], j.yq[q0:], j.yq[q1:], s, rows, ys, g.j[2])
			if j.bias != nil {
				bv := j.bias[o]
				for r := range rows {
					yr := j.y[yo+r*ys:][:2*s]
					for i := range yr {
						yr[i] += bv
					}
				}
			}
		}
	}
}

// zero clears, in the phase volumes lo to hi of yq ([N, phases·Cout]),
// the planes and rows that no output reads: position s of an axis in
// phase 0, position 0 in phase 1.
func (j *upJob[T]) zero(lo, hi int) {
	g := &j.g
	for v := lo; v < hi; v++ {
		a := g.phase(v / g.cout % g.phases)
		vol := j.yq[v*g.phaseVol() : (v+1)*g.phaseVol()]
		plane := g.j[1] * g.j[2]
		for j0 := 0; j0 < g.j[0]; j0++ {
			pl := vol[j0*plane : (j0+1)*plane]
			if g.f[0] == 2 && j0 == (1-a[0])*g.s[0] {
				clear(pl)
				continue
			}
			if g.f[1] == 2 {
				j1 := (1 - a[1]) * g.s[1]
				clear(pl[j1*g.j[2] : (j1+1)*g.j[2]])
			}
		}
	}
}

// ConvForwardUpsampled computes ConvForward(p, u, w, bias, y) where u is
// x upsampled by 2 along every spatial axis, nearest neighbour
// (InterpForward, Nearest): p is the convolution of the upsampled map,
// of kernel 3, padding 1, stride 1 and one group, and x is [N, Cin,
// p.In/2...]. On large 3D maps it runs on the output's phases at x's
// resolution (see upPhasedMin) and the upsampled map is never made; the
// sums are then grouped differently, so results agree with the
// upsampled convolution's to rounding, not bit for bit.
func ConvForwardUpsampled[T Float](p ConvParams, x, w, bias, y []T) {
	const name = "ConvForwardUpsampled"
	g := newUpGeom(p, name)
	mustLen(name, "input", len(x), g.n*g.cin*g.inVol())
	mustLen(name, "weight", len(w), g.cout*g.cin*g.taps)
	if bias != nil {
		mustLen(name, "bias", len(bias), g.cout)
	}
	mustLen(name, "output", len(y), g.n*g.cout*g.outVol())
	j := newUpJob[T](g)
	defer j.done()
	if !g.phased() {
		ub := getScratch[T](g.n * g.cin * g.outVol())
		defer putScratch(ub)
		InterpForward(j.up(), x, *ub)
		ConvForward(p, *ub, w, bias, y)
		return
	}
	wq := getScratch[T](g.phases * g.cout * g.cin * g.qtaps)
	defer putScratch(wq)
	upFold(&j.g, w, *wq)
	yq := getScratch[T](g.n * g.phases * g.cout * g.phaseVol())
	defer putScratch(yq)
	ConvForward(j.q(), x, *wq, nil, *yq)
	j.y, j.yq, j.bias = y, *yq, bias
	j.planes = g.planes()
	parallelJob(j.planes, 1, j)
}

// ConvBackwardUpsampled computes the gradients of ConvForwardUpsampled:
// dx, the input's (ConvBackwardData of the upsampled convolution, summed
// over each input position's 2^nd copies), and dw and dbias
// (ConvBackwardWeight of the upsampled map). Each of dx, dw and dbias may
// be nil, and is overwritten otherwise; w is read only for dx, x only for
// dw.
func ConvBackwardUpsampled[T Float](p ConvParams, x, dy, w, dx, dw, dbias []T) {
	const name = "ConvBackwardUpsampled"
	g := newUpGeom(p, name)
	mustLen(name, "output gradient", len(dy), g.n*g.cout*g.outVol())
	if dx != nil {
		mustLen(name, "weight", len(w), g.cout*g.cin*g.taps)
		mustLen(name, "input gradient", len(dx), g.n*g.cin*g.inVol())
	}
	if dw != nil {
		mustLen(name, "input", len(x), g.n*g.cin*g.inVol())
		mustLen(name, "weight gradient", len(dw), g.cout*g.cin*g.taps)
	}
	if dbias != nil {
		mustLen(name, "bias gradient", len(dbias), g.cout)
		channelSums(g.n, g.cout, g.outVol(), dy, dbias)
	}
	j := newUpJob[T](g)
	defer j.done()
	if !g.phased() {
		// One upsampled map's scratch, for x upsampled and then for its
		// gradient.
		ub := getScratch[T](g.n * g.cin * g.outVol())
		defer putScratch(ub)
		if dw != nil {
			InterpForward(j.up(), x, *ub)
			ConvBackwardWeight(p, *ub, dy, dw, nil)
		}
		if dx != nil {
			ConvBackwardData(p, dy, w, *ub)
			InterpBackward(j.up(), *ub, dx)
		}
		return
	}
	if dx == nil && dw == nil {
		return
	}
	yq := getScratch[T](g.n * g.phases * g.cout * g.phaseVol())
	defer putScratch(yq)
	j.y, j.yq, j.backward = dy, *yq, true
	j.planes = g.planes()
	parallelJob(j.planes+g.n*g.phases*g.cout, 1, j)
	wq := getScratch[T](g.phases * g.cout * g.cin * g.qtaps)
	defer putScratch(wq)
	if dw != nil {
		ConvBackwardWeight(j.q(), x, *yq, *wq, nil)
		upUnfold(&j.g, *wq, dw)
	}
	if dx != nil {
		upFold(&j.g, w, *wq)
		ConvBackwardData(j.q(), *yq, *wq, dx)
	}
}
