//go:build !purego

package kernels

// sigmoidAVX512 is sigmoidRange for float32 (see sigmoid_amd64.s).
//
//go:noescape
func sigmoidAVX512(dst, x []float32)

func sigmoidHook(dst, x []float32) bool {
	if len(dst) < parallelMin {
		sigmoidAVX512(dst, x)
		return true
	}
	Parallel(len(dst), elemGrain, func(lo, hi int) { sigmoidAVX512(dst[lo:hi], x[lo:hi]) })
	return true
}
