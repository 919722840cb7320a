package nn

import (
	"encoding/json"
	"os"
	"testing"
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
// fixture and compares its parameter count and its state-dict keys and
// shapes, in order, with PyTorch's.
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
