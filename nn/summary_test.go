package nn

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// TestSummaryMatchesPyTorch checks the summary's parameter count, output
// shape and convolution FLOPs against PyTorch's for the fixture models
// that are cheap to run.
func TestSummaryMatchesPyTorch(t *testing.T) {
	for _, f := range loadModelFixtures(t) {
		if f.Input == nil || len(f.Input) != 1 || f.ConvFLOPs > 3e9 {
			continue // HeMIS, FiLM and the big ones: covered elsewhere or too slow here
		}
		t.Run(f.Name, func(t *testing.T) {
			if testing.Short() && f.Parameters > 5e6 {
				t.Skip("short mode: large model")
			}
			m, err := Build(f.Model, f.Options)
			if err != nil {
				t.Skipf("not built: %v", err)
			}
			s, err := Summarize(f.Name, m, f.Input[0])
			if err != nil {
				t.Fatal(err)
			}
			if s.Parameters != f.Parameters {
				t.Errorf("%d parameters, PyTorch %d", s.Parameters, f.Parameters)
			}
			if ShapeString(s.Output) != ShapeString(f.Output) {
				t.Errorf("output %v, PyTorch %v", s.Output, f.Output)
			}
			if math.Abs(s.ConvGFLOPs*1e9-f.ConvFLOPs) > 1e-9*f.ConvFLOPs {
				t.Errorf("conv FLOPs %g, PyTorch %g", s.ConvGFLOPs*1e9, f.ConvFLOPs)
			}
			var b bytes.Buffer
			if err := s.WriteTable(&b); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), groupDigits(f.Parameters)) {
				t.Errorf("table lacks the parameter count:\n%s", b.String())
			}
		})
	}
}

func TestSummaryBadInput(t *testing.T) {
	m := NewModified3DUNet(Modified3DUNetConfig{Filters: 2})
	if _, err := Summarize("m", m, []int{1, 1, 20, 16, 16}); err == nil || !strings.Contains(err.Error(), "divisible by 16") {
		t.Errorf("error %v, want one about divisibility by 16", err)
	}
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 4901569: "4,901,569", -1234: "-1,234"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPredictMatchesNoGrad(t *testing.T) {
	SetSeed(9)
	m := NewUnet(UnetConfig{Depth: 2, Filters: 4})
	x := autograd.Const(tensor.Uniform[float32](tensor.NewRNG(3), 0, 1, 2, 1, 16, 16))
	SetTraining(m, false)
	var want *autograd.Value
	autograd.NoGrad(func() { want = m.Forward(x) })
	SetTraining(m, true)
	for i := 0; i < 3; i++ { // again, on recycled buffers
		got := Predict(m, Input{X: x})
		compare(t, "prediction", got.Values(), want.Data().Values(), 0)
	}
}
