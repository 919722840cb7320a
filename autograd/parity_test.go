package autograd

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

// The fixtures come from testdata/make_fixtures.py (PyTorch, float64, on
// float32-exact inputs). Both element types are compared with them.

type arrayJSON struct {
	Shape []int
	Data  []float64
}

type stepJSON struct {
	X                        arrayJSON
	Y, Dy, Dx, Dgamma, Dbeta []float64
	RunningMean, RunningVar  []float64 `json:"-"`
	RunningMeanJ             []float64 `json:"running_mean"`
	RunningVarJ              []float64 `json:"running_var"`
}

type fixture struct {
	Name, Op      string
	Momentum, Eps float64
	Affine        bool
	RunningMean0  []float64 `json:"running_mean0"`
	RunningVar0   []float64 `json:"running_var0"`
	Gamma, Beta   []float64
	Train         []stepJSON
	Eval          *stepJSON
	Groups        int
	X, W          arrayJSON
	Y, Dy, Dx     []float64
	Dgamma, Dbeta []float64
	B, Dw, Db     []float64
	Slope, Alpha  float64
	Lo, Hi        float64
	Dim           int
	Dims          []int
	Unbiased      bool
	P             float64
}

func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	b, err := os.ReadFile("testdata/torch_fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Cases []fixture }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("testdata/torch_fixtures.json: %v", err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("testdata/torch_fixtures.json: no cases")
	}
	return f.Cases
}

func fromF64[E Float](v []float64, shape ...int) *tensor.Dense[E] {
	d := make([]E, len(v))
	for i, x := range v {
		d[i] = E(x)
	}
	if shape == nil {
		shape = []int{len(v)}
	}
	return tensor.FromSlice(d, shape...)
}

// tolerance: 1e-5 relative, with an absolute floor for values near 0 that
// float32 cannot resolve relatively.
func near[E Float](got E, want float64) bool {
	abs := 1e-9
	var z E
	if _, ok := any(z).(float32); ok {
		abs = 1e-6
	}
	return math.Abs(float64(got)-want) <= 1e-5*math.Abs(want)+abs
}

