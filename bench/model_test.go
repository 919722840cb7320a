package bench

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/nn"
)

// The whole-model cases (kind "model") time one training step and one
// inference pass of ivadomed's U-Nets, as peer_torch.py does; see
// nn.PeerStep. They run under BenchmarkCases:
//
//	go test -run XXX -bench 'Cases/unet' -benchtime 5x ./bench/
func init() {
	Register("model", modelSetup)
}

func modelSetup(c Case) (func(), error) {
	var prefix string
	var training bool
	switch {
	case strings.HasSuffix(c.Name, "_train"):
		prefix, training = strings.TrimSuffix(c.Name, "_train"), true
	case strings.HasSuffix(c.Name, "_infer"):
		prefix = strings.TrimSuffix(c.Name, "_infer")
	default:
		return nil, fmt.Errorf("model case %q is neither _train nor _infer", c.Name)
	}
	nn.SetSeed(0)
	m, err := nn.PeerModel(prefix)
	if err != nil {
		return nil, err
	}
	if got := nn.CountParameters(m); c.Params != 0 && got != c.Params {
		return nil, fmt.Errorf("%s: model has %d parameters, the case says %d", c.Name, got, c.Params)
	}
	train, infer := nn.PeerStep(m, c.Input)
	if training {
		return train, nil
	}
	return infer, nil
}

// BenchmarkModels times the model cases and reports images (volumes) per
// second, as peer_torch.py's img_per_s, next to the conv GFLOP/s and the
// bytes allocated per step:
//
//	go test -run XXX -bench Models -benchtime 5x -cpu 2 ./bench/
func BenchmarkModels(b *testing.B) {
	for _, c := range Cases() {
		if c.Kind != "model" {
			continue
		}
		b.Run(c.Name, func(b *testing.B) {
			op, err := Prepare(c)
			if err != nil {
				b.Fatal(err)
			}
			op()
			op()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				op()
			}
			per := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(c.Input[0])/per, "img/s")
			b.ReportMetric(c.Flops/per/1e9, "GFLOP/s")
		})
	}
}

// TestModelCasesBuild checks that every model case of the table builds
// with the parameter count the peer reports, without timing anything.
func TestModelCasesBuild(t *testing.T) {
	n := 0
	for _, c := range Cases() {
		if c.Kind != "model" {
			continue
		}
		n++
		m, err := nn.PeerModel(strings.TrimSuffix(strings.TrimSuffix(c.Name, "_train"), "_infer"))
		if err != nil {
			t.Fatal(err)
		}
		if got := nn.CountParameters(m); got != c.Params {
			t.Errorf("%s: %d parameters, peer %d", c.Name, got, c.Params)
		}
	}
	if n != 6 {
		t.Errorf("%d model cases, want 6", n)
	}
}
