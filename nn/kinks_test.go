package nn

import (
	"math"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn/safetensors"
	"github.com/ivadogo/ivadogo/tensor"
)

// lreluSlope is the slope of ivadomed's nn.LeakyReLU(), the only
// activation of Modified3DUNet.
const lreluSlope = 0.01

// forceKinks makes m's LeakyReLUs take PyTorch float64's side of the
// kink at the elements the fixture lists (make_fixtures.py's
// kink_recorder: the inputs within 1e-4 of their tensor's scale of 0,
// where float32 rounding alone decides the side, and with it whether the
// gradient is multiplied by 1 or by the slope). The forward is untouched;
// only the derivative at those elements changes. It returns a function
// that undoes the patch and checks that the model made as many calls as
// PyTorch did. Without "kinks" in the fixture it does nothing.
func forceKinks(t *testing.T, m Module, f *safetensors.File) (restore func()) {
	t.Helper()
	st, ok := f.Tensors["kinks"]
	if !ok {
		return func() {}
	}
	rows, err := st.AsInt64()
	if err != nil {
		t.Fatal(err)
	}
	nc, err := f.Tensors["kinks.calls"].AsInt64()
	if err != nil {
		t.Fatal(err)
	}
	byCall := map[int][][2]int64{} // call → (flat index, positive)
	for r := 0; r+2 < len(rows); r += 3 {
		byCall[int(rows[r])] = append(byCall[int(rows[r])], [2]int64{rows[r+1], rows[r+2]})
	}
	calls := 0
	wrap := func(fn func(*autograd.Value) *autograd.Value) func(*autograd.Value) *autograd.Value {
		return func(x *autograd.Value) *autograd.Value {
			call := calls
			calls++
			kinks := byCall[call]
			if len(kinks) == 0 {
				return fn(x)
			}
			xv := x.Data().Values()
			var mx float64
			for _, v := range xv {
				mx = math.Max(mx, math.Abs(float64(v)))
			}
			for _, k := range kinks {
				// PyTorch lists elements within 1e-4·max|x| of 0; ivadogo's
				// float32 values are within ~4e-6·max|x| of float64's, so a
				// listed element further out means the calls are misaligned.
				if k[0] >= int64(len(xv)) || math.Abs(float64(xv[k[0]])) > 2e-4*mx {
					t.Fatalf("LeakyReLU call %d: fixture lists element %d as near 0, ivadogo's is not (call order differs from PyTorch's?)", call, k[0])
				}
			}
			var gout []float32 // the gradient arriving at fn's output
			xin := autograd.Op("kinks", x.Data().Clone(), []*autograd.Value{x}, func(gy *tensor.Dense[float32]) []*tensor.Dense[float32] {
				gx := gy.Clone()
				d := gx.Data()
				for _, k := range kinks {
					s := float32(lreluSlope)
					if k[1] == 1 {
						s = 1
					}
					d[k[0]] = gout[k[0]] * s
				}
				return []*tensor.Dense[float32]{gx}
			})
			y := fn(xin)
			return autograd.Op("kinks", y.Data().Clone(), []*autograd.Value{y}, func(gy *tensor.Dense[float32]) []*tensor.Dense[float32] {
				gout = gy.Values()
				return []*tensor.Dense[float32]{gy.Clone()}
			})
		}
	}
	// The LeakyReLUs run as their own layers, so that the wrappers see
	// every call.
	unfused = true
	undo := []func(){func() { unfused = false }}
	for _, nm := range Modules(m) {
		if fn, ok := nm.Module.(*Func); ok && fn.Name == "LeakyReLU" {
			old, oldInPlace := fn.F, fn.InPlace
			fn.F, fn.InPlace = wrap(old), wrap(oldInPlace)
			undo = append(undo, func() { fn.F, fn.InPlace = old, oldInPlace })
		}
	}
	if u, ok := m.(*Modified3DUNet); ok {
		old, oldInPlace := u.lrelu, u.lreluInPlace
		u.lrelu, u.lreluInPlace = wrap(old), wrap(oldInPlace)
		undo = append(undo, func() { u.lrelu, u.lreluInPlace = old, oldInPlace })
	}
	return func() {
		for _, u := range undo {
			u()
		}
		if calls != int(nc[0]) {
			t.Fatalf("%d LeakyReLU calls, PyTorch made %d", calls, nc[0])
		}
	}
}
