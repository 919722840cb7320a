package config

import (
	"encoding/json"
	"sync"
)

// Config is a whole ivadomed configuration, merged over ivadomed's
// defaults. JSON keys are spelled exactly as ivadomed spells them.
type Config struct {
	Command    string `json:"command" enum:"train,test,segment"`
	GPUIDs     []int  `json:"gpu_ids"`
	PathOutput string `json:"path_output"`
	ModelName  string `json:"model_name"`
	Debugging  bool   `json:"debugging"`
	LogFile    string `json:"log_file"`

	ObjectDetection ObjectDetection `json:"object_detection_params"`
	Wandb           Wandb           `json:"wandb"`
	Loader          Loader          `json:"loader_parameters"`
	Split           Split           `json:"split_dataset"`
	Training        Training        `json:"training_parameters"`

	// DefaultModel holds the keys shared by every model; the one model
	// section with "applied": true is merged over it (see ModelParams).
	DefaultModel   Model  `json:"default_model"`
	FiLMedUnet     *Model `json:"FiLMedUnet,omitempty"`
	Modified3DUNet *Model `json:"Modified3DUNet,omitempty"`
	HeMISUnet      *Model `json:"HeMISUnet,omitempty"`
	ResNet18       *Model `json:"resnet18,omitempty"`
	DenseNet121    *Model `json:"densenet121,omitempty"`
	Countception   *Model `json:"Countception,omitempty"`

	Uncertainty    Uncertainty    `json:"uncertainty"`
	Postprocessing Postprocessing `json:"postprocessing"`
	Evaluation     Evaluation     `json:"evaluation_parameters"`
	Transformation Transformation `json:"transformation"`

	// TrainingSHA256 maps each training file to its SHA-256; train writes
	// it into the saved copy of the config.
	TrainingSHA256 map[string]string `json:"training_sha256,omitempty"`
	// SplitPath is set by ivadomed_automate_training.
	SplitPath *string `json:"split_path,omitempty"`

	// Notices lists the legacy keys that were renamed, converted or
	// ignored while reading the file, one line each.
	Notices []string `json:"-"`
}

// ObjectDetection configures the cascade: a first model finds a bounding
// box that crops the input of the second.
type ObjectDetection struct {
	ObjectDetectionPath *string   `json:"object_detection_path"`
	SafetyFactor        []float64 `json:"safety_factor"`
}

// Wandb configures Weights & Biases logging (disabled when the key is "").
type Wandb struct {
	WandbAPIKey   string `json:"wandb_api_key"`
	ProjectName   string `json:"project_name"`
	GroupName     string `json:"group_name"`
	RunName       string `json:"run_name"`
	LogGradsEvery int    `json:"log_grads_every"`
}

// Loader is loader_parameters: which files make the samples and how.
type Loader struct {
	PathData         Strings          `json:"path_data"`
	BIDSConfig       *string          `json:"bids_config,omitempty"`
	SubjectSelection SubjectSelection `json:"subject_selection"`
	TargetSuffix     TargetSuffix     `json:"target_suffix"`
	// Extensions empty means ".nii" and ".nii.gz" (see FileExtensions).
	Extensions        []string          `json:"extensions"`
	ROIParams         ROIParams         `json:"roi_params"`
	ContrastParams    ContrastParams    `json:"contrast_params"`
	SliceFilterParams SliceFilterParams `json:"slice_filter_params"`
	PatchFilterParams PatchFilterParams `json:"patch_filter_params"`
	SliceAxis         string            `json:"slice_axis" enum:"axial,sagittal,coronal"`
	Multichannel      bool              `json:"multichannel"`
	SoftGT            bool              `json:"soft_gt"`
	IsInputDropout    bool              `json:"is_input_dropout"`
	BIDSValidate      bool              `json:"bids_validate"`
}

// SubjectSelection draws N[i] participants whose participants.tsv column
// Metadata[i] equals Value[i].
type SubjectSelection struct {
	N        []int    `json:"n"`
	Metadata []string `json:"metadata"`
	Value    Values   `json:"value"`
}

// ROIParams names the region-of-interest mask used by ROICrop.
type ROIParams struct {
	Suffix         *string `json:"suffix"`
	SliceFilterROI *int    `json:"slice_filter_roi"`
}

// ContrastParams lists the BIDS suffixes read for training/validation and
// for testing; with multichannel they are the channels, in this order.
type ContrastParams struct {
	TrainingValidation []string           `json:"training_validation"`
	Testing            []string           `json:"testing"`
	Balance            map[string]float64 `json:"balance"`
	// ContrastLst is written by ivadomed into saved configs; it is
	// recomputed from the two lists above and kept only for round trips.
	ContrastLst []string `json:"contrast_lst,omitempty"`
}

