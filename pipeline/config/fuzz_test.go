package config

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// fuzzSeeds are inputs for the fuzzers' seed corpus that need no files.
var fuzzSeeds = []string{
	`{}`,
	minimal + `}`,
	`{"training_parameters": {"loss": {"name": "LossCombination", "losses_list": ["DiceLoss", "FocalLoss"], "params_list": [null, {"gamma": 1}]}}}`,
	`{"transformation": {"RandomAffine": {"degrees": 5, "scale": [0.98, 1.02]}, "NumpyToTensor": {}}, "postprocessing": {"remove_small": {"unit": "vox", "thr": [3, 4]}}}`,
	`{"gpu": 1, "UNet3D": {"applied": true}, "split_dataset": {"method": "per_center", "center_test": ["a"]}, "testing_parameters": {"uncertainty": {"n_it": 2}}}`,
	`{"loader_parameters": {"target_suffix": [["_r1", "_r2"]], "path_data": "x"}}`,
	`{"a": 1, "a": 2}`,
	`[[[[]]]]`,
	`{"training_parameters": {"balance_samples": true, "batch_size": 1e2}}`,
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	// The reference configs, when the shared folder is there.
	ref := filepath.Join("..", "..", "..", "shared", "reference")
	for _, pat := range []string{"ivadomed-configs/*.json", "ivadomed-configs/pretrained/*.json", "ivadomed-runs/*.json"} {
		m, _ := filepath.Glob(filepath.Join(ref, pat))
		for _, p := range m {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts
// marshals to JSON that parses back to the same config.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			if c != nil {
				t.Fatal("Parse returned a config with an error")
			}
			return
		}
		_ = c.Validate()
		_, _, _ = c.ModelParams()
		out, err := c.MarshalIndent()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		c2, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse of marshalled config: %v\ninput %q\nmarshalled %s", err, data, out)
		}
		out2, err := c2.MarshalIndent()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("marshal/parse/marshal differs (%v):\n%s\n%s", err, out, out2)
		}
	})
}

// FuzzSplit checks ParseSplit never panics and round-trips what it accepts.
func FuzzSplit(f *testing.F) {
	f.Add([]byte(`{"train": ["a"], "valid": [], "test": ["b", "c"]}`))
	f.Add([]byte(`{"train": [], "valid": [], "test": [], "x": 1}`))
	f.Add([]byte{0x80, 0x04})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSplit(data)
		if err != nil {
			return
		}
		p := filepath.Join(t.TempDir(), "s.json")
		if err := WriteSplit(p, s); err != nil {
			t.Fatal(err)
		}
		s2, err := ReadSplit(p)
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if len(s2.Train) != len(s.Train) || len(s2.Valid) != len(s.Valid) || len(s2.Test) != len(s.Test) {
			t.Fatalf("round trip changed the split: %+v vs %+v", s, s2)
		}
		for i := range s.Train {
			if s.Train[i] != s2.Train[i] {
				t.Fatalf("train[%d] %q became %q", i, s.Train[i], s2.Train[i])
			}
		}
	})
}
