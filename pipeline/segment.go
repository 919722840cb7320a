package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/postprocess"
)

// modelWeights returns the weights file of a model folder given the path
// of its config JSON (<dir>/<name>.json next to <dir>/<name>.safetensors).
func modelWeights(jsonPath string) (string, error) {
	w := strings.TrimSuffix(jsonPath, filepath.Ext(jsonPath)) + ".safetensors"
	if _, err := os.Stat(w); err != nil {
		if _, perr := os.Stat(strings.TrimSuffix(w, ".safetensors") + ".pt"); perr == nil {
			return "", fmt.Errorf("pipeline: %s: found a PyTorch .pt model but no .safetensors weights; convert it with safetensors.torch.save_file(model.state_dict(), %q)", filepath.Dir(w), filepath.Base(w))
		}
		return "", fmt.Errorf("pipeline: model weights: %w", err)
	}
	return w, nil
}

// SegmentImages segments one input whose channels are images (one file
// per channel, as ivadomed_segment_image's -i) with the model in
// modelDir (the <path_output>/<model_name> folder train writes), and
// writes <outDir>/<first input's stem><suffix>.nii.gz in the input's own
// space, post-processed as the model's config says (classes on a fourth
// axis when the model has several). A model with several classes also
// gets each class as its own <stem>_class-<i><suffix>.nii.gz, as
// ivadomed's --segment names them (ivadomed_segment_image itself names a
// class after the input file of the same index, and fails past the
// last); a microscopy image gets each class as
// <stem>_class-<i><suffix>.png. It returns the paths it wrote, the
// <stem><suffix>.nii.gz first.
// A microscopy image takes its pixel size from its sidecar, else from
// o.PixelSize.
func SegmentImages(images []string, modelDir, outDir, suffix string, o Options) ([]string, error) {
	if len(images) == 0 {
		return nil, fmt.Errorf("pipeline: segment: no input image")
	}
	cfg, jsonPath, err := config.ReadModelConfig(modelDir)
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckFeatures(Built); err != nil {
		return nil, fmt.Errorf("pipeline: model %s: %w", jsonPath, err)
	}
	weights, err := modelWeights(jsonPath)
	if err != nil {
		return nil, err
	}
	p, err := loadPredictor(cfg, weights, "segment")
	if err != nil {
		return nil, err
	}
	if p.centred && o.Log != nil {
		fmt.Fprintln(o.Log, roiCropWarning)
	}
	p.pixelSize = o.PixelSize
	if suffix == "" {
		suffix = "_pred"
	}
	if outDir == "" {
		outDir = "."
	}
	out := filepath.Join(outDir, stem(images[0])+suffix+".nii.gz")
	pred, sh, v, err := p.segmentVolume(images, nil, out)
	if err != nil {
		return nil, err
	}
	paths := []string{out}
	if len(pred) > 1 {
		cls, err := writeClassFiles(filepath.Join(outDir, stem(images[0])), suffix+".nii.gz", v, pred, sh)
		if err != nil {
			return nil, err
		}
		paths = append(paths, cls...)
	}
	if isMicroscopy(images[0]) {
		pngs, err := writeMicroscopyPNGs(filepath.Join(outDir, stem(images[0])), suffix+".png", pred, sh, 1)
		if err != nil {
			return nil, err
		}
		paths = append(paths, pngs...)
	}
	return paths, nil
}

