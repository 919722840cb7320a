package pipeline

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unsafe"

	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/nn/optim"
	"github.com/ivadogo/ivadogo/nn/safetensors"
)

// checkpointName is the checkpoint file in path_output (ivadomed:
// checkpoint.pth.tar).
const checkpointName = "checkpoint.safetensors"

// trainState is what a checkpoint records besides weights and optimiser
// moments. Sample draws and shuffles are derived from (seed, epoch,
// position), so the epoch number is the whole random state of the data.
type trainState struct {
	Epoch     int     `json:"epoch"` // the next epoch to run, from 1
	Patience  int     `json:"patience_count"`
	BestLoss  float64 `json:"best_validation_loss"`
	BestEpoch int     `json:"best_epoch"`
	PrevLoss  float64 `json:"previous_validation_loss"`
	AdamStep  int     `json:"adam_step"`
	Batches   int     `json:"batches"` // optimiser steps so far (CyclicLR)
	Seed      uint64  `json:"seed"`
	LR        float64 `json:"learning_rate"`
	// Dropout is each dropout layer's random state, so that a resumed run
	// draws the masks the uninterrupted one would.
	Dropout []nn.DropoutState `json:"dropout,omitempty"`
}

// jsonFloat keeps ±Inf and NaN through JSON.
func jsonFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// saveCheckpoint writes weights (under "model."), Adam's moments (under
// "optimizer.m.<i>" and "optimizer.v.<i>") and the state (in the
// metadata) to one safetensors file, atomically.
func saveCheckpoint(path string, m nn.Module, opt *optim.Adam, st trainState) error {
	f, err := encodeState(m, opt).checkpoint(st, nn.DropoutStates(m), opt.LR())
	if err != nil {
		return err
	}
	return writeCheckpoint(path, f)
}

// stateBytes are a model's weights and its optimiser's moments as
// safetensors tensors, once for both the checkpoint and the best model.
type stateBytes struct {
	names   []string // nn.Weights' names and order
	weights map[string]safetensors.Tensor
	m, v    []safetensors.Tensor
	step    int
}

// encodeState returns the weights and Adam's moments as they are now, at
// the end of an epoch's training, encoded as nn.Weights encodes them.
// The parameters and moments are not copied: their tensors view the
// model's and the optimiser's own memory, so the files made from them
// must be written before the next opt.Step (Train waits for its
// background writes there). A copy of them, held from validation until
// the files were written, was 59 MB of the 2D U-Net config's peak RSS.
// Buffers (batch norm's running statistics, which the next training
// forward pass updates) and counters are small and copied.
func encodeState(m nn.Module, opt *optim.Adam) *stateBytes {
	sb := &stateBytes{weights: map[string]safetensors.Tensor{}}
	for _, e := range nn.StateDict(m) {
		var t safetensors.Tensor
		switch {
		case e.Counter != nil:
			t = safetensors.Int64([]int{}, []int64{*e.Counter})
		case e.IsParam:
			t = float32View(e.Shape, e.Tensor.Contiguous().Data())
		default:
			t = safetensors.Float32(e.Shape, e.Tensor.Contiguous().Data())
		}
		if _, dup := sb.weights[e.Name]; !dup {
			sb.names = append(sb.names, e.Name)
		}
		sb.weights[e.Name] = t
	}
	step, ms, vs := opt.Moments()
	sb.step = step
	for i := range ms {
		sb.m = append(sb.m, float32View([]int{len(ms[i])}, ms[i]))
		sb.v = append(sb.v, float32View([]int{len(vs[i])}, vs[i]))
	}
	return sb
}

// littleEndian: float32 slices are already safetensors' byte order.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// float32View is safetensors.Float32 without the copy where the machine
// is little-endian: the tensor's bytes are v's memory.
func float32View(shape []int, v []float32) safetensors.Tensor {
	if !littleEndian || len(v) == 0 {
		return safetensors.Float32(shape, v)
	}
	return safetensors.Tensor{DType: safetensors.F32, Shape: append([]int{}, shape...),
		Data: unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), 4*len(v))}
}

// model returns the weights as nn.SaveFile writes them.
func (sb *stateBytes) model(metadata map[string]string) *safetensors.File {
	f := safetensors.New()
	for _, name := range sb.names {
		f.Add(name, sb.weights[name])
	}
	f.Metadata = metadata
	return f
}

