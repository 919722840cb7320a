package pipeline

import (
	"fmt"
	"math/rand/v2"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// patchRef names one 3D sample: a pair and the origin of its patch.
type patchRef struct {
	pair   int
	origin [3]int
}

// patches3D is the 3D sub-volume dataset of one set, as ivadomed's
// Bids3DDataset: each volume is preprocessed whole (Resample, CenterCrop),
// padded with zeros to at least length_3D along each axis, and cut into
// patches of length_3D every stride_3D voxels, the last one flush with
// the end (ivadomed instead refuses sizes the strides do not divide).
type patches3D struct {
	pairs          []bids.Pair
	pre, fly       *transforms.Compose
	perm           [3]int
	classes        int
	length, stride [3]int
	refs           []patchRef
	cache          *volumeCache
	inputDropout   bool
	// conds holds each pair's FiLM metadata.
	conds []sampleCond
	// boxes crop each pair to the box an object-detection model found
	// (nil without a cascade).
	boxes []box
}

func newPatches3D(pairs []bids.Pair, cfg *config.Config, m config.Model, tl transforms.List, dataset string, cacheBytes int) (*patches3D, error) {
	perm, err := hwdPerm(cfg.Loader.SliceAxis)
	if err != nil {
		return nil, err
	}
	length, stride, err := patchGeometry(m)
	if err != nil {
		return nil, err
	}
	pre, fly := tl.For(dataset, false).Split()
	d := &patches3D{pairs: pairs, pre: pre, fly: fly, perm: perm, classes: len(cfg.Loader.TargetSuffix.Classes),
		length: length, stride: stride, cache: newVolumeCache(cacheBytes),
		inputDropout: cfg.Loader.IsInputDropout && dataset == transforms.Training}
	if _, d.conds, err = pairConds(cfg, pairs); err != nil {
		return nil, err
	}
	if d.boxes, err = cascadeBoxes(cfg, pairs, perm); err != nil {
		return nil, err
	}
	filter := patchFilter(cfg, dataset)
	for i := range pairs {
		ps, err := d.load(i)
		if err != nil {
			return nil, err
		}
		for _, o := range patchOrigins(ps.slices[0].Im.Shape, length, stride) {
			if keepPatch(ps.slices[0], o, length, ps.raters, filter) {
				d.refs = append(d.refs, patchRef{i, o})
			}
		}
	}
	return d, nil
}

// patchGeometry reads length_3D and stride_3D.
func patchGeometry(m config.Model) (length, stride [3]int, err error) {
	if len(m.Length3D) != 3 || len(m.Stride3D) != 3 {
		return length, stride, fmt.Errorf("pipeline: %s.length_3D and stride_3D need three values each, got %v and %v", m.Name, m.Length3D, m.Stride3D)
	}
	for i := 0; i < 3; i++ {
		length[i], stride[i] = m.Length3D[i], m.Stride3D[i]
		if length[i] <= 0 || stride[i] <= 0 {
			return length, stride, fmt.Errorf("pipeline: %s.length_3D %v and stride_3D %v must be positive", m.Name, m.Length3D, m.Stride3D)
		}
	}
	if m.Name == "Modified3DUNet" && length[0]*length[1]*length[2] <= 16*16*16 {
		// Four poolings leave one voxel, on which instance norm is undefined.
		return length, stride, fmt.Errorf("pipeline: Modified3DUNet.length_3D %v: the model pools four times, so the patch must hold more than 16×16×16 voxels (e.g. 48×48×16)", m.Length3D)
	}
	return length, stride, nil
}

// patchOrigins lists the patch origins of a volume of shape sh (already
// padded to at least length): every stride, the last flush with the end.
func patchOrigins(sh, length, stride [3]int) [][3]int {
	var axes [3][]int
	for a := 0; a < 3; a++ {
		for o := 0; ; o += stride[a] {
			if o+length[a] >= sh[a] {
				axes[a] = append(axes[a], max(0, sh[a]-length[a]))
				break
			}
			axes[a] = append(axes[a], o)
		}
	}
	var out [][3]int
	for _, i := range axes[0] {
		for _, j := range axes[1] {
			for _, k := range axes[2] {
				out = append(out, [3]int{i, j, k})
			}
		}
	}
	return out
}

// load reads pair i, preprocesses the whole volume and pads it; the
// result is kept as the single entry of pairSlices.slices.
func (d *patches3D) load(i int) (*pairSlices, error) {
	p := d.pairs[i]
	pv, err := readPair(p, d.perm)
	if err != nil {
		return nil, err
	}
	if d.boxes != nil {
		cropPair(pv, d.boxes[i])
	}
	s := &transforms.Sample{Zooms: pv.zooms}
	s.Im = transforms.Part{Shape: pv.sh, Data: pv.chans}
	s.GT = transforms.Part{Shape: pv.sh, Data: pv.gts}
	if pv.roi != nil {
		s.ROI = transforms.Part{Shape: pv.sh, Data: [][]float32{pv.roi}}
	}
	if _, err := d.pre.Apply(s, rand.New(rand.NewPCG(0, 0))); err != nil {
		return nil, fmt.Errorf("pipeline: preprocessing %s: %w", p.Inputs[0].Path, err)
	}
	padPart(&s.Im, d.length)
	padPart(&s.GT, d.length)
	padPart(&s.ROI, d.length)
	ps := &pairSlices{slices: []*transforms.Sample{s}, raters: pv.raters,
		bytes: 4 * (len(s.Im.Data) + len(s.GT.Data) + len(s.ROI.Data)) * s.Im.Len()}
	d.cache.put(i, ps)
	return ps, nil
}

// padPart pads every volume of p with zeros at the end of each axis to at
// least min.
func padPart(p *transforms.Part, min [3]int) {
	if len(p.Data) == 0 {
		return
	}
	sh := p.Shape
	out := [3]int{max(sh[0], min[0]), max(sh[1], min[1]), max(sh[2], min[2])}
	if out == sh {
		return
	}
	for c, v := range p.Data {
		p.Data[c] = cropPad(v, sh, [3]int{}, out)
	}
	p.Shape = out
}

// cropPad copies the box of shape out at origin o of a C-order volume of
// shape sh, zeros where the box leaves the volume.
func cropPad(v []float32, sh, o, out [3]int) []float32 {
	r := make([]float32, out[0]*out[1]*out[2])
	for i := 0; i < out[0]; i++ {
		si := o[0] + i
		if si < 0 || si >= sh[0] {
			continue
		}
		for j := 0; j < out[1]; j++ {
			sj := o[1] + j
			if sj < 0 || sj >= sh[1] {
				continue
			}
			n := min(out[2], sh[2]-o[2])
			if n <= 0 {
				continue
			}
			src := (si*sh[1]+sj)*sh[2] + o[2]
			copy(r[(i*out[1]+j)*out[2]:(i*out[1]+j)*out[2]+n], v[src:src+n])
		}
	}
	return r
}

func (d *patches3D) size() int { return len(d.refs) }

func (d *patches3D) stats() (bytes, hits, misses int) { return d.cache.stats() }

func (d *patches3D) drawAt(i int, r *rand.Rand, soft bool) (*transforms.Sample, *transforms.Record, error) {
	ref := d.refs[i]
	ps := d.cache.get(ref.pair)
	if ps == nil {
		var err error
		if ps, err = d.load(ref.pair); err != nil {
			return nil, nil, err
		}
	}
	src := ps.slices[0]
	crop := func(p transforms.Part) transforms.Part {
		q := transforms.Part{Shape: d.length}
		for _, v := range p.Data {
			q.Data = append(q.Data, cropPad(v, p.Shape, ref.origin, d.length))
		}
		return q
	}
	s := &transforms.Sample{Zooms: src.Zooms, Im: crop(src.Im)}
	if len(src.ROI.Data) > 0 {
		s.ROI = crop(src.ROI)
	}
	s.GT.Shape = d.length
	for _, j := range drawRaters(ps.raters, r) {
		s.GT.Data = append(s.GT.Data, cropPad(src.GT.Data[j], src.GT.Shape, ref.origin, d.length))
	}
	rec, err := d.fly.Apply(s, r)
	if err != nil {
		return nil, nil, fmt.Errorf("pipeline: transforms of %s patch at %v: %w", d.pairs[ref.pair].Inputs[0].Path, ref.origin, err)
	}
	if !soft {
		s.BinarizeGT()
	}
	if d.inputDropout {
		dropChannels(s, r)
	}
	return s, rec, nil
}

func (d *patches3D) hasLabel() ([]int, error) {
	out := make([]int, len(d.refs))
	for i, ref := range d.refs {
		ps := d.cache.get(ref.pair)
		if ps == nil {
			var err error
			if ps, err = d.load(ref.pair); err != nil {
				return nil, err
			}
		}
		src := ps.slices[0]
		for _, g := range src.GT.Data {
			if anyNonzero(cropPad(g, src.GT.Shape, ref.origin, d.length)) {
				out[i] = 1
			}
		}
	}
	return out, nil
}

// assemble stacks 3D samples, padded at the end of each axis to the
// largest size rounded up to mult.
func (d *patches3D) assemble(ss []*transforms.Sample, mult int) *batch {
	return assemble3D(ss, d.classes, mult)
}

func assemble3D(ss []*transforms.Sample, classes, mult int) *batch {
	b := &batch{n: len(ss), c: len(ss[0].Im.Data), k: classes}
	for _, s := range ss {
		b.h, b.w, b.d = max(b.h, s.Im.Shape[0]), max(b.w, s.Im.Shape[1]), max(b.d, s.Im.Shape[2])
		b.sizes = append(b.sizes, [2]int{s.Im.Shape[0], s.Im.Shape[1]})
		b.depths = append(b.depths, s.Im.Shape[2])
	}
	b.h, b.w, b.d = roundUp(b.h, mult), roundUp(b.w, mult), roundUp(b.d, mult)
	box := [3]int{b.h, b.w, b.d}
	vol := b.h * b.w * b.d
	b.x = make([]float32, b.n*b.c*vol)
	b.y = make([]float32, b.n*b.k*vol)
	for i, s := range ss {
		for c, v := range s.Im.Data {
			copy(b.x[(i*b.c+c)*vol:], cropPad(v, s.Im.Shape, [3]int{}, box))
		}
		for c := 0; c < classes && c < len(s.GT.Data); c++ {
			copy(b.y[(i*b.k+c)*vol:], cropPad(s.GT.Data[c], s.GT.Shape, [3]int{}, box))
		}
	}
	return b
}
