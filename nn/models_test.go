package nn

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

type modelFixture struct {
	Name                   string               `json:"name"`
	Model                  string               `json:"model"`
	Options                json.RawMessage      `json:"options"`
	Parameters             int                  `json:"parameters"`
	ParametersAfterForward int                  `json:"parameters_after_forward"`
	StateDict              [][2]json.RawMessage `json:"state_dict"`
	Input                  [][]int              `json:"input"`
	ConvFLOPs              float64              `json:"conv_flops"`
	Output                 []int                `json:"output"`
	ResetLayers            []string             `json:"reset_layers"`
}

func loadFixture(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func loadModelFixtures(t testing.TB) []modelFixture {
	var fx struct {
		Models []modelFixture `json:"models"`
	}
	loadFixture(t, "models.json", &fx)
	return fx.Models
}

// TestModelStructureMatchesPyTorch builds every model configuration of the
// fixture and compares its parameter count, its state-dict keys and
// shapes, in order, and the layers transfer learning counts (modules with
// reset_parameters) with PyTorch's.
func TestModelStructureMatchesPyTorch(t *testing.T) {
	fx := loadModelFixtures(t)
	for _, f := range fx {
		t.Run(f.Name, func(t *testing.T) {
			m, err := Build(f.Model, f.Options)
			if err != nil {
				t.Skipf("not built: %v", err)
			}
			if got := CountParameters(m); got != f.Parameters {
				t.Errorf("%d parameters, PyTorch %d", got, f.Parameters)
			}
			if got := ResetLayers(m); !slices.Equal(got, f.ResetLayers) {
				t.Errorf("%d reset layers %q…, PyTorch %d %q…", len(got), got[:min(4, len(got))], len(f.ResetLayers), f.ResetLayers[:min(4, len(f.ResetLayers))])
			}
			sd := StateDict(m)
			if len(sd) != len(f.StateDict) {
				t.Errorf("%d state-dict entries, PyTorch %d", len(sd), len(f.StateDict))
			}
			for i := 0; i < len(sd) && i < len(f.StateDict); i++ {
				var name string
				var shape []int
				json.Unmarshal(f.StateDict[i][0], &name)
				json.Unmarshal(f.StateDict[i][1], &shape)
				if sd[i].Name != name || ShapeString(sd[i].Shape) != ShapeString(shape) {
					t.Fatalf("entry %d: %s %v, PyTorch %s %v", i, sd[i].Name, sd[i].Shape, name, shape)
				}
			}
		})
	}
}

// TestFiLMWeightTying checks that after one forward pass the FiLM
// generators share their hidden weight as in ivadomed, so that the
// parameter count drops exactly as PyTorch's does.
func TestFiLMWeightTying(t *testing.T) {
	n := 0
	for _, f := range loadModelFixtures(t) {
		if f.ParametersAfterForward == f.Parameters {
			continue
		}
		n++
		t.Run(f.Name, func(t *testing.T) {
			m, err := Build(f.Model, f.Options)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Summarize(f.Name, m, f.Input[0]); err != nil {
				t.Fatal(err)
			}
			if got := CountParameters(m); got != f.ParametersAfterForward {
				t.Errorf("%d parameters after a forward pass, PyTorch %d", got, f.ParametersAfterForward)
			}
			if got := len(StateDict(m)); got != len(f.StateDict) {
				t.Errorf("%d state-dict entries after tying, PyTorch %d", got, len(f.StateDict))
			}
		})
	}
	if n < 3 {
		t.Errorf("only %d fixture models with tied FiLM weights", n)
	}
}

// TestEvalIsDeterministic runs every model configuration of the fixture
// that has inputs twice in evaluation mode on the same random input: the
// outputs must be equal bit for bit, which they are not if a dropout layer
// the model holds is out of SetTraining's reach (Modified3DUNet's was).
func TestEvalIsDeterministic(t *testing.T) {
	for _, f := range loadModelFixtures(t) {
		if f.Input == nil || (testing.Short() && f.ConvFLOPs > 3e9) {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			m, err := Build(f.Model, f.Options)
			if err != nil {
				t.Fatal(err)
			}
			g := tensor.NewRNG(7)
			var in []*autograd.Value
			for _, s := range f.Input {
				in = append(in, autograd.Const(tensor.Uniform[float32](g, 0, 1, s...)))
			}
			SetTraining(m, false)
			var a, b *autograd.Value
			autograd.NoGrad(func() {
				a = run(m, in, nil)
				b = run(m, in, nil)
			})
			av, bv := a.Data().Values(), b.Data().Values()
			for i := range av {
				if math.Float32bits(av[i]) != math.Float32bits(bv[i]) {
					t.Fatalf("evaluation mode: output[%d] is %v, then %v", i, av[i], bv[i])
				}
			}
		})
	}
}
