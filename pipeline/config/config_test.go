package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
)

// reference returns the folder of ivadomed's config files.
func reference(t *testing.T) string {
	t.Helper()
	return filepath.Join(testenv.Shared(t), "reference")
}

// notConfig marks reference JSON files that are not ivadomed configs
// (pybids entity config, FiLM contrast map, sidecars, automate_training
// hyper-parameter grids and fixtures) with the error each must give.
var notConfig = map[string]string{
	"ivadomed-configs/config_bids.json":                                                                 "not an ivadomed config",
	"ivadomed-configs/contrast_dct.json":                                                                "not an ivadomed config",
	"ivadomed-configs/hyperparameters_training.json":                                                    "training_parameters.batch_size: expected an integer, got a list of 6 items",
	"ivadomed-configs/testing/data-testing/automate_training_data.json":                                 "not an ivadomed config",
	"ivadomed-configs/testing/data-testing/bounding_box_dict.json":                                      "not an ivadomed config",
	"ivadomed-configs/testing/data-testing/hyperparameter_opt.json":                                     "training_parameters.batch_size: expected an integer, got a list of 2 items",
	"ivadomed-configs/testing/data-testing/microscopy_png_sub-rat2_micr_sub-rat2_sample-data5_SEM.json": "not an ivadomed config",
	"ivadomed-configs/testing/data-testing/sub-unf01_anat_sub-unf01_T1w.json":                           "not an ivadomed config",
	"ivadomed-configs/testing/data-testing/sub-unf01_anat_sub-unf01_T2star.json":                        "not an ivadomed config",
	"ivadomed-configs/testing/data-testing/sub-unf01_anat_sub-unf01_T2w.json":                           "not an ivadomed config",
	"ivadomed-configs/testing/data_functional_testing/automate_training_hyperparameter_opt.json":        "training_parameters.batch_size: expected an integer, got a list of 2 items",
	"ivadomed-configs/testing/data_functional_testing/dataset_description.json":                         "not an ivadomed config",
	"ivadomed-configs/testing/data_functional_testing/hyperparameter_opt.json":                          "training_parameters.batch_size: expected an integer, got a list of 2 items",
	"ivadomed-configs/testing/data_functional_testing/sub-unf01_anat_sub-unf01_T2w.json":                "not an ivadomed config",
}

// referenceJSON lists every JSON file of the reference config folders,
// relative to the reference folder.
func referenceJSON(t *testing.T) []string {
	ref := reference(t)
	var files []string
	for _, pat := range []string{"ivadomed-configs/*.json", "ivadomed-configs/pretrained/*.json", "ivadomed-configs/testing/*/*.json", "ivadomed-runs/config_*.json"} {
		m, err := filepath.Glob(filepath.Join(ref, pat))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			rel, _ := filepath.Rel(ref, f)
			files = append(files, filepath.ToSlash(rel))
		}
	}
	if len(files) < 30 {
		t.Fatalf("found only %d reference JSON files", len(files))
	}
	return files
}

