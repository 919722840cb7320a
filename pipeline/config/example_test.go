package config_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ivadogo/ivadogo/pipeline/config"
)

func ExampleParse() {
	c, err := config.Parse([]byte(`{
		"loader_parameters": {"path_data": "data", "target_suffix": ["_seg-manual"],
			"contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"]}},
		"training_parameters": {"batch_size": 8},
		"UNet3D": {"applied": true, "length_3D": [48, 48, 16], "stride_3D": [48, 48, 16], "n_filters": 8}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _, _ := c.ModelParams()
	fmt.Println(c.Training.BatchSize, c.Training.TrainingTime.NumEpochs, m.Name, m.Length3D)
	fmt.Println(c.Notices)
	// Output:
	// 8 100 Modified3DUNet [48 48 16]
	// [UNet3D: legacy key renamed to "Modified3DUNet"]
}

func ExampleParse_typo() {
	_, err := config.Parse([]byte(`{"training_parameters": {"scheduler": {"lr_scheduler": {"nme": "CyclicLR"}}}}`))
	fmt.Println(err)
	// Output:
	// config: line 1:57: training_parameters.scheduler.lr_scheduler.nme: unknown key; did you mean "name"?
}

func ExampleReadSplit() {
	dir, _ := os.MkdirTemp("", "split")
	defer os.RemoveAll(dir)
	_, err := config.ReadSplit(filepath.Join(dir, "split_datasets.joblib"))
	fmt.Println(err != nil)
	p := filepath.Join(dir, "split.json")
	config.WriteSplit(p, &config.SplitFile{Train: []string{"sub-01", "sub-02"}, Valid: []string{"sub-03"}, Test: []string{"sub-04"}})
	s, _ := config.ReadSplit(p)
	fmt.Println(s.Train, s.Valid, s.Test)
	// Output:
	// true
	// [sub-01 sub-02] [sub-03] [sub-04]
}

func ExampleParseArgs() {
	a, err := config.ParseArgs("train", []string{"-c", "config.json", "-pd", "site1", "site2", "-po", "out", "--resume-training"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %q %+v\n", a.Config, a.PathData, a.Overrides())
	_, err = config.ParseArgs("train", []string{"--confg", "config.json"})
	fmt.Println(err)
	// Output:
	// config.json ["site1" "site2"] {Command:train PathData:[site1 site2] PathOutput:out}
	// ivadogo train: unknown flag --confg; did you mean --config?
}

func ExampleConfig_CheckFeatures() {
	c, _ := config.Parse([]byte(`{"HeMISUnet": {"applied": true}, "wandb": {"wandb_api_key": "k"}}`))
	built := map[string]bool{"model:Unet": true, "loss:DiceLoss": true, "scheduler:CosineAnnealingLR": true}
	fmt.Println(c.CheckFeatures(func(name string) bool { return built[name] }))
	// Output:
	// config: 2 errors:
	//   HeMISUnet.applied: not implemented yet: model HeMISUnet
	//   wandb.wandb_api_key: not implemented yet: Weights & Biases logging (it needs wandb's Python client and the network; set wandb.wandb_api_key to "" to train without it: losses, metrics and learning rate go to TensorBoard event files and training_metrics.csv)
}
