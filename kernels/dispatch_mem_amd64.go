//go:build !purego

package kernels

import (
	"fmt"
)

// The memory-bound kernels of the AVX-512 and AVX2 tiers: each hook
// splits its slices over the workers and streams them through the leaf
// kernels of the installed tier (mk), so that the layer runs at memory
// (or cache) bandwidth. Every split depends only on the shapes, and every
// reduction adds its pieces in a fixed order, so results do not depend on
// the number of workers.

// memGrain is the fewest elements a worker is given.
const memGrain = 1 << 15

// reluHook stores a large output non-temporally (mk.reluNT) unless it is
// the input itself: in place, its lines are in the cache already, and the
// next op would read them back from memory.
func reluHook(dst, x []float32) bool {
	relu := mk.relu
	if mk.reluNT != nil && 4*len(dst) >= normNTBytes() && !sameStart(dst, x) {
		relu = mk.reluNT
	}
	Parallel(len(x), memGrain, func(lo, hi int) { relu(dst[lo:hi], x[lo:hi]) })
	return true
}

func addHook(dst, a, b []float32) bool {
	Parallel(len(a), memGrain, func(lo, hi int) { mk.add(dst[lo:hi], a[lo:hi], b[lo:hi]) })
	return true
}

func subHook(dst, a, b []float32) bool {
	Parallel(len(a), memGrain, func(lo, hi int) { mk.sub(dst[lo:hi], a[lo:hi], b[lo:hi]) })
	return true
}

func mulHook(dst, a, b []float32) bool {
	Parallel(len(a), memGrain, func(lo, hi int) { mk.mul(dst[lo:hi], a[lo:hi], b[lo:hi]) })
	return true
}

func scaleHook(dst []float32, alpha float32, x []float32) bool {
	Parallel(len(x), memGrain, func(lo, hi int) { mk.axpb(dst[lo:hi], x[lo:hi], alpha, 0, 1) })
	return true
}

// axpyHook: y += alpha·x, fused into one rounding.
func axpyHook(alpha float32, x, y []float32) bool {
	Parallel(len(x), memGrain, func(lo, hi int) { mk.axpbyc(y[lo:hi], x[lo:hi], y[lo:hi], alpha, 1, 0) })
	return true
}

// reduceHook sums f over the pieces of [0, n) in float64, one partial per
// piece, added in piece order so the result does not depend on timing.
func reduceHook(n int, f func(lo, hi int) float64) float32 {
	const piece = 1 << 16
	np := ceilDiv(n, piece)
	if np <= 1 {
		return float32(f(0, n))
	}
	partb := getScratch[float64](np)
	part := *partb
	Parallel(np, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			part[i] = f(i*piece, min((i+1)*piece, n))
		}
	})
	var s float64
	for _, v := range part {
		s += v
	}
	putScratch(partb)
	return float32(s)
}

func sumHook(x []float32) (float32, bool) {
	return reduceHook(len(x), func(lo, hi int) float64 { s, _ := mk.sumSq(x[lo:hi]); return s }), true
}

func sumSquaresHook(x []float32) (float32, bool) {
	return reduceHook(len(x), func(lo, hi int) float64 { _, q := mk.sumSq(x[lo:hi]); return q }), true
}

func dotHook(a, b []float32) (float32, bool) {
	return reduceHook(len(a), func(lo, hi int) float64 { _, d := mk.sumDot(a[lo:hi], b[lo:hi]); return d }), true
}

// reluBackwardHook stores a large dx non-temporally as reluHook does,
// unless it overwrites dy or y.
func reluBackwardHook(dx, y, dy []float32) bool {
	back := mk.reluBackward
	if mk.reluBackwardNT != nil && 4*len(dx) >= normNTBytes() && !sameStart(dx, dy) && !sameStart(dx, y) {
		back = mk.reluBackwardNT
	}
	Parallel(len(dx), memGrain, func(lo, hi int) { back(dx[lo:hi], y[lo:hi], dy[lo:hi]) })
	return true
}

// pool2 reports whether p is a kernel-2, stride-2, unpadded max pooling in
// 2 or 3 dimensions whose windows tile the input (floor mode), and the
// spatial sizes seen in 3D.
func pool2(p PoolParams) (in, out [3]int, ok bool) {
	nd := len(p.In)
	if nd < 2 || nd > 3 || len(p.Kernel) != nd {
		return in, out, false
	}
	in[0], out[0] = 1, 1
	for i := 0; i < nd; i++ {
		j := 3 - nd + i
		if p.Kernel[i] != 2 || at(p.Stride, i, 2) != 2 || at(p.Pad, i, 0) != 0 || p.In[i] < 2 {
			return in, out, false
		}
		if p.CeilMode && p.In[i]%2 != 0 {
			return in, out, false
		}
		in[j], out[j] = p.In[i], p.In[i]/2
	}
	if nd == 2 {
		in[0], out[0] = 1, 1
	}
	return in, out, true
}

// maxPool2ForwardHook: the 2×2 (×2) windows scanned in PyTorch's order,
// strict > so the first maximum wins, a NaN always wins (the last NaN).
func maxPool2ForwardHook(p PoolParams, x, y []float32, idx []int32) bool {
	in, out, ok := pool2(p)
	if !ok {
		return false
	}
	threeD := len(p.In) == 3
	H, W := in[1], in[2]
	inVol, outVol := in[0]*H*W, out[0]*out[1]*out[2]
	OW := out[2]
	Parallel(p.N*p.C, 1, func(lo, hi int) {
		var offs [4]int64
		rows := offs[:2]
		if threeD {
			rows = offs[:4]
		}
		for pl := lo; pl < hi; pl++ {
			xp := x[pl*inVol : (pl+1)*inVol]
			j := pl * outVol
			for od := 0; od < out[0]; od++ {
				for oh := 0; oh < out[1]; oh++ {
					b0 := int64((2*od*H + 2*oh) * W)
					offs[0], offs[1] = b0, b0+int64(W)
					offs[2], offs[3] = b0+int64(H*W), b0+int64(H*W+W)
					mk.maxPool2Rows(y[j:j+OW], idx[j:j+OW], xp, rows, OW)
					j += OW
				}
			}
		}
	})
	return true
}

