package pipeline

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/tensor"
)

// conditioning is what a model needs beside its image input: the FiLM
// metadata encoder of a FiLMedUnet, or the contrast list of a HeMISUnet
// (whose inputs are one image per contrast, some of them missing).
//
// FiLM metadata is ivadomed's (loader/film.py), computed by bids.FiLM:
//   - "contrasts": the image's BIDS suffix through contrast_dct.json to a
//     generic contrast, then CONTRAST_CATEGORY (T1w 0, T2w 1, T2star 2,
//     MToff_MTS 3, MTon_MTS 4, T1w_MTS 5);
//   - "mri_params": FlipAngle, RepetitionTime and EchoTime of the
//     sidecars, each mapped to its cluster of a Gaussian kernel density
//     fitted on the training images (bandwidth by 5-fold cross-validation
//     over logspace(-4, 1, 50), clusters bounded by the density's local
//     minima over ivadomed's ranges), and Manufacturer (Siemens 0,
//     Philips 1, GE 2, other -1);
//   - any other value: a column (participants.tsv, sidecar, entity),
//     numbered over its sorted values;
//
// then one-hot encoded over the categories seen in training (unseen ones
// encode as zeros, as OneHotEncoder(handle_unknown="ignore")). Where
// ivadomed leaves out images that lack a parameter, ivadogo stops with an
// error naming the image and the key; with multichannel inputs the vector
// is that of the first channel's image. The trained encoding (categories,
// cluster bounds, value numbering) is saved in the model's config as
// default_model.film_encoding with n_metadata, where ivadomed pickles
// its encoders with joblib.
type conditioning struct {
	film *bids.FiLM
	// hemis lists the HeMISUnet's contrasts (its modalities), in the
	// order of its encoders; nil for other models.
	hemis []string
	// missing and growth are HeMISUnet.missing_probability and
	// missing_probability_growth (training only).
	missing, growth float64
}

// conditioningOf returns the conditioning of a trained model's parameters
// (nil for a model that needs none).
func conditioningOf(m config.Model, film bool) (*conditioning, error) {
	switch {
	case film:
		e := m.FiLMEncoding
		if e == nil || m.NMetadata <= 0 {
			return nil, fmt.Errorf("pipeline: FiLMedUnet: the model's config has no film_encoding/n_metadata (train writes them into <path_output>/<model_name>/<model_name>.json and config_file.json)")
		}
		f := &bids.FiLM{Kind: e.Kind, Categories: e.Categories, Dict: e.Dict}
		if e.Kind == bids.FiLMMRIParams {
			f.Clusters = map[string]*bids.KDE{}
			for k, b := range e.Bounds {
				f.Clusters[k] = &bids.KDE{Minima: b}
			}
		}
		if f.N() != m.NMetadata {
			return nil, fmt.Errorf("pipeline: FiLMedUnet: film_encoding has %d categories but n_metadata is %d", f.N(), m.NMetadata)
		}
		return &conditioning{film: f}, nil
	case m.Name == "HeMISUnet":
		if len(m.Contrasts) == 0 {
			return nil, fmt.Errorf("pipeline: HeMISUnet.contrasts is empty: list the contrasts (modalities) the model takes")
		}
		return &conditioning{hemis: m.Contrasts, missing: m.MissingProbability, growth: m.MissingProbabilityGrowth}, nil
	}
	return nil, nil
}

// encodingOf is the inverse of conditioningOf's decoding: the part of a
// fitted encoder that the model's config keeps. The KDE's training values
// are not needed to cluster new values, only its bounds.
func encodingOf(f *bids.FiLM) *config.FiLMEncoding {
	e := &config.FiLMEncoding{Kind: f.Kind, Categories: f.Categories, Dict: f.Dict}
	if f.Clusters != nil {
		e.Bounds = map[string][]float64{}
		for k, c := range f.Clusters {
			e.Bounds[k] = append([]float64{}, c.Minima...)
		}
	}
	return e
}

// hemisContrasts returns the contrasts of a HeMISUnet: its section's
// contrasts, else the training contrasts.
func hemisContrasts(cfg *config.Config, m config.Model) []string {
	if len(m.Contrasts) > 0 {
		return m.Contrasts
	}
	return cfg.Contrasts("train")
}

