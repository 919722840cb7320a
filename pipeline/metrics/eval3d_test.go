package metrics

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type fixture struct {
	Shape  [3]int              `json:"shape"`
	Voxel  [3]float64          `json:"voxel"`
	Params json.RawMessage     `json:"params"`
	Pred   [][]float32         `json:"pred"`
	GT     [][]float32         `json:"gt"`
	Want   map[string]*float64 `json:"want"`
}

func close(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

// TestEvaluate3DFixtures compares with numpy/scipy (testdata/make_fixtures.py).
func TestEvaluate3DFixtures(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "eval3d.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []fixture
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		p, err := ParseEvalParams(c.Params)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		row, painted, err := Evaluate3D(c.Pred, c.GT, c.Shape, c.Voxel, p)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if len(painted) != len(c.GT) {
			t.Errorf("case %d: %d painted maps for %d classes", i, len(painted), len(c.GT))
		}
		if len(row.Names) != len(c.Want) {
			t.Errorf("case %d: columns %v, want %d columns", i, row.Names, len(c.Want))
		}
		for name, w := range c.Want {
			got, ok := row.Get(name)
			switch {
			case !ok:
				t.Errorf("case %d: missing column %s", i, name)
			case w == nil && !math.IsNaN(got):
				t.Errorf("case %d: %s = %v, want NaN", i, name, got)
			case w != nil && !close(got, *w):
				t.Errorf("case %d: %s = %v, want %v", i, name, got, *w)
			}
		}
	}
}

func TestEvaluate3DHand(t *testing.T) {
	// 1×1×12 line: GT objects [0..3] (4 voxels) and [8..9] (2 voxels);
	// prediction [1..3] (3 voxels, detects the first with overlap 3) and
	// [6] (a false positive). Voxel 1×1×2 mm.
	shape := [3]int{1, 1, 12}
	gt := make([]float32, 12)
	pred := make([]float32, 12)
	for _, i := range []int{0, 1, 2, 3, 8, 9} {
		gt[i] = 1
	}
	for _, i := range []int{1, 2, 3, 6} {
		pred[i] = 1
	}
	row, painted, err := Evaluate3D([][]float32{pred}, [][]float32{gt}, shape, [3]float64{1, 1, 2}, DefaultEvalParams())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"vol_pred_class0": 8, "vol_gt_class0": 12,
		"rvd_class0": (12.0 - 8) / 12, "avd_class0": (12.0 - 8) / 12,
		"dice_class0": 2 * 3.0 / 10, "recall_class0": 3.0 / 6, "precision_class0": 3.0 / 4,
		"specificity_class0": 5.0 / 6, "n_pred_class0": 2, "n_gt_class0": 2,
		"ltpr_class0": 0.5, "lfdr_class0": 0.5, "mse_class0": 4.0 / 1,
	}
	for k, w := range want {
		if got, _ := row.Get(k); !close(got, w) {
			t.Errorf("%s = %v, want %v", k, got, w)
		}
	}
	wantNames := []string{"vol_pred_class0", "vol_gt_class0", "rvd_class0", "avd_class0", "dice_class0",
		"recall_class0", "precision_class0", "specificity_class0", "n_pred_class0", "n_gt_class0",
		"ltpr_class0", "lfdr_class0", "mse_class0"}
	if !slices.Equal(row.Names, wantNames) {
		t.Errorf("columns %v, want %v", row.Names, wantNames)
	}
	wantPaint := []float32{0, 1, 1, 1, 0, 0, 2, 0, 3, 3, 0, 0}
	if !slices.Equal(painted[0], wantPaint) {
		t.Errorf("painted %v, want %v", painted[0], wantPaint)
	}

	// Empty prediction and empty truth: NaN where ivadomed has NaN.
	z := make([]float32, 12)
	row, _, _ = Evaluate3D([][]float32{z}, [][]float32{z}, shape, [3]float64{1, 1, 1}, DefaultEvalParams())
	for _, k := range []string{"rvd_class0", "avd_class0", "dice_class0", "recall_class0", "precision_class0", "ltpr_class0", "lfdr_class0"} {
		if v, _ := row.Get(k); !math.IsNaN(v) {
			t.Errorf("empty: %s = %v, want NaN", k, v)
		}
	}
	if v, _ := row.Get("specificity_class0"); v != 1 {
		t.Errorf("empty: specificity %v, want 1", v)
	}

	// Extra columns: NPV = TN/(TN+FN) = 5/8, accuracy = 8/12.
	pe := DefaultEvalParams()
	pe.Extra = true
	row, _, _ = Evaluate3D([][]float32{pred}, [][]float32{gt}, shape, [3]float64{1, 1, 1}, pe)
	if v, _ := row.Get("npv_class0"); !close(v, 5.0/8) {
		t.Errorf("npv %v, want 5/8", v)
	}
	if v, _ := row.Get("accuracy_class0"); !close(v, 8.0/12) {
		t.Errorf("accuracy %v, want 8/12", v)
	}

	// Without object detection metrics: no ltpr/lfdr, no painting.
	p := DefaultEvalParams()
	p.ObjectDetection = false
	row, painted, _ = Evaluate3D([][]float32{pred}, [][]float32{gt}, shape, [3]float64{1, 1, 1}, p)
	if _, ok := row.Get("ltpr_class0"); ok || painted != nil {
		t.Errorf("object detection off: still computed")
	}
}

