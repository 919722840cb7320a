package bids

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
)

// TestDecodeIvadomedConfigs decodes the loader_parameters and
// split_dataset sections of every ivadomed config kept in the reference
// folder (shipped, testing and pretrained-model configs) into
// LoaderParams and SplitParams.
func TestDecodeIvadomedConfigs(t *testing.T) {
	root := filepath.Join(testenv.Shared(t), "reference", "ivadomed-configs")
	var files []string
	filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cfg struct {
			Loader *json.RawMessage `json:"loader_parameters"`
			Split  *json.RawMessage `json:"split_dataset"`
		}
		if json.Unmarshal(b, &cfg) != nil || cfg.Loader == nil {
			continue
		}
		n++
		var lp LoaderParams
		if err := json.Unmarshal(*cfg.Loader, &lp); err != nil {
			t.Errorf("%s: loader_parameters: %v", f, err)
		}
		if len(lp.TargetSuffix) == 0 && !strings.Contains(f, "pretrained") && !strings.HasSuffix(f, "config_default.json") {
			t.Errorf("%s: no target_suffix decoded", f)
		}
		if cfg.Split != nil {
			sp := DefaultSplitParams()
			if err := json.Unmarshal(*cfg.Split, &sp); err != nil {
				t.Errorf("%s: split_dataset: %v", f, err)
			}
			sp.Normalize()
			if sp.SplitMethod == "" || sp.Method != "" {
				t.Errorf("%s: normalized split %+v", f, sp)
			}
		}
	}
	if n < 10 {
		t.Errorf("decoded %d configs, want the dozen with loader_parameters", n)
	}
}

func TestParamsJSON(t *testing.T) {
	var lp LoaderParams
	err := json.Unmarshal([]byte(`{"path_data": "data", "target_suffix": [["_a", "_b"], "_c"],
		"roi_params": {"suffix": "_seg-manual", "slice_filter_roi": 10},
		"subject_selection": {"n": [2], "metadata": ["sex"], "value": [1]}}`), &lp)
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.PathData) != 1 || lp.PathData[0] != "data" || len(lp.TargetSuffix) != 2 || len(lp.TargetSuffix[0]) != 2 ||
		!lp.TargetSuffix.MultiRater() || *lp.RoiParams.Suffix != "_seg-manual" || lp.SubjectSelection.Value[0] != "1" {
		t.Errorf("%+v", lp)
	}
	for _, bad := range []string{`{"target_suffix": "x"}`, `{"target_suffix": [1]}`, `{"path_data": 3}`, `{"subject_selection": {"value": [[1]]}}`} {
		if err := json.Unmarshal([]byte(bad), &lp); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	b, _ := json.Marshal(TargetSuffix{{"_a"}, {"_b"}})
	if string(b) != `["_a","_b"]` {
		t.Errorf("marshal: %s", b)
	}
	sp := SplitParams{Method: "per_center", CenterTest: Strings{"3"}}
	sp.Normalize()
	if *sp.DataTesting.DataType != "institution_id" || sp.DataTesting.DataValue[0] != "3" || sp.SplitMethod != "participant_id" {
		t.Errorf("legacy per_center: %+v", sp)
	}
}
