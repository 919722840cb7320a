package kernels

// Reductions accumulate in float64 over fixed chunks of reduceChunk
// elements whose partial sums are added in order, so the result does not
// depend on the number of workers.
const reduceChunk = 1 << 14

// reduce64 returns Σ_chunks f(lo, hi) over [0, n), the chunks computed in
// parallel and summed in order.
func reduce64(n int, f func(lo, hi int) float64) float64 {
	chunks := (n + reduceChunk - 1) / reduceChunk
	if chunks <= 1 {
		return f(0, n)
	}
	part := getScratch[float64](chunks)
	p := *part
	Parallel(chunks, 2, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			p[c] = f(c*reduceChunk, min((c+1)*reduceChunk, n))
		}
	})
	var s float64
	for _, v := range p {
		s += v
	}
	putScratch(part)
	return s
}

// Sum returns Σ x[i], accumulated in float64.
func Sum[T Float](x []T) T {
	if sumF32 != nil {
		if xf, ok := any(x).([]float32); ok {
			if s, ok := sumF32(xf); ok {
				return T(s)
			}
		}
	}
	if len(x) <= reduceChunk {
		return T(sum64(x))
	}
	return T(reduce64(len(x), func(lo, hi int) float64 { return sum64(x[lo:hi]) }))
}

// Dot returns Σ a[i]·b[i], accumulated in float64.
func Dot[T Float](a, b []T) T {
	mustSameLen("Dot", len(a), len(b))
	if dotF32 != nil {
		if af, ok := any(a).([]float32); ok {
			if s, ok := dotF32(af, any(b).([]float32)); ok {
				return T(s)
			}
		}
	}
	if len(a) <= reduceChunk {
		return T(dot64(a, b))
	}
	return T(reduce64(len(a), func(lo, hi int) float64 { return dot64(a[lo:hi], b[lo:hi]) }))
}

// SumSquares returns Σ x[i]², accumulated in float64.
func SumSquares[T Float](x []T) T {
	if sumSquaresF32 != nil {
		if xf, ok := any(x).([]float32); ok {
			if s, ok := sumSquaresF32(xf); ok {
				return T(s)
			}
		}
	}
	if len(x) <= reduceChunk {
		return T(sumSqDev64(x, 0))
	}
	return T(reduce64(len(x), func(lo, hi int) float64 { return sumSqDev64(x[lo:hi], 0) }))
}

func dot64[T Float](a, b []T) float64 {
	b = b[:len(a)]
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(a); i += 2 {
		s0 += float64(a[i]) * float64(b[i])
		s1 += float64(a[i+1]) * float64(b[i+1])
	}
	for ; i < len(a); i++ {
		s0 += float64(a[i]) * float64(b[i])
	}
	return s0 + s1
}
