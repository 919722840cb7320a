package postprocess

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func vol(shape [3]int, on ...int) []float32 {
	v := make([]float32, Len(shape))
	for _, i := range on {
		v[i] = 1
	}
	return v
}

func TestThreshold(t *testing.T) {
	in := []float32{0, 0.2, 0.5, 0.7, 1, -0.3}
	cases := []struct {
		thr  float32
		want []float32
	}{
		{0.5, []float32{0, 0, 1, 1, 1, 0}},
		{0.1, []float32{0, 1, 1, 1, 1, 0}},
		// ivadomed's two passes: zeros written first are ≥ 0 afterwards.
		{0, []float32{1, 1, 1, 1, 1, 1}},
	}
	for _, c := range cases {
		if got := Threshold(in, c.thr); !slices.Equal(got, c.want) {
			t.Errorf("thr %v: got %v want %v", c.thr, got, c.want)
		}
	}
}

func TestRemoveNoiseAndDiscard(t *testing.T) {
	in := []float32{0.005, 0.01, 0.02, 0.3, 0.9}
	if got, want := RemoveNoise(in, 0.3), []float32{0, 0, 0, 0, 0.9}; !slices.Equal(got, want) {
		t.Errorf("RemoveNoise: got %v want %v", got, want)
	}
	if got := RemoveNoise(in, -1); !slices.Equal(got, in) {
		t.Errorf("RemoveNoise(-1) changed the data: %v", got)
	}
	d := append([]float32(nil), in...)
	DiscardNoise(d)
	if want := []float32{0, 0, 0.02, 0.3, 0.9}; !slices.Equal(d, want) {
		t.Errorf("DiscardNoise: got %v want %v", d, want)
	}
}

func TestArgmaxClasses(t *testing.T) {
	classes := [][]float32{
		{0.6, 0.1, 0.3, 0.5},
		{0.3, 0.2, 0.3, 0.5},
	}
	// background = 1−Σ: 0.1, 0.7, 0.4, 0.0
	want := [][]float32{{1, 0, 0, 1}, {0, 0, 0, 0}}
	got := ArgmaxClasses(classes)
	for c := range want {
		if !slices.Equal(got[c], want[c]) {
			t.Errorf("class %d: got %v want %v", c, got[c], want[c])
		}
	}
}

func TestKeepLargest(t *testing.T) {
	shape := [3]int{1, 4, 4}
	cases := []struct {
		name string
		in   []float32
		want []float32
	}{
		// Objects of 3 and 2 voxels; diagonal contact does not join (6-conn).
		{"binary", vol(shape, 0, 1, 2, 8, 13), vol(shape, 0, 1, 2)},
		// Equal sizes: the first in raster order stays.
		{"tie", vol(shape, 0, 1, 10, 11), vol(shape, 0, 1)},
		{"single", vol(shape, 5), vol(shape, 5)},
		{"soft keeps values", []float32{0, 0.5, 0.0005, 0, 0.9, 0, 0, 0, 0.3, 0.2, 0.1, 0, 0, 0, 0, 0},
			[]float32{0, 0, 0, 0, 0.9, 0, 0, 0, 0.3, 0.2, 0.1, 0, 0, 0, 0, 0}},
	}
	for _, c := range cases {
		if got := KeepLargest(c.in, shape); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v want %v", c.name, got, c.want)
		}
	}
}

func TestKeepLargestPerSlice(t *testing.T) {
	shape := [3]int{2, 2, 3}
	// slice k=0: voxels (0,0,0),(1,1,0) separate → first kept; k=1: one object of 2.
	in := make([]float32, 12)
	at := func(i, j, k int) int { return (i*2+j)*3 + k }
	in[at(0, 0, 0)], in[at(1, 1, 0)] = 1, 1
	in[at(0, 0, 1)], in[at(0, 1, 1)] = 1, 1
	got := KeepLargestPerSlice(in, shape, 2)
	want := make([]float32, 12)
	want[at(0, 0, 0)], want[at(0, 0, 1)], want[at(0, 1, 1)] = 1, 1, 1
	if !slices.Equal(got, want) {
		t.Errorf("got %v want %v", got, want)
	}
}

