package transforms

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

// TestConfigRoundTrip: a transformation section parsed by the config
// package and marshalled back is what Parse reads, nnU-Net transforms
// included.
func TestConfigRoundTrip(t *testing.T) {
	raw := `{"transformation": {
		"Resample": {"hspace": 0.75, "wspace": 0.75, "dspace": 1},
		"CenterCrop": {"size": [128, 128]},
		"RandomAffine": {"degrees": 5, "scale": [0.1, 0.1], "translate": [0.03, 0.03], "applied_to": ["im", "gt"], "dataset_type": ["training"]},
		"RandomMirror": {"axes": [0, 1]},
		"RandomBrightness": {"p": 0.3},
		"RandomContrast": {},
		"SimulateLowResolution": {"zoom_range": [0.6, 1]},
		"NormalizeInstance": {"applied_to": ["im"]}
	}}`
	c, err := config.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	back, err := json.Marshal(c.Transformation)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Parse(back)
	if err != nil {
		t.Fatalf("%s: %v", back, err)
	}
	want := []string{"Resample", "CenterCrop", "RandomAffine", "RandomMirror", "RandomBrightness", "RandomContrast", "SimulateLowResolution", "NormalizeInstance"}
	var got []string
	for _, s := range l {
		got = append(got, s.Name)
	}
	if !slices.Equal(got, want) || !slices.Equal(l[2].DatasetType, []string{Training}) {
		t.Errorf("round trip gave %v (%v)", got, l[2].DatasetType)
	}
}

// TestShippedConfigs: the transformation section of every ivadomed config
// in the reference folder, as the config package reads it (legacy keys
// mapped), parses.
func TestShippedConfigs(t *testing.T) {
	dir := filepath.Join(testenv.Shared(t), "reference", "ivadomed-configs")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	more, _ := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	files = append(files, more...)
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var top map[string]json.RawMessage
		if json.Unmarshal(data, &top) != nil || top["transformation"] == nil {
			continue
		}
		c, err := config.Parse(data)
		if err != nil {
			continue // the config package reports its own errors
		}
		tr, err := json.Marshal(c.Transformation)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(tr); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		n++
	}
	if n == 0 {
		t.Error("no config had a transformation section")
	}
}
