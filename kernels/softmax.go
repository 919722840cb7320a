package kernels

import (
	"fmt"
	"math"
)

// softmaxBlock is how many positions along the inner axis are normalised
// together: the rows of a block are contiguous, so the strided reduction
// over the softmax axis still streams memory.
const softmaxBlock = 512

func checkSoftmax(kernel string, outer, n, inner int, lens ...int) {
	if outer < 0 || n < 1 || inner < 0 {
		panic(fmt.Sprintf("kernels: %s: invalid shape outer=%d n=%d inner=%d", kernel, outer, n, inner))
	}
	for _, l := range lens {
		if l != outer*n*inner {
			panic(fmt.Sprintf("kernels: %s: slice lengths %v, want %d (outer=%d n=%d inner=%d)", kernel, lens, outer*n*inner, outer, n, inner))
		}
	}
}

// forSoftmaxBlocks calls fn for every block of inner positions
// [i0, i1) of every outer index o, spread over the workers.
func forSoftmaxBlocks(outer, inner int, fn func(o, i0, i1 int)) {
	blocks := (inner + softmaxBlock - 1) / softmaxBlock
	Parallel(outer*blocks, 1, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			o, b := u/blocks, u%blocks
			fn(o, b*softmaxBlock, min((b+1)*softmaxBlock, inner))
		}
	})
}

// Softmax computes the softmax of x, viewed as [outer, n, inner], along
// its middle axis (for NCHW and the channel axis: outer = N, n = C,
// inner = H·W):
//
//	y[o,j,i] = exp(x[o,j,i] − m) / Σ_k exp(x[o,k,i] − m),  m = max_k x[o,k,i]
//
// y may be x; it is overwritten.
func Softmax[T Float](outer, n, inner int, x, y []T) {
	checkSoftmax("Softmax", outer, n, inner, len(x), len(y))
	if softmaxF32 != nil {
		if xf, ok := any(x).([]float32); ok && softmaxF32(outer, n, inner, xf, any(y).([]float32), false) {
			return
		}
	}
	softmaxGeneric(outer, n, inner, x, y, false)
}

// LogSoftmax computes log(Softmax(x)) along the middle axis of
// [outer, n, inner], stably: y = x − m − log Σ_k exp(x[o,k,i] − m).
// y may be x; it is overwritten.
func LogSoftmax[T Float](outer, n, inner int, x, y []T) {
	checkSoftmax("LogSoftmax", outer, n, inner, len(x), len(y))
	if softmaxF32 != nil {
		if xf, ok := any(x).([]float32); ok && softmaxF32(outer, n, inner, xf, any(y).([]float32), true) {
			return
		}
	}
	softmaxGeneric(outer, n, inner, x, y, true)
}

func softmaxGeneric[T Float](outer, n, inner int, x, y []T, logOut bool) {
	forSoftmaxBlocks(outer, inner, func(o, i0, i1 int) {
		w := i1 - i0
		mb := getScratch[T](2 * w)
		m, s := (*mb)[:w], (*mb)[w:]
		base := o * n * inner
		copy(m, x[base+i0:base+i1])
		for j := 1; j < n; j++ {
			for i, v := range x[base+j*inner+i0 : base+j*inner+i1] {
				if v > m[i] || v != v {
					m[i] = v
				}
			}
		}
		clear(s)
		for j := 0; j < n; j++ {
			xr := x[base+j*inner+i0 : base+j*inner+i1]
			var yr []T
			if !logOut {
				yr = y[base+j*inner+i0 : base+j*inner+i1]
			}
			expShiftSum(xr, m, s, yr)
		}
		for i := range s {
			if logOut {
				m[i] += T(math.Log(float64(s[i])))
			} else {
				s[i] = 1 / s[i]
			}
		}
		for j := 0; j < n; j++ {
			xr := x[base+j*inner+i0 : base+j*inner+i1]
			yr := y[base+j*inner+i0 : base+j*inner+i1]
			if logOut {
				for i, v := range xr {
					yr[i] = v - m[i]
				}
			} else {
				for i := range yr {
					yr[i] *= s[i]
				}
			}
		}
		putScratch(mb)
	})
}

