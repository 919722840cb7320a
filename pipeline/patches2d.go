package pipeline

import (
	"fmt"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
	"github.com/ivadogo/ivadogo/tensor"
)

// patchGeometry2D reads length_2D and stride_2D; ok is false when the
// model works on whole slices.
func patchGeometry2D(m config.Model) (length, stride [3]int, ok bool, err error) {
	if m.Length2D == nil {
		return length, stride, false, nil
	}
	st := m.Stride2D
	if st == nil {
		st = m.Length2D
	}
	if len(m.Length2D) != 2 || len(st) != 2 {
		return length, stride, false, fmt.Errorf("pipeline: default_model.length_2D and stride_2D need two values each, got %v and %v", m.Length2D, m.Stride2D)
	}
	for a := 0; a < 2; a++ {
		length[a], stride[a] = m.Length2D[a], st[a]
		if length[a] <= 0 || stride[a] <= 0 {
			return length, stride, false, fmt.Errorf("pipeline: default_model.length_2D %v and stride_2D %v must be positive", m.Length2D, m.Stride2D)
		}
	}
	length[2], stride[2] = 1, 1
	return length, stride, true, nil
}

// patchRefs2D lists the 2D patches of a slice (already padded to at least
// length): origins every stride, the last flush with the end, as
// ivadomed's positions with the last one clamped. With filter (training
// only, patch_filter_params) patches are dropped as slice_filter_params
// drops slices.
func patchRefs2D(pair, k int, s *transforms.Sample, length, stride [3]int, raters [][]int, filter *config.SliceFilterParams) []sliceRef {
	var out []sliceRef
	for _, o := range patchOrigins(s.Im.Shape, length, stride) {
		if !keepPatch(s, o, length, raters, filter) {
			continue
		}
		out = append(out, sliceRef{pair: pair, k: k, origin: [2]int{o[0], o[1]}, patch: true})
	}
	return out
}

// patchFilter returns the config's patch_filter_params as slice filter
// parameters, or nil where they filter nothing: they apply to training
// patches alone, as ivadomed's PatchFilter.
func patchFilter(cfg *config.Config, dataset string) *config.SliceFilterParams {
	pf := cfg.Loader.PatchFilterParams
	if dataset != transforms.Training || !(pf.FilterEmptyInput || pf.FilterEmptyMask || pf.FilterAbsentClass) {
		return nil
	}
	return &config.SliceFilterParams{FilterEmptyInput: pf.FilterEmptyInput, FilterEmptyMask: pf.FilterEmptyMask, FilterAbsentClass: pf.FilterAbsentClass}
}

// keepPatch reports whether the patch of s at o passes filter (nil
// keeps every patch).
func keepPatch(s *transforms.Sample, o, length [3]int, raters [][]int, filter *config.SliceFilterParams) bool {
	return filter == nil || keepSlice(cropSample(s, o, length), raters, *filter, nil)
}

// cropSample returns the box of shape length at origin o of a sample's
// parts (zeros outside).
func cropSample(s *transforms.Sample, o, length [3]int) *transforms.Sample {
	crop := func(p transforms.Part) transforms.Part {
		if len(p.Data) == 0 {
			return transforms.Part{}
		}
		q := transforms.Part{Shape: length}
		for _, v := range p.Data {
			q.Data = append(q.Data, cropPad(v, p.Shape, o, length))
		}
		return q
	}
	return &transforms.Sample{Zooms: s.Zooms, Im: crop(s.Im), GT: crop(s.GT), ROI: crop(s.ROI)}
}

// padSample pads a sample's parts with zeros to at least length.
func padSample(s *transforms.Sample, length [3]int) {
	padPart(&s.Im, length)
	padPart(&s.GT, length)
	padPart(&s.ROI, length)
}

// run2D runs the model on a batch of slices x [N, C, H, W]: whole, or for
// a model trained on 2D patches (length_2D) by sliding a window of that
// size every stride_2D pixels (the slices padded with zeros to at least
// one window) and blending the overlapping predictions with Gaussian
// weights, as the 3D sliding window does.
func (p *predictor) run2D(x *autograd.Value) *autograd.Value {
	length, stride, ok, err := patchGeometry2D(p.mp)
	if !ok || err != nil {
		return nn.Run(p.mod, p.in.input(x))
	}
	// Training batches pad patches to a multiple of 2^depth; so do the
	// windows.
	length[0], length[1] = roundUp(length[0], p.mult), roundUp(length[1], p.mult)
	sh := x.Shape()
	n, c, h, w := sh[0], sh[1], sh[2], sh[3]
	full := [3]int{max(h, length[0]), max(w, length[1]), 1}
	xd := x.Data().Contiguous().Data()
	plane := full[0] * full[1]
	// xs[i][ch] is channel ch of sample i padded to full.
	xs := make([][][]float32, n)
	for i := range n {
		for ch := range c {
			xs[i] = append(xs[i], cropPad(xd[(i*c+ch)*h*w:(i*c+ch+1)*h*w], [3]int{h, w, 1}, [3]int{}, full))
		}
	}
	wts := gaussian(length)
	var acc [][]float32 // [i*k+class] → full plane
	norm := make([]float32, plane)
	k := 0
	lw := length[0] * length[1]
	for _, o := range patchOrigins(full, length, stride) {
		win := make([]float32, n*c*lw)
		for i := range n {
			for ch := range c {
				copy(win[(i*c+ch)*lw:], cropPad(xs[i][ch], full, o, length))
			}
		}
		y := nn.Run(p.mod, p.in.input(autograd.Const(tensor.FromSlice(win, n, c, length[0], length[1]))))
		yd := y.Data().Contiguous().Data()
		if acc == nil {
			k = y.Shape()[1]
			acc = make([][]float32, n*k)
			for j := range acc {
				acc[j] = make([]float32, plane)
			}
		}
		for a := 0; a < length[0]; a++ {
			for b := 0; b < length[1]; b++ {
				wv := wts[a*length[1]+b]
				dst := (o[0]+a)*full[1] + o[1] + b
				norm[dst] += wv
				for j := range acc {
					acc[j][dst] += wv * yd[j*lw+a*length[1]+b]
				}
			}
		}
	}
	out := make([]float32, n*k*h*w)
	for j, a := range acc {
		for i := range a {
			if norm[i] > 0 {
				a[i] /= norm[i]
			}
		}
		copy(out[j*h*w:], cropPad(a, full, [3]int{}, [3]int{h, w, 1}))
	}
	return autograd.Const(tensor.FromSlice(out, n, k, h, w))
}
