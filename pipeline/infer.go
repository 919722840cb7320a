package pipeline

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/postprocess"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
	"github.com/ivadogo/ivadogo/tensor"
)

// predictor runs a trained 2D model slice by slice over whole volumes.
type predictor struct {
	mod     nn.Module
	mp      config.Model
	cfg     *config.Config
	tf      *transforms.Compose
	perm    [3]int
	bs      int
	mult    int
	bg      bool
	classes int
	post    postprocess.Steps
	// 3D models: the sliding window, and the transforms to split.
	is3D           bool
	length, stride [3]int
	tl             transforms.List
	// Uncertainty: passes > 1 runs that many stochastic predictions (MC
	// dropout when epistemic; training transforms with undo when
	// aleatoric) and writes ivadomed's uncertainty maps; pass seeds each.
	passes, pass int
	epistemic    bool
	testDataset  string
	// in conditions the model on each input (FiLM metadata, HeMIS
	// contrasts).
	in inputCond
	// pixelSize is the pixel size of microscopy inputs whose metadata
	// has none (segment --pixel-size), or nil.
	pixelSize *PixelSize
	// roi is the current input's region-of-interest label
	// (roi_params.suffix), which test and the threshold sweep read with
	// each pair: ROICrop crops around it and slice_filter_roi leaves out
	// the slices with less of it, as in training. Nil for segment, whose
	// ROICrop becomes a CenterCrop (see centerForROI).
	roi *volume
	// centred reports that loadPredictor made the model's ROICrop a
	// CenterCrop, which segment says once (roiCropWarning).
	centred bool
}

// file is how the predictor reads an input: as the image of its frame
// row (test and segment -c give it the frame's rows), else as a file
// named alone.
func (p *predictor) file(path string) volumeFile {
	f := loneFile(path)
	if r := p.in.rows[path]; r != nil {
		f = rowFile(r)
	}
	f.pixelSize = p.pixelSize
	return f
}

// loadModel builds the config's model for command, loads weights into it
// and puts it in evaluation mode.
func loadModel(cfg *config.Config, weights, command string) (nn.Module, config.Model, error) {
	mod, mp, err := buildModel(cfg, command)
	if err != nil {
		return nil, mp, err
	}
	if err := nn.LoadFile(mod, weights); err != nil {
		return nil, mp, fmt.Errorf("pipeline: model weights %s: %w", weights, err)
	}
	nn.SetTraining(mod, false)
	return mod, mp, nil
}

// loadPredictor builds the config's model and loads weights into it.
func loadPredictor(cfg *config.Config, weights, command string) (*predictor, error) {
	mod, mp, err := loadModel(cfg, weights, command)
	if err != nil {
		return nil, err
	}
	centred := command == "segment" && hasROICrop(cfg)
	if centred {
		cfg = centerForROI(cfg)
	}
	tl, err := transformList(cfg)
	if err != nil {
		return nil, err
	}
	perm, err := hwdPerm(cfg.Loader.SliceAxis)
	if err != nil {
		return nil, err
	}
	pb, err := json.Marshal(cfg.Postprocessing)
	if err != nil {
		return nil, err
	}
	post, err := postprocess.Parse(pb)
	if err != nil {
		return nil, fmt.Errorf("pipeline: postprocessing: %w", err)
	}
	classes := mp.OutChannel
	if classes > 1 {
		classes--
	}
	// As ivadomed, uncertainty is estimated by test only; aleatoric
	// uncertainty draws the training transforms that can be undone.
	unc := cfg.Uncertainty
	passes, dataset := 1, transforms.Testing
	if command == "test" && (unc.Epistemic || unc.Aleatoric) && unc.NIt >= 2 {
		passes = unc.NIt
		if unc.Aleatoric {
			dataset = transforms.Training
		}
	}
	p := &predictor{
		mod: mod, mp: mp, cfg: cfg, tf: tl.For(dataset, true), perm: perm, tl: tl, is3D: !cfg.Is2D(),
		passes: passes, epistemic: unc.Epistemic, testDataset: dataset,
		bs: max(1, cfg.Training.BatchSize), mult: multiple(mp), bg: false, // the model drops the background channel itself
		classes: classes, post: post, centred: centred,
	}
	if p.is3D {
		if p.length, p.stride, err = patchGeometry(mp); err != nil {
			return nil, err
		}
	}
	if err := p.setConditioning(); err != nil {
		return nil, err
	}
	return p, nil
}

