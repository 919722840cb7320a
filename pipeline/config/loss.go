package config

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Loss is training_parameters.loss: a loss class name and its keyword
// arguments. Params points to the parameter struct of Name (for example
// *FocalLossParams), filled with the class's defaults and then the file's
// values.
type Loss struct {
	Name   string
	Params any
}

// Loss parameter structs, with the defaults of ivadomed's losses.py.
type (
	DiceLossParams struct {
		Smooth float64 `json:"smooth"`
	}
	MultiClassDiceLossParams struct {
		// ClassesOfInterest nil means every class.
		ClassesOfInterest []int `json:"classes_of_interest,omitempty"`
	}
	NoParams        struct{}
	FocalLossParams struct {
		Gamma float64 `json:"gamma"`
		Alpha float64 `json:"alpha"`
		Eps   float64 `json:"eps"`
	}
	FocalDiceLossParams struct {
		Beta  float64 `json:"beta"`
		Gamma float64 `json:"gamma"`
		Alpha float64 `json:"alpha"`
	}
	GeneralizedDiceLossParams struct {
		Epsilon           float64 `json:"epsilon"`
		IncludeBackground bool    `json:"include_background"`
	}
	TverskyLossParams struct {
		Alpha  float64 `json:"alpha"`
		Beta   float64 `json:"beta"`
		Smooth float64 `json:"smooth"`
	}
	FocalTverskyLossParams struct {
		Alpha  float64 `json:"alpha"`
		Beta   float64 `json:"beta"`
		Gamma  float64 `json:"gamma"`
		Smooth float64 `json:"smooth"`
	}
	AdapWingLossParams struct {
		Theta   float64 `json:"theta"`
		Alpha   float64 `json:"alpha"`
		Omega   float64 `json:"omega"`
		Epsilon float64 `json:"epsilon"`
	}
	// DiceCELossParams are the parameters of DiceCELoss, nnU-Net's sum of
	// soft Dice and cross-entropy.
	DiceCELossParams struct {
		Smooth float64 `json:"smooth"`
	}
	// LossCombinationParams sums the listed losses; the file spells them
	// as parallel lists losses_list and params_list.
	LossCombinationParams struct {
		Losses []Loss
	}
)

var losses = &registry{what: "loss", make: map[string]func() any{
	"DiceLoss":               func() any { return &DiceLossParams{Smooth: 1} },
	"MultiClassDiceLoss":     func() any { return &MultiClassDiceLossParams{} },
	"BinaryCrossEntropyLoss": func() any { return &NoParams{} },
	"FocalLoss":              func() any { return &FocalLossParams{Gamma: 2, Alpha: 0.25, Eps: 1e-7} },
	"FocalDiceLoss":          func() any { return &FocalDiceLossParams{Beta: 1, Gamma: 2, Alpha: 0.25} },
	"GeneralizedDiceLoss":    func() any { return &GeneralizedDiceLossParams{Epsilon: 1e-5, IncludeBackground: true} },
	"TverskyLoss":            func() any { return &TverskyLossParams{Alpha: 0.7, Beta: 0.3, Smooth: 1} },
	"FocalTverskyLoss":       func() any { return &FocalTverskyLossParams{Alpha: 0.7, Beta: 0.3, Gamma: 1.33, Smooth: 1} },
	"L2loss":                 func() any { return &NoParams{} },
	"AdapWingLoss":           func() any { return &AdapWingLossParams{Theta: 0.5, Alpha: 2.1, Omega: 14, Epsilon: 1} },
	"LossCombination":        func() any { return &LossCombinationParams{} },
	// nnU-Net's Dice + cross-entropy, beyond ivadomed's losses.
	"DiceCELoss": func() any { return &DiceCELossParams{Smooth: 1e-5} },
}}

// LossNames lists the loss names the parser accepts.
func LossNames() []string { return losses.names() }

func (l *Loss) decodeTree(d *decoder, n *node, path string) {
	if n.kind != kindObject {
		d.typeErr(n, path, `an object such as {"name": "DiceLoss"}`)
		return
	}
	name := l.Name
	if nn := n.get("name"); nn != nil {
		if nn.kind != kindString {
			d.typeErr(nn, join(path, "name"), "a string")
			return
		}
		name = nn.str
	}
	mk := losses.lookup(name)
	if mk == nil {
		d.enumErr(n.get("name"), join(path, "name"), name, losses.names())
		return
	}
	params := l.Params
	if name != l.Name || params == nil {
		params = mk()
	}
	if p, ok := params.(*LossCombinationParams); ok {
		d.decodeCombination(n, path, p)
	} else {
		d.decodeParams(n, path, name, params, "name")
	}
	l.Name, l.Params = name, params
}

func (d *decoder) decodeCombination(n *node, path string, p *LossCombinationParams) {
	for i, k := range n.keys {
		if k != "name" && k != "losses_list" && k != "params_list" {
			d.unknownName(n.vals[i], join(path, k), k, []string{"name", "losses_list", "params_list"})
		}
	}
	ln := n.get("losses_list")
	if ln == nil {
		d.errorf(n, join(path, "losses_list"), "missing key: LossCombination needs \"losses_list\"")
		return
	}
	var names []string
	d.decode(ln, reflectValue(&names), join(path, "losses_list"), nil)
	pn := n.get("params_list")
	if pn != nil && (pn.kind != kindArray || len(pn.arr) != len(names)) {
		if pn.kind != kindArray {
			d.typeErr(pn, join(path, "params_list"), "a list of objects or nulls")
		} else {
			d.errorf(pn, join(path, "params_list"), "has %d items but losses_list has %d", len(pn.arr), len(names))
		}
		return
	}
	p.Losses = nil
	for i, name := range names {
		lp := join(path, "losses_list") + "[" + strconv.Itoa(i) + "]"
		if name == "LossCombination" {
			d.errorf(ln.arr[i], lp, "LossCombination cannot contain itself")
			continue
		}
		mk := losses.lookup(name)
		if mk == nil {
			d.enumErr(ln.arr[i], lp, name, losses.names())
			continue
		}
		params := mk()
		if pn != nil && pn.arr[i].kind != kindNull {
			pp := join(path, "params_list") + "[" + strconv.Itoa(i) + "]"
			if pn.arr[i].kind != kindObject {
				d.typeErr(pn.arr[i], pp, "an object or null")
				continue
			}
			d.decodeParams(pn.arr[i], pp, name, params)
		}
		p.Losses = append(p.Losses, Loss{Name: name, Params: params})
	}
}

// MarshalJSON writes {"name": ..., keyword arguments...}.
func (l Loss) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	name, _ := json.Marshal(l.Name)
	b.WriteString(`{"name":`)
	b.Write(name)
	if p, ok := l.Params.(*LossCombinationParams); ok {
		names := make([]string, len(p.Losses))
		params := make([]json.RawMessage, len(p.Losses))
		for i, sub := range p.Losses {
			names[i] = sub.Name
			var pb bytes.Buffer
			if err := writeParams(&pb, sub.Params); err != nil {
				return nil, err
			}
			s := pb.String()
			if len(s) > 0 {
				s = s[1:] // drop the leading comma
			}
			params[i] = json.RawMessage("{" + s + "}")
		}
		nb, _ := json.Marshal(names)
		pbs, err := json.Marshal(params)
		if err != nil {
			return nil, err
		}
		b.WriteString(`,"losses_list":`)
		b.Write(nb)
		b.WriteString(`,"params_list":`)
		b.Write(pbs)
	} else if err := writeParams(&b, l.Params); err != nil {
		return nil, err
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
