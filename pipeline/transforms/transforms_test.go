package transforms

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func ramp(shape [3]int) []float32 {
	v := make([]float32, shape[0]*shape[1]*shape[2])
	for i := range v {
		v[i] = float32(i%7) + 0.1*float32(i%5)
	}
	return v
}

func mustParse(t *testing.T, raw string) List {
	t.Helper()
	l, err := Parse(json.RawMessage(raw))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestParse(t *testing.T) {
	l := mustParse(t, `{
		"Resample": {"hspace": 0.75, "wspace": 0.75, "dspace": 1, "preprocessing": true},
		"CenterCrop": {"size": [128, 128]},
		"RandomAffine": {"degrees": 5, "scale": [0.1, 0.1], "translate": [0.03, 0.03], "applied_to": ["im", "gt"], "dataset_type": ["training"]},
		"ElasticTransform": {"alpha_range": [28.0, 30.0], "sigma_range": [3.5, 4.5], "p": 0.1, "applied_to": ["im", "gt"], "dataset_type": ["training"]},
		"HistogramClipping": {"min_percentile": 3, "max_percentile": 97, "dataset_type": ["training", "testing"]},
		"NormalizeInstance": {"applied_to": ["im"]}
	}`)
	var names []string
	for _, s := range l {
		names = append(names, s.Name)
	}
	if want := []string{"Resample", "CenterCrop", "RandomAffine", "ElasticTransform", "HistogramClipping", "NormalizeInstance"}; !slices.Equal(names, want) {
		t.Errorf("order %v, want %v", names, want)
	}
	if !slices.Equal(l[0].AppliedTo, []Kind{Im, GT, ROI}) || !slices.Equal(l[2].AppliedTo, []Kind{Im, GT}) {
		t.Errorf("applied_to: %v %v", l[0].AppliedTo, l[2].AppliedTo)
	}
	cases := []struct {
		dataset string
		undo    bool
		want    []string
	}{
		{Training, false, []string{"Resample", "CenterCrop", "RandomAffine", "ElasticTransform", "HistogramClipping", "NormalizeInstance"}},
		{Validation, false, []string{"Resample", "CenterCrop", "NormalizeInstance"}},
		// ivadomed would drop HistogramClipping here; it is kept (package doc).
		{Testing, true, []string{"Resample", "CenterCrop", "HistogramClipping", "NormalizeInstance"}},
	}
	for _, c := range cases {
		if got := l.For(c.dataset, c.undo).Names(); !slices.Equal(got, c.want) {
			t.Errorf("For(%s, %v) = %v, want %v", c.dataset, c.undo, got, c.want)
		}
	}
	pre, fly := l.For(Training, false).Split()
	if !slices.Equal(pre.Names(), []string{"Resample", "CenterCrop"}) || len(fly.Names()) != 4 {
		t.Errorf("Split: %v / %v", pre.Names(), fly.Names())
	}
	// Random augmentation without undo is dropped at test time.
	l = mustParse(t, `{"RandomGamma": {"log_gamma_range": [-1, 1]}, "RandomReverse": {}}`)
	if got := l.For(Testing, true).Names(); !slices.Equal(got, []string{"RandomReverse"}) {
		t.Errorf("testing with undo: %v", got)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ raw, want string }{
		{`{"RandomTranslation": {}}`, "transformation.RandomTranslation: unknown transform"},
		{`{"CenterCrop": {"sise": [1, 2]}}`, `transformation.CenterCrop: parameters: json: unknown field "sise"`},
		{`{"CenterCrop": {"size": [1]}}`, "transformation.CenterCrop: size"},
		{`{"RandomAffine": {"degrees": "x"}}`, "transformation.RandomAffine: degrees"},
		{`{"RandomAffine": {"scale": [2]}}`, "transformation.RandomAffine: scale"},
		{`{"NormalizeInstance": {"applied_to": ["img"]}}`, `transformation.NormalizeInstance.applied_to: "img"`},
		{`{"NormalizeInstance": {"dataset_type": ["train"]}}`, `transformation.NormalizeInstance.dataset_type: "train"`},
		{`{"ElasticTransform": {"alpha_range": [3, 1], "sigma_range": [1, 2]}}`, "alpha_range"},
		{`{"RandomGamma": {"log_gamma_range": [0, 1], "p": 2}}`, "p: want a probability"},
		{`{"Resample": {"hspace": 1}}`, "hspace and wspace"},
		{`{"Clahe": {"kernel_size": [8, 8, 8]}}`, "transformation.Clahe: kernel_size"},
	}
	for _, c := range cases {
		_, err := Parse(json.RawMessage(c.raw))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.raw, err, c.want)
		}
	}
	if _, err := Parse(json.RawMessage(`{"BoundingBoxCrop": {"size": [3, 3]}}`)); !errors.Is(err, errCascadeOnly) {
		t.Errorf("BoundingBoxCrop: %v", err)
	}
}

