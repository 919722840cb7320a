package losses

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ivadogo/ivadogo/autograd"
)

// New returns the float32 loss the config names (training_parameters.loss:
// its "name" and the other keys as params, a JSON object; nil or empty for
// the defaults).
func New(name string, params json.RawMessage) (Func[float32], error) {
	return Build[float32](name, params)
}

// Names lists the loss names Build accepts.
func Names() []string {
	n := []string{"DiceLoss", "MultiClassDiceLoss", "BinaryCrossEntropyLoss", "FocalLoss", "FocalDiceLoss",
		"GeneralizedDiceLoss", "TverskyLoss", "FocalTverskyLoss", "L2loss", "AdapWingLoss", "LossCombination", "DiceCELoss"}
	sort.Strings(n)
	return n
}

func decode(name string, raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("loss %s: %w", name, err)
	}
	return nil
}

// Build returns the loss name with ivadomed's defaults overridden by
// params, in element type E.
func Build[E autograd.Float](name string, params json.RawMessage) (Func[E], error) {
	switch name {
	case "DiceLoss":
		p := struct {
			Smooth float64 `json:"smooth"`
		}{1}
		if err := decode(name, params, &p); err != nil {
			return nil, err
		}
		return Dice[E](p.Smooth), nil
	case "MultiClassDiceLoss":
		var p struct {
			Classes []int `json:"classes_of_interest"`
		}
		if err := decode(name, params, &p); err != nil {
			return nil, err
		}
		return MultiClassDice[E](p.Classes), nil
	case "BinaryCrossEntropyLoss":
		if err := decode(name, params, &struct{}{}); err != nil {
			return nil, err
		}
		return BCE[E](), nil
	case "FocalLoss":
		p := struct {
			Gamma float64 `json:"gamma"`
			Alpha float64 `json:"alpha"`
			Eps   float64 `json:"eps"`
		}{2, 0.25, 1e-7}
		if err := decode(name, params, &p); err != nil {
			return nil, err
		}
		return Focal[E](p.Gamma, p.Alpha, p.Eps), nil
	case "FocalDiceLoss":
		p := struct {
			Beta  float64 `json:"beta"`
			Gamma float64 `json:"gamma"`
			Alpha float64 `json:"alpha"`
		}{1, 2, 0.25}
		if err := decode(name, params, &p); err != nil {
			return nil, err
		}
		return FocalDice[E](p.Beta, p.Gamma, p.Alpha), nil
	case "GeneralizedDiceLoss":
		p := struct {
			Epsilon float64 `json:"epsilon"`
			Bg      bool    `json:"include_background"`
		}{1e-5, true}
		if err := decode(name, params, &p); err != nil {
			return nil, err
		}
		return GeneralizedDice[E](p.Epsilon, p.Bg), nil
	case "TverskyLoss":
		p := struct {
			Alpha  float64 `json:"alpha"`
			Beta   float64 `json:"beta"`
			Smooth float64 `json:"smooth"`
		}{0.7, 0.3, 1}
		if err := decode(name, params, &p); err != nil {
			return nil, err
		}
		return Tversky[E](p.Alpha, p.Beta, p.Smooth), nil
	case "FocalTverskyLoss":
		p := struct {
			Alpha  float64 `json:"alpha"`
			Beta   float64 `json:"beta"`
			Gamma  float64 `json:"gamma"`
			Smooth float64 `json:"smooth"`
		}{0.7, 0.3, 1.33, 1}
		if err := decode(name, params, &p); err != nil {
			return nil, err
		}
		if p.Gamma == 0 {
			return nil, fmt.Errorf("loss FocalTverskyLoss: gamma must not be 0 (the exponent is 1/gamma)")
		}
		return FocalTversky[E](p.Alpha, p.Beta, p.Gamma, p.Smooth), nil
	case "L2loss":
		if err := decode(name, params, &struct{}{}); err != nil {
			return nil, err
		}
		return L2[E](), nil
	case "AdapWingLoss":
		p := struct {
			Theta   float64 `json:"theta"`
			Alpha   float64 `json:"alpha"`
			Omega   float64 `json:"omega"`
			Epsilon float64 `json:"epsilon"`
		}{0.5, 2.1, 14, 1}
		if err := decode(name, params, &p); err != nil {
			return nil, err
		}
		if p.Epsilon <= 0 {
			return nil, fmt.Errorf("loss AdapWingLoss: epsilon must be positive, got %v", p.Epsilon)
		}
		return AdapWing[E](p.Theta, p.Alpha, p.Omega, p.Epsilon), nil
	case "DiceCELoss":
		p := struct {
			Smooth float64 `json:"smooth"`
		}{1e-5}
		if err := decode(name, params, &p); err != nil {
			return nil, err
		}
		return DiceCE[E](p.Smooth), nil
	case "LossCombination":
		var p struct {
			Losses []string          `json:"losses_list"`
			Params []json.RawMessage `json:"params_list"`
		}
		if err := decode(name, params, &p); err != nil {
			return nil, err
		}
		if len(p.Losses) == 0 {
			return nil, fmt.Errorf("loss LossCombination: losses_list is empty")
		}
		if p.Params != nil && len(p.Params) != len(p.Losses) {
			return nil, fmt.Errorf("loss LossCombination: %d losses but %d entries in params_list", len(p.Losses), len(p.Params))
		}
		var fs []Func[E]
		for i, n := range p.Losses {
			if n == "LossCombination" {
				return nil, fmt.Errorf("loss LossCombination: losses_list[%d]: LossCombination cannot nest", i)
			}
			var raw json.RawMessage
			if p.Params != nil {
				raw = p.Params[i]
			}
			f, err := Build[E](n, raw)
			if err != nil {
				return nil, fmt.Errorf("loss LossCombination: losses_list[%d]: %w", i, err)
			}
			fs = append(fs, f)
		}
		return Combination(fs...), nil
	}
	return nil, fmt.Errorf("loss %q: unknown (want one of %s)", name, strings.Join(Names(), ", "))
}

// Combination is LossCombination: the sum of the losses.
func Combination[E autograd.Float](fs ...Func[E]) Func[E] {
	return func(p, t *v[E]) *v[E] {
		var sum *v[E]
		for _, f := range fs {
			l := f(p, t)
			if sum == nil {
				sum = l
			} else {
				sum = autograd.Add(sum, l)
			}
		}
		return sum
	}
}

// Parse builds the loss of a training_parameters.loss object,
// {"name": "FocalLoss", "gamma": 2, …}: the name and its keyword
// arguments side by side, as ivadomed's configs write them.
func Parse[E autograd.Float](raw json.RawMessage) (Func[E], error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, fmt.Errorf("training_parameters.loss: want an object such as {\"name\": \"DiceLoss\"}: %w", err)
	}
	var name string
	if err := json.Unmarshal(fields["name"], &name); err != nil || name == "" {
		return nil, fmt.Errorf("training_parameters.loss.name: want a loss name (one of %s)", strings.Join(Names(), ", "))
	}
	delete(fields, "name")
	rest, _ := json.Marshal(fields)
	f, err := Build[E](name, rest)
	if err != nil {
		return nil, fmt.Errorf("training_parameters.%w", err)
	}
	return f, nil
}