// prepareTrain adapts a training run to its model's inputs, as ivadomed's
// main.py does before training. For a FiLMedUnet it fits the metadata
// encoder on the training images (ivadomed's normalize_metadata and
// OneHotEncoder fit on the training set) and returns a copy of cfg whose
// default_model carries n_metadata and film_encoding, so that the saved
// configs let test and segment encode as training did. For a HeMISUnet
// it groups each subject's images into one sample (missing contrasts
// allowed) and records the contrasts in default_model. Other models pass
// through.
func prepareTrain(cfg *config.Config, train, valid []bids.Pair) (*config.Config, []bids.Pair, []bids.Pair, error) {
	m, film, err := cfg.ModelParams()
	if err != nil {
		return nil, nil, nil, err
	}
	switch {
	case film:
		var rows []*bids.Row
		for _, p := range train {
			rows = append(rows, p.Inputs[0])
		}
		all := &bids.Frame{}
		for _, p := range slices.Concat(train, valid) {
			all.Rows = append(all.Rows, p.Inputs...)
		}
		f, err := bids.FitFiLM(m.Metadata, rows, all)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("pipeline: FiLMedUnet.metadata %q: %w", m.Metadata, err)
		}
		c := *cfg
		c.DefaultModel = cfg.DefaultModel.Clone()
		c.DefaultModel.Set("n_metadata", f.N())
		c.DefaultModel.Set("film_encoding", encodingOf(f))
		return &c, train, valid, nil
	case m.Name == "HeMISUnet":
		contrasts := hemisContrasts(cfg, m)
		c := *cfg
		c.DefaultModel = cfg.DefaultModel.Clone()
		c.DefaultModel.Set("contrasts", append([]string{}, contrasts...))
		return &c, hemisGroup(train, contrasts), hemisGroup(valid, contrasts), nil
	}
	return cfg, train, valid, nil
}

// hemisGroup turns single-image pairs into one pair per subject (and
// session) holding its images of the given contrasts (any non-empty
// subset), in contrast order, with the labels of its last image, as
// ivadomed's multichannel grouping but without dropping incomplete
// subjects.
func hemisGroup(pairs []bids.Pair, contrasts []string) []bids.Pair {
	bySub := map[string]*bids.Pair{}
	var order []string
	for _, p := range pairs {
		for _, r := range p.Inputs {
			if !slices.Contains(contrasts, r.Image.Suffix) {
				continue
			}
			sub := acquisitionKey(r.Filename)
			g := bySub[sub]
			if g == nil {
				g = &bids.Pair{}
				bySub[sub] = g
				order = append(order, sub)
			}
			g.Inputs = append(g.Inputs, r)
			g.Targets, g.ROI = p.Targets, p.ROI
		}
	}
	slices.Sort(order)
	out := make([]bids.Pair, 0, len(order))
	for _, sub := range order {
		g := bySub[sub]
		slices.SortStableFunc(g.Inputs, func(a, b *bids.Row) int {
			return slices.Index(contrasts, a.Image.Suffix) - slices.Index(contrasts, b.Image.Suffix)
		})
		out = append(out, *g)
	}
	return out
}

// hemisTestPairs groups the test pairs of a HeMISUnet by subject (see
// hemisGroup); other models' pairs pass through.
func hemisTestPairs(cfg *config.Config, pairs []bids.Pair) []bids.Pair {
	m, _, err := cfg.ModelParams()
	if err != nil || m.Name != "HeMISUnet" {
		return pairs
	}
	return hemisGroup(pairs, hemisContrasts(cfg, m))
}

// sampleCond is the conditioning of one sample.
type sampleCond struct {
	meta    []float32 // FiLM metadata vector
	present []bool    // HeMIS: the contrasts the model is given
	// avail are the contrasts the sample has (its channels, in contrast
	// order); present is avail less those training dropped.
	avail []bool
}

// of returns the conditioning of one input, given the rows of its images
// (in channel order). The FiLM vector is that of the first image.
func (c *conditioning) of(rows []*bids.Row) (sampleCond, error) {
	var sc sampleCond
	if c == nil {
		return sc, nil
	}
	if f := c.film; f != nil && f.Dict != nil {
		// A column value training never saw encodes as zeros, as the
		// one-hot encoder does for an unknown category.
		if v, ok := rows[0].Get(f.Kind); ok {
			if _, known := f.Dict[v]; !known {
				sc.meta = make([]float32, f.N())
			}
		}
	}
	if c.film != nil && sc.meta == nil {
		v, err := c.film.Vector(rows[0])
		if err != nil {
			return sc, fmt.Errorf("pipeline: FiLM metadata: %w", err)
		}
		sc.meta = v
	}
	if c.hemis != nil {
		sc.present = make([]bool, len(c.hemis))
		for _, r := range rows {
			i := slices.Index(c.hemis, r.Image.Suffix)
			if i < 0 {
				return sc, fmt.Errorf("pipeline: HeMISUnet: %s has contrast %q, not one of the model's %q", r.Path, r.Image.Suffix, c.hemis)
			}
			if sc.present[i] {
				return sc, fmt.Errorf("pipeline: HeMISUnet: two %s images for one input (%s)", r.Image.Suffix, r.Path)
			}
			sc.present[i] = true
		}
	}
	return sc, nil
}