// Segment is ivadomed's --segment: every image of the config's datasets
// with the testing contrasts (labels not needed) is segmented with the
// model of <path_output>/<model_name>/, the predictions going to
// <path_output>/pred_masks/: each class as <stem>_class-<i>_pred.nii.gz,
// ivadomed's names (one class too: _class-0), and all of them as
// <stem>_pred.nii.gz (classes on a fourth axis when several), the name
// test uses; for a microscopy image also <stem>_class-<i>_pred.png. With
// multichannel, the contrasts of a subject are the channels of one
// input. The config's post-processing is used, and copied into the model
// folder's config as ivadomed does. A microscopy image whose metadata has
// no PixelSize takes o.PixelSize. It returns the <stem>_pred.nii.gz of
// each input.
func Segment(cfg *config.Config, o Options) ([]string, error) {
	log, err := begin(cfg, &o)
	if err != nil {
		return nil, err
	}
	defer log.close()
	start := time.Now()
	modelDir := filepath.Join(cfg.PathOutput, cfg.ModelName)
	mcfg, jsonPath, err := config.ReadModelConfig(modelDir)
	if err != nil {
		return nil, err
	}
	weights, err := modelWeights(jsonPath)
	if err != nil {
		return nil, err
	}
	// As ivadomed, the config's post-processing is copied into the model's
	// config first, so that segment -i with this folder does the same.
	mcfg.Postprocessing = cfg.Postprocessing
	if err := mcfg.Save(jsonPath); err != nil {
		return nil, err
	}
	p, err := loadPredictor(withModelOf(cfg, mcfg), weights, "segment")
	if err != nil {
		return nil, err
	}
	if p.centred {
		log.printf("%s", roiCropWarning)
	}
	p.pixelSize = o.PixelSize
	f, err := frame(cfg, "segment", true)
	if err != nil {
		return nil, err
	}
	p.in.setRows(f)
	inputs, skipped := segmentInputs(f, cfg)
	for _, msg := range skipped {
		log.printf("segment: %s", msg)
	}
	inputs = p.groupInputs(inputs)
	if len(inputs) == 0 {
		return nil, fmt.Errorf("pipeline: segment: no image with contrasts %v in %v", cfg.Contrasts("segment"), cfg.Loader.PathData)
	}
	var out []string
	for _, in := range inputs {
		// Named after the input's first file by name, as ivadomed names
		// a multichannel subject's prediction.
		first := slices.MinFunc(in, func(a, b string) int { return strings.Compare(filepath.Base(a), filepath.Base(b)) })
		path := filepath.Join(cfg.PathOutput, "pred_masks", predName(first, cfg, "_pred"))
		pred, sh, v, err := p.segmentVolume(in, nil, path)
		if err != nil {
			return nil, err
		}
		base := strings.TrimSuffix(path, "_pred.nii.gz")
		if _, err := writeClassFiles(base, "_pred.nii.gz", v, pred, sh); err != nil {
			return nil, err
		}
		if isMicroscopy(in[0]) {
			if _, err := writeMicroscopyPNGs(base, "_pred.png", pred, sh, 1); err != nil {
				return nil, err
			}
		}
		log.printf("segment: %s", path)
		out = append(out, path)
	}
	log.printf("segment done in %.1fs: %d images", time.Since(start).Seconds(), len(out))
	return out, nil
}

// writeClassFiles writes each class of pred (C order, on the grid of v's
// source image, of shape sh) as its own 3D NIfTI base_class-<i><suffix>
// in that image's space, and returns the paths.
func writeClassFiles(base, suffix string, v *volume, pred [][]float32, sh [3]int) ([]string, error) {
	out := make([]string, len(pred))
	for c, cl := range pred {
		out[c] = fmt.Sprintf("%s_class-%d%s", base, c, suffix)
		if err := writeSrc(out[c], v.src, [][]float32{postprocess.ToFortran(cl, sh)}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// segmentInputs lists the inputs of --segment: each raw image, or with
// multichannel the images of each acquisition (the file names less their
// suffix, sub-01_ses-02 of sub-01_ses-02_T2w.nii.gz, as ivadomed groups
// them) in the order of the contrasts. An acquisition missing a contrast
// is skipped, as ivadomed does, and skipped says which and why.
func segmentInputs(f *bids.Frame, cfg *config.Config) (inputs [][]string, skipped []string) {
	var rows []*bids.Row
	for _, r := range f.Rows {
		if !r.Derivative {
			rows = append(rows, r)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Filename < rows[j].Filename })
	if !cfg.Loader.Multichannel {
		for _, r := range rows {
			inputs = append(inputs, []string{r.Path})
		}
		return inputs, nil
	}
	contrasts := cfg.Contrasts("segment")
	byAcq := map[string]map[string]string{}
	var order []string
	for _, r := range rows {
		acq := acquisitionKey(r.Filename)
		if byAcq[acq] == nil {
			byAcq[acq] = map[string]string{}
			order = append(order, acq)
		}
		if _, dup := byAcq[acq][r.Image.Suffix]; !dup {
			byAcq[acq][r.Image.Suffix] = r.Path
		}
	}
	for _, acq := range order {
		var in, missing []string
		for _, c := range contrasts {
			if p, ok := byAcq[acq][c]; ok {
				in = append(in, p)
			} else {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			skipped = append(skipped, fmt.Sprintf("%s has no %s image of the contrasts %v a multichannel input needs; skipped", acq, strings.Join(missing, ", "), contrasts))
			continue
		}
		inputs = append(inputs, in)
	}
	return inputs, skipped
}

// withModelOf is cfg with the model of mcfg, a model folder's config: the
// architecture and channels come from the folder, the data, transforms
// and post-processing from cfg.
func withModelOf(cfg, mcfg *config.Config) *config.Config {
	c := *cfg
	c.DefaultModel = mcfg.DefaultModel
	c.FiLMedUnet, c.Modified3DUNet, c.HeMISUnet = mcfg.FiLMedUnet, mcfg.Modified3DUNet, mcfg.HeMISUnet
	return &c
}