// naiveFill floods the background from the border with 26-neighbours by
// repeated sweeps, and fills what it never reached.
func naiveFill(v []float32, shape [3]int) []float32 {
	reach := make([]bool, len(v))
	idx := func(i, j, k int) int { return (i*shape[1]+j)*shape[2] + k }
	for changed := true; changed; {
		changed = false
		for i := 0; i < shape[0]; i++ {
			for j := 0; j < shape[1]; j++ {
				for k := 0; k < shape[2]; k++ {
					p := idx(i, j, k)
					if v[p] != 0 || reach[p] {
						continue
					}
					ok := i == 0 || j == 0 || k == 0 || i == shape[0]-1 || j == shape[1]-1 || k == shape[2]-1
					for a := max(i-1, 0); a <= min(i+1, shape[0]-1) && !ok; a++ {
						for b := max(j-1, 0); b <= min(j+1, shape[1]-1) && !ok; b++ {
							for c := max(k-1, 0); c <= min(k+1, shape[2]-1) && !ok; c++ {
								ok = reach[idx(a, b, c)]
							}
						}
					}
					if ok {
						reach[p], changed = true, true
					}
				}
			}
		}
	}
	out := make([]float32, len(v))
	for i := range v {
		if !reach[i] {
			out[i] = 1
		}
	}
	return out
}

