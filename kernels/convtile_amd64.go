//go:build !purego

package kernels

// The tiled direct forward: 8 output channels × 3 runs of 16 output
// positions per kernel call, with the GEMM micro-kernel's register tile
// but its B rows read straight from the padded image (each run at its own
// virtual position) and its rows stored straight into y (each run at its
// own output index). It needs output rows of a multiple of 16, so that a
// run never crosses a row, and a multiple of 8 output channels. Against
// the gathered GEMM path it saves the panel gathers: 1.09–1.15× less CPU
// for the 64–256-channel 2D forwards and backward-data passes; and
// against the broadcast kernel (convBcast16AVX512), which reads each
// input value once per 16 channels, 1.17× for 32→32 2D and 16→16 3D,
// 1.3× for 1→32. Runs are numbered across the whole batch, so that only
// the batch's last tile is ragged.

// convTile8x48AVX512 is convTile8x48Go: the caller guarantees
// x[off[p]+q[v] : off[p]+q[v]+16] inside x for p < k, 8·k values in a, and
// c[i*ldc+ci[v] : i*ldc+ci[v]+16] inside c for i < 8.
//
//go:noescape
func convTile8x48AVX512(k int, a []float32, x []float32, off []int32, q *[3]int32, c []float32, ldc int, ci *[3]int32, beta float32)

// convTile8x48Go sets, for i < 8, v < 3 and j < 16,
//
//	c[i*ldc+ci[v]+j] = beta·c[i*ldc+ci[v]+j] + Σ_{p<k} a[p*8+i]·x[off[p]+q[v]+j]
//
// (beta is 0 or 1; with 0, c is not read): 8 output channels, their
// weights packed tap-major in a, of three runs of 16 output positions,
// run v reading tap p's im2col row from x[off[p]+q[v]] on and stored from
// c[ci[v]] on. Every run is read before any is stored, so runs may repeat.
func convTile8x48Go(k int, a []float32, x []float32, off []int32, q *[3]int32, c []float32, ldc int, ci *[3]int32, beta float32) {
	var acc [8][3][16]float32
	for p, o := range off[:k] {
		for v := range q {
			xs := x[int(o)+int(q[v]) : int(o)+int(q[v])+16]
			for i, av := range a[p*8 : p*8+8] {
				for j, xv := range xs {
					acc[i][v][j] += av * xv
				}
			}
		}
	}
	for i := range acc {
		if beta != 0 {
			for v := range ci {
				for j, cv := range c[i*ldc+int(ci[v]) : i*ldc+int(ci[v])+16] {
					acc[i][v][j] += cv
				}
			}
		}
		for v := range ci {
			copy(c[i*ldc+int(ci[v]):i*ldc+int(ci[v])+16], acc[i][v][:])
		}
	}
}

const (
	// tileRuns is the number of 16-position runs per unit of work: four
	// tiles, whose input rows (for tileKC taps) stay in L1 while every
	// 8-channel weight panel passes over them.
	tileRuns = 12
	// tileKC is the number of taps per depth block, as the GEMM's for
	// the 8×48 kernel: a weight panel and the chunk's input rows stay in
	// L1.
	tileKC = 144
)

// tileFits reports whether the tiled forward applies to g: output rows of
// a multiple of 16, a multiple of 8 output channels, and batch offsets
// that fit the kernel's int32 indices.
func tileFits(g *directGeom) bool {
	outVol := g.out[0] * g.out[1] * g.out[2]
	return g.out[2]%16 == 0 && g.cout%8 == 0 && g.n*g.cout*outVol < 1<<31
}

type directTileJob directFwdJob

// run computes the chunks [lo, hi) of tileRuns runs of the batch: per
// depth block, every 8-channel weight panel against the chunk's tiles,
// straight into y; then the bias.
func (j *directTileJob) run(lo, hi int) {
	g, wp, offb, mpad := &j.g, j.wp, j.off, j.mpad
	K, outVol := g.kdim, g.out[0]*g.out[1]*g.out[2]
	perImage := outVol / 16
	total := g.n * perImage
	var q, ci [tileRuns / 3][3]int32
	for u := lo; u < hi; u++ {
		r0 := u * tileRuns
		nr := min(tileRuns, total-r0)
		tiles := ceilDiv(nr, 3)
		for t := 0; t < tiles; t++ {
			for v := 0; v < 3; v++ {
				r := r0 + min(3*t+v, nr-1)
				n, o := r/perImage, r%perImage*16
				qv, _ := g.run(o, 16)
				q[t][v] = int32(n*g.stride + qv)
				ci[t][v] = int32(n*g.cout*outVol + o)
			}
		}
		for pc := 0; pc < K; pc += j.kc {
			kcur := min(j.kc, K-pc)
			beta := float32(min(pc, 1))
			off := offb[pc : pc+kcur]
			wblk := wp[pc*mpad : pc*mpad+mpad*kcur]
			for ir := 0; ir < g.cout; ir += 8 {
				a := wblk[ir*kcur : (ir+8)*kcur]
				c := j.y[ir*outVol:]
				for t := 0; t < tiles; t++ {
					if j.ck.tileAsm {
						convTile8x48AVX512(kcur, a, j.xp, off, &q[t], c, outVol, &ci[t], beta)
					} else {
						convTile8x48Go(kcur, a, j.xp, off, &q[t], c, outVol, &ci[t], beta)
					}
				}
			}
		}
		if j.bias != nil {
			for r := r0; r < r0+nr; r++ {
				n, o := r/perImage, r%perImage*16
				addBias(j.y[n*g.cout*outVol:(n+1)*g.cout*outVol], j.bias, outVol, o, 16)
			}
		}
	}
}

// forwardTiled runs j (set up by convDirectForward: input padded, offsets
// computed) on the tiled kernel, the weights packed in 8-row panels per
// depth block of tileKC taps.
func (j *directFwdJob) forwardTiled() {
	g := &j.g
	K := g.kdim
	j.kc = ceilDiv(K, ceilDiv(K, tileKC))
	j.mpad = g.cout
	wpb := getPack(g.cout * K)
	defer putPack(wpb)
	j.wp = (*wpb)[:g.cout*K]
	asm := j.ck.tileAsm
	j.ck = tileKernGo
	if asm {
		j.ck = tileKernAsm
	}
	parallelJob(ceilDiv(K, j.kc)*(g.cout/8), 1, (*directPackJob)(j))
	runs := g.n * g.out[0] * g.out[1] * g.out[2] / 16
	parallelJob(ceilDiv(runs, tileRuns), 1, (*directTileJob)(j))
}

// tileKernAsm and tileKernGo stand in for the convolution kernel while the
// tiled forward runs: the weight packing reads their tile height, and the
// tile job which twin to call.
var (
	tileMK      = &microKernel{mr: 8, nr: 48}
	tileKernAsm = &convKernel{mk: tileMK, tiled: true, tileAsm: true}
	tileKernGo  = &convKernel{mk: tileMK, tiled: true}
)
