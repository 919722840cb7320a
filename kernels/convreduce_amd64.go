//go:build !purego

package kernels

// The direct convolution's passes outside its kernels, shared out among
// the workers: the flipped weights of backward-data, the sums of the
// weight gradient's pieces and the bias gradient. Run on the calling
// goroutine they were up to an eighth of a pass at one worker (the flip
// of a 256→256 3×3 weight), and so up to a quarter at two. Each output
// element is computed by one worker in the order the serial loop used,
// so the results are the same bits whatever the worker count.

var flipJobs, pieceSumJobs, dwtSumJobs, biasSumJobs jobList

// flipJob writes the backward-data weights wt[ci][co][kvol−1−t] =
// w[co][ci][t]: the weights transposed over channels and flipped in space.
type flipJob struct {
	cin, cout, kvol int
	w, wt           []float32
}

// flipWeights sets wt from w (see flipJob), by rows ci of wt, so that
// each worker writes its rows in order and reads w at a stride.
func flipWeights(cin, cout, kvol int, w, wt []float32) {
	j := getJob[flipJob](&flipJobs)
	*j = flipJob{cin: cin, cout: cout, kvol: kvol, w: w, wt: wt}
	parallelJob(cin, max(1, 4096/max(1, cout*kvol)), j)
	putJob(&flipJobs, j)
}

func (j *flipJob) run(lo, hi int) {
	kvol := j.kvol
	for ci := lo; ci < hi; ci++ {
		dst := j.wt[ci*j.cout*kvol : (ci+1)*j.cout*kvol]
		for co := 0; co < j.cout; co++ {
			src := j.w[(co*j.cin+ci)*kvol : (co*j.cin+ci+1)*kvol]
			d := dst[co*kvol : (co+1)*kvol]
			for t, v := range src {
				d[kvol-1-t] = v
			}
		}
	}
}

// pieceSumJob adds the partial weight gradients parts (pieces−1 blocks
// of len(dw)) to dw, piece by piece in order, over ranges of elements.
type pieceSumJob struct {
	dw, parts []float32
}

// sumPieces adds the pieces' partial sums to dw (see pieceSumJob).
func sumPieces(dw, parts []float32) {
	if len(parts) == 0 {
		return
	}
	j := getJob[pieceSumJob](&pieceSumJobs)
	*j = pieceSumJob{dw: dw, parts: parts}
	parallelJob(ceilDiv(len(dw), 1024), 16, j)
	putJob(&pieceSumJobs, j)
}

func (j *pieceSumJob) run(lo, hi int) {
	size := len(j.dw)
	a, b := lo*1024, min(hi*1024, size)
	d := j.dw[a:b]
	for p := 0; p+size <= len(j.parts); p += size {
		for i, v := range j.parts[p+a : p+b] {
			d[i] += v
		}
	}
}

// dwtSumJob writes the weight gradient from the transposed accumulators
// of the pieces of backwardWeightDWT: dw[co][p] = Σ over pieces in order
// of parts[piece][p][co], over ranges of 16 taps p.
type dwtSumJob struct {
	cout, k, mpad, size, pieces int
	dw, parts                   []float32
}

func (j *directBwdWeightJob) sumDWT() {
	g := &j.g
	t := getJob[dwtSumJob](&dwtSumJobs)
	*t = dwtSumJob{cout: g.cout, k: g.kdim, mpad: j.mpad, size: 3 * j.rpad * j.mpad, pieces: j.pieces, dw: j.dw, parts: j.parts}
	parallelJob(ceilDiv(g.kdim, 16), 4, t)
	putJob(&dwtSumJobs, t)
}

func (t *dwtSumJob) run(lo, hi int) {
	K := t.k
	for b := lo; b < hi; b++ {
		p0, p1 := b*16, min(b*16+16, K)
		for co := 0; co < t.cout; co++ {
			d := t.dw[co*K+p0 : co*K+p1]
			for i := range d {
				p := p0 + i
				s := t.parts[p*t.mpad+co]
				for pc := 1; pc < t.pieces; pc++ {
					s += t.parts[pc*t.size+p*t.mpad+co]
				}
				d[i] = s
			}
		}
	}
}

// biasSumJob sets dbias[co] to the float64 sum of channel co of dy over
// the images, in image order, with the tier's vector sum.
type biasSumJob struct {
	n, cout, vol int
	dy, dbias    []float32
}

// biasGradient sets dbias from dy (n×cout×vol), by ranges of channels.
// Vector sums in float64 (the tier's sumSq), because the scalar loop they
// replace was 2 % of a 2D U-Net train step.
func biasGradient(n, cout, vol int, dy, dbias []float32) {
	j := getJob[biasSumJob](&biasSumJobs)
	*j = biasSumJob{n: n, cout: cout, vol: vol, dy: dy, dbias: dbias}
	parallelJob(cout, max(1, 16384/max(1, n*vol)), j)
	putJob(&biasSumJobs, j)
}