func TestReferenceConfigs(t *testing.T) {
	ref := reference(t)
	for _, rel := range referenceJSON(t) {
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(ref, rel))
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(data)
			if want, ok := notConfig[rel]; ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("Parse error = %v, want it to contain %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = c.Validate()
			if rel == "ivadomed-configs/config_default.json" {
				// The defaults alone name no data: the three keys a run needs are reported.
				for _, want := range []string{"loader_parameters.path_data: missing", "loader_parameters.target_suffix: missing", "loader_parameters.contrast_params.training_validation: missing"} {
					if err == nil || !strings.Contains(err.Error(), want) {
						t.Errorf("Validate error = %v, want it to contain %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			// Round trip: what show prints parses back to the same config.
			out, err := c.MarshalIndent()
			if err != nil {
				t.Fatal(err)
			}
			c2, err := Parse(out)
			if err != nil {
				t.Fatalf("re-parsing the marshalled config: %v\n%s", err, out)
			}
			out2, _ := c2.MarshalIndent()
			if !bytes.Equal(out, out2) {
				t.Errorf("marshal/parse/marshal differs:\n%s\n---\n%s", out, out2)
			}
			if len(c2.Notices) != 0 {
				t.Errorf("the marshalled config still has legacy keys: %q", c2.Notices)
			}
		})
	}
}

func mustLoadRef(t *testing.T, rel string) *Config {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(reference(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestReferenceValues checks values read from the reference configs,
// legacy conversions included, against the files' text.
func TestReferenceValues(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, c *Config)
	}{
		{"ivadomed-configs/pretrained/findcord_tumor.json", func(t *testing.T, c *Config) {
			m, film, err := c.ModelParams()
			if err != nil || film {
				t.Fatalf("ModelParams: %v film=%v", err, film)
			}
			if m.Name != "Modified3DUNet" || m.Is2D || m.NFilters != 8 || !slices.Equal(m.Length3D, []int{512, 256, 32}) || !slices.Equal(m.Stride3D, []int{512, 256, 32}) || m.BNMomentum != 0.9 {
				t.Errorf("model = %+v", m)
			}
			if c.PathOutput != "sc_model_30mm_32" || !slices.Equal(c.GPUIDs, []int{1}) {
				t.Errorf("path_output %q gpu_ids %v", c.PathOutput, c.GPUIDs)
			}
			if !slices.Equal(c.Loader.PathData, Strings{"/home/GRAMES.POLYMTL.CA/anlemj/duke/temp/andreanne/tumor_segmentation_masks/results/data"}) {
				t.Errorf("path_data = %q", c.Loader.PathData)
			}
			if c.Evaluation.TargetSize == nil || !slices.Equal(c.Evaluation.TargetSize.Thr, []float64{20, 100}) {
				t.Errorf("target_size = %+v", c.Evaluation.TargetSize)
			}
			var names []string
			for _, tr := range c.Transformation {
				names = append(names, tr.Name)
			}
			if !slices.Equal(names, []string{"Resample", "CenterCrop", "RandomAffine", "NormalizeInstance"}) {
				t.Errorf("transforms = %q", names)
			}
			if ra := c.Transformation[2].Params.(*RandomAffine); ra.Degrees != (Range{-5, 5, true}) || !slices.Equal(ra.Translate, []float64{0.03, 0.03, 0}) {
				t.Errorf("RandomAffine = %+v", ra)
			}
			if c.Uncertainty.NIt != 10 {
				t.Errorf("uncertainty moved from testing_parameters: n_it = %d, want 10", c.Uncertainty.NIt)
			}
			// lr_scheduler has no name: ivadomed's default fills it.
			if c.Training.Scheduler.LRScheduler.Name != "CosineAnnealingLR" {
				t.Errorf("lr_scheduler.name = %q", c.Training.Scheduler.LRScheduler.Name)
			}
		}},
		{"ivadomed-configs/config_small.json", func(t *testing.T, c *Config) {
			dt := c.Split.DataTesting
			if dt.DataType == nil || *dt.DataType != "institution_id" || !slices.Equal(dt.DataValue, Values{"amu"}) {
				t.Errorf("data_testing = %+v", dt)
			}
			s := c.Training.Scheduler.LRScheduler
			if s.Name != "CosineAnnealingWarmRestarts" || s.T0 == nil || *s.T0 != 10 || s.TMult == nil || *s.TMult != 1 {
				t.Errorf("lr_scheduler = %+v", s)
			}
			if c.Command != "test" || c.DefaultModel.Depth != 2 {
				t.Errorf("command %q depth %d", c.Command, c.DefaultModel.Depth)
			}
		}},
		{"ivadomed-configs/config_vertebral_labeling.json", func(t *testing.T, c *Config) {
			p, ok := c.Training.Loss.Params.(*LossCombinationParams)
			if c.Training.Loss.Name != "LossCombination" || !ok || len(p.Losses) != 3 {
				t.Fatalf("loss = %+v", c.Training.Loss)
			}
			if p.Losses[0].Name != "AdapWingLoss" || *p.Losses[0].Params.(*AdapWingLossParams) != (AdapWingLossParams{Theta: 0.5, Alpha: 2.1, Omega: 14, Epsilon: 1}) {
				t.Errorf("first loss = %+v", p.Losses[0])
			}
			m, _, _ := c.ModelParams()
			if m.Name != "Countception" || !c.Loader.SoftGT || c.Split.RandomSeed != 8 {
				t.Errorf("model %q soft_gt %v seed %d", m.Name, c.Loader.SoftGT, c.Split.RandomSeed)
			}
			if rm := c.Training.TransferLearning.RetrainModel; rm == nil || *rm != "labeling_t2test/best_model.pt" {
				t.Errorf("retrain_model = %v", rm)
			}
		}},
		{"ivadomed-configs/config_classification.json", func(t *testing.T, c *Config) {
			if c.Training.BalanceSamples != (BalanceSamples{Applied: false, Type: "gt"}) {
				t.Errorf("balance_samples = %+v", c.Training.BalanceSamples)
			}
			m, _, _ := c.ModelParams()
			if m.Name != "resnet18" || m.Depth != 2 || m.BNMomentum != 0.9 {
				t.Errorf("model = %+v", m)
			}
			if roi := c.Loader.ROIParams; *roi.Suffix != "_seg-manual" || *roi.SliceFilterROI != 10 {
				t.Errorf("roi_params = %+v", roi)
			}
			rs := c.Transformation[0]
			if !rs.Applies("roi") || rs.Applies("gt") || !rs.InDataset("testing") {
				t.Errorf("Resample applied_to %q dataset_type %q", rs.AppliedTo, rs.DatasetType)
			}
			if s := c.Training.Scheduler.LRScheduler; s.Name != "CyclicLR" || s.BaseLR != 1e-4 || s.MaxLR != 1e-3 {
				t.Errorf("lr_scheduler = %+v", s)
			}
		}},
		{"ivadomed-configs/config_microscopy.json", func(t *testing.T, c *Config) {
			m, _, _ := c.ModelParams()
			if !slices.Equal(m.Length2D, []int{256, 256}) || !slices.Equal(m.Stride2D, []int{244, 244}) || m.Depth != 4 || m.NFilters != 64 {
				t.Errorf("model = %+v", m)
			}
			if c.Split.SplitMethod != "sample_id" || !slices.Equal(c.FileExtensions(), []string{".png"}) || len(c.Loader.TargetSuffix.Classes) != 2 {
				t.Errorf("split_method %q extensions %q classes %d", c.Split.SplitMethod, c.FileExtensions(), len(c.Loader.TargetSuffix.Classes))
			}
			if c.Postprocessing.Get("binarize_maxpooling") == nil || c.Evaluation.ObjectDetectionMetrics {
				t.Errorf("postprocessing %+v evaluation %+v", c.Postprocessing, c.Evaluation)
			}
			if r := c.Transformation[0].Params.(*Resample); r.HSpace != 0.0001 || r.DSpace != 1 {
				t.Errorf("Resample = %+v", r)
			}
		}},
		{"ivadomed-configs/config_spineGeHemis.json", func(t *testing.T, c *Config) {
			if !slices.Equal(c.AppliedModels(), []string{"HeMISUnet"}) || c.Modified3DUNet == nil || c.Modified3DUNet.Applied {
				t.Errorf("applied %q, Modified3DUNet %+v", c.AppliedModels(), c.Modified3DUNet)
			}
			if c.HeMISUnet.ROILst != nil || !slices.Equal(c.HeMISUnet.Contrasts, []string{"T1w", "T2w"}) || c.Loader.SliceAxis != "sagittal" {
				t.Errorf("HeMIS %+v", c.HeMISUnet)
			}
		}},
		{"ivadomed-configs/config.json", func(t *testing.T, c *Config) {
			var names []string
			for _, s := range c.Postprocessing {
				names = append(names, s.Name)
			}
			if !slices.Equal(names, []string{"remove_noise", "keep_largest", "binarize_prediction", "uncertainty", "fill_holes", "remove_small"}) {
				t.Errorf("postprocessing order = %q", names)
			}
			rs := c.Postprocessing.Get("remove_small").(*RemoveSmall)
			if rs.Unit != "vox" || rs.Thr.For(0) != 3 || rs.Thr.For(1) != 3 {
				t.Errorf("remove_small = %+v", rs)
			}
			m, _, _ := c.ModelParams()
			if m.Name != "Unet" || !m.Is2D || m.FinalActivation != "sigmoid" {
				t.Errorf("model = %+v", m)
			}
			if c.Training.BatchSize != 32 || c.Training.TrainingTime.NumEpochs != 15 {
				t.Errorf("batch %d epochs %d", c.Training.BatchSize, c.Training.TrainingTime.NumEpochs)
			}
		}},
		{"ivadomed-runs/config_3d.json", func(t *testing.T, c *Config) {
			m, _, _ := c.ModelParams()
			if m.Name != "Modified3DUNet" || m.Is2D || m.NFilters != 8 || !slices.Equal(m.Length3D, []int{48, 48, 16}) {
				t.Errorf("model = %+v", m)
			}
			if c.Split.FnameSplit == nil || *c.Split.FnameSplit != "split_fit.json" {
				t.Errorf("fname_split = %v", c.Split.FnameSplit)
			}
			if cc := c.Transformation[1].Params.(*CenterCrop); !slices.Equal(cc.Size, []int{96, 96, 16}) {
				t.Errorf("CenterCrop = %+v", cc)
			}
		}},
		{"ivadomed-configs/testing/data_functional_testing/model_config_test.json", func(t *testing.T, c *Config) {
			if c.Command != "test" || !slices.Equal(c.Loader.PathData, Strings{"testing_data/"}) || !slices.Equal(c.GPUIDs, []int{0}) {
				t.Errorf("command %q path_data %q gpu_ids %v", c.Command, c.Loader.PathData, c.GPUIDs)
			}
			u := c.Postprocessing.Get("uncertainty").(*UncertaintyThreshold)
			if u.Thr != 0.4 || u.Suffix != "_unc-vox.nii.gz" {
				t.Errorf("uncertainty step = %+v", u)
			}
			m, _, _ := c.ModelParams()
			if m.OutChannel != 1 || m.Depth != 1 {
				t.Errorf("model = %+v", m)
			}
		}},
		{"ivadomed-configs/pretrained/mice_uqueensland_gm.json", func(t *testing.T, c *Config) {
			ra := c.Transformation[3].Params.(*RandomAffine)
			if !slices.Equal(ra.Scale, []float64{0.02, 0.02}) {
				t.Errorf("legacy scale range = %v, want the half-width [0.02 0.02]", ra.Scale)
			}
			if r := c.Transformation[0].Params.(*Resample); r.HSpace != 0.04 || r.WSpace != 0.04 || r.DSpace != 1 {
				t.Errorf("Resample = %+v", r)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) { tt.check(t, mustLoadRef(t, tt.file)) })
	}
}

// TestDefaultsMatchIvadomed parses ivadomed's own config_default.json and
// compares the result with the built-in defaults.
func TestDefaultsMatchIvadomed(t *testing.T) {
	c := mustLoadRef(t, "ivadomed-configs/config_default.json")
	got, _ := c.MarshalIndent()
	want, _ := Default().MarshalIndent()
	if !bytes.Equal(got, want) {
		t.Errorf("ivadomed's config_default.json gives\n%s\nbuilt-in defaults are\n%s", got, want)
	}
}

func TestDefaults(t *testing.T) {
	c := Default()
	m, film, err := c.ModelParams()
	if err != nil || film {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"command", c.Command, "train"},
		{"gpu_ids", c.GPUIDs, []int{0}},
		{"path_output", c.PathOutput, "path_output"},
		{"model_name", c.ModelName, "my_model"},
		{"log_file", c.LogFile, "log"},
		{"debugging", c.Debugging, false},
		{"safety_factor", c.ObjectDetection.SafetyFactor, []float64{1, 1, 1}},
		{"object_detection_path", c.ObjectDetection.ObjectDetectionPath, (*string)(nil)},
		{"wandb", c.Wandb, Wandb{ProjectName: "my_project", GroupName: "my_group", RunName: "run-1", LogGradsEvery: 100}},
		{"path_data", c.Loader.PathData, Strings{"path_data"}},
		{"extensions", c.FileExtensions(), []string{".nii", ".nii.gz"}},
		{"slice_axis", c.Loader.SliceAxis, "axial"},
		{"slice_filter_params", c.Loader.SliceFilterParams, SliceFilterParams{FilterEmptyInput: true}},
		{"patch_filter_params", c.Loader.PatchFilterParams, PatchFilterParams{}},
		{"bids_validate", c.Loader.BIDSValidate, true},
		{"multichannel", c.Loader.Multichannel, false},
		{"split", c.Split, Split{RandomSeed: 6, SplitMethod: "participant_id", DataTesting: DataTesting{DataValue: Values{}}, TrainFraction: 0.6, TestFraction: 0.2}},
		{"batch_size", c.Training.BatchSize, 18},
		{"loss", c.Training.Loss, Loss{Name: "DiceLoss", Params: &DiceLossParams{Smooth: 1}}},
		{"training_time", c.Training.TrainingTime, TrainingTime{NumEpochs: 100, EarlyStoppingPatience: 50, EarlyStoppingEpsilon: 0.001}},
		{"initial_lr", c.Training.Scheduler.InitialLR, 0.001},
		{"lr_scheduler", c.Training.Scheduler.LRScheduler, LRScheduler{Name: "CosineAnnealingLR", BaseLR: 1e-5, MaxLR: 1e-2}},
		{"balance_samples", c.Training.BalanceSamples, BalanceSamples{Type: "gt"}},
		{"mixup_alpha", c.Training.MixupAlpha, (*float64)(nil)},
		{"transfer_learning", c.Training.TransferLearning, TransferLearning{RetrainFraction: 1, Reset: true}},
		{"model name", m.Name, "Unet"},
		{"dropout_rate", m.DropoutRate, 0.3},
		{"bn_momentum", m.BNMomentum, 0.1},
		{"depth", m.Depth, 3},
		{"is_2d", m.Is2D, true},
		{"final_activation", m.FinalActivation, "sigmoid"},
		{"n_filters", m.NFilters, 64},
		{"uncertainty", c.Uncertainty, Uncertainty{}},
		{"evaluation", c.Evaluation, Evaluation{ObjectDetectionMetrics: true}},
		{"postprocessing", len(c.Postprocessing), 0},
		{"transformation", len(c.Transformation), 0},
		{"applied models", len(c.AppliedModels()), 0},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
}

// minimal is a complete config; tests add or break one key of it.
const minimal = `{"loader_parameters": {"path_data": ["data"], "target_suffix": ["_seg-manual"],
 "contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"]}}`

func TestTypos(t *testing.T) {
	tests := []struct {
		json string
		want string
	}{
		{`{"training_parameters": {"batch_sise": 4}}`, `training_parameters.batch_sise: unknown key; did you mean "batch_size"?`},
		{`{"training_parameters": {"batch-size": 4}}`, `training_parameters.batch-size: unknown key; did you mean "batch_size"?`},
		{`{"training_parameters": {"scheduler": {"lr_scheduler": {"nme": "CyclicLR"}}}}`, `training_parameters.scheduler.lr_scheduler.nme: unknown key; did you mean "name"?`},
		{`{"training_parameters": {"scheduler": {"lr_scheduler": {"name": "CosineAnealingLR"}}}}`, `training_parameters.scheduler.lr_scheduler.name: "CosineAnealingLR" is not one of "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR"; did you mean "CosineAnnealingLR"?`},
		{`{"batch_size": 4}`, `batch_size: unknown key; it belongs under training_parameters.batch_size`},
		{`{"loader_parameters": {"contrast_param": {}}}`, `loader_parameters.contrast_param: unknown key; did you mean "contrast_params"?`},
		{`{"loader_parameters": {"slice_axis": "axail"}}`, `loader_parameters.slice_axis: "axail" is not one of "axial", "sagittal", "coronal"; did you mean "axial"?`},
		{`{"transformation": {"CenterCorp": {"size": [8, 8]}}}`, `transformation.CenterCorp: unknown transform "CenterCorp"; did you mean "CenterCrop"?`},
		{`{"transformation": {"RandomAffine": {"degree": 5}}}`, `transformation.RandomAffine.degree: unknown key for RandomAffine; did you mean "degrees"?`},
		{`{"transformation": {"NormalizeInstance": {"applied_to": ["img"]}}}`, `transformation.NormalizeInstance.applied_to[0]: "img" is not one of "im", "gt", "roi"; did you mean "im"?`},
		{`{"transformation": {"NormalizeInstance": {"dataset_type": ["train"]}}}`, `did you mean "training"?`},
		{`{"transformation": {"NormalizeInstance": {"p": 0.5}}}`, `transformation.NormalizeInstance.p: unknown key for NormalizeInstance; NormalizeInstance takes no parameters`},
		{`{"training_parameters": {"loss": {"name": "FocalLoss", "gama": 2}}}`, `training_parameters.loss.gama: unknown key for FocalLoss; did you mean "gamma"?`},
		{`{"training_parameters": {"loss": {"name": "DiceLos"}}}`, `training_parameters.loss.name: "DiceLos" is not one of`},
		{`{"training_parameters": {"loss": {"name": "LossCombination", "losses_list": ["L2Loss"], "params_list": [null]}}}`, `training_parameters.loss.losses_list[0]: "L2Loss" is not one of`},
		{`{"postprocessing": {"fill_hole": {}}}`, `postprocessing.fill_hole: unknown post-processing step "fill_hole"; did you mean "fill_holes"?`},
		{`{"postprocessing": {"binarize_prediction": {"th": 0.5}}}`, `postprocessing.binarize_prediction.th: unknown key for binarize_prediction; did you mean "thr"?`},
		{`{"default_model": {"dropout": 0.1}}`, `default_model.dropout: unknown key; did you mean "dropout_rate"?`},
		{`{"default_model": {"final_activation": "sigmoide"}}`, `did you mean "sigmoid"?`},
		{`{"Modified3DUNet": {"lenght_3D": [16, 16, 16]}}`, `Modified3DUNet.lenght_3D: unknown key; did you mean "length_3D"?`},
		{`{"split_dataset": {"test_fracton": 0.1}}`, `split_dataset.test_fracton: unknown key; did you mean "test_fraction"?`},
		{`{"evaluation_parameters": {"overlap": {"unit": "voxel", "thr": 3}}}`, `did you mean "vox"?`},
		{`{"command": "trian"}`, `command: "trian" is not one of "train", "test", "segment"; did you mean "train"?`},
		{"{\n  \"debuging\": true\n}", `line 2:3: debuging: unknown key; did you mean "debugging"?`},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.json))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%s)\n error = %v\n want it to contain %q", tt.json, err, tt.want)
		}
	}
}

