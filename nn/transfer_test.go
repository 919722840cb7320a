package nn

import (
	"slices"
	"strings"
	"testing"
)

// TestResetLayersMatchPyTorch compares the layers transfer learning counts
// with the modules that have reset_parameters in PyTorch.
func TestResetLayersMatchPyTorch(t *testing.T) {
	var fx struct {
		Models []struct {
			Name        string   `json:"name"`
			ResetLayers []string `json:"reset_layers"`
		} `json:"models"`
	}
	loadFixture(t, "models.json", &fx)
	for _, f := range loadModelFixtures(t) {
		var want []string
		for _, g := range fx.Models {
			if g.Name == f.Name {
				want = g.ResetLayers
			}
		}
		t.Run(f.Name, func(t *testing.T) {
			m, err := Build(f.Model, f.Options)
			if err != nil {
				t.Skipf("not built: %v", err)
			}
			if got := ResetLayers(m); !slices.Equal(got, want) {
				t.Errorf("%d layers %q…, PyTorch %d %q…", len(got), got[:min(4, len(got))], len(want), want[:min(4, len(want))])
			}
		})
	}
}

func TestRetrain(t *testing.T) {
	SetSeed(3)
	m := NewUnet(UnetConfig{Depth: 2, Filters: 4})
	layers := ResetLayers(m) // 21 for depth 2
	before := map[string][]float32{}
	for _, p := range NamedParameters(m) {
		before[p.Name] = p.Value.Data().Values()
	}
	frozen, err := Retrain(m, 0.5, true)
	if err != nil {
		t.Fatal(err)
	}
	// round(21·0.5) = round(10.5) = 10 (half to even): layers 0..9 frozen.
	first := layers[10]
	for _, p := range NamedParameters(m) {
		inFrozen := slices.Contains(frozen, p.Name)
		late := !inFrozen
		if p.Value.RequiresGrad() == inFrozen {
			t.Errorf("%s: requires grad %v, frozen %v", p.Name, p.Value.RequiresGrad(), inFrozen)
		}
		changed := !slices.Equal(before[p.Name], p.Value.Data().Values())
		// Batch-norm weights reset to their initial 1 and 0, unchanged here.
		isNorm := strings.Contains(p.Name, "_bn.")
		if inFrozen && changed {
			t.Errorf("frozen %s was re-initialised", p.Name)
		}
		if late && !isNorm && !changed {
			t.Errorf("%s (from %s on) was not re-initialised", p.Name, first)
		}
	}
	if len(frozen) == 0 || !strings.HasPrefix(NamedParameters(m)[len(frozen)].Name, first) {
		t.Errorf("freezing stopped at %q, want at layer %q", NamedParameters(m)[len(frozen)].Name, first)
	}
	if _, err := Retrain(m, 1.5, false); err == nil {
		t.Error("fraction 1.5 accepted")
	}
	all, _ := Retrain(m, 0, false)
	if len(all) != len(NamedParameters(m)) {
		t.Errorf("fraction 0 froze %d of %d parameters", len(all), len(NamedParameters(m)))
	}
}