// TestSameDraw: a label identical to the image stays identical to it
// through every geometric transform, so one draw serves all parts.
func TestSameDraw(t *testing.T) {
	l := mustParse(t, `{
		"RandomAffine": {"degrees": 20, "scale": [0.2, 0.2, 0.2], "translate": [0.2, 0.2, 0.2]},
		"ElasticTransform": {"alpha_range": [3, 5], "sigma_range": [1, 2], "p": 1},
		"RandomReverse": {},
		"RandomMirror": {"axes": [0, 2], "p": 0.5},
		"CenterCrop": {"size": [5, 6, 4]}
	}`)
	for seed := uint64(0); seed < 10; seed++ {
		for _, shape := range [][3]int{{7, 8, 5}, {9, 6, 1}} {
			v := ramp(shape)
			s := &Sample{Im: Part{Data: [][]float32{v}, Shape: shape},
				GT:  Part{Data: [][]float32{append([]float32(nil), v...)}, Shape: shape},
				ROI: Part{Data: [][]float32{append([]float32(nil), v...)}, Shape: shape}}
			if _, err := l.For(Training, false).Apply(s, rand.New(rand.NewPCG(seed, 1))); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.Im.Data[0], s.GT.Data[0]) || !slices.Equal(s.Im.Data[0], s.ROI.Data[0]) {
				t.Fatalf("seed %d shape %v: image, label and ROI drew different transforms", seed, shape)
			}
		}
	}
}

func TestSeeded(t *testing.T) {
	l := mustParse(t, `{
		"RandomAffine": {"degrees": 20, "scale": [0.2, 0.2], "translate": [0.2, 0.2]},
		"ElasticTransform": {"alpha_range": [3, 5], "sigma_range": [1, 2], "p": 0.5},
		"RandomGamma": {"log_gamma_range": [-0.5, 0.5], "p": 0.5},
		"RandomBiasField": {"coefficients": 0.5, "order": 3, "p": 0.5},
		"AdditiveGaussianNoise": {"std": 0.1},
		"RandomBlur": {"sigma_range": [0.5, 1], "p": 0.5},
		"RandomShiftIntensity": {"shift_range": [-1, 1], "prob": 0.5},
		"RandomBrightness": {}, "RandomContrast": {}, "SimulateLowResolution": {"p": 0.5}
	}`).For(Training, false)
	run := func(seed uint64) []float32 {
		shape := [3]int{8, 9, 1}
		s := &Sample{Im: Part{Data: [][]float32{ramp(shape)}, Shape: shape}}
		if _, err := l.Apply(s, rand.New(rand.NewPCG(seed, 99))); err != nil {
			t.Fatal(err)
		}
		return s.Im.Data[0]
	}
	if !slices.Equal(run(5), run(5)) {
		t.Error("the same seed gave different samples")
	}
	if slices.Equal(run(5), run(6)) {
		t.Error("different seeds gave the same sample")
	}
}