func TestWrongTypes(t *testing.T) {
	tests := []struct {
		json string
		want string
	}{
		{`{"training_parameters": {"batch_size": "18"}}`, `training_parameters.batch_size: expected an integer, got string "18"`},
		{`{"training_parameters": {"batch_size": 2.5}}`, `training_parameters.batch_size: expected an integer, got number 2.5`},
		{`{"gpu_ids": 0}`, `gpu_ids: expected a list of integers, got number 0`},
		{`{"gpu_ids": ["0"]}`, `gpu_ids[0]: expected an integer, got string "0"`},
		{`{"debugging": "yes"}`, `debugging: expected true or false, got string "yes"`},
		{`{"loader_parameters": null}`, `loader_parameters: expected an object, got null`},
		{`{"loader_parameters": {"path_data": 5}}`, `loader_parameters.path_data: expected a list of strings, got number 5`},
		{`{"loader_parameters": {"target_suffix": [1]}}`, `loader_parameters.target_suffix[0]: expected a suffix string or a list of rater suffixes, got number 1`},
		{`{"loader_parameters": {"target_suffix": "_seg"}}`, `loader_parameters.target_suffix: expected a list of suffixes`},
		{`{"training_parameters": {"mixup_alpha": "x"}}`, `training_parameters.mixup_alpha: expected a number or null, got string "x"`},
		{`{"training_parameters": {"balance_samples": "yes"}}`, `training_parameters.balance_samples: expected an object, got string "yes"`},
		{`{"split_dataset": {"random_seed": true}}`, `split_dataset.random_seed: expected an integer, got boolean true`},
		{`{"split_dataset": {"fname_split": 3}}`, `split_dataset.fname_split: expected a string or null, got number 3`},
		{`{"loader_parameters": {"roi_params": {"slice_filter_roi": 2.5}}}`, `loader_parameters.roi_params.slice_filter_roi: expected an integer or null, got number 2.5`},
		{`{"split_dataset": {"data_testing": {"data_value": [{}]}}}`, `split_dataset.data_testing.data_value[0]: expected a string or a number, got an object`},
		{`{"transformation": {"RandomAffine": {"degrees": "5"}}}`, `transformation.RandomAffine.degrees: expected a number or a [min, max] list, got string "5"`},
		{`{"transformation": {"RandomAffine": {"degrees": [5, -5]}}}`, `transformation.RandomAffine.degrees: min 5 is greater than max -5`},
		{`{"transformation": {"CenterCrop": [128, 128]}}`, `transformation.CenterCrop: expected an object of parameters`},
		{`{"transformation": []}`, `transformation: expected an object of transforms, got a list of 0 items`},
		{`{"postprocessing": {"remove_small": {"unit": "vox", "thr": "3"}}}`, `postprocessing.remove_small.thr: expected a number or a list of numbers, got string "3"`},
		{`{"training_parameters": {"loss": "DiceLoss"}}`, `training_parameters.loss: expected an object such as {"name": "DiceLoss"}, got string "DiceLoss"`},
		{`{"training_parameters": {"loss": {"name": "LossCombination", "losses_list": ["DiceLoss"], "params_list": []}}}`, `training_parameters.loss.params_list: has 0 items but losses_list has 1`},
		{`{"training_parameters": {"loss": {"name": "FocalLoss", "gamma": "2"}}}`, `training_parameters.loss.gamma: expected a number, got string "2"`},
		{`[]`, `expected an object, got a list of 0 items`},
		{`{"a": 1, "a": 2}`, `a: duplicate key`},
		{`{"command": "train",, }`, `line 1:21: invalid JSON`},
		{`{"command": "train"`, `invalid JSON: unexpected end of file`},
		{`{"command": "train"} {}`, `extra data after the top-level JSON value`},
		{``, `invalid JSON`},
		{strings.Repeat("[", 100) + strings.Repeat("]", 100), `nesting deeper than 64 levels`},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.json))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%.60s)\n error = %v\n want it to contain %q", tt.json, err, tt.want)
		}
	}
}