// checkpoint returns the checkpoint file of state st.
func (sb *stateBytes) checkpoint(st trainState, dropout []nn.DropoutState, lr float64) (*safetensors.File, error) {
	f := safetensors.New()
	for _, name := range sb.names {
		f.Add("model."+name, sb.weights[name])
	}
	for i := range sb.m {
		f.Add(fmt.Sprintf("optimizer.m.%d", i), sb.m[i])
		f.Add(fmt.Sprintf("optimizer.v.%d", i), sb.v[i])
	}
	st.AdamStep = sb.step
	st.Dropout = dropout
	st.LR = lr
	js, err := json.Marshal(struct {
		trainState
		BestLoss string `json:"best_validation_loss"`
		PrevLoss string `json:"previous_validation_loss"`
	}{st, jsonFloat(st.BestLoss), jsonFloat(st.PrevLoss)})
	if err != nil {
		return nil, err
	}
	f.Metadata = map[string]string{"ivadogo_state": string(js), "format": "pt"}
	return f, nil
}

func writeCheckpoint(path string, f *safetensors.File) error {
	if err := f.WriteFile(path); err != nil {
		return fmt.Errorf("pipeline: checkpoint %s: %w", path, err)
	}
	return nil
}

// background runs one epoch's output writes (best model, checkpoint,
// training curves), in order, on a goroutine beside the next epoch's
// first forward and backward passes (its opt.Step waits for them, see
// encodeState): on the 3D config they took 5–10% of an epoch. At most one
// epoch's writes are in flight; each file is still written atomically, so
// a run killed mid-write keeps the previous epoch's checkpoint and
// --resume repeats one epoch.
type background struct {
	done chan error
}

// run starts jobs; the caller must have waited for the previous ones.
func (b *background) run(jobs ...func() error) {
	if b.done != nil {
		panic("pipeline: background.run while earlier writes are in flight")
	}
	b.done = make(chan error, 1)
	go func() {
		for _, j := range jobs {
			if err := j(); err != nil {
				b.done <- err
				return
			}
		}
		b.done <- nil
	}()
}

// wait waits for the writes in flight and returns the first error.
func (b *background) wait() error {
	if b.done == nil {
		return nil
	}
	err := <-b.done
	b.done = nil
	return err
}

// loadCheckpoint restores what saveCheckpoint wrote.
func loadCheckpoint(path string, m nn.Module, opt *optim.Adam) (trainState, error) {
	var st trainState
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return st, fmt.Errorf("pipeline: checkpoint: %w", err)
	}
	raw, ok := f.Metadata["ivadogo_state"]
	if !ok {
		return st, fmt.Errorf("pipeline: checkpoint %s: no training state in its metadata", path)
	}
	var aux struct {
		trainState
		BestLoss string `json:"best_validation_loss"`
		PrevLoss string `json:"previous_validation_loss"`
	}
	if err := json.Unmarshal([]byte(raw), &aux); err != nil {
		return st, fmt.Errorf("pipeline: checkpoint %s: state: %w", path, err)
	}
	st = aux.trainState
	if st.BestLoss, err = strconv.ParseFloat(aux.BestLoss, 64); err != nil {
		st.BestLoss = math.Inf(1)
	}
	if st.PrevLoss, err = strconv.ParseFloat(aux.PrevLoss, 64); err != nil {
		st.PrevLoss = math.Inf(1)
	}
	mf := safetensors.New()
	mf.Metadata = f.Metadata
	for _, name := range f.Names {
		if len(name) > 6 && name[:6] == "model." {
			mf.Add(name, f.Tensors[name])
		}
	}
	if err := nn.LoadWeights(m, mf, "model."); err != nil {
		return st, fmt.Errorf("pipeline: checkpoint %s: %w", path, err)
	}
	// Checkpoints written before dropout states were saved have none.
	if st.Dropout != nil {
		if err := nn.SetDropoutStates(m, st.Dropout); err != nil {
			return st, fmt.Errorf("pipeline: checkpoint %s: %w", path, err)
		}
	}
	n := len(nn.Parameters(m))
	as := optim.AdamState{Step: st.AdamStep, M: make([][]float32, n), V: make([][]float32, n)}
	for i := 0; i < n; i++ {
		for _, part := range []struct {
			key string
			dst *[]float32
		}{{fmt.Sprintf("optimizer.m.%d", i), &as.M[i]}, {fmt.Sprintf("optimizer.v.%d", i), &as.V[i]}} {
			t, ok := f.Tensors[part.key]
			if !ok {
				return st, fmt.Errorf("pipeline: checkpoint %s: %s missing", path, part.key)
			}
			v, err := t.AsFloat32()
			if err != nil {
				return st, fmt.Errorf("pipeline: checkpoint %s: %s: %w", path, part.key, err)
			}
			if len(v) > 0 {
				*part.dst = append([]float32(nil), v...)
			}
		}
	}
	if err := opt.SetState(as); err != nil {
		return st, fmt.Errorf("pipeline: checkpoint %s: %w", path, err)
	}
	opt.SetLR(st.LR)
	return st, nil
}