func TestFillHoles(t *testing.T) {
	// A 3×3×3 shell with its centre empty, inside a 5×5×5 volume.
	shape := [3]int{5, 5, 5}
	v := make([]float32, Len(shape))
	for i := 1; i <= 3; i++ {
		for j := 1; j <= 3; j++ {
			for k := 1; k <= 3; k++ {
				v[(i*5+j)*5+k] = 1
			}
		}
	}
	v[(2*5+2)*5+2] = 0
	got := FillHoles(v, shape)
	if got[(2*5+2)*5+2] != 1 {
		t.Errorf("centre of a closed shell not filled")
	}
	// A ring in a 2D image, open by one diagonal gap: 26 (8 in 2D)
	// connectivity lets the background leak through the corner.
	shape2 := [3]int{1, 5, 5}
	ring := vol(shape2, 6, 7, 8, 11, 13, 16, 17)
	if got := FillHoles(ring, shape2); got[12] != 0 {
		t.Errorf("hole connected through a diagonal gap was filled")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 40; trial++ {
		shape := [3]int{1 + r.IntN(6), 1 + r.IntN(6), 1 + r.IntN(6)}
		m := randomMask(r, Len(shape), 0.4+0.4*r.Float64())
		v := make([]float32, len(m))
		for i, on := range m {
			if on {
				v[i] = 1
			}
		}
		if got, want := FillHoles(v, shape), naiveFill(v, shape); !slices.Equal(got, want) {
			t.Fatalf("shape %v: FillHoles differs from the naive flood", shape)
		}
	}
}

func TestRemoveSmall(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 30; trial++ {
		shape := [3]int{1 + r.IntN(6), 1 + r.IntN(6), 1 + r.IntN(6)}
		m := randomMask(r, Len(shape), 0.3)
		v := make([]float32, len(m))
		for i, on := range m {
			if on {
				v[i] = 0.5 + 0.5*r.Float32()
			}
		}
		minSize := 1 + r.IntN(5)
		labels, n := naiveLabel(m, shape, 2)
		count := make([]int, n+1)
		for _, l := range labels {
			count[l]++
		}
		want := append([]float32(nil), v...)
		for i, l := range labels {
			if l != 0 && count[l] < minSize {
				want[i] = 0
			}
		}
		if got := RemoveSmall(v, shape, minSize); !slices.Equal(got, want) {
			t.Fatalf("shape %v minSize %d: differs from naive", shape, minSize)
		}
	}
}

func TestParseOrderAndErrors(t *testing.T) {
	raw := `{"remove_noise": {"thr": 0.1}, "binarize_prediction": {"thr": 0.5}, "keep_largest": {},
	         "remove_small": {"unit": "mm3", "thr": [3, 5]}, "fill_holes": {}, "uncertainty": {"thr": -1, "suffix": "_unc-vox.nii.gz"}}`
	steps, err := Parse(json.RawMessage(raw))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range steps {
		names = append(names, s.Name)
	}
	want := []string{"remove_noise", "binarize_prediction", "keep_largest", "remove_small", "fill_holes", "uncertainty"}
	if !slices.Equal(names, want) {
		t.Errorf("order: got %v want %v", names, want)
	}
	if s := steps[3]; s.Unit != "mm3" || !slices.Equal(s.MinSize, []float64{3, 5}) {
		t.Errorf("remove_small parsed as %+v", s)
	}
	bad := []struct{ raw, wantErr string }{
		{`{"fill_hole": {}}`, "postprocessing.fill_hole: unknown step"},
		{`{"binarize_prediction": {"thr": "x"}}`, "postprocessing.binarize_prediction.thr"},
		{`{"binarize_prediction": {"thres": 0.5}}`, "postprocessing.binarize_prediction.thres: unknown parameter"},
		{`{"remove_small": {"unit": "cm", "thr": 3}}`, "postprocessing.remove_small.unit"},
		{`{"remove_small": {"unit": "vox"}}`, `missing parameter "thr"`},
		{`[1]`, "want a JSON object"},
	}
	for _, b := range bad {
		_, err := Parse(json.RawMessage(b.raw))
		if err == nil || !strings.Contains(err.Error(), b.wantErr) {
			t.Errorf("%s: got error %v, want one containing %q", b.raw, err, b.wantErr)
		}
	}
}

func TestApply(t *testing.T) {
	shape := [3]int{1, 4, 4}
	soft := []float32{
		0.9, 0.8, 0, 0,
		0.7, 0.2, 0, 0.6,
		0.8, 0.9, 0, 0,
		0, 0, 0, 0,
	}
	steps, err := Parse(json.RawMessage(`{"binarize_prediction": {"thr": 0.5}, "fill_holes": {}, "keep_largest": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := steps.Apply([][]float32{soft}, shape, [3]float64{1, 1, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 0.2 sits at the edge of the image: not a hole. Largest object: the left block.
	want := []float32{
		1, 1, 0, 0,
		1, 0, 0, 0,
		1, 1, 0, 0,
		0, 0, 0, 0,
	}
	if !slices.Equal(got[0], want) {
		t.Errorf("got %v want %v", got[0], want)
	}
	// remove_small in mm3: voxel 2 mm³, 5 mm³ → round(2.5)=2 (half to even) voxels.
	steps, _ = Parse(json.RawMessage(`{"remove_small": {"unit": "mm3", "thr": 5}}`))
	in := vol(shape, 0, 1, 3, 15)
	got, _ = steps.Apply([][]float32{in}, shape, [3]float64{1, 1, 2}, nil)
	if want := vol(shape, 0, 1); !slices.Equal(got[0], want) {
		t.Errorf("remove_small mm3: got %v want %v", got[0], want)
	}
	// uncertainty: vox maps mask where unc < thr, iou maps where unc > thr.
	steps, _ = Parse(json.RawMessage(`{"uncertainty": {"thr": 0.5, "suffix": "_unc-vox.nii.gz"}}`))
	unc := func(string) ([][]float32, error) { return [][]float32{{0.1, 0.9, 0.4, 0.6}}, nil }
	got, err = steps.Apply([][]float32{{1, 1, 1, 1}}, [3]int{1, 1, 4}, [3]float64{1, 1, 1}, unc)
	if err != nil || !slices.Equal(got[0], []float32{1, 0, 1, 0}) {
		t.Errorf("uncertainty vox: got %v, %v", got, err)
	}
	steps, _ = Parse(json.RawMessage(`{"uncertainty": {"thr": 0.5, "suffix": "_unc-iou.nii.gz"}}`))
	got, _ = steps.Apply([][]float32{{1, 1, 1, 1}}, [3]int{1, 1, 4}, [3]float64{1, 1, 1}, unc)
	if !slices.Equal(got[0], []float32{0, 1, 0, 1}) {
		t.Errorf("uncertainty iou: got %v", got)
	}
	if _, err := steps.Apply([][]float32{{1, 1, 1, 1}}, [3]int{1, 1, 4}, [3]float64{1, 1, 1}, nil); err == nil {
		t.Errorf("uncertainty without a loader: no error")
	}
}

func TestApplyNaN(t *testing.T) {
	steps, _ := Parse(json.RawMessage(`{"binarize_prediction": {"thr": 0.5}}`))
	_, err := steps.Apply([][]float32{{0, float32(math.NaN())}}, [3]int{1, 1, 2}, [3]float64{1, 1, 1}, nil)
	if err == nil || !strings.Contains(err.Error(), "class 0: prediction is NaN at voxel 1") {
		t.Errorf("error %v", err)
	}
}