func TestAllErrorsReported(t *testing.T) {
	_, err := Parse([]byte(`{"debuging": true, "training_parameters": {"batch_size": "8", "loss": {"name": "DiceLoss", "smoth": 1}}}`))
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 3 {
		t.Fatalf("error = %v, want an ErrorList of 3", err)
	}
	var one *Error
	if !errors.As(err, &one) || one.Path != "debuging" || one.Line != 1 {
		t.Errorf("errors.As(*Error) = %+v", one)
	}
}

func TestAccepted(t *testing.T) {
	tests := []struct {
		json  string
		check func(c *Config) bool
	}{
		{`{"training_parameters": {"batch_size": 4.0}}`, func(c *Config) bool { return c.Training.BatchSize == 4 }},
		{`{"loader_parameters": {"path_data": "one/dir"}}`, func(c *Config) bool { return slices.Equal(c.Loader.PathData, Strings{"one/dir"}) }},
		{`{"loader_parameters": {"target_suffix": [["_a1", "_a2"], "_b"]}}`, func(c *Config) bool {
			ts := c.Loader.TargetSuffix
			return ts.MultiRater() && len(ts.Classes) == 2 && slices.Equal(ts.All(), []string{"_a1", "_a2", "_b"})
		}},
		{`{"split_dataset": {"data_testing": {"data_type": "age", "data_value": [30, "40"]}}}`, func(c *Config) bool {
			return slices.Equal(c.Split.DataTesting.DataValue, Values{"30", "40"})
		}},
		{`{"training_parameters": {"balance_samples": true}}`, func(c *Config) bool { return c.Training.BalanceSamples == BalanceSamples{Applied: true, Type: "gt"} }},
		{`{"training_parameters": {"loss": {"gamma": 1}}}`, nil}, // DiceLoss has no gamma: checked below as an error
		{`{"training_parameters": {"loss": {"name": "FocalLoss", "gamma": 0.5}}}`, func(c *Config) bool {
			return *c.Training.Loss.Params.(*FocalLossParams) == FocalLossParams{Gamma: 0.5, Alpha: 0.25, Eps: 1e-7}
		}},
		{`{"transformation": {"RandomAffine": {"degrees": [-3, 7]}}}`, func(c *Config) bool {
			return c.Transformation[0].Params.(*RandomAffine).Degrees == Range{Min: -3, Max: 7}
		}},
		{`{"postprocessing": {"remove_small": {"unit": "mm3", "thr": [5, 10.5]}}}`, func(c *Config) bool {
			rs := c.Postprocessing[0].Params.(*RemoveSmall)
			return rs.Thr.For(0) == 5 && rs.Thr.For(1) == 10.5
		}},
		{`{"HeMISUnet": {"applied": true, "roi_lst": null}}`, func(c *Config) bool { return c.HeMISUnet.Applied && c.HeMISUnet.ROILst == nil }},
		{`{"default_model": {"depth": 2}, "FiLMedUnet": {"applied": true, "metadata": "contrasts", "film_layers": [0,1,0,0,0,0], "dropout_rate": 0}}`, func(c *Config) bool {
			m, film, err := c.ModelParams()
			return err == nil && film && m.Name == "FiLMedUnet" && m.Depth == 2 && m.DropoutRate == 0 && m.BNMomentum == 0.1
		}},
	}
	for _, tt := range tests {
		c, err := Parse([]byte(tt.json))
		if tt.check == nil {
			if err == nil {
				t.Errorf("Parse(%s) succeeded, want an error", tt.json)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%s): %v", tt.json, err)
			continue
		}
		if !tt.check(c) {
			t.Errorf("Parse(%s): unexpected values", tt.json)
		}
	}
}