func TestSizeBinSuffixes(t *testing.T) {
	cases := []struct {
		thr   []float64
		unit  string
		voxel [3]float64
		want  []string
	}{
		{[]float64{20, 100}, "vox", [3]float64{1, 1, 1}, []string{"_0-20vox", "_21-100vox", "_101-INFvox"}},
		{[]float64{20, 100}, "mm3", [3]float64{1, 1, 2}, []string{"_0.0-10.0mm3", "_10.0-50.0mm3", "_50.0-INFmm3"}},
	}
	for _, c := range cases {
		if got := newSizeBins(c.thr, c.unit, c.voxel).suffix; !slices.Equal(got, c.want) {
			t.Errorf("%v %s: %v, want %v", c.thr, c.unit, got, c.want)
		}
	}
}

func TestParseEvalParamsErrors(t *testing.T) {
	cases := []struct{ raw, want string }{
		{`{"target_size": {"unit": "cm", "thr": [1]}}`, "evaluation_parameters.target_size.unit"},
		{`{"overlap": {"unit": "vox", "thr": "3"}}`, "evaluation_parameters.overlap.thr"},
		{`{"overlap": {"unit": "vox", "thr": 3, "x": 1}}`, "evaluation_parameters.overlap"},
		{`{"targetsize": {}}`, "evaluation_parameters.targetsize: unknown key"},
	}
	for _, c := range cases {
		if _, err := ParseEvalParams(json.RawMessage(c.raw)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.raw, err, c.want)
		}
	}
	p, err := ParseEvalParams(json.RawMessage(`{"targetSize": {"unit": "vox", "thr": [20, 100]}, "removeSmall": {"unit": "vox", "thr": 3}}`))
	if err != nil || !slices.Equal(p.SizeThr, []float64{20, 100}) || p.OverlapThr != 3 || !p.ObjectDetection {
		t.Errorf("legacy keys: %+v %v", p, err)
	}
}

func TestWriteCSV(t *testing.T) {
	rows := []Row{
		{ID: "sub-01_T2w", Names: []string{"dice_class0", "n_pred_class0", "rvd_class0"}, Values: []float64{0.5, 3, math.NaN()}},
		{ID: "sub-02_T2w", Names: []string{"dice_class0", "n_pred_class0", "n_0-20vox"}, Values: []float64{1e-5, 1, 2}},
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	want := "image_id,dice_class0,n_pred_class0,rvd_class0,n_0-20vox\n" +
		"sub-01_T2w,0.5,3,,\n" +
		"sub-02_T2w,1e-05,1,,2.0\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	dir := t.TempDir()
	path, err := WriteCSVFile(dir, rows)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != want || path != filepath.Join(dir, "results_eval", "evaluation_3Dmetrics.csv") {
		t.Errorf("file %s holds %q", path, got)
	}
}

func TestEvaluate3DBadInput(t *testing.T) {
	p := DefaultEvalParams()
	nan := float32(math.NaN())
	cases := []struct {
		pred, gt [][]float32
		want     string
	}{
		{[][]float32{{0, nan}}, [][]float32{{0, 1}}, "class 0: prediction is NaN at voxel 1"},
		{[][]float32{{0, 1}}, [][]float32{{nan, 1}}, "class 0: ground truth is NaN at voxel 0"},
		{[][]float32{{0, 1, 1}}, [][]float32{{0, 1}}, "prediction has 3 voxels"},
		{[][]float32{{0, 1}, {1, 1}}, [][]float32{{0, 1}}, "prediction has 2 classes, ground truth 1"},
	}
	for _, c := range cases {
		if _, _, err := Evaluate3D(c.pred, c.gt, [3]int{1, 1, 2}, [3]float64{1, 1, 1}, p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