// missingAt is the probability that training drops an available contrast
// at epoch (1-based): ivadomed raises missing_probability to the power
// missing_probability_growth after each epoch, so a probability below 1
// grows towards 1 (1e-5 with growth 0.9: 3.2e-5 at epoch 2, 1e-4 at 4…).
func (c *conditioning) missingAt(epoch int) float64 {
	p := c.missing
	if p <= 0 {
		return 0
	}
	g := c.growth
	if g <= 0 {
		g = 1
	}
	return math.Pow(p, math.Pow(g, float64(epoch-1)))
}

// drop returns present with each available contrast dropped with
// probability p, keeping at least one (a random one of those available
// when the draw drops them all), as HeMIS trains for missing modalities.
func drop(present []bool, p float64, r *rand.Rand) []bool {
	out := slices.Clone(present)
	var avail []int
	for i, ok := range present {
		if ok {
			avail = append(avail, i)
			if r.Float64() < p {
				out[i] = false
			}
		}
	}
	if !slices.Contains(out, true) && len(avail) > 0 {
		out[avail[r.IntN(len(avail))]] = true
	}
	return out
}

// modelInput is the nn.Input of a batch: x [N, C, spatial...], with for
// a FiLM model the metadata of each sample (meta, N×n_metadata), and for
// a HeMISUnet the per-contrast images, x's channels being either every
// contrast of the model (zeros where missing) or only those present (the
// same for every sample).
func modelInput(x *autograd.Value, meta []float32, present [][]bool) nn.Input {
	in := nn.Input{X: x}
	sh := x.Shape()
	n := sh[0]
	if len(meta) > 0 {
		in.Metadata = autograd.Const(tensor.FromSlice(meta, n, len(meta)/n))
	}
	if len(present) == 0 {
		return in
	}
	nc := len(present[0])
	vol := 1
	for _, s := range sh[2:] {
		vol *= s
	}
	xd := x.Data().Contiguous().Data()
	c := sh[1]
	full := c == nc
	// src[k] is the channel of x holding contrast k, or −1.
	src := make([]int, nc)
	j := 0
	for k := range src {
		src[k] = -1
		if full {
			src[k] = k
		} else if present[0][k] {
			src[k] = j
			j++
		}
	}
	if !full && j != c {
		panic(fmt.Sprintf("pipeline: HeMIS input of %d channels for %d present contrasts", c, j))
	}
	shape := append([]int{n, 1}, sh[2:]...)
	for k := range nc {
		buf := make([]float32, n*vol)
		if src[k] >= 0 {
			for i := range n {
				if present[i][k] {
					copy(buf[i*vol:(i+1)*vol], xd[(i*c+src[k])*vol:(i*c+src[k]+1)*vol])
				}
			}
		}
		in.Images = append(in.Images, autograd.Const(tensor.FromSlice(buf, shape...)))
	}
	in.Present = present
	return in
}

// loneRow describes an image outside a BIDS frame (segment -i) as far as
// conditioning needs: its suffix from its file name and the metadata of
// the JSON sidecar beside it, if any.
func loneRow(path string) *bids.Row {
	name := filepath.Base(path)
	r := &bids.Row{Path: path, Filename: name, Image: &bids.Image{Name: bids.ParseName(name)}, Values: map[string]any{}}
	stem, _ := bids.SplitExt(path)
	if b, err := os.ReadFile(stem + ".json"); err == nil {
		var m map[string]any
		if json.Unmarshal(b, &m) == nil {
			r.Values = m
		}
	}
	return r
}

// inputCond tells a predictor how to condition its model on each input.
type inputCond struct {
	c *conditioning
	// rows maps image paths to their frame rows (test and segment -c);
	// images not in it are read as lone files.
	rows map[string]*bids.Row
	// cur is the conditioning of the input being predicted.
	cur sampleCond
	// crop is the object-detection cascade the model is the second
	// stage of, or nil.
	crop *cascade
}

// setRows makes the predictor find images' metadata in frame f.
func (ic *inputCond) setRows(f *bids.Frame) {
	ic.rows = map[string]*bids.Row{}
	for _, r := range f.Rows {
		if !r.Derivative {
			ic.rows[r.Path] = r
		}
	}
}

// row returns the frame row of the image at path, or a lone file's.
func (ic *inputCond) row(path string) *bids.Row {
	if r := ic.rows[path]; r != nil {
		return r
	}
	return loneRow(path)
}

// begin prepares the conditioning of one input given as image paths.
func (ic *inputCond) begin(inputs []string) error {
	ic.cur = sampleCond{}
	if ic.c == nil {
		return nil
	}
	rows := make([]*bids.Row, len(inputs))
	for i, p := range inputs {
		rows[i] = ic.row(p)
	}
	sc, err := ic.c.of(rows)
	if err != nil {
		return err
	}
	ic.cur = sc
	return nil
}

