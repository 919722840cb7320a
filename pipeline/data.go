package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/internal/atomicfile"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// loaderParams converts the config's loader_parameters to bids' (the JSON
// key names are the same).
func loaderParams(cfg *config.Config) (bids.LoaderParams, error) {
	var lp bids.LoaderParams
	b, err := json.Marshal(cfg.Loader)
	if err != nil {
		return lp, err
	}
	if err := json.Unmarshal(b, &lp); err != nil {
		return lp, fmt.Errorf("pipeline: loader_parameters: %w", err)
	}
	return lp, nil
}

// frame indexes the datasets of the config and selects the images a
// command reads, as ivadomed's BidsDataframe.
func frame(cfg *config.Config, command string, noLabels bool) (*bids.Frame, error) {
	lp, err := loaderParams(cfg)
	if err != nil {
		return nil, err
	}
	for _, p := range lp.PathData {
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("pipeline: loader_parameters.path_data: %s is not a folder", p)
		}
	}
	ds, err := bids.Open(lp)
	if err != nil {
		return nil, err
	}
	f, err := bids.Select(ds, lp, bids.SelectOptions{Testing: command != "train", NoLabels: noLabels, SplitMethod: splitMethod(cfg)})
	if err != nil {
		return nil, err
	}
	if len(cfg.Loader.SubjectSelection.N) > 0 {
		if err := f.SelectSubjects(lp.SubjectSelection, int64(cfg.Split.RandomSeed)); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func splitMethod(cfg *config.Config) string {
	if cfg.Split.SplitMethod == "" {
		return "participant_id"
	}
	return cfg.Split.SplitMethod
}

// splitFile is the name of the split written to path_output.
const splitFile = bids.SplitFile

// split returns the train/valid/test file lists: the config's fname_split
// when set, else the split train wrote to path_output (for test), else a
// new draw with split_dataset's seed.
func split(cfg *config.Config, f *bids.Frame, reuse bool) (bids.Split, error) {
	path := ""
	if cfg.Split.FnameSplit != nil && *cfg.Split.FnameSplit != "" {
		path = *cfg.Split.FnameSplit
	} else if reuse {
		p := filepath.Join(cfg.PathOutput, splitFile)
		if _, err := os.Stat(p); err == nil {
			path = p
		}
	}
	if path != "" {
		sf, err := config.ReadSplit(path)
		if err != nil {
			return bids.Split{}, err
		}
		s, err := f.Resolve(bids.Split{Train: sf.Train, Valid: sf.Valid, Test: sf.Test})
		if err != nil {
			return bids.Split{}, fmt.Errorf("pipeline: split_dataset.fname_split %s: %w", path, err)
		}
		return s, nil
	}
	var sp bids.SplitParams
	b, err := json.Marshal(cfg.Split)
	if err != nil {
		return bids.Split{}, err
	}
	if err := json.Unmarshal(b, &sp); err != nil {
		return bids.Split{}, fmt.Errorf("pipeline: split_dataset: %w", err)
	}
	sp.FnameSplit = nil
	return f.Split(sp)
}

// testPairs returns the frame of the test command and the image/label
// pairs of its test split (Frame.Pairs with testing as given), with the
// number of files the split lists, for the error when none pairs up.
func testPairs(cfg *config.Config, testing bool) (*bids.Frame, []bids.Pair, int, error) {
	f, err := frame(cfg, "test", false)
	if err != nil {
		return nil, nil, 0, err
	}
	sp, err := split(cfg, f, true)
	if err != nil {
		return nil, nil, 0, err
	}
	pairs, err := f.Pairs(sp.Test, testing)
	if err != nil {
		return nil, nil, 0, err
	}
	return f, pairs, len(sp.Test), nil
}

// transformList parses the config's transformation section. A
// BoundingBoxCrop is left out: the cascade crops to its detection model's
// box itself (see cascade), and Validate refuses one without a cascade.
func transformList(cfg *config.Config) (transforms.List, error) {
	tr := slices.DeleteFunc(slices.Clone(cfg.Transformation), func(t config.Transform) bool { return t.Name == "BoundingBoxCrop" })
	b, err := json.Marshal(tr)
	if err != nil {
		return nil, err
	}
	l, err := transforms.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("pipeline: transformation: %w", err)
	}
	return l, nil
}

// writeFrameCSV writes bids_dataframe.csv.
func writeFrameCSV(dir string, f *bids.Frame) error {
	var buf bytes.Buffer
	if err := f.WriteCSV(&buf); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, "bids_dataframe.csv"), buf.Bytes())
}

// writeAtomic writes data to path through a temporary file renamed into
// place, so that a failure leaves an earlier file intact.
func writeAtomic(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	return nil
}

// checkWritable makes dir (and parents) and checks a file can be created
// in it, so that an unwritable output folder fails before any work.
func checkWritable(dir string) error {
	if dir == "" {
		return fmt.Errorf("pipeline: path_output is empty")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pipeline: path_output: %w", err)
	}
	f, err := os.CreateTemp(dir, ".ivadogo-write-test*")
	if err != nil {
		return fmt.Errorf("pipeline: path_output %s is not writable: %w", dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}