func TestCenterCropAndUndo(t *testing.T) {
	// 2D 5×4 image cropped to 3×6: rows 1..3 (round(2/2)=1), columns padded
	// by round(−2/2)=−1 on the left and 1 on the right.
	shape := [3]int{5, 4, 1}
	v := make([]float32, 20)
	for i := range v {
		v[i] = float32(i + 1)
	}
	l := mustParse(t, `{"CenterCrop": {"size": [3, 6]}}`).For(Testing, true)
	s := &Sample{Im: Part{Data: [][]float32{v}, Shape: shape}, GT: Part{Data: [][]float32{v}, Shape: shape}}
	rec, err := l.Apply(s, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 5, 6, 7, 8, 0, 0, 9, 10, 11, 12, 0, 0, 13, 14, 15, 16, 0}
	if s.Im.Shape != [3]int{3, 6, 1} || !slices.Equal(s.Im.Data[0], want) {
		t.Fatalf("crop: shape %v data %v", s.Im.Shape, s.Im.Data[0])
	}
	back, err := rec.Undo(s.GT)
	if err != nil {
		t.Fatal(err)
	}
	wantBack := []float32{0, 0, 0, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0, 0, 0}
	if back.Shape != shape || !slices.Equal(back.Data[0], wantBack) {
		t.Errorf("undo: shape %v data %v", back.Shape, back.Data[0])
	}
	// half-to-even corner: (6−3)/2 = 1.5 → 2.
	s = &Sample{Im: Part{Data: [][]float32{ramp([3]int{6, 1, 1})}, Shape: [3]int{6, 1, 1}}}
	if _, err := mustParse(t, `{"CenterCrop": {"size": [3, 1]}}`).For(Training, false).Apply(s, nil); err != nil {
		t.Fatal(err)
	}
	if r := ramp([3]int{6, 1, 1}); !slices.Equal(s.Im.Data[0], r[2:5]) {
		t.Errorf("round half to even: got %v from %v", s.Im.Data[0], r)
	}
}

func TestROICrop(t *testing.T) {
	shape := [3]int{10, 10, 1}
	roi := make([]float32, 100)
	roi[idx(shape, 6, 7, 0)], roi[idx(shape, 7, 7, 0)] = 1, 1 // centre (6.5 → 6, 7)
	img := ramp(shape)
	s := &Sample{Im: Part{Data: [][]float32{img}, Shape: shape}, ROI: Part{Data: [][]float32{roi}, Shape: shape}}
	if _, err := mustParse(t, `{"ROICrop": {"size": [4, 4]}}`).For(Training, false).Apply(s, nil); err != nil {
		t.Fatal(err)
	}
	// corner = (6−2, 7−2)
	want := window(img, shape, [3]int{4, 5, 0}, [3]int{4, 4, 1})
	if !slices.Equal(s.Im.Data[0], want) || s.ROI.Data[0][idx([3]int{4, 4, 1}, 2, 2, 0)] != 1 {
		t.Errorf("ROICrop: got %v want %v", s.Im.Data[0], want)
	}
	s = &Sample{Im: Part{Data: [][]float32{img}, Shape: shape}, ROI: Part{Data: [][]float32{make([]float32, 100)}, Shape: shape}}
	if _, err := mustParse(t, `{"ROICrop": {"size": [4, 4]}}`).For(Training, false).Apply(s, nil); err == nil || !strings.Contains(err.Error(), "ROI is empty") {
		t.Errorf("empty ROI: %v", err)
	}
}

func TestAffineScipy(t *testing.T) {
	for i, c := range loadFixtures(t).Affine {
		var m [3][3]float64
		for a := 0; a < 9; a++ {
			m[a/3][a%3] = c.Matrix[a]
		}
		got := affineTransform(c.In, c.Shape, m, c.Offset)
		if d := maxDiff(got, c.Out); d > 1e-5 {
			t.Errorf("case %d: max difference %g from scipy", i, d)
		}
		// The same through ivadomed's construction (matrix = T.T).
		var tm [3][3]float64
		for a := 0; a < 3; a++ {
			for b := 0; b < 3; b++ {
				tm[a][b] = m[b][a]
			}
		}
		p := transformPart(Part{Data: [][]float32{c.In}, Shape: c.Shape}, tm, [3]float64{1, -2, 0})
		if d := maxDiff(p.Data[0], c.Out); d > 1e-5 {
			t.Errorf("case %d via transformPart: max difference %g from scipy", i, d)
		}
	}
}