// input is the model input of a batch of n samples of the current input.
func (ic *inputCond) input(x *autograd.Value) nn.Input {
	n := x.Shape()[0]
	var meta []float32
	var present [][]bool
	if ic.cur.meta != nil {
		for range n {
			meta = append(meta, ic.cur.meta...)
		}
	}
	if ic.cur.present != nil {
		for range n {
			present = append(present, ic.cur.present)
		}
	}
	return modelInput(x, meta, present)
}

// pairConds returns the conditioning of the config's model and that of
// each pair.
func pairConds(cfg *config.Config, pairs []bids.Pair) (*conditioning, []sampleCond, error) {
	m, film, err := cfg.ModelParams()
	if err != nil {
		return nil, nil, err
	}
	c, err := conditioningOf(m, film)
	if err != nil {
		return nil, nil, err
	}
	conds := make([]sampleCond, len(pairs))
	if c == nil {
		return nil, conds, nil
	}
	for i, p := range pairs {
		if conds[i], err = c.of(p.Inputs); err != nil {
			return nil, nil, err
		}
		conds[i].avail = conds[i].present
	}
	return c, conds, nil
}

// cond returns the FiLM metadata of sub-volume i (HeMIS runs in 2D).
func (d *patches3D) cond(i, _ int, _ *rand.Rand) sampleCond { return d.conds[d.refs[i].pair] }

// setConditioning prepares p to condition its model on each input.
func (p *predictor) setConditioning() error {
	_, film, err := p.cfg.ModelParams()
	if err != nil {
		return err
	}
	if p.in.c, err = conditioningOf(p.mp, film); err != nil {
		return err
	}
	p.in.crop, err = newCascade(p.cfg)
	return err
}

// inChannels is the number of images an input must have: the model's
// input channels, or for a HeMISUnet those of the contrasts present.
func (p *predictor) inChannels() int {
	if p.in.c != nil && p.in.c.hemis != nil && p.in.cur.present != nil {
		n := 0
		for _, ok := range p.in.cur.present {
			if ok {
				n++
			}
		}
		return n
	}
	return p.mp.InChannel
}

// trainedModel returns a copy of m with what training computed and saved
// in mp: the channel counts, and the conditioning (FiLM's n_metadata and
// film_encoding, HeMIS's contrasts) when there is one.
func trainedModel(m, mp config.Model) config.Model {
	c := m.Clone()
	c.Set("in_channel", mp.InChannel)
	c.Set("out_channel", mp.OutChannel)
	if mp.FiLMEncoding != nil {
		c.Set("n_metadata", mp.NMetadata)
		c.Set("film_encoding", mp.FiLMEncoding)
	}
	if mp.Name == "HeMISUnet" {
		c.Set("contrasts", mp.Contrasts)
	}
	return c
}

// beginPair prepares the conditioning of a pair's input.
func (ic *inputCond) beginPair(p bids.Pair) error {
	paths := make([]string, len(p.Inputs))
	for i, r := range p.Inputs {
		paths[i] = r.Path
	}
	return ic.begin(paths)
}

// groupInputs makes one input of each subject's images for a HeMISUnet
// (the contrasts it has among the model's, in the model's order), so
// that segment uses every contrast a subject has; other models' inputs
// pass through.
func (p *predictor) groupInputs(inputs [][]string) [][]string {
	if p.in.c == nil || p.in.c.hemis == nil {
		return inputs
	}
	contrasts := p.in.c.hemis
	bySub := map[string][]string{}
	var order []string
	for _, in := range inputs {
		for _, path := range in {
			n := bids.ParseName(filepath.Base(path))
			if !slices.Contains(contrasts, n.Suffix) {
				continue
			}
			sub := acquisitionKey(filepath.Base(path))
			if _, ok := bySub[sub]; !ok {
				order = append(order, sub)
			}
			bySub[sub] = append(bySub[sub], path)
		}
	}
	slices.Sort(order)
	out := make([][]string, 0, len(order))
	for _, sub := range order {
		g := bySub[sub]
		rank := func(path string) int {
			return slices.Index(contrasts, bids.ParseName(filepath.Base(path)).Suffix)
		}
		slices.SortStableFunc(g, func(a, b string) int { return rank(a) - rank(b) })
		out = append(out, g)
	}
	return out
}

// acquisitionKey is what the images of one subject and session share:
// the file name without its extension and its suffix (sub-01_ses-02 of
// sub-01_ses-02_T2w.nii.gz).
func acquisitionKey(name string) string {
	n := bids.ParseName(name)
	return strings.TrimSuffix(n.Stem, "_"+n.Suffix)
}
