package transforms

import (
	"encoding/json"
	"testing"
)

// FuzzParse: any JSON gives a transform list or an error naming the key.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"Resample": {"hspace": 0.75, "wspace": 0.75, "dspace": 1}, "CenterCrop": {"size": [128, 128]}}`,
		`{"RandomAffine": {"degrees": [-5, 5], "scale": [0.1, 0.1], "translate": [0.03, 0.03], "applied_to": ["im", "gt"], "dataset_type": ["training"]}}`,
		`{"ElasticTransform": {"alpha_range": [28.0, 30.0], "sigma_range": [3.5, 4.5], "p": 0.1}, "NormalizeInstance": {"applied_to": ["im"]}}`,
		`{"RandomBiasField": {"coefficients": [0, 1], "order": 2}}`, `{}`, `null`, `{"X": {}}`, `{"CenterCrop": 1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		l, err := Parse(json.RawMessage(raw))
		if err != nil {
			return
		}
		for _, d := range []string{Training, Validation, Testing} {
			_ = l.For(d, d == Testing).Names()
		}
	})
}
