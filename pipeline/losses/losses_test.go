package losses

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

type fixture struct {
	Name   string          `json:"name"`
	Params json.RawMessage `json:"params"`
	Shape  []int           `json:"shape"`
	Pred   []float64       `json:"pred"`
	Target []float64       `json:"target"`
	Loss   float64         `json:"loss"`
	Grad   []float64       `json:"grad"`
}

func relClose(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

// TestTorchFixtures compares values and gradients with PyTorch
// (testdata/make_fixtures.py), in float64.
func TestTorchFixtures(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "fixtures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []fixture
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, c := range cases {
		f, err := Build[float64](c.Name, c.Params)
		if err != nil {
			t.Fatalf("case %d %s: %v", i, c.Name, err)
		}
		seen[c.Name] = true
		p := autograd.Param(tensor.FromSlice(append([]float64(nil), c.Pred...), c.Shape...))
		tg := autograd.Const(tensor.FromSlice(append([]float64(nil), c.Target...), c.Shape...))
		l := f(p, tg)
		if !relClose(l.Item(), c.Loss, 1e-10) {
			t.Errorf("case %d %s %s %v: loss %v, torch %v", i, c.Name, c.Params, c.Shape, l.Item(), c.Loss)
			continue
		}
		l.Backward()
		g := p.Grad().Contiguous().Data()
		for j := range g {
			if !relClose(g[j], c.Grad[j], 1e-8) {
				t.Errorf("case %d %s %s %v: grad[%d] %v, torch %v", i, c.Name, c.Params, c.Shape, j, g[j], c.Grad[j])
				break
			}
		}
	}
	for _, n := range Names() {
		if !seen[n] {
			t.Errorf("no PyTorch fixture for %s", n)
		}
	}
}

// TestFiniteDifferences checks every loss's gradient against central
// differences in float64, on inputs away from the clamps and kinks.
func TestFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	shapes := [][]int{{2, 2, 3, 2}, {1, 3, 2, 2, 2}}
	for _, name := range Names() {
		params := json.RawMessage(nil)
		if name == "LossCombination" {
			params = json.RawMessage(`{"losses_list": ["DiceLoss", "FocalLoss", "TverskyLoss"], "params_list": [null, {"gamma": 1.5}, null]}`)
		}
		f, err := Build[float64](name, params)
		if err != nil {
			t.Fatal(err)
		}
		for _, shape := range shapes {
			n := 1
			for _, d := range shape {
				n *= d
			}
			pd := make([]float64, n)
			td := make([]float64, n)
			for i := range pd {
				pd[i] = 0.1 + 0.8*r.Float64()
				if r.Float64() < 0.4 {
					td[i] = 1
				}
			}
			if name == "AdapWingLoss" {
				for i := range td {
					td[i] = r.Float64()
				}
			}
			eval := func(x []float64) float64 {
				var out float64
				autograd.NoGrad(func() {
					p := autograd.Const(tensor.FromSlice(append([]float64(nil), x...), shape...))
					out = f(p, autograd.Const(tensor.FromSlice(td, shape...))).Item()
				})
				return out
			}
			p := autograd.Param(tensor.FromSlice(append([]float64(nil), pd...), shape...))
			f(p, autograd.Const(tensor.FromSlice(td, shape...))).Backward()
			g := p.Grad().Contiguous().Data()
			const h = 1e-6
			for i := range pd {
				x := append([]float64(nil), pd...)
				x[i] += h
				up := eval(x)
				x[i] -= 2 * h
				down := eval(x)
				num := (up - down) / (2 * h)
				if math.Abs(num-g[i]) > 1e-5*math.Max(1, math.Abs(num)) {
					t.Errorf("%s %v: d/dp[%d] analytic %v, numeric %v", name, shape, i, g[i], num)
					break
				}
			}
		}
	}
}