func TestAffineUndo(t *testing.T) {
	// A whole-voxel shift without rotation or scaling is undone exactly
	// where the shifted image kept the data.
	shape := [3]int{9, 8, 1}
	v := ramp(shape)
	tr := &randomAffine{}
	p := &affineParams{axes: [2]int{0, 1}, scale: [3]float64{1, 1, 1}, shift: [3]float64{2, -1, 0}}
	moved, _ := tr.apply(Im, Part{Data: [][]float32{v}, Shape: shape}, p)
	// out[o] = in[o + shift]
	if moved.Data[0][idx(shape, 3, 4, 0)] != v[idx(shape, 5, 3, 0)] {
		t.Errorf("shift: out(3,4) = %v, want in(5,3) = %v", moved.Data[0][idx(shape, 3, 4, 0)], v[idx(shape, 5, 3, 0)])
	}
	back, _ := tr.undo(moved, p)
	for i := 2; i < shape[0]-2; i++ {
		for j := 1; j < shape[1]-1; j++ {
			if back.Data[0][idx(shape, i, j, 0)] != v[idx(shape, i, j, 0)] {
				t.Fatalf("undo of a shift differs at (%d,%d)", i, j)
			}
		}
	}
	// A rotation with scaling is undone up to interpolation error on a
	// smooth image, away from the borders.
	shape = [3]int{21, 21, 1}
	smooth := make([]float32, 441)
	for i := 0; i < 21; i++ {
		for j := 0; j < 21; j++ {
			smooth[idx(shape, i, j, 0)] = float32(0.05*float64(i) + 0.03*float64(j))
		}
	}
	p = &affineParams{angle: 0.2, axes: [2]int{0, 1}, scale: [3]float64{1.1, 0.9, 1}, shift: [3]float64{1, 0, 0}}
	moved, _ = tr.apply(Im, Part{Data: [][]float32{smooth}, Shape: shape}, p)
	back, _ = tr.undo(moved, p)
	for i := 7; i < 14; i++ {
		for j := 7; j < 14; j++ {
			if d := math.Abs(float64(back.Data[0][idx(shape, i, j, 0)] - smooth[idx(shape, i, j, 0)])); d > 1e-4 {
				t.Fatalf("rotation undo off by %v at (%d,%d)", d, i, j)
			}
		}
	}
}