// SliceFilterParams drops 2D slices before training and testing.
type SliceFilterParams struct {
	FilterEmptyMask      bool    `json:"filter_empty_mask"`
	FilterEmptyInput     bool    `json:"filter_empty_input"`
	FilterAbsentClass    bool    `json:"filter_absent_class"`
	FilterClassification bool    `json:"filter_classification"`
	ClassifierPath       *string `json:"classifier_path"`
}

// PatchFilterParams drops 2D patches and 3D sub-volumes in training.
type PatchFilterParams struct {
	FilterEmptyMask   bool `json:"filter_empty_mask"`
	FilterEmptyInput  bool `json:"filter_empty_input"`
	FilterAbsentClass bool `json:"filter_absent_class"`
}

// Split is split_dataset: how subjects are divided into train, valid and
// test.
type Split struct {
	// FnameSplit is a JSON split file (see ReadSplit); when set, the other
	// keys are not used.
	FnameSplit    *string     `json:"fname_split"`
	RandomSeed    int         `json:"random_seed"`
	SplitMethod   string      `json:"split_method"`
	DataTesting   DataTesting `json:"data_testing"`
	Balance       *string     `json:"balance"`
	TrainFraction float64     `json:"train_fraction"`
	TestFraction  float64     `json:"test_fraction"`
}

// DataTesting fixes the test set by the values of one column.
type DataTesting struct {
	DataType  *string `json:"data_type"`
	DataValue Values  `json:"data_value"`
}

// Training is training_parameters.
type Training struct {
	BatchSize        int              `json:"batch_size"`
	Loss             Loss             `json:"loss"`
	TrainingTime     TrainingTime     `json:"training_time"`
	Scheduler        Scheduler        `json:"scheduler"`
	BalanceSamples   BalanceSamples   `json:"balance_samples"`
	MixupAlpha       *float64         `json:"mixup_alpha"`
	TransferLearning TransferLearning `json:"transfer_learning"`
}

// TrainingTime bounds the number of epochs.
type TrainingTime struct {
	NumEpochs             int     `json:"num_epochs"`
	EarlyStoppingPatience int     `json:"early_stopping_patience"`
	EarlyStoppingEpsilon  float64 `json:"early_stopping_epsilon"`
}

// Scheduler is the Adam learning rate and its schedule.
type Scheduler struct {
	InitialLR   float64     `json:"initial_lr"`
	LRScheduler LRScheduler `json:"lr_scheduler"`
}

// LRScheduler names a PyTorch learning-rate schedule and its arguments.
// CosineAnnealingLR uses T_max = num_epochs and ignores the rest;
// CosineAnnealingWarmRestarts uses T_0, T_mult and eta_min; CyclicLR
// (stepped per batch, mode triangular2) uses base_lr, max_lr and the
// step sizes.
type LRScheduler struct {
	Name         string   `json:"name" enum:"CosineAnnealingLR,CosineAnnealingWarmRestarts,CyclicLR"`
	BaseLR       float64  `json:"base_lr"`
	MaxLR        float64  `json:"max_lr"`
	T0           *int     `json:"T_0,omitempty"`
	TMult        *int     `json:"T_mult,omitempty"`
	EtaMin       *float64 `json:"eta_min,omitempty"`
	StepSizeUp   *int     `json:"step_size_up,omitempty"`
	StepSizeDown *int     `json:"step_size_down,omitempty"`
}

// BalanceSamples configures the balanced sampler.
type BalanceSamples struct {
	Applied bool `json:"applied"`
	// Type is "gt" (balance slices with and without label) or a
	// participants.tsv column.
	Type string `json:"type"`
}

// decodeTree accepts the legacy boolean form ("balance_samples": false),
// which ivadomed silently ignores because a scalar cannot replace its
// default object; here it sets applied, as its author meant.
func (b *BalanceSamples) decodeTree(d *decoder, n *node, path string) {
	if n.kind == kindBool {
		b.Applied = n.b
		return
	}
	type plainBalance BalanceSamples
	d.decode(n, reflectValue((*plainBalance)(b)), path, nil)
}

// TransferLearning retrains the last fraction of a saved model's layers.
type TransferLearning struct {
	RetrainModel    *string `json:"retrain_model"`
	RetrainFraction float64 `json:"retrain_fraction"`
	Reset           bool    `json:"reset"`
}

// Uncertainty configures Monte-Carlo dropout (epistemic) and test-time
// augmentation (aleatoric) over NIt passes.
type Uncertainty struct {
	Epistemic bool `json:"epistemic"`
	Aleatoric bool `json:"aleatoric"`
	NIt       int  `json:"n_it"`
}

