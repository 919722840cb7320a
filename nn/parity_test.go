package nn

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn/optim"
	"github.com/ivadogo/ivadogo/nn/safetensors"
	"github.com/ivadogo/ivadogo/tensor"
)

type parityFixture struct {
	Name      string          `json:"name"`
	Model     string          `json:"model"`
	Options   json.RawMessage `json:"options"`
	File      string          `json:"file"`
	Optimizer struct {
		Kind     string  `json:"kind"`
		LR       float64 `json:"lr"`
		Momentum float64 `json:"momentum"`
	} `json:"optimizer"`
	DiceLosses []float64 `json:"dice_losses"`
	NInputs    int       `json:"n_inputs"`
}

// compare checks got against want elementwise as numpy's
// assert_allclose(rtol=rtol, atol=rtol·max|want|): float32 rounding
// errors scale with the magnitude of the terms a value is summed from,
// not with the value itself, so an element that cancels to near zero is
// held to the tensor's scale.
func compare(t testing.TB, what string, got, want []float32, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	var mx float64
	for _, w := range want {
		mx = math.Max(mx, math.Abs(float64(w)))
	}
	worst, at := 0.0, -1
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		if math.IsNaN(g) != math.IsNaN(w) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, g, w)
		}
		e := math.Abs(g-w) / (math.Abs(w) + mx + 1e-30)
		if e > worst {
			worst, at = e, i
		}
	}
	if worst > rtol {
		t.Errorf("%s: error %.3g (relative to |want|+max|want|) at %d (got %v, want %v), tolerance %g", what, worst, at, got[at], want[at], rtol)
	}
}

func tensorOf(t testing.TB, f *safetensors.File, name string) *tensor.Tensor {
	t.Helper()
	st, ok := f.Tensors[name]
	if !ok {
		t.Fatalf("fixture has no tensor %q", name)
	}
	v, err := st.AsFloat32()
	if err != nil {
		t.Fatal(err)
	}
	return tensor.FromSlice(v, st.Shape...)
}

// run calls the model with the fixture's inputs: the image, then the
// metadata for FiLM models; for HeMIS, one image per contrast and their
// availability.
func run(m Module, in []*autograd.Value, present [][]bool) *autograd.Value {
	if _, ok := m.(*HeMISUnet); ok {
		return Run(m, Input{Images: in, Present: present})
	}
	x := Input{X: in[0]}
	if len(in) > 1 {
		x.Metadata = in[1]
	}
	return Run(m, x)
}

// TestOutputParity loads PyTorch's weights of small models through
// safetensors and compares the outputs in evaluation and training mode,
// then runs five Adam steps on a Dice loss and compares the losses.
func TestOutputParity(t *testing.T) {
	var fx struct {
		Models []parityFixture `json:"models"`
	}
	loadFixture(t, "parity.json", &fx)
	for _, p := range fx.Models {
		t.Run(p.Name, func(t *testing.T) {
			if testing.Short() && p.Model == "Modified3DUNet" && p.Name != "mod3d_small" {
				t.Skip("short mode: one Modified3DUNet variant only")
			}
			f, err := safetensors.ReadFile("testdata/" + p.File)
			if err != nil {
				t.Fatal(err)
			}
			// HeMIS fixtures carry the contrasts' availability next to the
			// model's options.
			var opts map[string]json.RawMessage
			if err := json.Unmarshal(p.Options, &opts); err != nil {
				t.Fatal(err)
			}
			var present [][]bool
			if pr, ok := opts["present"]; ok {
				json.Unmarshal(pr, &present)
				delete(opts, "present")
			}
			ob, _ := json.Marshal(opts)
			m, err := Build(p.Model, ob)
			if err != nil {
				t.Fatal(err)
			}
			if err := LoadWeights(m, f, "weights."); err != nil {
				t.Fatal(err)
			}
			var in []*autograd.Value
			for i := 0; i < p.NInputs; i++ {
				in = append(in, autograd.Const(tensorOf(t, f, fmt.Sprintf("input.%d", i))))
			}
			SetTraining(m, false)
			var out *autograd.Value
			autograd.NoGrad(func() { out = run(m, in, present) })
			compare(t, "eval output", out.Data().Values(), tensorOf(t, f, "output.eval").Values(), 1e-4)
			SetTraining(m, true)
			out = run(m, in, present)
			compare(t, "train output", out.Data().Values(), tensorOf(t, f, "output.train").Values(), 1e-4)

			// Train from the same weights as PyTorch did.
			if err := LoadWeights(m, f, "weights."); err != nil {
				t.Fatal(err)
			}
			target := autograd.Const(tensorOf(t, f, "target"))
			var opt optim.Optimizer
			switch p.Optimizer.Kind {
			case "adam":
				opt = optim.NewAdam(Parameters(m), p.Optimizer.LR)
			case "sgd":
				s := optim.NewSGD(Parameters(m), p.Optimizer.LR)
				s.Momentum = p.Optimizer.Momentum
				opt = s
			default:
				t.Fatalf("unknown optimiser %q", p.Optimizer.Kind)
			}
			if hasGradients(f) {
				// The first step's gradients, in a pass of their own
				// because forceKinks changes them from the ones
				// training takes.
				opt.ZeroGrad()
				restore := forceKinks(t, m, f)
				DiceLoss(run(m, in, present), target).Backward()
				restore()
				checkGradients(t, m, f)
				// That pass moved the batch norms' running statistics.
				if err := LoadWeights(m, f, "weights."); err != nil {
					t.Fatal(err)
				}
			}
			for step, want := range p.DiceLosses {
				opt.ZeroGrad()
				loss := DiceLoss(run(m, in, present), target)
				got := float64(loss.Item())
				loss.Backward()
				opt.Step()
				if math.Abs(got-want) > 1e-4*math.Abs(want) {
					t.Errorf("%s step %d: Dice loss %.7f, PyTorch %.7f", p.Optimizer.Kind, step+1, got, want)
				}
			}
			if _, ok := f.Tensors["trained.encoder.down_path.0.conv1.weight"]; ok {
				for _, e := range StateDict(m) {
					if e.Counter != nil {
						continue
					}
					compare(t, "trained "+e.Name, e.Tensor.Values(), tensorOf(t, f, "trained."+e.Name).Values(), 1e-3)
				}
			}
		})
	}
}

