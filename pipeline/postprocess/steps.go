package postprocess

import "math"

// Threshold is ivadomed's threshold_predictions (binarize_prediction):
// values below thr become 0, the others 1. Like ivadomed it runs in two
// passes, so with thr ≤ 0 the zeros written by the first pass become 1 too.
func Threshold(v []float32, thr float32) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		if x < thr {
			x = 0
		}
		if x >= thr {
			x = 1
		}
		out[i] = x
	}
	return out
}

// DiscardNoise zeroes values ≤ 0.01 in place, as ivadomed does to every
// prediction before post-processing it and saving it.
func DiscardNoise(v []float32) {
	for i, x := range v {
		if x <= 0.01 {
			v[i] = 0
		}
	}
}

// Mask returns v where keep is true and 0 elsewhere (ivadomed's
// mask_predictions).
func Mask(v []float32, keep []bool) []float32 {
	if len(v) != len(keep) {
		panic("postprocess: Mask: lengths differ")
	}
	out := make([]float32, len(v))
	for i, x := range v {
		if keep[i] {
			out[i] = x
		}
	}
	return out
}

// RemoveNoise zeroes values ≤ thr (remove_noise); thr < 0 leaves v as it is.
func RemoveNoise(v []float32, thr float32) []float32 {
	out := append([]float32(nil), v...)
	if thr < 0 {
		return out
	}
	for i, x := range out {
		if !(x > thr) {
			out[i] = 0
		}
	}
	return out
}

// ArgmaxClasses is binarize_maxpooling: a background channel 1−Σ classes is
// put in front, each voxel is given to the channel of highest value (the
// first on ties), and the one-hot result is returned without the
// background channel.
func ArgmaxClasses(classes [][]float32) [][]float32 {
	if len(classes) == 0 {
		return nil
	}
	n := len(classes[0])
	out := make([][]float32, len(classes))
	for c := range out {
		if len(classes[c]) != n {
			panic("postprocess: ArgmaxClasses: class volumes differ in length")
		}
		out[c] = make([]float32, n)
	}
	for i := 0; i < n; i++ {
		var sum float32
		for c := range classes {
			sum += classes[c][i]
		}
		best, bestV := -1, 1-sum
		for c := range classes {
			if classes[c][i] > bestV {
				best, bestV = c, classes[c][i]
			}
		}
		if best >= 0 {
			out[best][i] = 1
		}
	}
	return out
}

// isBinary reports whether every value is 0 or 1.
func isBinary(v []float32) bool {
	for _, x := range v {
		if x != 0 && x != 1 {
			return false
		}
	}
	return true
}

// KeepLargest keeps the largest 6-connected object (scipy's default
// structure), the first in raster order among equals. A soft prediction is
// thresholded at 0.001 to find the objects and keeps its soft values inside
// the one kept (ivadomed's binarize_with_low_threshold).
func KeepLargest(v []float32, shape [3]int) []float32 {
	checkLen("prediction", len(v), shape)
	src := v
	if !isBinary(v) {
		src = Threshold(v, 0.001)
	}
	labels, n := Label(Nonzero(src), shape, Face)
	out := append([]float32(nil), v...)
	if n <= 1 {
		return out
	}
	sz := Sizes(labels, n)
	best := 1
	for l := 2; l <= n; l++ {
		if sz[l] > sz[best] {
			best = l
		}
	}
	for i, l := range labels {
		if l != int32(best) {
			out[i] = 0
		}
	}
	return out
}

// KeepLargestPerSlice applies KeepLargest to each 2D slice across axis
// (ivadomed's keep_largest_object_per_slice; objects are 4-connected
// within a slice).
func KeepLargestPerSlice(v []float32, shape [3]int, axis int) []float32 {
	checkLen("prediction", len(v), shape)
	if axis < 0 || axis > 2 {
		panic("postprocess: KeepLargestPerSlice: axis must be 0, 1 or 2")
	}
	out := make([]float32, len(v))
	sliceShape := shape
	sliceShape[axis] = 1
	buf := make([]float32, Len(sliceShape))
	for s := 0; s < shape[axis]; s++ {
		forSlice(shape, axis, s, func(n, idx int) { buf[n] = v[idx] })
		kept := KeepLargest(buf, sliceShape)
		forSlice(shape, axis, s, func(n, idx int) { out[idx] = kept[n] })
	}
	return out
}

// forSlice calls fn(n, idx) for the n-th voxel (C order) of slice s across
// axis, idx being its index in the volume.
func forSlice(shape [3]int, axis, s int, fn func(n, idx int)) {
	n := 0
	lo, hi := [3]int{}, shape
	lo[axis], hi[axis] = s, s+1
	for i := lo[0]; i < hi[0]; i++ {
		for j := lo[1]; j < hi[1]; j++ {
			for k := lo[2]; k < hi[2]; k++ {
				fn(n, (i*shape[1]+j)*shape[2]+k)
				n++
			}
		}
	}
}

// FillHoles fills the holes of a binary mask, as
// scipy.ndimage.binary_fill_holes with a 3×3×3 block of ones: background
// voxels not 26-connected to the volume's border become 1. Values other
// than 0 count as foreground; the result is 0/1.
func FillHoles(v []float32, shape [3]int) []float32 {
	checkLen("prediction", len(v), shape)
	bg := make([]bool, len(v))
	for i, x := range v {
		bg[i] = x == 0
	}
	labels, n := Label(bg, shape, Vertex)
	border := make([]bool, n+1)
	for i := 0; i < shape[0]; i++ {
		for j := 0; j < shape[1]; j++ {
			for k := 0; k < shape[2]; k++ {
				if i == 0 || j == 0 || k == 0 || i == shape[0]-1 || j == shape[1]-1 || k == shape[2]-1 {
					border[labels[(i*shape[1]+j)*shape[2]+k]] = true
				}
			}
		}
	}
	out := make([]float32, len(v))
	for i, l := range labels {
		if l == 0 || !border[l] {
			out[i] = 1
		}
	}
	return out
}

// RemoveSmall zeroes the 18-connected objects (of non-zero voxels) with
// fewer than minSize voxels, as ivadomed's remove_small_objects.
func RemoveSmall(v []float32, shape [3]int, minSize int) []float32 {
	checkLen("prediction", len(v), shape)
	labels, n := Label(Nonzero(v), shape, Edge)
	sz := Sizes(labels, n)
	out := append([]float32(nil), v...)
	for i, l := range labels {
		if l != 0 && sz[l] < minSize {
			out[i] = 0
		}
	}
	return out
}

// VoxelsFromMM3 converts a size in mm³ to voxels as ivadomed does:
// numpy's round (half to even) of size / voxel volume.
func VoxelsFromMM3(mm3 float64, voxel [3]float64) float64 {
	return math.RoundToEven(mm3 / (voxel[0] * voxel[1] * voxel[2]))
}
