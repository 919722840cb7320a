package bids

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
)

func TestFitKDE(t *testing.T) {
	b, err := os.ReadFile("testdata/kde.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Key       string
		Data      []float64
		Bandwidth float64
		Minima    []float64
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		k, err := FitKDE(c.Data, kdeRanges[c.Key](), logspace(-4, 1, 50))
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(k.Bandwidth-c.Bandwidth) > 1e-12*c.Bandwidth {
			t.Errorf("%s %v: bandwidth %v, want %v", c.Key, c.Data, k.Bandwidth, c.Bandwidth)
		}
		if len(k.Minima) != len(c.Minima) {
			t.Errorf("%s %v: minima %v, want %v", c.Key, c.Data, k.Minima, c.Minima)
			continue
		}
		for i := range c.Minima {
			if math.Abs(k.Minima[i]-c.Minima[i]) > 1e-12*math.Abs(c.Minima[i]) {
				t.Errorf("%s: minimum %d = %v, want %v", c.Key, i, k.Minima[i], c.Minima[i])
			}
		}
		// Every value falls in the cluster its bounds say.
		for _, v := range c.Data {
			want := 0
			for want < len(c.Minima) && v >= c.Minima[want] {
				want++
			}
			if got := k.Predict(v); got != want {
				t.Errorf("%s: Predict(%v) = %d, want %d", c.Key, v, got, want)
			}
		}
	}
	if _, err := FitKDE([]float64{1, 2}, linspace(0, 1, 10), []float64{1}); err == nil {
		t.Error("FitKDE with 2 values: no error")
	}
}

func TestFiLM(t *testing.T) {
	data := filepath.Join(testenv.SharedData(t), "ivadomed-data-testing")
	p := LoaderParams{PathData: Paths{data}, TargetSuffix: TargetSuffix{{"_seg-manual"}},
		ContrastParams: ContrastParams{TrainingValidation: []string{"T1w", "T2w", "T2star"}}}
	ds, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Select(ds, p, SelectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var raw []*Row
	for _, r := range f.Rows {
		if !r.Derivative {
			raw = append(raw, r)
		}
	}
	if len(raw) != 3 {
		t.Fatalf("%d images, want sub-unf01's T1w, T2star, T2w", len(raw))
	}
	// contrasts: T1w 0, T2star 2, T2w 1 → one-hot over {0, 1, 2}.
	e, err := FitFiLM(FiLMContrasts, raw, f)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float32{"T1w": {1, 0, 0}, "T2w": {0, 1, 0}, "T2star": {0, 0, 1}}
	for _, r := range raw {
		v, err := e.Vector(r)
		if err != nil {
			t.Fatal(err)
		}
		if !equal32(v, want[r.Image.Suffix]) {
			t.Errorf("%s: %v, want %v", r.Filename, v, want[r.Image.Suffix])
		}
	}
	// A column: institution_id is "unknown" everywhere → one category.
	e, err = FitFiLM("institution_id", raw, f)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := e.Vector(raw[0]); e.N() != 1 || !equal32(v, []float32{1}) {
		t.Errorf("institution_id: n %d vector %v", e.N(), v)
	}
	if _, err := FitFiLM("no_such_column", raw, f); err == nil {
		t.Error("unknown column: no error")
	}
	// mri_params needs five training values for its cross-validation.
	if _, err := FitFiLM(FiLMMRIParams, raw, f); err == nil {
		t.Error("mri_params on 3 images: no error")
	}
	// Manufacturer is Siemens (0): fit on the images repeated.
	train := append(append(append([]*Row{}, raw...), raw...), raw...)
	e, err = FitFiLM(FiLMMRIParams, train, f)
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.Features(raw[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != 4 || x[3] != 0 {
		t.Errorf("mri_params features %v: want 4 with Manufacturer Siemens = 0", x)
	}
	v, _ := e.Vector(raw[0])
	ones := 0
	for _, b := range v {
		ones += int(b)
	}
	if ones != 4 || len(v) != e.N() {
		t.Errorf("mri_params vector %v: want one 1 per feature", v)
	}
}

func equal32(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMRIValue checks how FiLM's mri_params reads an acquisition
// parameter: a sidecar number, a float, the mean of a multi-echo text
// list; and errors naming the file and the key for a missing value or
// one that is not a number.
func TestMRIValue(t *testing.T) {
	r := &Row{Path: "sub-01_T2w.nii.gz", Values: map[string]any{
		"EchoTime":       json.Number("0.025"),
		"RepetitionTime": 2.5,
		"FlipAngle":      "10, 20,30",
		"Manufacturer":   "Siemens",
		"Bad":            json.Number("1e999"),
	}}
	for key, want := range map[string]float64{"EchoTime": 0.025, "RepetitionTime": 2.5, "FlipAngle": 20} {
		if got, err := mriValue(r, key); err != nil || math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: %v, %v; want %v", key, got, err, want)
		}
	}
	for key, want := range map[string][]string{
		"InversionTime": {"sub-01_T2w.nii.gz", "no InversionTime", "FiLM mri_params"},
		"Manufacturer":  {"sub-01_T2w.nii.gz", "Manufacturer", "Siemens", "want a number"},
		"Bad":           {"sub-01_T2w.nii.gz", "Bad", "want a number"},
	} {
		_, err := mriValue(r, key)
		for _, w := range want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want one containing %q", key, err, w)
			}
		}
	}
}