// predictFull returns the soft prediction of each class for one input
// (its channels, on one grid), as C-order RAS volumes of the input's
// shape.
// Slices with an empty input channel are left at zero when
// filter_empty_input is set, as ivadomed leaves the slices it filtered out.
func (p *predictor) predictFull(ims []*volume) ([][]float32, error) {
	if len(ims) != p.inChannels() {
		return nil, fmt.Errorf("pipeline: the model takes %d channel(s), got %d image(s)", p.inChannels(), len(ims))
	}
	ref := ims[0]
	chans := make([][]float32, len(ims))
	var sh [3]int
	for c, v := range ims {
		chans[c], sh = permute(v.data, v.shape, p.perm)
	}
	zooms := [3]float64{ref.zooms[p.perm[0]], ref.zooms[p.perm[1]], ref.zooms[p.perm[2]]}
	inv := inverse(p.perm)
	if p.is3D {
		out, err := p.predict3D(chans, sh, zooms)
		if err != nil {
			return nil, err
		}
		for c := range out {
			out[c], _ = permute(out[c], sh, inv)
		}
		return out, nil
	}
	out := make([][]float32, p.classes)
	for c := range out {
		out[c] = make([]float32, len(chans[0]))
	}
	part := [3]int{sh[0], sh[1], 1}
	type pending struct {
		k   int
		s   *transforms.Sample
		rec *transforms.Record
	}
	var queue []pending
	flush := func() error {
		if len(queue) == 0 {
			return nil
		}
		ss := make([]*transforms.Sample, len(queue))
		for i, q := range queue {
			ss[i] = q.s
		}
		b := assemble(ss, 0, p.mult, false)
		var pd []float32
		var k int
		autograd.NoGrad(func() {
			x := autograd.Const(tensor.FromSlice(b.x, b.n, b.c, b.h, b.w))
			y := p.run2D(x)
			k = y.Shape()[1]
			pd = y.Data().Contiguous().Data()
		})
		first := 0
		if p.bg {
			first = 1
		}
		plane := b.h * b.w
		for i, q := range queue {
			h, w := b.sizes[i][0], b.sizes[i][1]
			pr := transforms.Part{Shape: [3]int{h, w, 1}}
			for c := first; c < k; c++ {
				pr.Data = append(pr.Data, cropFrom(pd[(i*k+c)*plane:], b.w, h, w))
			}
			back, err := q.rec.Undo(pr)
			if err != nil {
				return fmt.Errorf("pipeline: undoing the transforms of slice %d: %w", q.k, err)
			}
			if back.Shape != part {
				return fmt.Errorf("pipeline: slice %d: prediction of shape %v after undo, want %v", q.k, back.Shape, part)
			}
			for c := 0; c < p.classes && c < len(back.Data); c++ {
				setSlice(out[c], sh, q.k, back.Data[c])
			}
		}
		queue = queue[:0]
		return nil
	}
	var roi []float32
	if p.roi != nil {
		roi, _ = permute(p.roi.data, p.roi.shape, p.perm)
	}
	roiMin := p.cfg.Loader.ROIParams.SliceFilterROI
	for k := 0; k < sh[2]; k++ {
		s := &transforms.Sample{Zooms: zooms, Im: transforms.Part{Shape: part}}
		empty := false
		for _, ch := range chans {
			sl := slice(ch, sh, k)
			if !anyNonzero(sl) {
				empty = true
			}
			s.Im.Data = append(s.Im.Data, sl)
		}
		if empty && p.cfg.Loader.SliceFilterParams.FilterEmptyInput {
			continue
		}
		if roi != nil {
			s.ROI = transforms.Part{Shape: part, Data: [][]float32{slice(roi, sh, k)}}
			if !keepSlice(s, nil, config.SliceFilterParams{}, roiMin) {
				continue
			}
		}
		// A label part makes the transforms record what Undo needs.
		s.GT = transforms.Part{Shape: part, Data: [][]float32{make([]float32, part[0]*part[1])}}
		rec, err := p.tf.Apply(s, rand.New(rand.NewPCG(uint64(p.cfg.Split.RandomSeed)+uint64(p.pass)<<32, uint64(k))))
		if err != nil {
			return nil, fmt.Errorf("pipeline: test transforms of slice %d: %w", k, err)
		}
		queue = append(queue, pending{k, s, rec})
		if len(queue) == p.bs {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	for c := range out {
		out[c], _ = permute(out[c], sh, inv)
	}
	return out, nil
}

// toSource maps C-order RAS volumes on v's canonical grid to C-order
// volumes on v's source grid (its own orientation), with that grid's shape.
func toSource(v *volume, classes [][]float32) ([][]float32, [3]int, error) {
	var sh [3]int
	out := make([][]float32, len(classes))
	for c, cl := range classes {
		ras := v.ras
		img := newLikeRAS(ras, cl, v.shape)
		back, err := img.Reorient(v.src.Orientation())
		if err != nil {
			return nil, sh, err
		}
		bs := back.Shape
		sh = [3]int{bs[0], bs[1], bs[2]}
		out[c] = postprocess.FromFortran(back.Data, sh)
	}
	return out, sh, nil
}

// srcZooms are the voxel sizes of v's source image.
func srcZooms(v *volume) [3]float64 {
	z := v.src.Header.Zooms()
	out := [3]float64{1, 1, 1}
	for i := 0; i < 3 && i < len(z); i++ {
		if z[i] > 0 {
			out[i] = z[i]
		}
	}
	return out
}

// segmentVolume predicts one input, maps the prediction to the source
// image's grid, post-processes it and writes it to path. It returns the
// post-processed classes (C order, source grid) and that grid's shape.
// pair, when the input is a pair of the dataset (test), gives its ROI
// label (see usePairROI); segment passes nil.
func (p *predictor) segmentVolume(inputs []string, pair *bids.Pair, path string) ([][]float32, [3]int, *volume, error) {
	var ims []*volume
	for _, in := range inputs {
		v, err := readVolume(p.file(in))
		if err != nil {
			return nil, [3]int{}, nil, err
		}
		if len(ims) > 0 {
			if err := sameGrid(ims[0], v); err != nil {
				return nil, [3]int{}, nil, fmt.Errorf("pipeline: %s: %v (channel 1 is %s)", in, err, inputs[0])
			}
		}
		ims = append(ims, v)
	}
	if err := p.usePairROI(pair, ims[0]); err != nil {
		return nil, [3]int{}, nil, err
	}
	if err := p.in.begin(inputs); err != nil {
		return nil, [3]int{}, nil, err
	}
	src, sh, unc, err := p.predictSource(ims, path)
	if err != nil {
		return nil, sh, nil, fmt.Errorf("pipeline: %s: %w", inputs[0], err)
	}
	returnGarbage() // the prediction on the canonical grid, mapped to src
	pred, err := postprocessSoft(p.post, src, sh, srcZooms(ims[0]), unc)
	if err != nil {
		return nil, sh, nil, fmt.Errorf("pipeline: post-processing %s: %w", inputs[0], err)
	}
	// The soft prediction and the steps' intermediate volumes are garbage
	// now, each as large as the image.
	src = nil
	returnGarbage()
	vols := make([][]float32, len(pred))
	for c := range pred {
		vols[c] = postprocess.ToFortran(pred[c], sh)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, sh, nil, fmt.Errorf("pipeline: %w", err)
	}
	if err := writeSrc(path, ims[0].src, vols); err != nil {
		return nil, sh, nil, err
	}
	return pred, sh, ims[0], nil
}

// postprocessSoft zeroes values ≤ 0.01 of the soft prediction src (in
// place), as ivadomed's pred_to_nib does with bin_thr −1 (how testing and
// segment_volume call it), then applies the config's post-processing.
// Without the first step keep_largest's 0.001 threshold joins the whole
// low-confidence background into one object larger than the structure.
func postprocessSoft(post postprocess.Steps, src [][]float32, sh [3]int, zooms [3]float64, unc postprocess.UncertaintyLoader) ([][]float32, error) {
	for _, c := range src {
		postprocess.DiscardNoise(c)
	}
	return post.Apply(src, sh, zooms, unc)
}

// predictSource predicts one input and maps the soft prediction to the
// source image's grid. With uncertainty passes it writes the maps next to
// path (<id>_soft, _unc-vox, _unc-iou, _unc-cv, _unc-avgUnc) and returns
// the mean prediction with a loader of the maps for post-processing.
func (p *predictor) predictSource(ims []*volume, path string) ([][]float32, [3]int, postprocess.UncertaintyLoader, error) {
	if p.passes < 2 {
		soft, err := p.predict(ims)
		if err != nil {
			return nil, [3]int{}, nil, err
		}
		src, sh, err := toSource(ims[0], soft)
		return src, sh, nil, err
	}
	if p.epistemic {
		setDropout(p.mod, true)
		defer setDropout(p.mod, false)
	}
	var mc [][][]float32
	var sh [3]int
	for p.pass = 0; p.pass < p.passes; p.pass++ {
		soft, err := p.predict(ims)
		if err != nil {
			return nil, sh, nil, err
		}
		src, s, err := toSource(ims[0], soft)
		if err != nil {
			return nil, sh, nil, err
		}
		mc, sh = append(mc, src), s
	}
	p.pass = 0
	maps, err := postprocess.Uncertainty(mc, sh)
	if err != nil {
		return nil, sh, nil, err
	}
	base := strings.TrimSuffix(path, "_pred.nii.gz")
	if base == path {
		base = strings.TrimSuffix(path, ".nii.gz")
	}
	byName := map[string][][]float32{
		"_soft.nii.gz": maps.Soft, "_unc-vox.nii.gz": maps.Vox, "_unc-iou.nii.gz": maps.IoU,
		"_unc-cv.nii.gz": maps.CV, "_unc-avgUnc.nii.gz": maps.AvgUnc,
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, sh, nil, fmt.Errorf("pipeline: %w", err)
	}
	for suffix, m := range byName {
		vols := make([][]float32, len(m))
		for c := range m {
			vols[c] = postprocess.ToFortran(m[c], sh)
		}
		if err := writeSrc(base+suffix, ims[0].src, vols); err != nil {
			return nil, sh, nil, err
		}
	}
	loader := func(suffix string) ([][]float32, error) {
		if m, ok := byName[suffix]; ok {
			return m, nil
		}
		return nil, fmt.Errorf("no uncertainty map %q (have _soft, _unc-vox, _unc-iou, _unc-cv, _unc-avgUnc)", suffix)
	}
	return maps.Soft, sh, loader, nil
}

// setDropout switches the dropout layers of m alone to training mode (or
// back), as ivadomed's Monte-Carlo dropout does: batch norm keeps its
// running statistics.
func setDropout(m nn.Module, on bool) {
	for _, nm := range nn.Modules(m) {
		if _, ok := nm.Module.(*nn.Dropout); ok {
			nn.SetTraining(nm.Module, on)
		}
	}
}

// predName is the file name of a prediction: the input's stem, without a
// target suffix it may end with, and suffix.
func predName(input string, cfg *config.Config, suffix string) string {
	s := stem(input)
	for _, t := range cfg.Loader.TargetSuffix.All() {
		if i := strings.Index(s, t); t != "" && i > 0 {
			s = s[:i]
		}
	}
	return s + suffix + ".nii.gz"
}

// usePairROI makes the pair's ROI label, if it has one, the ROI of the
// predictions that follow, checked against the grid of its first image;
// a nil pair (segment) has none.
func (p *predictor) usePairROI(pair *bids.Pair, im *volume) error {
	p.roi = nil
	if pair == nil || pair.ROI == "" {
		return nil
	}
	v, err := readVolume(labelFile(pair.ROI, pair.Inputs[0]))
	if err != nil {
		return err
	}
	if err := sameGrid(im, v); err != nil {
		return fmt.Errorf("pipeline: ROI %s: %v (image %s)", pair.ROI, err, pair.Inputs[0].Path)
	}
	p.roi = v
	return nil
}

// roiCropWarning is what segment says of a model trained with ROICrop.
const roiCropWarning = "segment: the model was trained on crops around an ROI (ROICrop) and segment has no ROI: it crops around the image's centre instead (CenterCrop of the same size), as ivadomed does"

// hasROICrop reports whether cfg's transforms crop around an ROI.
func hasROICrop(cfg *config.Config) bool {
	return slices.ContainsFunc(cfg.Transformation, func(t config.Transform) bool { return t.Name == "ROICrop" })
}

// centerForROI is cfg with each ROICrop made a CenterCrop of its size:
// segment has no ROI label to crop around, and ivadomed's segment_volume
// crops around the centre instead when it is given none.
func centerForROI(cfg *config.Config) *config.Config {
	c := *cfg
	c.Transformation = slices.Clone(cfg.Transformation)
	for i, t := range c.Transformation {
		if r, ok := t.Params.(*config.ROICrop); ok {
			c.Transformation[i].Name = "CenterCrop"
			c.Transformation[i].Params = &config.CenterCrop{Size: r.Size}
		}
	}
	return &c
}