func compare[E Float](t *testing.T, what string, got *tensor.Dense[E], want []float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: nil, want %d values", what, len(want))
		return
	}
	g := got.Contiguous().Data()
	if len(g) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(g), len(want))
		return
	}
	bad := 0
	for i := range g {
		if !near(g[i], want[i]) {
			if bad < 3 {
				t.Errorf("%s[%d] = %v, PyTorch %v", what, i, g[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ from PyTorch", what, bad, len(g))
	}
}

func optParam[E Float](v []float64) *Var[E] {
	if v == nil {
		return nil
	}
	return Param(fromF64[E](v))
}

func runParity[E Float](t *testing.T, f fixture) {
	switch f.Op {
	case "batchnorm":
		gamma, beta := optParam[E](f.Gamma), optParam[E](f.Beta)
		rm, rv := fromF64[E](f.RunningMean0), fromF64[E](f.RunningVar0)
		for _, s := range f.Train {
			x := Param(fromF64[E](s.X.Data, s.X.Shape...))
			y := BatchNorm(x, gamma, beta, rm, rv, true, f.Momentum, f.Eps)
			compare(t, "train y", y.data, s.Y)
			compare(t, "running mean", rm, s.RunningMeanJ)
			compare(t, "running var", rv, s.RunningVarJ)
			y.BackwardWith(fromF64[E](s.Dy, s.X.Shape...))
			compare(t, "train dx", x.Grad(), s.Dx)
			if gamma != nil {
				compare(t, "dgamma", gamma.Grad(), s.Dgamma)
				compare(t, "dbeta", beta.Grad(), s.Dbeta)
				gamma.SetGrad(nil)
				beta.SetGrad(nil)
			}
		}
		s := f.Eval
		x := Param(fromF64[E](s.X.Data, s.X.Shape...))
		y := BatchNorm(x, gamma, beta, rm, rv, false, f.Momentum, f.Eps)
		compare(t, "eval y", y.data, s.Y)
		y.BackwardWith(fromF64[E](s.Dy, s.X.Shape...))
		compare(t, "eval dx", x.Grad(), s.Dx)
	case "instancenorm", "groupnorm":
		x := Param(fromF64[E](f.X.Data, f.X.Shape...))
		gamma, beta := optParam[E](f.Gamma), optParam[E](f.Beta)
		var y *Var[E]
		if f.Op == "instancenorm" {
			y = InstanceNorm(x, gamma, beta, 1e-5)
		} else {
			y = GroupNorm(x, f.Groups, gamma, beta, 1e-5)
		}
		compare(t, "y", y.data, f.Y)
		y.BackwardWith(fromF64[E](f.Dy, f.X.Shape...))
		compare(t, "dx", x.Grad(), f.Dx)
		if gamma != nil {
			compare(t, "dgamma", gamma.Grad(), f.Dgamma)
			compare(t, "dbeta", beta.Grad(), f.Dbeta)
		}
	case "relu", "leaky_relu", "elu", "clamp", "abs", "sigmoid", "tanh", "softmax", "log_softmax", "var":
		x := Param(fromF64[E](f.X.Data, f.X.Shape...))
		var y *Var[E]
		switch f.Op {
		case "relu":
			y = Relu(x)
		case "leaky_relu":
			y = LeakyRelu(x, E(f.Slope))
		case "elu":
			y = Elu(x, E(f.Alpha))
		case "clamp":
			y = Clamp(x, E(f.Lo), E(f.Hi))
		case "abs":
			y = Abs(x)
		case "sigmoid":
			y = Sigmoid(x)
		case "tanh":
			y = Tanh(x)
		case "softmax":
			y = Softmax(x, f.Dim)
		case "log_softmax":
			y = LogSoftmax(x, f.Dim)
		case "var":
			y = Variance(x, f.Dims, f.Unbiased, len(f.Dims) == 1)
		}
		compare(t, "y", y.data, f.Y)
		y.BackwardWith(fromF64[E](f.Dy, y.Shape()...))
		compare(t, "dx", x.Grad(), f.Dx)
	case "linear":
		x := Param(fromF64[E](f.X.Data, f.X.Shape...))
		w := Param(fromF64[E](f.W.Data, f.W.Shape...))
		b := Param(fromF64[E](f.B))
		y := Linear(x, w, b)
		compare(t, "y", y.data, f.Y)
		y.BackwardWith(fromF64[E](f.Dy, y.Shape()...))
		compare(t, "dx", x.Grad(), f.Dx)
		compare(t, "dw", w.Grad(), f.Dw)
		compare(t, "db", b.Grad(), f.Db)
	case "maximum", "minimum":
		a := Param(fromF64[E](f.X.Data, f.X.Shape...))
		b := Param(fromF64[E](f.W.Data, f.W.Shape...))
		var y *Var[E]
		if f.Op == "maximum" {
			y = Maximum(a, b)
		} else {
			y = Minimum(a, b)
		}
		compare(t, "y", y.data, f.Y)
		y.BackwardWith(fromF64[E](f.Dy, y.Shape()...))
		compare(t, "da", a.Grad(), f.Dx)
		compare(t, "db", b.Grad(), f.Dw)
	case "dropout", "channel_dropout":
		checkDropout[E](t, f)
	default:
		t.Fatalf("unknown fixture op %q", f.Op)
	}
}

// checkDropout reads PyTorch's scaling from its output (every element is
// 0 or x·scale, whole channels for channel dropout) and checks that ours
// follows the same convention with the same scale.
func checkDropout[E Float](t *testing.T, f fixture) {
	x := f.X.Data
	torchScale := 0.0
	for i, y := range f.Y {
		if y != 0 {
			torchScale = y / x[i]
			break
		}
	}
	if math.Abs(torchScale-1/(1-f.P)) > 1e-6 {
		t.Fatalf("PyTorch's scale %v is not 1/(1-p) = %v: the fixture contradicts the convention", torchScale, 1/(1-f.P))
	}
	in := Const(fromF64[E](x, f.X.Shape...))
	var y *Var[E]
	if f.Op == "dropout" {
		y = Dropout(in, f.P, true, tensor.NewRNG(1))
	} else {
		y = ChannelDropout(in, f.P, true, tensor.NewRNG(1))
	}
	plane := 1
	if f.Op == "channel_dropout" {
		for _, s := range f.X.Shape[2:] {
			plane *= s
		}
	}
	got := y.data.Data()
	zeros := 0
	for p := 0; p < len(got)/plane; p++ {
		dropped := got[p*plane] == 0
		if dropped {
			zeros++
		}
		for i := p * plane; i < (p+1)*plane; i++ {
			switch {
			case dropped && got[i] != 0:
				t.Fatalf("element %d: %v in a dropped unit", i, got[i])
			case !dropped && !near(got[i], x[i]*torchScale):
				t.Fatalf("element %d: %v, want 0 or x·%v = %v", i, got[i], torchScale, x[i]*torchScale)
			}
		}
	}
	units := len(got) / plane
	frac := float64(zeros) / float64(units)
	if sd := math.Sqrt(f.P * (1 - f.P) / float64(units)); math.Abs(frac-f.P) > 5*sd {
		t.Errorf("dropped %d of %d units, want about p = %v", zeros, units, f.P)
	}
	// Evaluation mode is the identity.
	if Dropout(in, f.P, false, tensor.NewRNG(1)) != in {
		t.Error("Dropout in evaluation mode is not the identity")
	}
}

func TestPyTorchParity(t *testing.T) {
	for _, f := range loadFixtures(t) {
		t.Run(f.Name+"/float64", func(t *testing.T) { runParity[float64](t, f) })
		t.Run(f.Name+"/float32", func(t *testing.T) { runParity[float32](t, f) })
	}
}
