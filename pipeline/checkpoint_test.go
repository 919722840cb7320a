package pipeline

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unsafe"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/nn/optim"
	"github.com/ivadogo/ivadogo/tensor"
)

func smallModel(t testing.TB) nn.Module {
	nn.SetSeed(1)
	m, err := nn.Build("Unet", []byte(`{"depth": 1, "n_filters": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCheckpointRoundTrip saves weights, Adam's state and the training
// state after a few steps and loads them into a fresh model and
// optimiser: everything must come back exactly, infinities included.
func TestCheckpointRoundTrip(t *testing.T) {
	m := smallModel(t)
	opt := optim.NewAdam(nn.Parameters(m), 0.01)
	x := autograd.Const(tensor.FromSlice(make([]float32, 2*1*8*8), 2, 1, 8, 8))
	for i := 0; i < 3; i++ {
		autograd.MeanAll(nn.Run(m, nn.Input{X: x})).Backward()
		opt.Step()
		opt.ZeroGrad()
	}
	st := trainState{Epoch: 4, Patience: 2, BestLoss: -0.5, BestEpoch: 3, PrevLoss: math.Inf(1), Batches: 7, Seed: 6}
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := saveCheckpoint(path, m, opt, st); err != nil {
		t.Fatal(err)
	}
	nn.SetSeed(99) // other initial weights, to be overwritten
	m2, err := nn.Build("Unet", []byte(`{"depth": 1, "n_filters": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	opt2 := optim.NewAdam(nn.Parameters(m2), 0.5)
	got, err := loadCheckpoint(path, m2, opt2)
	if err != nil {
		t.Fatal(err)
	}
	want := st
	want.AdamStep, want.LR = 3, 0.01
	want.Dropout = nn.DropoutStates(m)
	if len(want.Dropout) == 0 || want.Dropout[0].Calls != 3 {
		t.Fatalf("dropout states %+v: want one per layer, 3 calls each", want.Dropout)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("state %+v, want %+v", got, want)
	}
	if d := nn.DropoutStates(m2); !reflect.DeepEqual(d, want.Dropout) {
		t.Errorf("dropout states after loading %+v, want %+v", d, want.Dropout)
	}
	a, b := nn.Parameters(m), nn.Parameters(m2)
	for i := range a {
		if !equalFloats(a[i].Data().Data(), b[i].Data().Data()) {
			t.Fatalf("parameter %d differs after loading", i)
		}
	}
	sa, sb := opt.State(), opt2.State()
	if sa.Step != sb.Step {
		t.Errorf("Adam step %d, want %d", sb.Step, sa.Step)
	}
	for i := range sa.M {
		if !equalFloats(sa.M[i], sb.M[i]) || !equalFloats(sa.V[i], sb.V[i]) {
			t.Fatalf("Adam moments of parameter %d differ after loading", i)
		}
	}
}

// FuzzLoadCheckpoint feeds arbitrary bytes as a checkpoint: loading must
// fail with an error, never panic.
func FuzzLoadCheckpoint(f *testing.F) {
	m := smallModel(f)
	opt := optim.NewAdam(nn.Parameters(m), 0.01)
	dir := f.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	if err := saveCheckpoint(good, m, opt, trainState{Epoch: 2}); err != nil {
		f.Fatal(err)
	}
	b, _ := os.ReadFile(good)
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add([]byte{})
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"__metadata__\":{}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "c.safetensors")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		m := smallModel(t)
		loadCheckpoint(p, m, optim.NewAdam(nn.Parameters(m), 0.01))
	})
}

// TestEncodeStateModel checks that the weights encoded beside validation
// make the same file as nn.Weights, which best_model.safetensors was
// before, byte for byte.
func TestEncodeStateModel(t *testing.T) {
	m := smallModel(t)
	opt := optim.NewAdam(nn.Parameters(m), 0.01)
	x := autograd.Const(tensor.FromSlice(make([]float32, 2*1*8*8), 2, 1, 8, 8))
	autograd.MeanAll(nn.Run(m, nn.Input{X: x})).Backward()
	opt.Step()
	meta := map[string]string{"format": "pt", "epoch": "3"}
	dir := t.TempDir()
	got, want := filepath.Join(dir, "got.safetensors"), filepath.Join(dir, "want.safetensors")
	if err := encodeState(m, opt).model(meta).WriteFile(got); err != nil {
		t.Fatal(err)
	}
	if err := nn.SaveFile(m, want, meta); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(got)
	b, _ := os.ReadFile(want)
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("encoded model (%d bytes) differs from nn.SaveFile's (%d bytes)", len(a), len(b))
	}
}

// TestEncodeStateViews checks what encodeState shares with the model: the
// parameters' and Adam's moments' bytes are their memory (no copy as
// large as the model three times), while batch norm's running statistics,
// which the next training forward pass updates before any opt.Step, are
// copied.
func TestEncodeStateViews(t *testing.T) {
	m := smallModel(t)
	opt := optim.NewAdam(nn.Parameters(m), 0.01)
	x := autograd.Const(tensor.FromSlice(make([]float32, 2*1*8*8), 2, 1, 8, 8))
	nn.SetTraining(m, true)
	autograd.MeanAll(nn.Run(m, nn.Input{X: x})).Backward()
	opt.Step()
	sb := encodeState(m, opt)
	same := func(b []byte, v []float32) bool {
		return len(b) == 4*len(v) && len(v) > 0 && unsafe.Pointer(unsafe.SliceData(b)) == unsafe.Pointer(unsafe.SliceData(v))
	}
	params, buffers := 0, 0
	for _, e := range nn.StateDict(m) {
		if e.Counter != nil {
			continue
		}
		shares := same(sb.weights[e.Name].Data, e.Tensor.Data())
		switch {
		case e.IsParam && !shares:
			t.Errorf("parameter %s was copied", e.Name)
		case !e.IsParam && shares:
			t.Errorf("buffer %s is shared with the model; the next forward pass changes it", e.Name)
		}
		if e.IsParam {
			params++
		} else {
			buffers++
		}
	}
	_, ms, vs := opt.Moments()
	for i := range ms {
		if !same(sb.m[i].Data, ms[i]) || !same(sb.v[i].Data, vs[i]) {
			t.Errorf("Adam's moments of parameter %d were copied", i)
		}
	}
	if params == 0 || buffers == 0 || len(ms) != params {
		t.Errorf("%d parameters, %d buffers, %d moments: the model should have all three", params, buffers, len(ms))
	}
}