// Evaluation is evaluation_parameters for the 3D metrics of test.
type Evaluation struct {
	ObjectDetectionMetrics bool      `json:"object_detection_metrics"`
	TargetSize             *SizeBins `json:"target_size,omitempty"`
	Overlap                *Overlap  `json:"overlap,omitempty"`
}

// SizeBins splits lesion-wise metrics by object size: Thr [20, 100] gives
// the bins 0-20, 21-100 and 101-INF.
type SizeBins struct {
	Unit string    `json:"unit" enum:"vox,mm3"`
	Thr  []float64 `json:"thr"`
}

// Overlap is the minimum overlap for a detected object to count.
type Overlap struct {
	Unit string  `json:"unit" enum:"vox,mm3,ratio"`
	Thr  float64 `json:"thr"`
}

// defaultJSON is ivadomed 2.9.10's ivadomed/config/config_default.json,
// unchanged, plus the keys its code defaults without the file listing
// them (filter_absent_class, bids_validate, ...). Every config is read
// over it.
const defaultJSON = `{
    "command": "train",
    "gpu_ids": [0],
    "path_output": "path_output",
    "model_name": "my_model",
    "debugging": false,
    "log_file": "log",
    "object_detection_params": {
        "object_detection_path": null,
        "safety_factor": [1.0, 1.0, 1.0]
    },
    "wandb": {
        "wandb_api_key": "",
        "project_name": "my_project",
        "group_name": "my_group",
        "run_name": "run-1",
        "log_grads_every": 100
    },
    "loader_parameters": {
        "path_data": ["path_data"],
        "subject_selection": {"n": [], "metadata": [], "value": []},
        "target_suffix": [],
        "extensions": [],
        "roi_params": {
            "suffix": null,
            "slice_filter_roi": null
        },
        "contrast_params": {
            "training_validation": [],
            "testing": [],
            "balance": {}
        },
        "slice_filter_params": {
            "filter_empty_mask": false,
            "filter_empty_input": true,
            "filter_absent_class": false,
            "filter_classification": false,
            "classifier_path": null
        },
        "patch_filter_params": {
            "filter_empty_mask": false,
            "filter_empty_input": false,
            "filter_absent_class": false
        },
        "slice_axis": "axial",
        "multichannel": false,
        "soft_gt": false,
        "is_input_dropout": false,
        "bids_validate": true
    },
    "split_dataset": {
        "fname_split": null,
        "random_seed": 6,
        "split_method" : "participant_id",
        "data_testing": {"data_type": null, "data_value":[]},
        "balance": null,
        "train_fraction": 0.6,
        "test_fraction": 0.2
    },
    "training_parameters": {
        "batch_size": 18,
        "loss": {
            "name": "DiceLoss"
        },
        "training_time": {
            "num_epochs": 100,
            "early_stopping_patience": 50,
            "early_stopping_epsilon": 0.001
        },
        "scheduler": {
            "initial_lr": 0.001,
            "lr_scheduler": {
                "name": "CosineAnnealingLR",
                "base_lr": 1e-5,
                "max_lr": 1e-2
            }
        },
        "balance_samples": {
            "applied": false,
            "type": "gt"
        },
        "mixup_alpha": null,
        "transfer_learning": {
            "retrain_model": null,
            "retrain_fraction": 1.0,
            "reset": true
        }
    },
    "default_model": {
        "name": "Unet",
        "dropout_rate": 0.3,
        "bn_momentum": 0.1,
        "depth": 3,
        "is_2d": true
    },
    "uncertainty": {
        "epistemic": false,
        "aleatoric": false,
        "n_it": 0
    },
    "postprocessing": {},
    "evaluation_parameters": {
        "object_detection_metrics": true
    },
    "transformation": {
    }
}`

// Default returns ivadomed's default configuration.
func Default() *Config {
	defaultOnce.Do(func() { defaultTree = mustTree(defaultJSON) })
	c, err := decodeTree(defaultTree, nil)
	if err != nil {
		panic("config: the built-in defaults do not parse: " + err.Error())
	}
	return c
}

var (
	defaultOnce sync.Once
	defaultTree *node // parsed once; decoding never modifies a tree
)

func mustTree(s string) *node {
	n, err := parseTree([]byte(s))
	if err != nil {
		panic("config: built-in JSON: " + err.Error())
	}
	return n
}

// MarshalIndent returns the config as indented JSON, keys spelled and
// ordered as ivadomed writes config_file.json.
func (c *Config) MarshalIndent() ([]byte, error) {
	return json.MarshalIndent(c, "", "    ")
}
