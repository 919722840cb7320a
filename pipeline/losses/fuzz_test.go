package losses

import (
	"encoding/json"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// FuzzParse: any loss object gives a loss or an error, and a loss built
// evaluates and differentiates a small batch without panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"name": "DiceLoss"}`, `{"name": "FocalLoss", "gamma": 2, "alpha": 0.25}`,
		`{"name": "LossCombination", "losses_list": ["AdapWingLoss", "L2loss"], "params_list": [null, {}]}`,
		`{"name": "MultiClassDiceLoss", "classes_of_interest": [0]}`, `{"name": "GeneralizedDiceLoss", "include_background": false}`,
		`{}`, `null`, `{"name": 3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		fn, err := Parse[float64](json.RawMessage(raw))
		if err != nil {
			return
		}
		p := autograd.Param(tensor.FromSlice([]float64{0.2, 0.7, 0.9, 0.4}, 1, 2, 2))
		tg := autograd.Const(tensor.FromSlice([]float64{0, 1, 1, 0}, 1, 2, 2))
		defer func() {
			// A class of interest outside the channels is a programmer's
			// misuse of the loss and panics by design.
			if r := recover(); r != nil {
				if s, ok := r.(string); !ok || len(s) < 7 || s[:7] != "losses:" {
					panic(r)
				}
			}
		}()
		fn(p, tg).Backward()
	})
}
