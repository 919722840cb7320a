package nn

import (
	"fmt"
	"slices"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// HeMISUnet is ivadomed's HeMISUnet (Havaei et al. 2016): one encoder per
// contrast (modality), and a single decoder whose skip and bottom features
// are the mean and the variance, over the contrasts present in each
// sample, of the encoders' features. Any non-empty subset of contrasts
// works, per sample, at training and at inference.
//
// ivadomed's HeMIS path is unreachable (its loader was removed); this one
// works. Where a sample has a single contrast, the variance is taken as 0
// (HeMIS's convention) instead of PyTorch's NaN for an unbiased variance
// of one value.
type HeMISUnet struct {
	Base
	Config    UnetConfig
	Contrasts []string
	Encoders  []*Encoder
	Decoder   *Decoder
}

// NewHeMISUnet returns the model for the given contrasts. Like ivadomed's,
// each encoder takes one channel; cfg's InChannels is ignored.
func NewHeMISUnet(contrasts []string, cfg UnetConfig) *HeMISUnet {
	if len(contrasts) == 0 {
		panic("nn: HeMISUnet needs at least one contrast")
	}
	cfg.InChannels = 1
	cfg = cfg.withDefaults()
	cfg.FiLMLayers = nil
	m := &HeMISUnet{Config: cfg, Contrasts: append([]string{}, contrasts...)}
	dict := &Base{}
	dict.init()
	for _, c := range contrasts {
		e := NewEncoder(cfg)
		m.Encoders = append(m.Encoders, e)
		dict.Child("Encoder_"+c, e)
	}
	m.Child("Encoder_mod", &moduleDict{Base: *dict})
	m.Decoder = NewDecoder(cfg, true)
	m.Child("decoder", m.Decoder)
	return m
}

// moduleDict is PyTorch's ModuleDict: children by name, no behaviour.
type moduleDict struct{ Base }

// ForwardHeMIS runs the model on one image per contrast (each
// [N, 1, spatial...], in the order of Contrasts) with present[n][c]
// telling whether contrast c is available for sample n. Missing contrasts'
// images are ignored (they may be zeros).
func (m *HeMISUnet) ForwardHeMIS(images []*autograd.Value, present [][]bool) *autograd.Value {
	nc := len(m.Contrasts)
	if len(images) != nc {
		panic(fmt.Sprintf("nn: HeMISUnet of %d contrasts given %d images", nc, len(images)))
	}
	n := images[0].Shape()[0]
	if len(present) != n {
		panic(fmt.Sprintf("nn: HeMISUnet: availability given for %d samples, batch has %d", len(present), n))
	}
	// w[c, n] = 1 where contrast c is available for sample n; cnt[n] is
	// how many are.
	w := tensor.Zeros(nc, n)
	cnt := make([]float32, n)
	for i, p := range present {
		if len(p) != nc {
			panic(fmt.Sprintf("nn: HeMISUnet: sample %d lists %d contrasts, want %d", i, len(p), nc))
		}
		for c, ok := range p {
			if ok {
				w.Set(1, c, i)
				cnt[i]++
			}
		}
		if cnt[i] == 0 {
			panic(fmt.Sprintf("nn: HeMISUnet: sample %d has no contrast available", i))
		}
	}
	feats := make([][]*autograd.Value, nc)
	fc := &filmChain{}
	levels := 0
	for c, e := range m.Encoders {
		// In evaluation a contrast that no sample has changes nothing
		// (the fusion masks it out, batch norms use running statistics):
		// its encoder is skipped, which halves a two-contrast model's
		// work on one contrast. Training runs it as ivadomed does, so that
		// batch norms' statistics and dropout's draws stay the same.
		if !m.Training() && !slices.ContainsFunc(present, func(p []bool) bool { return p[c] }) {
			continue
		}
		feats[c] = e.Forward(images[c], fc)
		levels = len(feats[c])
	}
	fused := make([]*autograd.Value, levels)
	for j := range fused {
		fused[j] = hemisFuse(feats, j, w, cnt)
		// Each contrast's features are read again only by the fusion's
		// backward pass: they go back now and are rebuilt for it where
		// they can be (a norm block's output; see autograd.Drop).
		for c := range feats {
			if feats[c] != nil {
				autograd.Drop(feats[c][j])
			}
		}
	}
	return m.Decoder.Forward(fused, fc)
}

// hemisFuse returns [mean, variance] over the available contrasts of level
// j's features, concatenated on channels: w[c, n] is 1 where contrast c is
// available for sample n, cnt[n] how many are. feats[c] is nil for a
// contrast no sample has.
//
// It is one op, not a chain of stack, mask, sum, subtract and square:
// each link of that chain kept a copy of all the contrasts' features for
// backward (about ten full-resolution copies at the top level), which
// made a HeMISUnet step take several times a plain U-Net's memory. This
// op keeps nothing but its output (whose first half is the mean that
// backward needs) and reads its inputs in its backward pass, where
// they may have been dropped and rebuilt.
func hemisFuse(feats [][]*autograd.Value, j int, w *tensor.Tensor, cnt []float32) *autograd.Value {
	nc := len(feats)
	xs := make([]*autograd.Value, nc)
	var shape []int
	for c := range feats {
		if feats[c] != nil {
			shape = feats[c][j].Shape()
			break
		}
	}
	for c := range feats {
		if feats[c] == nil {
			continue
		}
		xs[c] = feats[c][j]
		if !slices.Equal(xs[c].Shape(), shape) {
			panic(fmt.Sprintf("nn: HeMISUnet: level %d features of contrast %d are %v, another contrast's %v", j, c, xs[c].Shape(), shape))
		}
	}
	n, ch := shape[0], shape[1]
	vol := 1
	for _, s := range shape[2:] {
		vol *= s
	}
	on := func(c, i int) bool { return w.At(c, i) != 0 }
	// Sample i's block of ch·vol values: its features in an input, its
	// mean (then its variance) in the output.
	blk := ch * vol
	// inputs reads the contrasts' features as they are now: in the
	// backward pass and a rebuild they may have been dropped and rebuilt.
	inputs := func() [][]float32 {
		xd := make([][]float32, nc)
		for c, x := range xs {
			if x != nil {
				xd[c] = x.Peek().Contiguous().Data()
			}
		}
		return xd
	}
	// fuse writes sample i's mean and variance.
	fuse := func(xd [][]float32, i int, mean, vari []float32) {
		clear(mean)
		for c := range nc {
			if on(c, i) {
				for k, v := range xd[c][i*blk : (i+1)*blk] {
					mean[k] += v
				}
			}
		}
		inv := 1 / cnt[i]
		for k := range mean {
			mean[k] *= inv
		}
		if vari == nil {
			return
		}
		clear(vari)
		for c := range nc {
			if on(c, i) {
				for k, v := range xd[c][i*blk : (i+1)*blk] {
					d := v - mean[k]
					vari[k] += d * d
				}
			}
		}
		invm1 := 1 / max(cnt[i]-1, 1)
		for k := range vari {
			vari[k] *= invm1
		}
	}
	// fill writes the output into dst, whose samples are each contiguous
	// (dst may be the channels of a concatenation).
	fill := func(dst *tensor.Tensor) {
		xd := inputs()
		for i := range n {
			d := dst.Narrow(0, i, 1).Data()
			fuse(xd, i, d[:blk], d[blk:])
		}
	}
	out := tensor.Empty[float32](append([]int{n, 2 * ch}, shape[2:]...)...)
	fill(out)
	y := autograd.Op("HeMISFuse", out, xs, func(gy *tensor.Tensor) []*tensor.Tensor {
		// d mean / d x_c = 1/K and d var / d x_c = 2 (x_c − mean)/(K−1)
		// for an available contrast (the variance's path through the mean
		// sums to zero), as torch's var backward; 0 for a missing one.
		// The mean is recomputed from the inputs, so that the output need
		// not stay for this pass.
		g := gy.Contiguous().Data()
		xd := inputs()
		gs := make([]*tensor.Tensor, nc)
		mean := make([]float32, blk)
		for c := range nc {
			if xs[c] == nil || !xs[c].RequiresGrad() {
				continue
			}
			gs[c] = tensor.Empty[float32](shape...)
		}
		for i := range n {
			fuse(xd, i, mean, nil)
			gm := g[2*i*blk : (2*i+1)*blk]
			gv := g[(2*i+1)*blk : (2*i+2)*blk]
			inv := 1 / cnt[i]
			two := 2 / max(cnt[i]-1, 1)
			for c, gx := range gs {
				if gx == nil {
					continue
				}
				dst := gx.Data()[i*blk : (i+1)*blk]
				if !on(c, i) {
					clear(dst)
					continue
				}
				x := xd[c][i*blk : (i+1)*blk]
				for k := range dst {
					dst[k] = gm[k]*inv + gv[k]*two*(x[k]-mean[k])
				}
			}
		}
		return gs
	})
	// The output is rebuilt from the features where they can be had again,
	// so that the decoder's concatenation with it can be dropped too.
	autograd.Rebuildable(y, fill)
	return y
}

func buildHeMIS(o Options) (Module, error) {
	if len(o.Contrasts) == 0 {
		return nil, fmt.Errorf(`nn: HeMISUnet needs a non-empty "contrasts" option, the contrasts it has one encoder each for (e.g. ["T1w", "T2w"])`)
	}
	drop, zero := o.dropout(0.3)
	cfg := UnetConfig{OutChannels: intOr(o.OutChannel, 1), Depth: intOr(o.Depth, 3), Filters: 64,
		Dropout: drop, NoDropout: zero, Momentum: floatOr(o.BNMomentum, 0.1)}
	if o.NFilters != nil {
		cfg.Filters = *o.NFilters
	}
	if err := positive("depth", cfg.Depth); err != nil {
		return nil, err
	}
	return NewHeMISUnet(o.Contrasts, cfg), nil
}
