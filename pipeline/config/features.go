package config

import (
	"fmt"
	"strings"
)

// Feature is a capability a config asks for, with the key that asks.
// Names are "model:<name>" (Unet, Unet3D, Modified3DUNet, FiLMedUnet,
// HeMISUnet, resnet18, densenet121, Countception), "loss:<name>",
// "transform:<name>", "postprocessing:<name>", "scheduler:<name>", and
// the single features listed in FeatureNames.
type Feature struct {
	Name string // e.g. "model:HeMISUnet", "wandb"
	Path string // the key that asks for it, e.g. "HeMISUnet.applied"
}

// featureNames describes the single features a config can ask for,
// beyond models, losses, transforms, post-processing steps and schedulers.
var featureNames = map[string]string{
	"film":                "FiLM layers fed with metadata",
	"film_mri_params":     "FiLM metadata from MRI parameters (KDE clustering of FlipAngle/RepetitionTime/EchoTime)",
	"attention":           "attention gates in Modified3DUNet",
	"patches_2d":          "2D patches (length_2D/stride_2D)",
	"multichannel":        "multichannel inputs",
	"multi_rater":         "several raters per class",
	"soft_gt":             "soft ground truth",
	"input_dropout":       "input channel dropout",
	"roi":                 "a region-of-interest mask (roi_params.suffix)",
	"subject_selection":   "subject selection by participants.tsv metadata",
	"contrast_balance":    "per-contrast sample fractions",
	"balance_samples":     "balanced sampling",
	"mixup":               "mixup",
	"retrain_model":       "transfer learning from a saved model",
	"uncertainty":         "test-time uncertainty (Monte-Carlo dropout, test-time augmentation)",
	"wandb":               `Weights & Biases logging (it needs wandb's Python client and the network; set wandb.wandb_api_key to "" to train without it: losses, metrics and learning rate go to TensorBoard event files and training_metrics.csv)`,
	"object_detection":    "a cascade with an object-detection model (BoundingBoxCrop around a first model's segmentation)",
	"slice_classifier":    "slice filtering by a classifier model (a second, trained classification model); set slice_filter_params.filter_classification to false",
	"bids_config":         "a custom pybids entity configuration",
	"split_balance":       "a split balanced over a metadata column",
	"data_testing":        "a test set fixed by metadata values",
	"microscopy":          "microscopy images (PNG/TIFF/JPEG)",
	"microscopy_3d":       "microscopy images with a 3D model (a PNG or TIFF is one 2D image; set default_model.is_2d to true)",
	"lesion_size_metrics": "lesion-wise metrics by size bin",
}

