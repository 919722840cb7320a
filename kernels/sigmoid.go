package kernels

import "math"

// Sigmoid sets dst[i] = 1/(1 + e^−x[i]), computed from e^−|x| so that no
// intermediate overflows: float32 through exp32 (within a few ulp of the
// correctly rounded value) where |x| < 80, float64 through math.Exp
// (and float32 beyond, where the result is subnormal or its complement
// rounds to 1).
func Sigmoid[T Float](dst, x []T) {
	mustSameLen("Sigmoid", len(dst), len(x))
	if len(dst) < parallelMin {
		sigmoidRange(dst, x)
		return
	}
	Parallel(len(dst), elemGrain, func(lo, hi int) { sigmoidRange(dst[lo:hi], x[lo:hi]) })
}

// sigmoidRange is Sigmoid on one range: float32 through the tier's
// kernel where it has one.
func sigmoidRange[T Float](dst, x []T) {
	if d, ok := any(dst).([]float32); ok {
		if sigmoidF32 != nil {
			sigmoidF32(d, any(x).([]float32))
		} else {
			sigmoid32(d, any(x).([]float32))
		}
		return
	}
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = T(sigmoid64(float64(v)))
	}
}

func sigmoid64(v float64) float64 {
	e := math.Exp(-math.Abs(v))
	if v >= 0 {
		return 1 / (1 + e)
	}
	return e / (1 + e)
}

func sigmoid32(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		a := float32(math.Abs(float64(v)))
		if !(a < 80) { // also NaN
			dst[i] = float32(sigmoid64(float64(v)))
			continue
		}
		e := exp32(-a)
		if v >= 0 {
			dst[i] = 1 / (1 + e)
		} else {
			dst[i] = e / (1 + e)
		}
	}
}

// SigmoidBackward sets dx[i] = dy[i]·y[i]·(1 − y[i]), the gradient of
// Sigmoid from its output y.
func SigmoidBackward[T Float](dx, y, dy []T) {
	mustSameLen("SigmoidBackward", len(dx), len(y), len(dy))
	if len(dx) < parallelMin {
		sigmoidBackwardRange(dx, y, dy)
		return
	}
	Parallel(len(dx), elemGrain, func(lo, hi int) { sigmoidBackwardRange(dx[lo:hi], y[lo:hi], dy[lo:hi]) })
}

func sigmoidBackwardRange[T Float](dx, y, dy []T) {
	y, dy = y[:len(dx)], dy[:len(dx)]
	for i, v := range y {
		dx[i] = dy[i] * v * (1 - v)
	}
}
