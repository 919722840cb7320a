package nn

import (
	"fmt"

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
	for c, e := range m.Encoders {
		feats[c] = e.Forward(images[c], fc)
	}
	fused := make([]*autograd.Value, len(feats[0]))
	for j := range fused {
		fused[j] = hemisFuse(feats, j, w, cnt)
	}
	return m.Decoder.Forward(fused, fc)
}

// hemisFuse returns [mean, variance] over the available contrasts of level
// j's features, concatenated on channels.
func hemisFuse(feats [][]*autograd.Value, j int, w *tensor.Tensor, cnt []float32) *autograd.Value {
	nc := len(feats)
	xs := make([]*autograd.Value, nc)
	for c := range feats {
		xs[c] = feats[c][j]
	}
	st := autograd.Stack(0, xs...) // [C, N, ch, spatial...]
	shape := st.Shape()
	n := shape[1]
	bshape := append([]int{nc, n}, ones(len(shape)-2)...)
	wv := autograd.Const(w.Reshape(bshape...))
	inv := tensor.Zeros(append([]int{n}, ones(len(shape)-2)...)...)
	invm1 := tensor.Zeros(append([]int{n}, ones(len(shape)-2)...)...)
	for i, k := range cnt {
		inv.Data()[i] = 1 / k
		invm1.Data()[i] = 1 / max(k-1, 1)
	}
	mean := autograd.Mul(autograd.Sum(autograd.Mul(st, wv), []int{0}, false), autograd.Const(inv))
	d := autograd.Mul(autograd.Sub(st, mean), wv)
	variance := autograd.Mul(autograd.Sum(autograd.Square(d), []int{0}, false), autograd.Const(invm1))
	return autograd.Concat(1, mean, variance)
}

func buildHeMIS(o Options) (Module, error) {
	if len(o.Contrasts) == 0 {
		return nil, fmt.Errorf("nn: HeMISUnet needs a non-empty contrasts list")
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