// withMinimal merges extra top-level members into the minimal config.
func withMinimal(extra string) string {
	if extra == "" {
		return minimal + "}"
	}
	return minimal + ", " + extra + "}"
}

func TestValidate(t *testing.T) {
	tests := []struct {
		extra string
		want  string // "" means valid
	}{
		{``, ``},
		{`"transformation": {"CenterCrop": {}}`, `transformation.CenterCrop.size: missing key: CenterCrop needs "size"`},
		{`"transformation": {"ElasticTransform": {"alpha_range": [28, 30]}}`, `transformation.ElasticTransform.sigma_range: missing key`},
		{`"postprocessing": {"remove_small": {"thr": 3}}`, `postprocessing.remove_small.unit: missing key`},
		{`"training_parameters": {"loss": {"name": "LossCombination"}}`, `training_parameters.loss.losses_list: missing key`},
		{`"training_parameters": {"batch_size": 0}`, `training_parameters.batch_size: must be >= 1, got 0`},
		{`"training_parameters": {"scheduler": {"initial_lr": 0}}`, `training_parameters.scheduler.initial_lr: must be > 0`},
		{`"training_parameters": {"scheduler": {"lr_scheduler": {"name": "CyclicLR", "base_lr": 0.1, "max_lr": 0.01}}}`, `CyclicLR needs 0 < base_lr <= max_lr`},
		{`"split_dataset": {"train_fraction": 0.9, "test_fraction": 0.2}`, `split_dataset: train_fraction + test_fraction = 1.1 exceeds 1`},
		{`"split_dataset": {"fname_split": "split.json", "train_fraction": 0.9, "test_fraction": 0.2}`, ``},
		{`"default_model": {"dropout_rate": 1.5}`, `default_model.dropout_rate: must be in [0, 1), got 1.5`},
		{`"FiLMedUnet": {"applied": true, "metadata": "contrasts", "film_layers": [0, 1, 0]}`, `FiLMedUnet.film_layers: needs 8 entries for FiLMedUnet (depth 3), got 3`},
		{`"Modified3DUNet": {"applied": true, "length_3D": [32, 32, 16], "stride_3D": [32, 32, 16]}, "FiLMedUnet": {"applied": true, "metadata": "contrasts", "film_layers": [0,0,0,0,0,0,0,0,0,1]}`, ``},
		{`"Modified3DUNet": {"applied": true, "length_3D": [32, 32, 16], "stride_3D": [32, 32, 16]}, "resnet18": {"applied": true}`, `"Modified3DUNet", "resnet18" are all applied`},
		{`"Modified3DUNet": {"applied": true}`, `Modified3DUNet.length_3D: a 3D model needs length_3D and stride_3D`},
		{`"Modified3DUNet": {"applied": true, "length_3D": [32, 32, 16], "stride_3D": [48, 32, 16]}`, `Modified3DUNet.stride_3D: stride [48 32 16] is larger than length [32 32 16]`},
		{`"default_model": {"length_2D": [64, 64]}`, `default_model.length_2D: length_2D and stride_2D go together`},
		{`"default_model": {"length_2D": [64, 64], "stride_2D": [32, 32, 1]}`, `default_model.stride_2D: needs 2 sizes, got 3`},
		{`"transformation": {"ROICrop": {"size": [48, 48]}}`, `ROICrop needs loader_parameters.roi_params.suffix`},
		{`"transformation": {"Resample": {"hspace": 0.75, "wspace": 0.75, "applied_to": ["im", "roi"]}}`, `transformation.Resample.applied_to: ["im" "roi"] changes the image's size but not the label's: a segmentation label must go through it too (add "gt")`},
		{`"transformation": {"Resample": {"hspace": 0.75, "wspace": 0.75, "applied_to": ["im", "roi"]}}, "resnet18": {"applied": true}`, ``},
		{`"transformation": {"BoundingBoxCrop": {"size": [32, 32]}}`, `transformation.BoundingBoxCrop: crops to the box a detection model found, so it needs object_detection_params.object_detection_path`},
		{`"transformation": {"BoundingBoxCrop": {"size": [32, 32]}}, "object_detection_params": {"object_detection_path": "finder"}`, ``},
		{`"transformation": {"CenterCrop": {"size": [48]}}`, `transformation.CenterCrop.size: needs 2 (2D) or 3 (3D) sizes, got 1`},
		{`"transformation": {"ElasticTransform": {"alpha_range": [28, 30], "sigma_range": [3.5, 4.5], "p": 2}}`, `transformation.ElasticTransform.p: must be a probability in [0, 1], got 2`},
		{`"transformation": {"RandomAffine": {"translate": [1.5, 0]}}`, `transformation.RandomAffine.translate: fractions must be in [0, 1]`},
		{`"gpu_ids": [-1]`, `gpu_ids[0]: must be >= 0`},
		{`"evaluation_parameters": {"target_size": {"unit": "vox", "thr": [100, 20]}}`, `must be positive and increasing`},
		{`"uncertainty": {"n_it": -1}`, `uncertainty.n_it: must be >= 0`},
		{`"default_model": {"name": "Unett"}`, `default_model.name: unknown model "Unett"; did you mean "Unet"?`},
		{`"default_model": {"name": "UNet3D", "length_3D": [16, 16, 16], "stride_3D": [16, 16, 16]}`, ``},
		{`"transformation": {"CenterCrop": {"size": [32, 32, 16]}}`, `transformation.CenterCrop.size: has 3 sizes but the model (Unet) is 2D: give 2`},
		{`"Modified3DUNet": {"applied": true, "length_3D": [32, 32, 16], "stride_3D": [32, 32, 16]}, "transformation": {"CenterCrop": {"size": [32, 32]}}`, `transformation.CenterCrop.size: has 2 sizes but the model (Modified3DUNet) is 3D: give 3`},
	}
	for _, tt := range tests {
		js := withMinimal(tt.extra)
		c, err := Parse([]byte(js))
		if err == nil {
			err = c.Validate()
		}
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.extra, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s\n error = %v\n want it to contain %q", tt.extra, err, tt.want)
		}
	}
}

