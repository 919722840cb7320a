package nn

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ivadogo/ivadogo/nn/safetensors"
)

// Weights returns m's state dict as a safetensors file: float32 tensors
// and int64 counters under PyTorch state_dict names, so that
// safetensors.torch.load_file followed by model.load_state_dict loads it
// into the PyTorch definition of the same model.
func Weights(m Module) *safetensors.File {
	f := safetensors.New()
	for _, e := range StateDict(m) {
		if e.Counter != nil {
			f.Add(e.Name, safetensors.Int64([]int{}, []int64{*e.Counter}))
			continue
		}
		f.Add(e.Name, safetensors.Float32(e.Shape, e.Tensor.Contiguous().Data()))
	}
	return f
}

// SaveFile writes m's weights to path in safetensors format, with
// metadata (may be nil) in the header.
func SaveFile(m Module, path string, metadata map[string]string) error {
	f := Weights(m)
	f.Metadata = metadata
	if err := f.WriteFile(path); err != nil {
		return fmt.Errorf("nn: saving weights: %w", err)
	}
	return nil
}

// LoadFile reads weights saved by SaveFile or converted from a PyTorch
// state dict into m (see LoadWeights).
func LoadFile(m Module, path string) error {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return fmt.Errorf("nn: loading weights: %w", err)
	}
	if err := LoadWeights(m, f, ""); err != nil {
		return fmt.Errorf("nn: loading weights from %s: %w", path, err)
	}
	return nil
}

// LoadWeights copies the tensors of f named prefix+key into m's state
// dict, as PyTorch's strict load_state_dict: every key of m must be
// there, with the same shape and a floating dtype (F32, F64, F16, BF16;
// counters an integer dtype), and f must hold no other key under prefix.
// Every mismatch is reported, each naming the tensor and what is wrong;
// on error m is left unchanged.
func LoadWeights(m Module, f *safetensors.File, prefix string) error {
	sd := StateDict(m)
	var errs []error
	want := map[string]bool{}
	type pending struct {
		e StateEntry
		v []float32
		c int64
	}
	var ok []pending
	for _, e := range sd {
		name := prefix + e.Name
		want[name] = true
		t, found := f.Tensors[name]
		if !found {
			errs = append(errs, fmt.Errorf("tensor %q is missing (shape %s expected)", name, ShapeString(e.Shape)))
			continue
		}
		if ShapeString(t.Shape) != ShapeString(e.Shape) {
			errs = append(errs, fmt.Errorf("tensor %q has shape %s, the model expects %s", name, ShapeString(t.Shape), ShapeString(e.Shape)))
			continue
		}
		if e.Counter != nil {
			c, err := t.AsInt64()
			if err != nil {
				errs = append(errs, fmt.Errorf("tensor %q: %v (an integer counter is expected)", name, err))
				continue
			}
			ok = append(ok, pending{e: e, c: c[0]})
			continue
		}
		v, err := t.AsFloat32()
		if err != nil {
			errs = append(errs, fmt.Errorf("tensor %q: %v", name, err))
			continue
		}
		ok = append(ok, pending{e: e, v: v})
	}
	var extra []string
	for _, n := range f.Names {
		if strings.HasPrefix(n, prefix) && !want[n] {
			extra = append(extra, n)
		}
	}
	if len(extra) > 0 {
		const show = 5
		s := extra
		if len(s) > show {
			s = s[:show]
		}
		msg := fmt.Sprintf("%d unexpected tensor(s) not in the model: %q", len(extra), s)
		if len(extra) > show {
			msg += ", …"
		}
		errs = append(errs, errors.New(msg))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, p := range ok {
		if p.e.Counter != nil {
			*p.e.Counter = p.c
			continue
		}
		d := p.e.Tensor
		if !d.IsContiguous() {
			panic("nn: a state-dict tensor is not contiguous: " + p.e.Name)
		}
		copy(d.Data(), p.v)
	}
	return nil
}
