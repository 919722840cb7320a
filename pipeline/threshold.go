package pipeline

import (
	"fmt"
	"path/filepath"

	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/metrics"
)

// CheckThreshold returns the error ThresholdAnalysis would give at once
// for cfg and inc, so that train -t can refuse before training: an
// increment outside (0, 1), or a model whose output is not a mask.
func CheckThreshold(cfg *config.Config, inc float64) error {
	if !(inc > 0 && inc < 1) {
		return fmt.Errorf("pipeline: threshold increment %v: want a value in (0, 1)", inc)
	}
	m, _, err := cfg.ModelParams()
	if err != nil {
		return err
	}
	if config.IsClassifier(m.Name) {
		return fmt.Errorf("pipeline: threshold increment: %s is a classifier, and the sweep binarises segmentations", m.Name)
	}
	return nil
}

// ThresholdAnalysis is ivadomed's -t/--thr-increment after training: the
// trained model predicts the training and validation images (without
// augmentation), each soft prediction is binarised at inc, 2·inc, … below
// 1 and scored with Dice against its label, and the threshold of highest
// mean Dice becomes postprocessing.binarize_prediction.thr in
// config_file.json and the model folder's config. Unlike ivadomed, which
// scores 2D slices, the scores are per volume on the source grid, the
// space the post-processing works in.
func ThresholdAnalysis(cfg *config.Config, inc float64, o Options) (*metrics.ThresholdResult, error) {
	o.defaults()
	if err := CheckThreshold(cfg, inc); err != nil {
		return nil, err
	}
	log := newLogger(&o, cfg.PathOutput, cfg.LogFile)
	defer log.close()
	modelDir := filepath.Join(cfg.PathOutput, cfg.ModelName)
	mcfg, jsonPath, err := config.ReadModelConfig(modelDir)
	if err != nil {
		return nil, err
	}
	weights, err := modelWeights(jsonPath)
	if err != nil {
		return nil, err
	}
	c := withModelOf(cfg, mcfg)
	p, err := loadPredictor(c, weights, "threshold")
	if err != nil {
		return nil, err
	}
	f, err := frame(cfg, "train", false)
	if err != nil {
		return nil, err
	}
	sp, err := split(cfg, f, true)
	if err != nil {
		return nil, err
	}
	pairs, err := f.Pairs(append(append([]string(nil), sp.Train...), sp.Valid...), false)
	if err != nil {
		return nil, err
	}
	pairs = hemisTestPairs(c, pairs)
	p.in.setRows(f)
	var preds, gts [][]float32
	for _, pair := range pairs {
		if err := p.in.beginPair(pair); err != nil {
			return nil, err
		}
		var ims []*volume
		for _, r := range pair.Inputs {
			v, err := readVolume(rowFile(r))
			if err != nil {
				return nil, err
			}
			ims = append(ims, v)
		}
		if err := p.usePairROI(&pair, ims[0]); err != nil {
			return nil, err
		}
		soft, sh, _, err := p.predictSource(ims, "")
		if err != nil {
			return nil, fmt.Errorf("pipeline: %s: %w", pair.Inputs[0].Path, err)
		}
		gt, err := readLabels(pair, sh)
		if err != nil {
			return nil, err
		}
		for cl := range soft {
			if cl < len(gt) {
				preds, gts = append(preds, soft[cl]), append(gts, gt[cl])
			}
		}
	}
	res, err := metrics.ThresholdSweep(preds, gts, inc)
	if err != nil {
		return nil, fmt.Errorf("pipeline: threshold analysis: %w", err)
	}
	setThreshold(cfg, res.Best)
	setThreshold(mcfg, res.Best)
	// config_file.json keeps what train wrote into it (channel counts,
	// FiLM encoding), the threshold added.
	saved := cfg
	if s, err := config.ReadFile(filepath.Join(cfg.PathOutput, "config_file.json")); err == nil {
		setThreshold(s, res.Best)
		saved = s
	}
	if err := saved.Save(filepath.Join(cfg.PathOutput, "config_file.json")); err != nil {
		return nil, err
	}
	if err := mcfg.Save(jsonPath); err != nil {
		return nil, err
	}
	log.printf("threshold analysis on %d images: best threshold %.3g; written to postprocessing.binarize_prediction.thr", len(pairs), res.Best)
	return &res, nil
}

// setThreshold sets postprocessing.binarize_prediction.thr, adding the
// step first when the config has none.
func setThreshold(cfg *config.Config, thr float64) {
	if b, ok := cfg.Postprocessing.Get("binarize_prediction").(*config.BinarizePrediction); ok && b != nil {
		b.Thr = thr
		return
	}
	cfg.Postprocessing = append(config.Postprocessing{{Name: "binarize_prediction", Params: &config.BinarizePrediction{Thr: thr}}}, cfg.Postprocessing...)
}
