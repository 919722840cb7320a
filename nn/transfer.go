package nn

import (
	"fmt"
	"math"
	"strings"
)

// ResetLayers lists, in PyTorch's named_modules order, the modules that
// count as layers for transfer learning: those with learnable state that
// PyTorch can reset (convolutions, linear layers, batch/instance/group
// norms), as ivadomed's set_model_for_retrain counts them.
func ResetLayers(m Module) []string {
	var out []string
	for _, nm := range Modules(m) {
		if nm.Module.base().reset != nil {
			out = append(out, nm.Name)
		}
	}
	return out
}

// Retrain prepares a trained model for transfer learning as ivadomed's
// set_model_for_retrain: of its n layers (see ResetLayers), the first
// round(n·(1−fraction)) are frozen (their parameters stop requiring
// gradients) and, with reset, the others are re-initialised. It returns
// the names of the frozen parameters.
//
// Two ivadomed slips are not copied: a layer name that is a prefix of
// another (down_path.1 and down_path.10) does not capture the latter, and
// fraction 0 freezes everything instead of failing.
func Retrain(m Module, fraction float64, reset bool) ([]string, error) {
	if fraction < 0 || fraction > 1 || math.IsNaN(fraction) {
		return nil, fmt.Errorf("nn: retrain fraction %v: want a value in [0, 1]", fraction)
	}
	layers := ResetLayers(m)
	n := len(layers)
	// Python's round: halves go to the even neighbour.
	nFreeze := int(math.RoundToEven(float64(n) * (1 - fraction)))
	var frozen []string
	if nFreeze >= n {
		for _, p := range NamedParameters(m) {
			p.Value.SetRequiresGrad(false)
			frozen = append(frozen, p.Name)
		}
		return frozen, nil
	}
	first := layers[nFreeze]
	for _, p := range NamedParameters(m) {
		if p.Name == first || strings.HasPrefix(p.Name, first+".") {
			break
		}
		p.Value.SetRequiresGrad(false)
		frozen = append(frozen, p.Name)
	}
	if reset {
		byName := map[string]Module{}
		for _, nm := range Modules(m) {
			byName[nm.Name] = nm.Module
		}
		for _, name := range layers[nFreeze:] {
			byName[name].base().reset()
		}
	}
	return frozen, nil
}
