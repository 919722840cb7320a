//go:build !purego

package kernels

// mixPieces is the number of pieces groupNormMixHook splits the units
// into, each summing its channels into an output of its own that are
// then added in order: fixed, so that results do not depend on the
// number of workers.
const mixPieces = 2

// mixBlock is the positions normalised at a time into a block of
// scratch that stays in L1 while the output channels take it.
const mixBlock = 2048

// groupNormMixHook: per (sample, group) unit, in memory order, the
// channels are summed (mk.sumSq) and then normalised, LeakyReLU'd and
// added into the piece's outputs block by block, the unit's planes read
// from L2 the second time.
func groupNormMixHook(n, c, s, groups int, x, gamma, beta []float32, eps, slope float32, cout int, w, bias, out, mean, invstd []float32) bool {
	if groups <= 0 || c%groups != 0 || s == 0 || n == 0 {
		return false
	}
	nu := n * groups
	pieces := min(mixPieces, nu)
	// Piece p's units run from p·nu/pieces; its outputs cover the samples
	// of its first to its last unit.
	var first, size [mixPieces + 1]int
	total := 0
	for p := range pieces {
		u0, u1 := p*nu/pieces, (p+1)*nu/pieces
		first[p], size[p] = total, ((u1-1)/groups-u0/groups+1)*cout*s
		total += size[p]
	}
	accb := getScratch[float32](total)
	defer putScratch(accb)
	j := getJob[gnMixJob](&gnMixJobs)
	*j = gnMixJob{n: n, c: c, s: s, groups: groups, cout: cout, pieces: pieces, x: x, gamma: gamma, beta: beta,
		w: w, mean: mean, invstd: invstd, acc: *accb, first: first, eps: eps, slope: slope}
	parallelJob(pieces, 1, j)
	putJob(&gnMixJobs, j)
	// out = bias + the pieces' sums, in piece order.
	for b := range n {
		started := false
		for p := range pieces {
			b0, b1 := (p*nu/pieces)/groups, ((p+1)*nu/pieces-1)/groups
			if b < b0 || b > b1 {
				continue
			}
			src := (*accb)[first[p]+(b-b0)*cout*s:][:cout*s]
			dst := out[b*cout*s:][:cout*s]
			if !started {
				copy(dst, src)
				started = true
			} else {
				mk.add(dst, dst, src)
			}
		}
		if bias != nil {
			for k := range cout {
				o := out[(b*cout+k)*s:][:s]
				mk.axpb(o, o, 1, bias[k], 1)
			}
		}
	}
	return true
}

// gnMixJob holds groupNormMixHook's arguments; run(p, p+1) is piece p.
type gnMixJob struct {
	n, c, s, groups, cout, pieces        int
	x, gamma, beta, w, mean, invstd, acc []float32
	first                                [mixPieces + 1]int
	eps, slope                           float32
}

var gnMixJobs jobList

func (j *gnMixJob) run(lo, hi int) {
	tb := getScratch[float32](mixBlock) // not a local array: the leaf kernels' slices escape
	defer putScratch(tb)
	tmp := *tb
	cg, us, nu := j.c/j.groups, j.c/j.groups*j.s, j.n*j.groups
	for p := lo; p < hi; p++ {
		u0, u1 := p*nu/j.pieces, (p+1)*nu/j.pieces
		b0 := u0 / j.groups
		acc := j.acc[j.first[p]:]
		clear(acc[:((u1-1)/j.groups-b0+1)*j.cout*j.s])
		for u := u0; u < u1; u++ {
			var sum, sq float64
			for k := range cg {
				a, b := mk.sumSq(j.x[u*us+k*j.s:][:j.s])
				sum += a
				sq += b
			}
			mu, is := meanInvStdF64(sum, sq, us, j.eps)
			j.mean[u], j.invstd[u] = float32(mu), float32(is)
			b, g := u/j.groups, u%j.groups
			for k := range cg {
				ch := g*cg + k
				a, d := affineF32(j.gamma, j.beta, ch, mu, is)
				xc := j.x[u*us+k*j.s:][:j.s]
				for p0 := 0; p0 < j.s; p0 += mixBlock {
					m := min(mixBlock, j.s-p0)
					t := tmp[:m]
					mk.axpb(t, xc[p0:p0+m], a, d, j.slope)
					for o := range j.cout {
						ao := acc[((b-b0)*j.cout+o)*j.s+p0:][:m]
						mk.axpbyc(ao, t, ao, j.w[o*j.c+ch], 1, 0)
					}
				}
			}
		}
	}
}