func TestMissingRequired(t *testing.T) {
	tests := []struct {
		json string
		o    Overrides
		want []string
		not  []string
	}{
		{`{}`, Overrides{}, []string{"loader_parameters.path_data: missing", "loader_parameters.target_suffix: missing", "loader_parameters.contrast_params.training_validation: missing"}, nil},
		{`{}`, Overrides{PathData: []string{"d"}}, []string{"target_suffix: missing"}, []string{"path_data"}},
		{`{"loader_parameters": {"contrast_params": {"training_validation": ["T2w"]}}}`, Overrides{Command: "test"}, []string{"loader_parameters.contrast_params.testing: missing"}, []string{"training_validation"}},
		{`{"loader_parameters": {"path_data": []}}`, Overrides{}, []string{"loader_parameters.path_data: missing"}, nil},
	}
	for _, tt := range tests {
		c, err := Parse([]byte(tt.json))
		if err != nil {
			t.Fatal(err)
		}
		c.Apply(tt.o)
		err = c.Validate()
		if err == nil {
			t.Errorf("%s %+v: Validate succeeded", tt.json, tt.o)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s %+v: error %v, want %q", tt.json, tt.o, err, w)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(err.Error(), w) {
				t.Errorf("%s %+v: error %v should not mention %q", tt.json, tt.o, err, w)
			}
		}
	}
}

