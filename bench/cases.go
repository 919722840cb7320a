package bench

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
)

// Case is one entry of the peer benchmark's case table (cases.json, a copy
// of shared/bench/cases.json written by peer_torch.py --list-cases). Which
// fields are set depends on Kind.
type Case struct {
	Name string `json:"case"`
	Kind string `json:"kind"` // gemm, conv2d, conv3d, mem or model

	// gemm: C[M×N] = A[M×K]·B[K×N]. For conv and model cases N is the
	// batch size.
	M int `json:"M,omitempty"`
	N int `json:"N,omitempty"`
	K int `json:"K,omitempty"`

	// conv2d, conv3d.
	Cin     int      `json:"Cin,omitempty"`
	Cout    int      `json:"Cout,omitempty"`
	Spatial []int    `json:"spatial,omitempty"`
	Kernel  int      `json:"k,omitempty"`
	Pad     int      `json:"pad,omitempty"`
	Stride  int      `json:"stride,omitempty"`
	Bias    bool     `json:"bias,omitempty"`
	Grads   []string `json:"grads,omitempty"` // set for the _fwdbwd cases

	// mem: the activation shape; model: the input shape.
	Shape  []int `json:"shape,omitempty"`
	Input  []int `json:"input,omitempty"`
	Params int   `json:"params,omitempty"`

	// The nominal work the throughput is computed from: FLOPs for gemm,
	// conv and model cases, bytes for mem cases.
	Flops float64 `json:"flops,omitempty"`
	Bytes float64 `json:"bytes,omitempty"`
}

//go:embed cases.json
var casesJSON []byte

var cases []Case

func init() {
	if err := json.Unmarshal(casesJSON, &cases); err != nil {
		panic(fmt.Sprintf("bench: embedded cases.json: %v", err))
	}
}

// Cases returns the peer benchmark's cases in their table order.
func Cases() []Case {
	return append([]Case(nil), cases...)
}

// Select returns the cases whose name matches the regular expression
// filter (all of them for an empty filter).
func Select(filter string) ([]Case, error) {
	if filter == "" {
		return Cases(), nil
	}
	re, err := regexp.Compile(filter)
	if err != nil {
		return nil, fmt.Errorf("bench: filter %q: %w", filter, err)
	}
	var out []Case
	for _, c := range cases {
		if re.MatchString(c.Name) {
			out = append(out, c)
		}
	}
	return out, nil
}

// ParseCases reads a case table in the format of cases.json.
func ParseCases(data []byte) ([]Case, error) {
	var cs []Case
	if err := json.Unmarshal(data, &cs); err != nil {
		return nil, fmt.Errorf("bench: case table: %w", err)
	}
	for i, c := range cs {
		if c.Name == "" || c.Kind == "" {
			return nil, fmt.Errorf("bench: case table entry %d: missing \"case\" or \"kind\"", i)
		}
	}
	return cs, nil
}