// checkGradients compares the first step's gradients with PyTorch's
// float64 gradients of the same step (the fixture also holds PyTorch's
// float32 ones, whose distance to float64 measures float32 rounding
// alone). ivadogo's float32 gradients must be within 1e-5 of float64, or
// 3× PyTorch's own float32 distance, whichever is larger.
//
// For Modified3DUNet this holds only with forceKinks: at 32³ some
// LeakyReLU inputs lie within float32 rounding of 0, and one of them
// (norm_lrelu_upscale_conv_norm_lrelu_l3's, ~7e-7 where its tensor's scale
// is ~6) lands on the other side in ivadogo (−2.1e-6; PyTorch float32
// +1.9e-6, float64 +6.8e-7), which multiplies a large gradient by 0.01
// instead of 1 and moves every gradient behind it by ~1e-3 (2.8e-3 at
// worst; the generic kernels' rounding flips another one too and gets 9.5e-3).
// That is a coin toss of the rounding order, not an error of any kernel,
// so the test takes float64's side at such elements and holds the
// gradients to float32's own precision.
func checkGradients(t *testing.T, m Module, f *safetensors.File) {
	t.Helper()
	n := 0
	for _, np := range NamedParameters(m) {
		if _, ok := f.Tensors["grad."+np.Name]; !ok {
			continue
		}
		n++
		ref := tensorOf(t, f, "grad64."+np.Name).Values()
		torch32 := tensorOf(t, f, "grad."+np.Name).Values()
		tol := math.Max(1e-5, 3*relErr(torch32, ref))
		compare(t, "gradient of "+np.Name+" (against float64)", np.Value.Grad().Values(), ref, tol)
	}
	if n == 0 && f.Tensors["grad64.encoder.down_path.0.conv1.weight"].DType != "" {
		t.Error("fixture has float64 gradients but none was compared")
	}
}

// hasGradients reports whether the fixture holds first-step gradients.
func hasGradients(f *safetensors.File) bool {
	for name := range f.Tensors {
		if strings.HasPrefix(name, "grad64.") {
			return true
		}
	}
	return false
}

// relErr is compare's error measure: max |a−b|/(|b| + max|b|).
func relErr(a, b []float32) float64 {
	var mx, w float64
	for _, v := range b {
		mx = math.Max(mx, math.Abs(float64(v)))
	}
	for i := range a {
		w = math.Max(w, math.Abs(float64(a[i])-float64(b[i]))/(math.Abs(float64(b[i]))+mx+1e-30))
	}
	return w
}