func TestResampleAndUndo(t *testing.T) {
	l := mustParse(t, `{"Resample": {"hspace": 0.5, "wspace": 2, "dspace": 1}}`).For(Testing, true)
	shape := [3]int{6, 8, 1}
	s := &Sample{Im: Part{Data: [][]float32{ramp(shape)}, Shape: shape}, GT: Part{Data: [][]float32{ramp(shape)}, Shape: shape}, Zooms: [3]float64{1, 1, 3}}
	rec, err := l.Apply(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Im.Shape != [3]int{12, 4, 1} || s.GT.Shape != [3]int{12, 4, 1} {
		t.Fatalf("resampled shapes %v %v, want [12 4 1] (2D: no zoom across slices)", s.Im.Shape, s.GT.Shape)
	}
	// The label is zoomed linearly, the image with quadratic splines.
	if want := zoom(ramp(shape), shape, [3]int{12, 4, 1}, 1); !slices.Equal(s.GT.Data[0], want) {
		t.Error("label not zoomed with order 1")
	}
	if want := zoom(ramp(shape), shape, [3]int{12, 4, 1}, 2); !slices.Equal(s.Im.Data[0], want) {
		t.Error("image not zoomed with order 2")
	}
	back, err := rec.Undo(s.GT)
	if err != nil || back.Shape != shape {
		t.Errorf("undo: shape %v, %v", back.Shape, err)
	}
	if _, err := l.Apply(&Sample{Im: Part{Data: [][]float32{ramp(shape)}, Shape: shape}}, nil); err == nil {
		t.Error("Resample without voxel size: no error")
	}
}

func TestIntensity(t *testing.T) {
	shape := [3]int{4, 5, 1}
	v := ramp(shape)
	apply := func(raw string, seed uint64) []float32 {
		s := &Sample{Im: Part{Data: [][]float32{v}, Shape: shape}}
		if _, err := mustParse(t, raw).For(Training, false).Apply(s, rand.New(rand.NewPCG(seed, 0))); err != nil {
			t.Fatal(err)
		}
		return s.Im.Data[0]
	}
	// NormalizeInstance: mean 0, std 1.
	n := apply(`{"NormalizeInstance": {}}`, 0)
	var mean, ss float64
	for _, x := range n {
		mean += float64(x)
	}
	mean /= float64(len(n))
	for _, x := range n {
		ss += (float64(x) - mean) * (float64(x) - mean)
	}
	if math.Abs(mean) > 1e-6 || math.Abs(math.Sqrt(ss/float64(len(n)))-1) > 1e-5 {
		t.Errorf("NormalizeInstance: mean %v std %v", mean, math.Sqrt(ss/float64(len(n))))
	}
	if got := normalize([]float32{3, 3, 3}, [3]int{}, nil); !slices.Equal(got, []float32{0, 0, 0}) {
		t.Errorf("constant image: %v", got)
	}
	// HistogramClipping at 0 and 100 changes nothing; at 20/80 clips to the percentiles.
	if got := apply(`{"HistogramClipping": {"min_percentile": 0, "max_percentile": 100}}`, 0); !slices.Equal(got, v) {
		t.Errorf("clipping 0-100 changed the image")
	}
	c := apply(`{"HistogramClipping": {"min_percentile": 20, "max_percentile": 80}}`, 0)
	lo, hi := float32(percentile(v, 20)), float32(percentile(v, 80))
	for i, x := range c {
		if want := min(max(v[i], lo), hi); x != want {
			t.Fatalf("clipping: %v → %v, want %v", v[i], x, want)
		}
	}
	// RandomShiftIntensity with prob 1: a constant shift within the range.
	sh := apply(`{"RandomShiftIntensity": {"shift_range": [2, 3], "prob": 1}}`, 3)
	d := sh[0] - v[0]
	for i := range sh {
		if math.Abs(float64(sh[i]-v[i]-d)) > 1e-5 || d < 2 || d > 3 {
			t.Fatalf("shift not constant in [2,3]: %v", sh[i]-v[i])
		}
	}
	// RandomGamma with a one-point range: sign(x)|x|^γ exactly.
	g := apply(`{"RandomGamma": {"log_gamma_range": [0.5, 0.5], "p": 1}}`, 0)
	for i := range g {
		want := float32(math.Pow(float64(v[i]), math.Exp(0.5)))
		if math.Abs(float64(g[i]-want)) > 1e-5 {
			t.Fatalf("gamma: %v → %v, want %v", v[i], g[i], want)
		}
	}
	// Bias field of order 0 multiplies by e^c, c within ±coefficients.
	b := apply(`{"RandomBiasField": {"coefficients": 0.3, "order": 0, "p": 1}}`, 4)
	ratio := b[1] / v[1]
	for i := range b {
		if v[i] != 0 && math.Abs(float64(b[i]/v[i]-ratio)) > 1e-5 {
			t.Fatalf("order-0 bias field is not a constant factor")
		}
	}
	if math.Abs(math.Log(float64(ratio))) > 0.3+1e-6 {
		t.Errorf("bias factor %v outside e^±0.3", ratio)
	}
	// Brightness with p 1 multiplies by one factor in range.
	br := apply(`{"RandomBrightness": {"multiplier_range": [0.5, 0.6], "p": 1}}`, 1)
	f := br[1] / v[1]
	if f < 0.5 || f > 0.6 {
		t.Errorf("brightness factor %v", f)
	}
	// Contrast keeps the mean and, with preserve_range, the range.
	ct := apply(`{"RandomContrast": {"contrast_range": [1.5, 1.5], "p": 1}}`, 1)
	var m0, m1 float64
	for i := range ct {
		m0 += float64(v[i])
		m1 += float64(ct[i])
		if ct[i] < slices.Min(v)-1e-6 || ct[i] > slices.Max(v)+1e-6 {
			t.Fatalf("contrast left the range: %v", ct[i])
		}
	}
	if math.Abs(m0-m1) > 1 {
		t.Errorf("contrast moved the mean a lot: %v → %v", m0, m1)
	}
}

func TestApplyBadInput(t *testing.T) {
	l := mustParse(t, `{"NormalizeInstance": {}}`).For(Training, false)
	shape := [3]int{1, 1, 2}
	s := &Sample{Im: Part{Data: [][]float32{{1, float32(math.NaN())}}, Shape: shape}}
	if _, err := l.Apply(s, nil); err == nil || !strings.Contains(err.Error(), "im volume 0 is NaN at voxel 1") {
		t.Errorf("NaN: %v", err)
	}
	s = &Sample{Im: Part{Data: [][]float32{{1, 2, 3}}, Shape: shape}}
	if _, err := l.Apply(s, nil); err == nil || !strings.Contains(err.Error(), "im volume 0 has 3 voxels, shape [1 1 2] needs 2") {
		t.Errorf("shape: %v", err)
	}
	s = &Sample{GT: Part{Data: [][]float32{{0.2, 0.5, 0.9}}, Shape: [3]int{1, 1, 3}}}
	s.BinarizeGT()
	if !slices.Equal(s.GT.Data[0], []float32{0, 1, 1}) {
		t.Errorf("BinarizeGT: %v", s.GT.Data[0])
	}
}

// TestAffineLinearAt checks affineTransform's trilinear sampling against
// the generic one it replaced (sampleAt of order 1 on a float64 copy,
// indices clamped), bit for bit, on random shapes, rotations, scalings
// and shifts, 2D (depth 1) and 3D.
func TestAffineLinearAt(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	clamp := func(i, n int) int { return min(max(i, 0), n-1) }
	for c := range 60 {
		shape := [3]int{1 + r.IntN(13), 1 + r.IntN(11), 1 + r.IntN(9)}
		if c%3 == 0 {
			shape[2] = 1
		}
		v := make([]float32, shape[0]*shape[1]*shape[2])
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		p := &affineParams{axes: [2]int{0, 1 + r.IntN(2)}, angle: r.Float64()*2 - 1,
			scale: [3]float64{0.8 + 0.4*r.Float64(), 0.8 + 0.4*r.Float64(), 0.8 + 0.4*r.Float64()}}
		if shape[2] == 1 {
			p.axes[1] = 1
		}
		m := p.matrix(c%2 == 0)
		off := [3]float64{r.Float64()*4 - 2, r.Float64()*4 - 2, 0}
		if shape[2] > 1 {
			off[2] = r.Float64()*2 - 1
		}
		got := affineTransform(v, shape, m, off)
		cv := make([]float64, len(v))
		for i, x := range v {
			cv[i] = float64(x)
		}
		for i := 0; i < shape[0]; i++ {
			for j := 0; j < shape[1]; j++ {
				for k := 0; k < shape[2]; k++ {
					o := [3]float64{float64(i), float64(j), float64(k)}
					var x [3]float64
					inside := true
					for a := range 3 {
						x[a] = m[a][0]*o[0] + m[a][1]*o[1] + m[a][2]*o[2] + off[a]
						if x[a] < -1e-9 || x[a] > float64(shape[a]-1)+1e-9 {
							inside = false
						}
						x[a] = math.Min(math.Max(x[a], 0), float64(shape[a]-1))
					}
					var want float32
					if inside {
						want = float32(sampleAt(cv, shape, 1, x, clamp))
					}
					if g := got[idx(shape, i, j, k)]; math.Float32bits(g) != math.Float32bits(want) {
						t.Fatalf("case %d, shape %v, voxel (%d,%d,%d): got %v, want %v", c, shape, i, j, k, g, want)
					}
				}
			}
		}
	}
}
