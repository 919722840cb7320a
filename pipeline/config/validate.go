package config

import (
	"fmt"
	"slices"
	"strconv"
)

// Validate checks what the schema alone cannot: the keys a run needs
// (path_data, target_suffix, the contrasts of the command), ranges, and
// the agreement between keys (one model applied, film_layers length,
// patch sizes, ROICrop with an ROI suffix). It returns an ErrorList.
func (c *Config) Validate() error {
	var errs ErrorList
	bad := func(path, format string, args ...any) {
		errs = append(errs, &Error{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if !slices.Contains([]string{"train", "test", "segment"}, c.Command) {
		bad("command", "%q is not one of \"train\", \"test\", \"segment\"", c.Command)
	}
	for i, g := range c.GPUIDs {
		if g < 0 {
			bad("gpu_ids["+strconv.Itoa(i)+"]", "must be >= 0, got %d", g)
		}
	}
	if c.PathOutput == "" {
		bad("path_output", "must not be empty")
	}
	if c.ModelName == "" {
		bad("model_name", "must not be empty")
	}

	// loader_parameters.
	lp := c.Loader
	if len(lp.PathData) == 0 || (len(lp.PathData) == 1 && lp.PathData[0] == "path_data") {
		bad("loader_parameters.path_data", "missing: give the BIDS dataset folder in the config or with -pd")
	}
	for i, p := range lp.PathData {
		if p == "" {
			bad("loader_parameters.path_data["+strconv.Itoa(i)+"]", "must not be empty")
		}
	}
	if len(lp.TargetSuffix.Classes) == 0 {
		bad("loader_parameters.target_suffix", `missing: list the label suffixes, e.g. ["_seg-manual"]`)
	}
	for i, s := range lp.TargetSuffix.All() {
		if s == "" {
			bad("loader_parameters.target_suffix", "suffix %d is empty", i)
		}
	}
	key := "training_validation"
	if c.Command != "train" {
		key = "testing"
	}
	if len(c.Contrasts(c.Command)) == 0 {
		bad("loader_parameters.contrast_params."+key, `missing: list the contrasts (BIDS suffixes) to read for %s, e.g. ["T2w"]`, c.Command)
	}
	for k, f := range lp.ContrastParams.Balance {
		if !(f > 0 && f <= 1) {
			bad("loader_parameters.contrast_params.balance."+k, "must be a fraction in (0, 1], got %v", f)
		}
	}
	ss := lp.SubjectSelection
	if len(ss.N) != len(ss.Metadata) || len(ss.N) != len(ss.Value) {
		bad("loader_parameters.subject_selection", "n, metadata and value must have the same length, got %d, %d, %d", len(ss.N), len(ss.Metadata), len(ss.Value))
	}
	if r := lp.ROIParams.SliceFilterROI; r != nil && *r < 0 {
		bad("loader_parameters.roi_params.slice_filter_roi", "must be >= 0, got %d", *r)
	}
	for i, e := range lp.Extensions {
		if len(e) < 2 || e[0] != '.' {
			bad("loader_parameters.extensions["+strconv.Itoa(i)+"]", "%q is not a file extension such as \".nii.gz\"", e)
		}
	}

	// split_dataset.
	sd := c.Split
	if sd.FnameSplit == nil || *sd.FnameSplit == "" {
		if sd.SplitMethod == "" {
			bad("split_dataset.split_method", "must not be empty")
		}
		if !(sd.TrainFraction > 0 && sd.TrainFraction <= 1) {
			bad("split_dataset.train_fraction", "must be in (0, 1], got %v", sd.TrainFraction)
		}
		if !(sd.TestFraction >= 0 && sd.TestFraction < 1) {
			bad("split_dataset.test_fraction", "must be in [0, 1), got %v", sd.TestFraction)
		}
		if sd.TrainFraction+sd.TestFraction > 1+1e-9 {
			bad("split_dataset", "train_fraction + test_fraction = %v exceeds 1", sd.TrainFraction+sd.TestFraction)
		}
	}

	// training_parameters.
	tp := c.Training
	if tp.BatchSize < 1 {
		bad("training_parameters.batch_size", "must be >= 1, got %d", tp.BatchSize)
	}
	if tp.TrainingTime.NumEpochs < 1 {
		bad("training_parameters.training_time.num_epochs", "must be >= 1, got %d", tp.TrainingTime.NumEpochs)
	}
	if tp.TrainingTime.EarlyStoppingPatience < 1 {
		bad("training_parameters.training_time.early_stopping_patience", "must be >= 1, got %d", tp.TrainingTime.EarlyStoppingPatience)
	}
	if tp.TrainingTime.EarlyStoppingEpsilon < 0 {
		bad("training_parameters.training_time.early_stopping_epsilon", "must be >= 0, got %v", tp.TrainingTime.EarlyStoppingEpsilon)
	}
	if !(tp.Scheduler.InitialLR > 0) {
		bad("training_parameters.scheduler.initial_lr", "must be > 0, got %v", tp.Scheduler.InitialLR)
	}
	if s := tp.Scheduler.LRScheduler; s.Name == "CyclicLR" && !(s.BaseLR > 0 && s.BaseLR <= s.MaxLR) {
		bad("training_parameters.scheduler.lr_scheduler", "CyclicLR needs 0 < base_lr <= max_lr, got %v and %v", s.BaseLR, s.MaxLR)
	}
	if s := tp.Scheduler.LRScheduler; s.T0 != nil && *s.T0 < 1 {
		bad("training_parameters.scheduler.lr_scheduler.T_0", "must be >= 1, got %d", *s.T0)
	}
	if s := tp.Scheduler.LRScheduler; s.TMult != nil && *s.TMult < 1 {
		bad("training_parameters.scheduler.lr_scheduler.T_mult", "must be >= 1, got %d", *s.TMult)
	}
	if a := tp.MixupAlpha; a != nil && !(*a > 0) {
		bad("training_parameters.mixup_alpha", "must be > 0 or null, got %v", *a)
	}
	if f := tp.TransferLearning.RetrainFraction; !(f > 0 && f <= 1) {
		bad("training_parameters.transfer_learning.retrain_fraction", "must be in (0, 1], got %v", f)
	}

	// Model.
	m, film, err := c.ModelParams()
	if err != nil {
		bad("", "%s", err.Error()[len("config: "):])
	} else {
		c.validateModel(m, film, bad)
	}

	if c.Uncertainty.NIt < 0 {
		bad("uncertainty.n_it", "must be >= 0, got %d", c.Uncertainty.NIt)
	}
	if ts := c.Evaluation.TargetSize; ts != nil {
		for i, t := range ts.Thr {
			if t <= 0 || (i > 0 && t <= ts.Thr[i-1]) {
				bad("evaluation_parameters.target_size.thr", "must be positive and increasing, got %v", ts.Thr)
				break
			}
		}
	}

	// A segmentation label must keep its image's size; a classifier reads
	// only whether a slice's label has anything (ivadomed's classification
	// config resamples and crops im and roi alone).
	classifier := err == nil && IsClassifier(m.Name)
	for _, t := range c.Transformation {
		c.validateTransform(t, bad)
		switch t.Params.(type) {
		case *Resample, *CenterCrop, *ROICrop:
			if !classifier && t.Applies("im") && !t.Applies("gt") {
				bad("transformation."+t.Name+".applied_to", "%q changes the image's size but not the label's: a segmentation label must go through it too (add \"gt\")", t.AppliedTo)
			}
		}
		if _, ok := t.Params.(*BoundingBoxCrop); ok && (c.ObjectDetection.ObjectDetectionPath == nil || *c.ObjectDetection.ObjectDetectionPath == "") {
			bad("transformation.BoundingBoxCrop", "crops to the box a detection model found, so it needs object_detection_params.object_detection_path "+
				"(ivadomed adds it itself for such a cascade; ivadogo crops without it): remove it, or name the detection model")
		}
	}
	if err == nil {
		// A crop gives [h, w] for 2D models and [h, w, d] for 3D ones.
		for _, t := range c.Transformation {
			var size []int
			switch q := t.Params.(type) {
			case *CenterCrop:
				size = q.Size
			case *ROICrop:
				size = q.Size
			}
			if size == nil {
				continue
			}
			if want := map[bool]int{true: 2, false: 3}[m.Is2D]; len(size) != want && len(size) >= 2 && len(size) <= 3 {
				dim := map[bool]string{true: "2D", false: "3D"}[m.Is2D]
				bad("transformation."+t.Name+".size", "has %d sizes but the model (%s) is %s: give %d", len(size), m.Name, dim, want)
			}
		}
	}
	for _, s := range c.Postprocessing {
		if rs, ok := s.Params.(*RemoveSmall); ok {
			for _, v := range rs.Thr.Values {
				if v < 0 {
					bad("postprocessing.remove_small.thr", "must be >= 0, got %v", v)
				}
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func (c *Config) validateModel(m Model, film bool, bad func(string, string, ...any)) {
	if !slices.Contains(ModelNames(), m.Name) {
		msg := fmt.Sprintf("unknown model %q", m.Name)
		if s := nearest(m.Name, ModelNames()); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		} else {
			msg += "; known models: " + quoteList(ModelNames())
		}
		bad("default_model.name", "%s", msg)
	}
	where := func(key string) string {
		applied := c.AppliedModels()
		for _, s := range applied {
			if c.section(s).Has(key) {
				return s + "." + key
			}
		}
		if !c.DefaultModel.Has(key) && len(applied) > 0 {
			return applied[0] + "." + key
		}
		return "default_model." + key
	}
	if !(m.DropoutRate >= 0 && m.DropoutRate < 1) {
		bad(where("dropout_rate"), "must be in [0, 1), got %v", m.DropoutRate)
	}
	if !(m.BNMomentum >= 0 && m.BNMomentum <= 1) {
		bad(where("bn_momentum"), "must be in [0, 1], got %v", m.BNMomentum)
	}
	if m.Depth < 1 && (m.Name == "Unet" || m.Name == "FiLMedUnet" || m.Name == "HeMISUnet") {
		bad(where("depth"), "must be >= 1, got %d", m.Depth)
	}
	if m.NFilters < 1 {
		bad(where("n_filters"), "must be >= 1, got %d", m.NFilters)
	}
	if film {
		want := 2*m.Depth + 2
		if m.Name == "Modified3DUNet" {
			want = 10
		}
		if len(m.FilmLayers) != want {
			bad(where("film_layers"), "needs %d entries for %s (depth %d), got %d", want, m.Name, m.Depth, len(m.FilmLayers))
		}
		for _, v := range m.FilmLayers {
			if v != 0 && v != 1 {
				bad(where("film_layers"), "entries must be 0 or 1, got %d", v)
				break
			}
		}
		if m.Metadata == "" {
			bad(where("metadata"), `missing: FiLM needs "contrasts", "mri_params" or a participants.tsv column`)
		}
	}
	checkPatch := func(key string, v []int, n int) {
		if v == nil {
			return
		}
		if len(v) != n {
			bad(where(key), "needs %d sizes, got %d", n, len(v))
			return
		}
		for _, x := range v {
			if x < 1 {
				bad(where(key), "sizes must be >= 1, got %v", v)
				return
			}
		}
	}
	checkPatch("length_2D", m.Length2D, 2)
	checkPatch("stride_2D", m.Stride2D, 2)
	if (m.Length2D == nil) != (m.Stride2D == nil) {
		bad(where("length_2D"), "length_2D and stride_2D go together")
	} else if len(m.Length2D) == 2 && len(m.Stride2D) == 2 {
		for i := range 2 {
			if m.Stride2D[i] > m.Length2D[i] {
				bad(where("stride_2D"), "stride %v is larger than length %v: pixels would be skipped", m.Stride2D, m.Length2D)
				break
			}
		}
	}
	if !m.Is2D && (m.Name == "Modified3DUNet" || m.Name == "Unet") {
		if m.Length3D == nil || m.Stride3D == nil {
			bad(where("length_3D"), "a 3D model needs length_3D and stride_3D")
		} else {
			checkPatch("length_3D", m.Length3D, 3)
			checkPatch("stride_3D", m.Stride3D, 3)
			if len(m.Length3D) == 3 && len(m.Stride3D) == 3 {
				for i := range 3 {
					if m.Stride3D[i] > m.Length3D[i] {
						bad(where("stride_3D"), "stride %v is larger than length %v: voxels would be skipped", m.Stride3D, m.Length3D)
						break
					}
				}
			}
		}
	}
}

func (c *Config) validateTransform(t Transform, bad func(string, string, ...any)) {
	p := "transformation." + t.Name
	prob := func(key string, v float64) {
		if !(v >= 0 && v <= 1) {
			bad(p+"."+key, "must be a probability in [0, 1], got %v", v)
		}
	}
	size := func(v []int) {
		if len(v) != 2 && len(v) != 3 {
			bad(p+".size", "needs 2 (2D) or 3 (3D) sizes, got %d", len(v))
			return
		}
		for _, x := range v {
			if x < 1 {
				bad(p+".size", "sizes must be >= 1, got %v", v)
				return
			}
		}
	}
	pair := func(key string, v []float64) {
		if len(v) != 2 || v[0] > v[1] {
			bad(p+"."+key, "needs [min, max], got %v", v)
		}
	}
	switch q := t.Params.(type) {
	case *Resample:
		if !(q.HSpace > 0 && q.WSpace > 0 && q.DSpace > 0) {
			bad(p, "spacings must be > 0, got hspace %v, wspace %v, dspace %v", q.HSpace, q.WSpace, q.DSpace)
		}
	case *CenterCrop:
		size(q.Size)
	case *ROICrop:
		size(q.Size)
		if c.Loader.ROIParams.Suffix == nil || *c.Loader.ROIParams.Suffix == "" {
			bad(p, "ROICrop needs loader_parameters.roi_params.suffix (the ROI mask to centre on)")
		}
	case *RandomAffine:
		for _, x := range q.Translate {
			if !(x >= 0 && x <= 1) {
				bad(p+".translate", "fractions must be in [0, 1], got %v", q.Translate)
				break
			}
		}
		for _, x := range q.Scale {
			if !(x >= 0 && x < 1) {
				bad(p+".scale", "must be in [0, 1): the scale is drawn in [1-s, 1+s], got %v", q.Scale)
				break
			}
		}
	case *ElasticTransform:
		pair("alpha_range", q.AlphaRange)
		pair("sigma_range", q.SigmaRange)
		prob("p", q.P)
	case *RandomShiftIntensity:
		pair("shift_range", q.ShiftRange)
		prob("prob", q.Prob)
	case *RandomGamma:
		pair("log_gamma_range", q.LogGammaRange)
		prob("p", q.P)
	case *RandomBlur:
		pair("sigma_range", q.SigmaRange)
		prob("p", q.P)
	case *RandomBiasField:
		prob("p", q.P)
	case *HistogramClipping:
		if !(0 <= q.MinPercentile && q.MinPercentile < q.MaxPercentile && q.MaxPercentile <= 100) {
			bad(p, "needs 0 <= min_percentile < max_percentile <= 100, got %v and %v", q.MinPercentile, q.MaxPercentile)
		}
	case *AdditiveGaussianNoise:
		if q.Std < 0 {
			bad(p+".std", "must be >= 0, got %v", q.Std)
		}
	case *Clahe:
		if len(q.KernelSize) != 2 && len(q.KernelSize) != 3 {
			bad(p+".kernel_size", "needs 2 or 3 sizes, got %v", q.KernelSize)
		}
	}
}
