package nn

import (
	"slices"
	"strings"
	"testing"
)

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