// Features lists what the config asks for, in file order. The pipeline
// compares it with what it implements (CheckFeatures), so that a config
// naming a feature not built fails at once, at the key that names it,
// rather than hours into a run.
func (c *Config) Features() []Feature {
	var fs []Feature
	add := func(name, path string) { fs = append(fs, Feature{Name: name, Path: path}) }
	lp := c.Loader
	if lp.BIDSConfig != nil {
		add("bids_config", "loader_parameters.bids_config")
	}
	if len(lp.SubjectSelection.N) > 0 {
		add("subject_selection", "loader_parameters.subject_selection")
	}
	if lp.TargetSuffix.MultiRater() {
		add("multi_rater", "loader_parameters.target_suffix")
	}
	for _, e := range c.FileExtensions() {
		switch strings.ToLower(e) {
		case ".png", ".tif", ".tiff", ".jpg", ".jpeg":
			add("microscopy", "loader_parameters.extensions")
			if !c.Is2D() {
				add("microscopy_3d", "loader_parameters.extensions")
			}
		}
	}
	if lp.ROIParams.Suffix != nil {
		add("roi", "loader_parameters.roi_params.suffix")
	}
	if len(lp.ContrastParams.Balance) > 0 {
		add("contrast_balance", "loader_parameters.contrast_params.balance")
	}
	if lp.SliceFilterParams.FilterClassification {
		add("slice_classifier", "loader_parameters.slice_filter_params.filter_classification")
	}
	if lp.Multichannel {
		add("multichannel", "loader_parameters.multichannel")
	}
	if lp.SoftGT {
		add("soft_gt", "loader_parameters.soft_gt")
	}
	if lp.IsInputDropout {
		add("input_dropout", "loader_parameters.is_input_dropout")
	}
	sd := c.Split
	if sd.FnameSplit == nil {
		if sd.Balance != nil {
			add("split_balance", "split_dataset.balance")
		}
		if sd.DataTesting.DataType != nil || len(sd.DataTesting.DataValue) > 0 {
			add("data_testing", "split_dataset.data_testing")
		}
	}
	tp := c.Training
	add("loss:"+tp.Loss.Name, "training_parameters.loss.name")
	if p, ok := tp.Loss.Params.(*LossCombinationParams); ok {
		for i, l := range p.Losses {
			add("loss:"+l.Name, fmt.Sprintf("training_parameters.loss.losses_list[%d]", i))
		}
	}
	add("scheduler:"+tp.Scheduler.LRScheduler.Name, "training_parameters.scheduler.lr_scheduler.name")
	if tp.BalanceSamples.Applied {
		add("balance_samples", "training_parameters.balance_samples.applied")
	}
	if tp.MixupAlpha != nil {
		add("mixup", "training_parameters.mixup_alpha")
	}
	if tp.TransferLearning.RetrainModel != nil {
		add("retrain_model", "training_parameters.transfer_learning.retrain_model")
	}

	m, film, err := c.ModelParams()
	if err == nil {
		path := "default_model.name"
		if applied := c.AppliedModels(); len(applied) > 0 {
			path = applied[0] + ".applied"
		}
		name := m.Name
		if name == "Unet" && !m.Is2D {
			name, path = "Unet3D", "default_model.is_2d"
		}
		add("model:"+name, path)
		if film {
			add("film", "FiLMedUnet.applied")
			if m.Metadata == "mri_params" {
				add("film_mri_params", "FiLMedUnet.metadata")
			}
		}
		if m.Attention && m.Name == "Modified3DUNet" {
			add("attention", "Modified3DUNet.attention")
		}
		if m.Length2D != nil {
			add("patches_2d", "default_model.length_2D")
		}
	}
	u := c.Uncertainty
	if u.NIt > 0 && (u.Epistemic || u.Aleatoric) {
		add("uncertainty", "uncertainty")
	}
	if c.Wandb.WandbAPIKey != "" {
		add("wandb", "wandb.wandb_api_key")
	}
	if p := c.ObjectDetection.ObjectDetectionPath; p != nil {
		add("object_detection", "object_detection_params.object_detection_path")
	}
	if c.Evaluation.TargetSize != nil {
		add("lesion_size_metrics", "evaluation_parameters.target_size")
	}
	for _, t := range c.Transformation {
		add("transform:"+t.Name, "transformation."+t.Name)
	}
	for _, s := range c.Postprocessing {
		add("postprocessing:"+s.Name, "postprocessing."+s.Name)
	}
	return fs
}

// CheckFeatures returns an ErrorList naming, at its key, every feature of
// the config for which built returns false ("not implemented yet"), or nil.
func (c *Config) CheckFeatures(built func(name string) bool) error {
	var errs ErrorList
	seen := map[Feature]bool{}
	for _, f := range c.Features() {
		if built(f.Name) || seen[f] {
			continue
		}
		seen[f] = true
		errs = append(errs, &Error{Path: f.Path, Msg: "not implemented yet: " + DescribeFeature(f.Name)})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// DescribeFeature says in words what a feature name means ("model
// HeMISUnet", "Weights & Biases logging").
func DescribeFeature(name string) string {
	if what := featureNames[name]; what != "" {
		return what
	}
	kind, n, _ := strings.Cut(name, ":")
	return kind + " " + n
}
