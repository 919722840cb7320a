package pipeline

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/ivadogo/ivadogo/nn"
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
}

// jsonFloat keeps ±Inf and NaN through JSON.
func jsonFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// saveCheckpoint writes weights (under "model."), Adam's moments (under
// "optimizer.m.<i>" and "optimizer.v.<i>") and the state (in the
// metadata) to one safetensors file, atomically.
func saveCheckpoint(path string, m nn.Module, opt *adam, st trainState) error {
	w := nn.Weights(m)
	f := safetensors.New()
	for _, name := range w.Names {
		f.Add("model."+name, w.Tensors[name])
	}
	for i := range opt.params {
		n := len(opt.m[i])
		f.Add(fmt.Sprintf("optimizer.m.%d", i), safetensors.Float32([]int{n}, opt.m[i]))
		f.Add(fmt.Sprintf("optimizer.v.%d", i), safetensors.Float32([]int{n}, opt.v[i]))
	}
	st.AdamStep = opt.step
	st.LR = opt.lr
	js, err := json.Marshal(struct {
		trainState
		BestLoss string `json:"best_validation_loss"`
		PrevLoss string `json:"previous_validation_loss"`
	}{st, jsonFloat(st.BestLoss), jsonFloat(st.PrevLoss)})
	if err != nil {
		return err
	}
	f.Metadata = map[string]string{"ivadogo_state": string(js), "format": "pt"}
	if err := f.WriteFile(path); err != nil {
		return fmt.Errorf("pipeline: checkpoint %s: %w", path, err)
	}
	return nil
}

// loadCheckpoint restores what saveCheckpoint wrote.
func loadCheckpoint(path string, m nn.Module, opt *adam) (trainState, error) {
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
	for i := range opt.params {
		for _, part := range []struct {
			key string
			dst []float32
		}{{fmt.Sprintf("optimizer.m.%d", i), opt.m[i]}, {fmt.Sprintf("optimizer.v.%d", i), opt.v[i]}} {
			t, ok := f.Tensors[part.key]
			if !ok {
				return st, fmt.Errorf("pipeline: checkpoint %s: %s missing", path, part.key)
			}
			v, err := t.AsFloat32()
			if err != nil || len(v) != len(part.dst) {
				return st, fmt.Errorf("pipeline: checkpoint %s: %s has %d values, want %d", path, part.key, len(v), len(part.dst))
			}
			copy(part.dst, v)
		}
	}
	opt.step = st.AdamStep
	opt.lr = st.LR
	return st, nil
}
