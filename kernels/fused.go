package kernels

import "fmt"

// ScalePlanes multiplies each plane of x by its own factor: with x seen
// as len(scale) consecutive planes of plane elements,
//
//	dst[p·plane + i] = scale[p]·x[p·plane + i]
//
// It is channel dropout's forward and backward pass (one factor per
// sample and channel), done in one parallel sweep instead of a
// broadcasting multiply. A zero factor clears its plane without reading
// it. dst may be x.
func ScalePlanes[T Float](dst, x []T, plane int, scale []T) {
	if plane < 0 || len(dst) != len(x) || len(dst) != plane*len(scale) {
		panic(fmt.Sprintf("kernels: ScalePlanes of %d elements into %d with %d planes of %d", len(x), len(dst), len(scale), plane))
	}
	if len(dst) < parallelMin {
		scalePlanes(dst, x, plane, scale, 0, len(dst))
		return
	}
	Parallel(len(dst), elemGrain, func(lo, hi int) { scalePlanes(dst, x, plane, scale, lo, hi) })
}

// scalePlanes runs ScalePlanes on the elements [lo, hi).
func scalePlanes[T Float](dst, x []T, plane int, scale []T, lo, hi int) {
	for lo < hi {
		p := lo / plane
		end := min(hi, (p+1)*plane)
		if s := scale[p]; s == 0 {
			clear(dst[lo:end])
		} else if !scaleFast(dst[lo:end], s, x[lo:end]) {
			scaleRange(dst[lo:end], s, x[lo:end])
		}
		lo = end
	}
}

// scaleFast runs Scale's vectorised float32 kernel, when there is one,
// and reports whether it did; called from a worker, it runs serially.
func scaleFast[T Float](dst []T, s T, x []T) bool {
	if scaleF32 == nil {
		return false
	}
	d, ok := any(dst).([]float32)
	return ok && scaleF32(d, float32(s), any(x).([]float32))
}
