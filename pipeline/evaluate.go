package pipeline

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/metrics"
	"github.com/ivadogo/ivadogo/pipeline/postprocess"
)

// TestResult sums up a test run.
type TestResult struct {
	// Rows are the lines of evaluation_3Dmetrics.csv, sorted by image id.
	Rows []metrics.Row
	// MeanDice is the mean of dice_class0 over the images where it is
	// defined (NaN when none). For a slice classifier it is the F1 score
	// over the slices, the Dice of its per-slice predictions.
	MeanDice float64
	// Slices and Accuracy are set for a slice classifier only: how many
	// slices it classified and the fraction it got right.
	Slices   int
	Accuracy float64
	// PredDir and CSV are where the predictions and the metrics went.
	PredDir, CSV string
}

// Test predicts every image of the test split with the best model of a
// training in cfg.PathOutput, writes each prediction in its input's own
// space as pred_masks/<id>_pred.nii.gz (post-processed as the config
// asks; for a microscopy image also each class as
// pred_masks/<id>_class-<i>_pred.png, as ivadomed), and evaluates them
// against their labels into results_eval/evaluation_3Dmetrics.csv.
//
// The split is the config's fname_split, else the split_datasets.json
// train wrote to path_output, else a new draw with the config's seed.
func Test(cfg *config.Config, o Options) (*TestResult, error) {
	log, err := begin(cfg, &o)
	if err != nil {
		return nil, err
	}
	defer log.close()
	start := time.Now()
	weights := filepath.Join(cfg.PathOutput, "best_model.safetensors")
	if _, err := os.Stat(weights); err != nil {
		weights = filepath.Join(cfg.PathOutput, cfg.ModelName, cfg.ModelName+".safetensors")
	}
	// The model's in/out channels are in the config train saved.
	mcfg := cfg
	if saved, err := config.ReadFile(filepath.Join(cfg.PathOutput, "config_file.json")); err == nil {
		mp, _, err := saved.ModelParams()
		if err == nil && mp.InChannel > 0 {
			c := *cfg
			c.DefaultModel = trainedModel(cfg.DefaultModel, mp)
			mcfg = &c
		}
	}
	if mp, _, err := mcfg.ModelParams(); err == nil && config.IsClassifier(mp.Name) {
		return testClassifier(cfg, mcfg, weights, o, log)
	}
	p, err := loadPredictor(mcfg, weights, "test")
	if err != nil {
		return nil, err
	}
	f, pairs, listed, err := testPairs(cfg, true)
	if err != nil {
		return nil, err
	}
	pairs = hemisTestPairs(mcfg, pairs)
	p.in.setRows(f)
	if len(pairs) == 0 {
		return nil, fmt.Errorf("pipeline: the test split has no labelled image (%d files listed)", listed)
	}
	ep, err := evalParams(cfg)
	if err != nil {
		return nil, err
	}
	res := &TestResult{PredDir: filepath.Join(cfg.PathOutput, "pred_masks")}
	film := newFiLMParams(p)
	var dsum float64
	nd := 0
	for _, pair := range pairs {
		inputs := make([]string, len(pair.Inputs))
		for i, r := range pair.Inputs {
			inputs[i] = r.Path
		}
		last := inputs[len(inputs)-1]
		name := predName(predRef(pair), cfg, "_pred")
		pred, sh, v, err := p.segmentVolume(inputs, &pair, filepath.Join(res.PredDir, name))
		if err != nil {
			return nil, err
		}
		if film != nil {
			film.add(p.in.row(inputs[0]), p.in.cur.meta)
		}
		gt, err := readLabels(pair, sh)
		if err != nil {
			return nil, err
		}
		row, painted, err := metrics.Evaluate3D(pred, gt, sh, srcZooms(v), ep)
		if err != nil {
			return nil, fmt.Errorf("pipeline: evaluating %s: %w", last, err)
		}
		row.ID = name[:len(name)-len("_pred.nii.gz")]
		res.Rows = append(res.Rows, row)
		if d, ok := row.Get("dice_class0"); ok && !math.IsNaN(d) {
			dsum += d
			nd++
		}
		if painted != nil {
			vols := make([][]float32, len(painted))
			for c := range painted {
				vols[c] = postprocess.ToFortran(painted[c], sh)
			}
			if err := writeSrc(filepath.Join(res.PredDir, row.ID+"_pred_TP-FP-FN.nii.gz"), v.src, vols); err != nil {
				return nil, err
			}
		}
		if isMicroscopy(last) {
			if err := writeTestPNGs(filepath.Join(res.PredDir, row.ID), pred, painted, sh); err != nil {
				return nil, err
			}
		}
		d, _ := row.Get("dice_class0")
		log.printf("test: %s  dice %.4f", row.ID, d)
	}
	if film != nil {
		if err := film.write(cfg.PathOutput); err != nil {
			return nil, err
		}
	}
	sort.Slice(res.Rows, func(i, j int) bool { return res.Rows[i].ID < res.Rows[j].ID })
	if res.CSV, err = metrics.WriteCSVFile(cfg.PathOutput, res.Rows); err != nil {
		return nil, err
	}
	res.MeanDice = math.NaN()
	if nd > 0 {
		res.MeanDice = dsum / float64(nd)
	}
	log.printf("test done in %.1fs: %d images, mean Dice %.4f; predictions in %s, metrics in %s",
		time.Since(start).Seconds(), len(res.Rows), res.MeanDice, res.PredDir, res.CSV)
	return res, nil
}

// readLabels reads the label of each class of p (its first rater; zeros
// when missing) as C-order volumes on the source grid, which must have
// shape sh.
func readLabels(p bids.Pair, sh [3]int) ([][]float32, error) {
	out := make([][]float32, len(p.Targets))
	for c, paths := range p.Targets {
		if len(paths) == 0 || paths[0] == "" {
			out[c] = make([]float32, sh[0]*sh[1]*sh[2])
			continue
		}
		v, err := readVolume(labelFile(paths[0], p.Inputs[0]))
		if err != nil {
			return nil, err
		}
		src := v.src
		s := src.Shape
		if len(s) < 3 || s[0] != sh[0] || s[1] != sh[1] || s[2] != sh[2] {
			return nil, fmt.Errorf("pipeline: label %s has shape %v, want the image's %v", paths[0], s, sh)
		}
		out[c] = postprocess.FromFortran(src.Data[:sh[0]*sh[1]*sh[2]], sh)
	}
	return out, nil
}

// evalParams parses evaluation_parameters.
func evalParams(cfg *config.Config) (metrics.EvalParams, error) {
	b, err := json.Marshal(cfg.Evaluation)
	if err != nil {
		return metrics.EvalParams{}, err
	}
	ep, err := metrics.ParseEvalParams(b)
	if err != nil {
		return ep, fmt.Errorf("pipeline: evaluation_parameters: %w", err)
	}
	return ep, nil
}

// predRef is the file a test prediction is named after: as ivadomed, the
// pair's first label (less its target suffix, see predName), whose image
// is, with multichannel, the subject's last file by name; the last input
// where there is no label.
func predRef(pair bids.Pair) string {
	for _, paths := range pair.Targets {
		for _, p := range paths {
			if p != "" {
				return p
			}
		}
	}
	return pair.Inputs[len(pair.Inputs)-1].Path
}