// maxPool2BackwardHook: dx = 0, then dy scattered to the argmax indices,
// one plane at a time so the plane is still in cache for the scatter.
func maxPool2BackwardHook(p PoolParams, dy []float32, idx []int32, dx []float32) bool {
	in, out, ok := pool2(p)
	if !ok {
		return false
	}
	inVol, outVol := in[0]*in[1]*in[2], out[0]*out[1]*out[2]
	Parallel(p.N*p.C, 1, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			d := dx[pl*inVol : (pl+1)*inVol]
			clear(d)
			o := pl * outVol
			for j, i := range idx[o : o+outVol] {
				if uint(i) >= uint(inVol) {
					panic(fmt.Sprintf("kernels: MaxPoolBackward: idx[%d] = %d outside the plane of %d elements", o+j, i, inVol))
				}
				d[i] += dy[o+j]
			}
		}
	})
	return true
}

// mk is the installed tier's leaf kernels (nil in the generic tier).
var mk *memKernels

// installMemTier points the memory-bound hooks at tier t's kernels.
func installMemTier(t tier) {
	reluF32, reluBackwardF32 = nil, nil
	leakyReluF32, leakyReluBackwardF32, addLeakyReluF32 = nil, nil, nil
	leakyReluLeafF32 = nil
	split2RowsF32, merge2RowsF32 = nil, nil
	sigmoidF32 = nil
	addF32, subF32, mulF32, scaleF32, axpyF32 = nil, nil, nil, nil, nil
	sumF32, dotF32, sumSquaresF32 = nil, nil, nil
	batchNormForwardF32, batchNormBackwardF32, batchNormInferenceF32 = nil, nil, nil
	groupNormForwardF32, groupNormBackwardF32, groupNormMixF32, groupNormMixBackwardF32 = nil, nil, nil, nil
	maxPoolForwardF32, maxPoolBackwardF32 = nil, nil
	adamF32 = nil
	avgPoolForwardF32, avgPoolBackwardF32 = nil, nil
	interpForwardF32, interpBackwardF32 = nil, nil
	switch t {
	case tierAVX512:
		mk = &memAVX512
		sigmoidF32 = sigmoidAVX512
		split2RowsF32, merge2RowsF32 = split2RowsChecked, merge2RowsChecked
	case tierAVX2:
		mk = &memAVX2
	default:
		mk = nil
		return
	}
	reluF32, reluBackwardF32 = reluHook, reluBackwardHook
	leakyReluF32, leakyReluBackwardF32 = leakyReluHook, leakyReluBackwardHook
	addLeakyReluF32 = addLeakyReluHook
	leakyReluLeafF32 = mk.leakyRelu
	addF32, subF32, mulF32, scaleF32, axpyF32 = addHook, subHook, mulHook, scaleHook, axpyHook
	sumF32, dotF32, sumSquaresF32 = sumHook, dotHook, sumSquaresHook
	batchNormForwardF32, batchNormBackwardF32 = batchNormForwardHook, batchNormBackwardHook
	batchNormInferenceF32 = batchNormInferenceHook
	groupNormForwardF32, groupNormBackwardF32 = groupNormForwardHook, groupNormBackwardHook
	groupNormMixF32, groupNormMixBackwardF32 = groupNormMixHook, groupNormMixBackwardHook
	if mk.maxPool2Rows != nil {
		maxPoolForwardF32, maxPoolBackwardF32 = maxPool2ForwardHook, maxPool2BackwardHook
	}
	adamF32 = adamHook
	avgPoolForwardF32, avgPoolBackwardF32 = avgPool2ForwardHook, avgPool2BackwardHook
	interpForwardF32, interpBackwardF32 = interpForwardHook, interpBackwardHook
}

func leakyReluHook(dst, x []float32, slope float32) bool {
	Parallel(len(x), memGrain, func(lo, hi int) { mk.leakyRelu(dst[lo:hi], x[lo:hi], slope) })
	return true
}

func addLeakyReluHook(dst, a, b []float32, slope float32) bool {
	Parallel(len(dst), memGrain, func(lo, hi int) { mk.addLeakyRelu(dst[lo:hi], a[lo:hi], b[lo:hi], slope) })
	return true
}

func leakyReluBackwardHook(dx, x, dy []float32, slope float32) bool {
	Parallel(len(dx), memGrain, func(lo, hi int) { mk.leakyReluBackward(dx[lo:hi], x[lo:hi], dy[lo:hi], slope) })
	return true
}

// adamHook: the whole step in one pass over the four arrays.
func adamHook(p AdamParams, param, grad, m, v []float32) bool {
	c := newAdamCoefs[float32](p)
	Parallel(len(param), memGrain, func(lo, hi int) { mk.adam(&c, param[lo:hi], grad[lo:hi], m[lo:hi], v[lo:hi]) })
	return true
}

// sameStart reports whether a and b start at the same element.
func sameStart(a, b []float32) bool {
	return len(a) > 0 && len(b) > 0 && &a[0] == &b[0]
}