func TestLegacy(t *testing.T) {
	js := `{
	"gpu": 3,
	"log_directory": "out",
	"command": "eval",
	"missing_modality": false,
	"loader_parameters": {"bids_path": "data", "target_suffix": ["_seg"], "roi_suffix": null,
		"contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"], "random_seed": 1, "center_test": []}},
	"split_dataset": {"method": "per_center", "center_test": ["amu", "ucl"]},
	"testing_parameters": {"binarize_prediction": true, "uncertainty": {"epistemic": true, "aleatoric": false, "n_it": 5}},
	"UNet3D": {"applied": true, "length_3D": [64, 64, 16], "stride_3D": [64, 64, 16], "padding_3D": 0, "drop_rate": 0.2},
	"evaluation_parameters": {"targetSize": {"unit": "vox", "thr": [10, 50]}, "removeSmall": {"unit": "vox", "thr": 3}},
	"training_parameters": {"balance_samples": false},
	"transformation": {"Resample": {"wspace": 0.5, "preprocessing": true}, "NumpyToTensor": {}},
	"object_detection_params": {"object_detection_path": null, "safety_factor": [1, 1, 1], "gpu_ids": 0, "path_output": "out"}
	}`
	c, err := Load(writeTemp(t, "legacy.json", js), Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"gpu_ids", c.GPUIDs, []int{3}},
		{"path_output", c.PathOutput, "out"},
		{"command", c.Command, "test"},
		{"path_data", c.Loader.PathData, Strings{"data"}},
		{"data_type", *c.Split.DataTesting.DataType, "institution_id"},
		{"data_value", c.Split.DataTesting.DataValue, Values{"amu", "ucl"}},
		{"uncertainty", c.Uncertainty, Uncertainty{Epistemic: true, NIt: 5}},
		{"applied", c.AppliedModels(), []string{"Modified3DUNet"}},
		{"target_size", c.Evaluation.TargetSize.Thr, []float64{10, 50}},
		{"transforms", len(c.Transformation), 1},
		{"wspace", c.Transformation[0].Params.(*Resample).WSpace, 0.5},
		{"drop_rate", c.Modified3DUNet.DropoutRate, 0.2},
	}
	for _, tt := range checks {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
	for _, want := range []string{"gpu:", "log_directory:", "command:", "UNet3D:", "Modified3DUNet.padding_3D:", "split_dataset.method:", "split_dataset.center_test:", "transformation.NumpyToTensor:", "transformation.Resample.preprocessing:", "evaluation_parameters.removeSmall:", "loader_parameters.roi_suffix:", "object_detection_params.gpu_ids:", "object_detection_params.path_output:"} {
		if !slices.ContainsFunc(c.Notices, func(n string) bool { return strings.HasPrefix(n, want) }) {
			t.Errorf("no notice for %s in %q", want, c.Notices)
		}
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	p := writeTemp(t, "c.json", "{\n\"loader_parameters\": {\"path_data\": [\"data\"], \"target_suffix\": [\"_seg-manual\"],\n \"contrast_params\": {\"training_validation\": [\"T2w\"], \"testing\": [\"T2w\"]}},\n\"training_parameters\": {\"batch_sise\": 2}}")
	_, err := Load(p, Overrides{})
	if err == nil || !strings.Contains(err.Error(), p+":4:25: training_parameters.batch_sise: unknown key; did you mean \"batch_size\"?") {
		t.Errorf("Load error = %v", err)
	}
	p = writeTemp(t, "c.json", withMinimal(`"path_output": "from_file"`))
	c, err := Load(p, Overrides{Command: "segment", PathData: []string{"a", "b"}, PathOutput: "from_cli"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Command != "segment" || !slices.Equal(c.Loader.PathData, Strings{"a", "b"}) || c.PathOutput != "from_cli" {
		t.Errorf("overrides not applied: %q %q %q", c.Command, c.Loader.PathData, c.PathOutput)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "absent.json"), Overrides{}); err == nil || !strings.Contains(err.Error(), "absent.json") {
		t.Errorf("missing file error = %v", err)
	}
	if _, err := Load("config.yaml", Overrides{}); err == nil || !strings.Contains(err.Error(), "YAML configs are not supported") {
		t.Errorf("yaml error = %v", err)
	}
}

func TestSaveRoundTrip(t *testing.T) {
	c, err := Parse([]byte(withMinimal(`"transformation": {"Resample": {"hspace": 0.5, "wspace": 0.5, "dspace": 1}, "CenterCrop": {"size": [32, 32]}, "NormalizeInstance": {"applied_to": ["im"]}}, "postprocessing": {"binarize_prediction": {"thr": 0.4}, "keep_largest": {}}`)))
	if err != nil {
		t.Fatal(err)
	}
	c.TrainingSHA256 = map[string]string{"sub-01_T2w.nii.gz": "abc"}
	p := filepath.Join(t.TempDir(), "config_file.json")
	if err := c.Save(p); err != nil {
		t.Fatal(err)
	}
	c2, err := Load(p, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := c.MarshalIndent()
	b, _ := c2.MarshalIndent()
	if !bytes.Equal(a, b) {
		t.Errorf("saved config reads back differently:\n%s\n%s", a, b)
	}
	if c2.TrainingSHA256["sub-01_T2w.nii.gz"] != "abc" || c2.Transformation[1].Name != "CenterCrop" || c2.Postprocessing[1].Name != "keep_largest" {
		t.Errorf("saved config lost data: %+v", c2)
	}
}

// TestBuiltInGo checks that a config assembled in Go code (as the
// quickstart and segment do) marshals to a file that parses back.
func TestBuiltInGo(t *testing.T) {
	c := Default()
	c.Loader.PathData = Strings{"data"}
	c.Loader.TargetSuffix = TargetSuffix{Classes: [][]string{{"_seg-manual"}}}
	c.Loader.ContrastParams.TrainingValidation = []string{"T2w"}
	c.Split.DataTesting.DataValue = nil
	c.DefaultModel.Set("n_filters", 16)
	c.Transformation = Transformation{{Name: "CenterCrop", Params: &CenterCrop{Size: []int{16, 16}}}}
	c.Postprocessing = Postprocessing{{Name: "binarize_prediction", Params: &BinarizePrediction{Thr: 0.4}}}
	out, err := c.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	c2, err := Parse(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if err := c2.Validate(); err != nil {
		t.Fatal(err)
	}
	m, _, _ := c2.ModelParams()
	if m.NFilters != 16 || c2.Postprocessing.Get("binarize_prediction").(*BinarizePrediction).Thr != 0.4 {
		t.Errorf("n_filters %d, postprocessing %+v", m.NFilters, c2.Postprocessing)
	}
	var empty TargetSuffix
	if b, _ := empty.MarshalJSON(); string(b) != "[]" {
		t.Errorf("empty target_suffix marshals to %s", b)
	}
}

func TestNearest(t *testing.T) {
	cands := []string{"batch_size", "loss", "training_time", "scheduler"}
	tests := []struct{ word, want string }{
		{"batch_sise", "batch_size"},
		{"batchsize", "batch_size"},
		{"BatchSize", "batch_size"},
		{"los", "loss"},
		{"shceduler", "scheduler"},
		{"zzzzzz", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := nearest(tt.word, cands); got != tt.want {
			t.Errorf("nearest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
	if d := distance("ab", "ba"); d != 1 {
		t.Errorf("transposition distance = %d, want 1", d)
	}
	if d := distance("kitten", "sitting"); d != 3 {
		t.Errorf("distance(kitten, sitting) = %d, want 3", d)
	}
}

func TestFeatures(t *testing.T) {
	has := func(c *Config, name, path string) bool {
		for _, f := range c.Features() {
			if f.Name == name && f.Path == path {
				return true
			}
		}
		return false
	}
	hemis := mustLoadRef(t, "ivadomed-configs/config_spineGeHemis.json")
	if !has(hemis, "model:HeMISUnet", "HeMISUnet.applied") {
		t.Errorf("HeMIS config features: %+v", hemis.Features())
	}
	vl := mustLoadRef(t, "ivadomed-configs/config_vertebral_labeling.json")
	for _, f := range [][2]string{
		{"model:Countception", "default_model.name"},
		{"loss:LossCombination", "training_parameters.loss.name"},
		{"loss:AdapWingLoss", "training_parameters.loss.losses_list[0]"},
		{"soft_gt", "loader_parameters.soft_gt"},
		{"retrain_model", "training_parameters.transfer_learning.retrain_model"},
		{"transform:ElasticTransform", "transformation.ElasticTransform"},
		{"postprocessing:remove_small", "postprocessing.remove_small"},
	} {
		if !has(vl, f[0], f[1]) {
			t.Errorf("vertebral labeling config lacks feature %v in %+v", f, vl.Features())
		}
	}
	c3 := mustLoadRef(t, "ivadomed-runs/config_3d.json")
	if !has(c3, "model:Modified3DUNet", "Modified3DUNet.applied") || has(c3, "wandb", "wandb.wandb_api_key") {
		t.Errorf("3D run features: %+v", c3.Features())
	}
	u3, _ := Parse([]byte(`{"default_model": {"is_2d": false, "length_3D": [16,16,16], "stride_3D": [16,16,16]}}`))
	if !has(u3, "model:Unet3D", "default_model.is_2d") {
		t.Errorf("3D Unet features: %+v", u3.Features())
	}
	err := hemis.CheckFeatures(func(name string) bool { return name != "model:HeMISUnet" && name != "transform:RandomAffine" })
	want := []string{"HeMISUnet.applied: not implemented yet: model HeMISUnet", "transformation.RandomAffine: not implemented yet: transform RandomAffine"}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("CheckFeatures error = %v, want %q", err, w)
		}
	}
	if err := hemis.CheckFeatures(func(string) bool { return true }); err != nil {
		t.Errorf("CheckFeatures with everything built = %v", err)
	}
}

// TestLossNamesIncludeDiceCE: nnU-Net's Dice + CE loss, which the losses
// package builds, parses with its smooth parameter.
func TestLossNamesIncludeDiceCE(t *testing.T) {
	c, err := Parse([]byte(`{"training_parameters": {"loss": {"name": "DiceCELoss", "smooth": 0.001}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Training.Loss.Params.(*DiceCELossParams); p.Smooth != 0.001 {
		t.Errorf("smooth = %v", p.Smooth)
	}
}