// SoftmaxBackward computes the gradient of Softmax from its output y:
// dx[o,j,i] = y[o,j,i]·(dy[o,j,i] − Σ_k dy[o,k,i]·y[o,k,i]). dx may be dy;
// it is overwritten.
func SoftmaxBackward[T Float](outer, n, inner int, y, dy, dx []T) {
	checkSoftmax("SoftmaxBackward", outer, n, inner, len(y), len(dy), len(dx))
	if softmaxBackwardF32 != nil {
		if yf, ok := any(y).([]float32); ok && softmaxBackwardF32(outer, n, inner, yf, any(dy).([]float32), any(dx).([]float32), false) {
			return
		}
	}
	softmaxBackwardGeneric(outer, n, inner, y, dy, dx, false)
}

// LogSoftmaxBackward computes the gradient of LogSoftmax from its output
// y: dx[o,j,i] = dy[o,j,i] − exp(y[o,j,i])·Σ_k dy[o,k,i]. dx may be dy; it
// is overwritten.
func LogSoftmaxBackward[T Float](outer, n, inner int, y, dy, dx []T) {
	checkSoftmax("LogSoftmaxBackward", outer, n, inner, len(y), len(dy), len(dx))
	if softmaxBackwardF32 != nil {
		if yf, ok := any(y).([]float32); ok && softmaxBackwardF32(outer, n, inner, yf, any(dy).([]float32), any(dx).([]float32), true) {
			return
		}
	}
	softmaxBackwardGeneric(outer, n, inner, y, dy, dx, true)
}

func softmaxBackwardGeneric[T Float](outer, n, inner int, y, dy, dx []T, logOut bool) {
	forSoftmaxBlocks(outer, inner, func(o, i0, i1 int) {
		w := i1 - i0
		sb := getScratch[T](w)
		s := *sb
		clear(s)
		base := o * n * inner
		for j := 0; j < n; j++ {
			yr := y[base+j*inner+i0 : base+j*inner+i1]
			gr := dy[base+j*inner+i0 : base+j*inner+i1]
			if logOut {
				for i, g := range gr {
					s[i] += g
				}
			} else {
				for i, g := range gr {
					s[i] += g * yr[i]
				}
			}
		}
		for j := 0; j < n; j++ {
			yr := y[base+j*inner+i0 : base+j*inner+i1]
			gr := dy[base+j*inner+i0 : base+j*inner+i1]
			dr := dx[base+j*inner+i0 : base+j*inner+i1]
			if logOut {
				logSoftmaxGrad(dr, gr, yr, s)
			} else {
				for i, g := range gr {
					dr[i] = yr[i] * (g - s[i])
				}
			}
		}
		putScratch(sb)
	})
}

// expShiftSum adds e = exp(x − m) to s and, unless y is nil, stores e in
// y. float32 data uses exp32, which is several times faster than
// math.Exp and as accurate as float32 needs.
func expShiftSum[T Float](x, m, s, y []T) {
	if xf, ok := any(x).([]float32); ok {
		mf, sf := any(m).([]float32), any(s).([]float32)
		mf, sf = mf[:len(xf)], sf[:len(xf)]
		if y == nil {
			for i, v := range xf {
				sf[i] += exp32(v - mf[i])
			}
			return
		}
		yf := any(y).([]float32)[:len(xf)]
		for i, v := range xf {
			e := exp32(v - mf[i])
			sf[i] += e
			yf[i] = e
		}
		return
	}
	for i, v := range x {
		e := T(math.Exp(float64(v - m[i])))
		s[i] += e
		if y != nil {
			y[i] = e
		}
	}
}

// logSoftmaxGrad sets dx = dy − exp(y)·s.
func logSoftmaxGrad[T Float](dx, dy, y, s []T) {
	if df, ok := any(dx).([]float32); ok {
		gf, yf, sf := any(dy).([]float32), any(y).([]float32), any(s).([]float32)
		gf, yf, sf = gf[:len(df)], yf[:len(df)], sf[:len(df)]
		for i, g := range gf {
			df[i] = g - exp32(yf[i])*sf[i]
		}
		return
	}
	for i, g := range dy {
		dx[i] = g - T(math.Exp(float64(y[i])))*s[i]
	}
}