func (j *biasSumJob) run(lo, hi int) {
	for co := lo; co < hi; co++ {
		var s float64
		for n := 0; n < j.n; n++ {
			plane := j.dy[(n*j.cout+co)*j.vol : (n*j.cout+co+1)*j.vol]
			if mk != nil {
				a, _ := mk.sumSq(plane)
				s += a
				continue
			}
			for _, v := range plane {
				s += float64(v)
			}
		}
		j.dbias[co] = float32(s)
	}
}

// pointwiseDotMax is the most output channels whose 1×1 convolution is
// taken channel by channel: the forward and backward-data passes as sums
// of scaled channels (pointwiseMix), the weight gradient as dot products
// (pointwiseWeightGradient). A network's output heads (16 or 32 channels
// to 1 at 48³, batch 2) took 1.67 and 2.13 ms for the weight gradient as
// a GEMM, whose B operand is the input transposed, and 0.36 and 0.62 ms
// for the forward, whose GEMM fills one row of its 8-row tiles.
const pointwiseDotMax = 4

// pointwiseByChannel reports whether the 1×1 convolution p (pointwiseParams)
// runs channel by channel: few enough output channels, and a tier with
// vector kernels.
func pointwiseByChannel(p ConvParams) bool {
	return p.Cout <= pointwiseDotMax && mk != nil
}

// pointwiseChunk is the positions of one unit of pointwiseMix: the
// output's chunk, 16 KB, stays in L1 while every input channel's chunk
// is added to it.
const pointwiseChunk = 4096

// pointwiseMixJob runs pointwiseMix by units of a sample's chunk of
// positions.
type pointwiseMixJob struct {
	nin, nout, vol, chunks, wk, wj int
	in, w, bias, out               []float32
}

var pointwiseMixJobs jobList

// pointwiseMix sets each channel k of out (n×nout×vol) to bias[k] (0 for
// a nil bias) plus Σ_j w[k·wk + j·wj]·in[j] over the channels of in
// (n×nin×vol), added in channel order: a 1×1 convolution's forward pass
// (w as it lies: wk = Cin, wj = 1) or its backward-data pass (w
// transposed: wk = 1, wj = Cin).
func pointwiseMix(n, nin, nout, vol int, in, w []float32, wk, wj int, bias, out []float32) {
	_, _, _ = in[:n*nin*vol], w[:(nout-1)*wk+(nin-1)*wj+1], out[:n*nout*vol]
	j := getJob[pointwiseMixJob](&pointwiseMixJobs)
	*j = pointwiseMixJob{nin: nin, nout: nout, vol: vol, chunks: ceilDiv(vol, pointwiseChunk), wk: wk, wj: wj,
		in: in, w: w, bias: bias, out: out}
	parallelJob(n*j.chunks, 1, j)
	putJob(&pointwiseMixJobs, j)
}

func (j *pointwiseMixJob) run(lo, hi int) {
	for u := lo; u < hi; u++ {
		n, p0 := u/j.chunks, u%j.chunks*pointwiseChunk
		m := min(pointwiseChunk, j.vol-p0)
		for k := range j.nout {
			var b float32
			if j.bias != nil {
				b = j.bias[k]
			}
			ok := j.out[(n*j.nout+k)*j.vol+p0:][:m]
			for c := range j.nin {
				ic := j.in[(n*j.nin+c)*j.vol+p0:][:m]
				if wc := j.w[k*j.wk+c*j.wj]; c == 0 {
					mk.axpb(ok, ic, wc, b, 1)
				} else {
					mk.axpbyc(ok, ic, ok, wc, 1, 0)
				}
			}
		}
	}
}

// pointwiseDotJob runs pointwiseWeightGradient by ranges of input
// channels.
type pointwiseDotJob struct {
	n, cin, cout, vol int
	x, dy, dw         []float32
}

var pointwiseDotJobs jobList

// pointwiseWeightGradient sets dw[o][c] to Σ over the images of the
// float64 dot product of dy's channel o with x's channel c: the weight
// gradient of a 1×1 convolution (x n×cin×vol, dy n×cout×vol).
func pointwiseWeightGradient(n, cin, cout, vol int, x, dy, dw []float32) {
	_, _, _ = x[:n*cin*vol], dy[:n*cout*vol], dw[:cout*cin]
	j := getJob[pointwiseDotJob](&pointwiseDotJobs)
	*j = pointwiseDotJob{n: n, cin: cin, cout: cout, vol: vol, x: x, dy: dy, dw: dw}
	parallelJob(cin, 1, j)
	putJob(&pointwiseDotJobs, j)
}

func (j *pointwiseDotJob) run(lo, hi int) {
	for c := lo; c < hi; c++ {
		for o := range j.cout {
			var s float64
			for n := range j.n {
				_, d := mk.sumDot(j.dy[(n*j.cout+o)*j.vol:][:j.vol], j.x[(n*j.cin+c)*j.vol:][:j.vol])
				s += d
			}
			j.dw[o*j.cin+c] = float32(s)
		}
	}
}