func TestHand(t *testing.T) {
	mk := func(d []float64, shape ...int) *autograd.Var[float64] {
		return autograd.Const(tensor.FromSlice(d, shape...))
	}
	one := mk([]float64{1, 0, 1, 0}, 1, 1, 2, 2)
	half := mk([]float64{0.5, 0.5, 0.5, 0.5}, 1, 1, 2, 2)
	cases := []struct {
		name string
		got  float64
		want float64
	}{
		{"Dice perfect", Dice[float64](1)(one, one).Item(), -1},
		// −(2·1 + 1)/(2 + 2 + 1)
		{"Dice half", Dice[float64](1)(half, one).Item(), -3.0 / 5},
		{"L2", L2[float64]()(half, one).Item(), 4 * 0.25 / 2},
		{"BCE half", BCE[float64]()(half, one).Item(), math.Log(2)},
		// TP=1, FP=1, FN=1: (1+1)/(1+0.7+0.3+1)
		{"Tversky", Tversky[float64](0.7, 0.3, 1)(half, one).Item(), -2.0 / 3},
		// p_t = 0.5 everywhere: a_t (0.25 on 1s, 0.75 on 0s)·0.25·log 2 summed.
		{"Focal", Focal[float64](2, 0.25, 1e-7)(half, one).Item(), (2*0.25 + 2*0.75) * 0.25 * math.Log(2)},
		// with background: p channel sums 0.5 ≠ 0; target background = 1 where t = 0.
		{"GDL no bg perfect", GeneralizedDice[float64](1e-5, false)(one, one).Item(), -1},
	}
	for _, c := range cases {
		if !relClose(c.got, c.want, 1e-12) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	cases := []struct {
		name, params, want string
	}{
		{"DiceLos", ``, `loss "DiceLos": unknown`},
		{"DiceLoss", `{"smoth": 1}`, `loss DiceLoss: json: unknown field "smoth"`},
		{"FocalLoss", `{"gamma": "2"}`, "loss FocalLoss"},
		{"LossCombination", `{"losses_list": ["DiceLoss"], "params_list": [null, null]}`, "1 losses but 2 entries"},
		{"LossCombination", `{"losses_list": ["DiceLoss", "Nope"]}`, "losses_list[1]"},
		{"LossCombination", `{}`, "losses_list is empty"},
		{"FocalTverskyLoss", `{"gamma": 0}`, "gamma must not be 0"},
	}
	for _, c := range cases {
		_, err := Build[float32](c.name, json.RawMessage(c.params))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: error %v, want %q", c.name, c.params, err, c.want)
		}
	}
}

func TestFloat32(t *testing.T) {
	for _, name := range Names() {
		params := json.RawMessage(nil)
		if name == "LossCombination" {
			params = json.RawMessage(`{"losses_list": ["AdapWingLoss", "L2loss", "DiceLoss"], "params_list": [null, null, null]}`)
		}
		f, err := New(name, params)
		if err != nil {
			t.Fatal(err)
		}
		f64, _ := Build[float64](name, params)
		pd := []float32{0.2, 0.7, 0.9, 0.4, 0.1, 0.6, 0.3, 0.8}
		td := []float32{0, 1, 1, 0, 0, 1, 0, 1}
		p := autograd.Param(tensor.FromSlice(pd, 2, 2, 2))
		l := f(p, autograd.Const(tensor.FromSlice(td, 2, 2, 2)))
		l.Backward()
		want := f64(autograd.Const(tensor.Convert[float64](tensor.FromSlice(pd, 2, 2, 2))),
			autograd.Const(tensor.Convert[float64](tensor.FromSlice(td, 2, 2, 2)))).Item()
		if !relClose(float64(l.Item()), want, 1e-5) || p.Grad() == nil {
			t.Errorf("%s float32 %v, float64 %v", name, l.Item(), want)
		}
	}
}

func TestShapeMismatchPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "prediction shape [1 1 2], target shape [1 1 3]") {
			t.Errorf("panic %v", r)
		}
	}()
	Dice[float64](1)(autograd.Const(tensor.FromSlice([]float64{1, 2}, 1, 1, 2)), autograd.Const(tensor.FromSlice([]float64{1, 2, 3}, 1, 1, 3)))
}

func TestParse(t *testing.T) {
	f, err := Parse[float64](json.RawMessage(`{"name": "LossCombination", "losses_list": ["AdapWingLoss", "L2loss", "DiceLoss"], "params_list": [{"theta": 0.5, "alpha": 2.1, "omega": 14, "epsilon": 1}, {}, {"smooth": 1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	p := autograd.Const(tensor.FromSlice([]float64{0.5, 0.5}, 1, 1, 2))
	tg := autograd.Const(tensor.FromSlice([]float64{1, 0}, 1, 1, 2))
	want := AdapWing[float64](0.5, 2.1, 14, 1)(p, tg).Item() + L2[float64]()(p, tg).Item() + Dice[float64](1)(p, tg).Item()
	if got := f(p, tg).Item(); !relClose(got, want, 1e-12) {
		t.Errorf("LossCombination %v, want the sum %v", got, want)
	}
	for _, c := range []struct{ raw, want string }{
		{`{"smooth": 1}`, "training_parameters.loss.name"},
		{`{"name": "DiceLoss", "smoth": 1}`, `training_parameters.loss DiceLoss: json: unknown field "smoth"`},
		{`[1]`, "training_parameters.loss: want an object"},
	} {
		if _, err := Parse[float32](json.RawMessage(c.raw)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.raw, err, c.want)
		}
	}
}
