package kernels

// gemmGeneric is the pure-Go GEMM: the reference the assembly is tested
// against. Rows of C are spread over the worker pool; within a row the
// i-k-j order streams B and C contiguously when B is not transposed.
func gemmGeneric[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	l := typedList[T](&gemmGenericJobs)
	j := getJob[gemmGenericJob[T]](l)
	*j = gemmGenericJob[T]{transA, transB, n, k, alpha, beta, a, b, c, lda, ldb, ldc}
	parallelJob(m, 4, j)
	putJob(l, j)
}

var gemmGenericJobs [2]jobList

type gemmGenericJob[T Float] struct {
	transA, transB bool
	n, k           int
	alpha, beta    T
	a, b, c        []T
	lda, ldb, ldc  int
}

// Block sizes of the generic GEMM: a kc-deep slice of an nc-wide block of
// op(B) is packed once per range of rows (about kc·nc·8 bytes, in L2),
// then swept by a 2×4 register tile. 2×4 keeps the eight accumulators and
// the six operands of one step in registers on amd64 (15 usable float
// registers) as well as arm64 (32), where this kernel is the only one.
const (
	gemmKC = 256
	gemmNC = 512
)

func (j *gemmGenericJob[T]) run(lo, hi int) {
	n, k, ldc, c := j.n, j.k, j.ldc, j.c
	for i := lo; i < hi; i++ {
		ci := c[i*ldc : i*ldc+n]
		switch j.beta {
		case 0:
			clear(ci)
		case 1:
		default:
			for jj := range ci {
				ci[jj] *= j.beta
			}
		}
	}
	if k == 0 {
		return
	}
	bbuf := getScratch[T](min(gemmKC, k) * (min(gemmNC, n) + 3) / 4 * 4)
	abuf := getScratch[T](2 * min(gemmKC, k))
	bp, ap := *bbuf, *abuf
	for jc := 0; jc < n; jc += gemmNC {
		nb := min(gemmNC, n-jc)
		for pc := 0; pc < k; pc += gemmKC {
			kb := min(gemmKC, k-pc)
			j.packB(bp, pc, kb, jc, nb)
			for i := lo; i < hi; i += 2 {
				mr := min(2, hi-i)
				j.packA(ap, i, mr, pc, kb)
				for s := 0; s*4 < nb; s++ {
					j.tile(ap[:2*kb], bp[s*4*kb:(s+1)*4*kb], i, mr, jc+4*s, min(4, nb-4*s))
				}
			}
		}
	}
	putScratch(abuf)
	putScratch(bbuf)
}

// packB copies op(B)[pc:pc+kb, jc:jc+nb] into strips of four columns,
// each kb×4 row-major, padding the last strip with zeros.
func (j *gemmGenericJob[T]) packB(bp []T, pc, kb, jc, nb int) {
	b, ldb := j.b, j.ldb
	for s := 0; s*4 < nb; s++ {
		strip := bp[s*4*kb : (s+1)*4*kb]
		for cc := 0; cc < 4; cc++ {
			col := jc + 4*s + cc
			if 4*s+cc >= nb {
				for p := 0; p < kb; p++ {
					strip[p*4+cc] = 0
				}
				continue
			}
			if j.transB {
				src := b[col*ldb+pc : col*ldb+pc+kb]
				for p, v := range src {
					strip[p*4+cc] = v
				}
			} else {
				for p := 0; p < kb; p++ {
					strip[p*4+cc] = b[(pc+p)*ldb+col]
				}
			}
		}
	}
}

// packA copies alpha·op(A)[i:i+mr, pc:pc+kb] as kb×2, padding a missing
// second row with zeros.
func (j *gemmGenericJob[T]) packA(ap []T, i, mr, pc, kb int) {
	a, lda, alpha := j.a, j.lda, j.alpha
	for r := 0; r < 2; r++ {
		for p := 0; p < kb; p++ {
			var v T
			if r < mr {
				if j.transA {
					v = a[(pc+p)*lda+i+r]
				} else {
					v = a[(i+r)*lda+pc+p]
				}
			}
			ap[p*2+r] = alpha * v
		}
	}
}

// tile adds the 2×4 product of a packed A panel (kb×2) and B strip (kb×4)
// to C[i:i+mr, col:col+nc].
func (j *gemmGenericJob[T]) tile(ap, bs []T, i, mr, col, nc int) {
	var c00, c01, c02, c03, c10, c11, c12, c13 T
	for p := 0; p+1 < len(ap) && 4*p/2+3 < len(bs); p += 2 {
		a0, a1 := ap[p], ap[p+1]
		b := bs[2*p : 2*p+4 : 2*p+4]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
	}
	acc := [2][4]T{{c00, c01, c02, c03}, {c10, c11, c12, c13}}
	for r := 0; r < mr; r++ {
		cr := j.c[(i+r)*j.ldc+col : (i+r)*j.ldc+col+nc]
		for cc := range cr {
			cr[cc] += acc[r][cc]
		}
	}
}
