package nn

import (
	"math"
	"runtime"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// TestHeMISFusion checks the mean/variance fusion against a direct
// computation over the contrasts each sample has.
func TestHeMISFusion(t *testing.T) {
	g := tensor.NewRNG(5)
	const nc, n, ch, sp = 3, 3, 2, 4
	feats := make([][]*autograd.Value, nc)
	for c := range feats {
		feats[c] = []*autograd.Value{autograd.Const(tensor.Normal[float32](g, 0, 1, n, ch, sp))}
	}
	present := [][]bool{{true, true, true}, {true, false, true}, {false, true, false}}
	w := tensor.Zeros(nc, n)
	cnt := make([]float32, n)
	for i, p := range present {
		for c, ok := range p {
			if ok {
				w.Set(1, c, i)
				cnt[i]++
			}
		}
	}
	got := hemisFuse(feats, 0, w, cnt) // [n, 2·ch, sp]
	for i := 0; i < n; i++ {
		for k := 0; k < ch; k++ {
			for s := 0; s < sp; s++ {
				var vals []float64
				for c := 0; c < nc; c++ {
					if present[i][c] {
						vals = append(vals, float64(feats[c][0].Data().At(i, k, s)))
					}
				}
				var mean, v float64
				for _, x := range vals {
					mean += x
				}
				mean /= float64(len(vals))
				for _, x := range vals {
					v += (x - mean) * (x - mean)
				}
				if len(vals) > 1 {
					v /= float64(len(vals) - 1) // unbiased, as torch.var
				}
				gm, gv := float64(got.Data().At(i, k, s)), float64(got.Data().At(i, ch+k, s))
				if math.Abs(gm-mean) > 1e-5 || math.Abs(gv-v) > 1e-5 {
					t.Fatalf("sample %d channel %d voxel %d: mean %g var %g, want %g %g", i, k, s, gm, gv, mean, v)
				}
			}
		}
	}
}

// TestHeMISMissingContrasts checks that a missing contrast's image has no
// influence on the prediction, that a single contrast works, and that
// training reaches every encoder.
func TestHeMISMissingContrasts(t *testing.T) {
	SetSeed(4)
	m, err := Build("HeMISUnet", []byte(`{"contrasts": ["T1w", "T2w", "T2star"], "depth": 2, "n_filters": 4, "dropout_rate": 0}`))
	if err != nil {
		t.Fatal(err)
	}
	h := m.(*HeMISUnet)
	g := tensor.NewRNG(6)
	img := func() *autograd.Value { return autograd.Const(tensor.Uniform[float32](g, 0, 1, 2, 1, 8, 8)) }
	imgs := []*autograd.Value{img(), img(), img()}
	present := [][]bool{{true, false, true}, {false, true, false}}
	SetTraining(h, false)
	var a, b *autograd.Value
	autograd.NoGrad(func() { a = h.ForwardHeMIS(imgs, present) })
	imgs2 := []*autograd.Value{imgs[0], autograd.Const(imgs[1].Data().Clone()), imgs[2]}
	// Sample 0 lacks T2w: scribble over its T2w image only.
	d := imgs2[1].Data()
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			d.Set(9, 0, 0, y, x)
		}
	}
	autograd.NoGrad(func() { b = h.ForwardHeMIS(imgs2, present) })
	av, bv := a.Data().Values(), b.Data().Values()
	half := len(av) / 2
	for i := 0; i < len(av); i++ {
		if math.IsNaN(float64(av[i])) {
			t.Fatalf("NaN in the output at %d (sample 1 has a single contrast)", i)
		}
		if i < half && av[i] != bv[i] {
			t.Fatalf("output %d of sample 0 changed with its missing contrast's image: %v → %v", i, av[i], bv[i])
		}
	}
	SetTraining(h, true)
	loss := DiceLoss(h.ForwardHeMIS(imgs, present), autograd.Const(tensor.Ones(2, 1, 8, 8)))
	loss.Backward()
	for c, e := range h.Encoders {
		gr := e.DownPath.Items[0].(*DownConv).Conv1.Weight.Grad()
		if gr == nil {
			t.Fatalf("encoder %d got no gradient", c)
		}
		var s float64
		for _, v := range gr.Values() {
			s += math.Abs(float64(v))
		}
		if s == 0 {
			t.Errorf("encoder %d (%s) got a zero gradient", c, h.Contrasts[c])
		}
	}
}

// TestHeMISFusionMemory bounds the bytes the fusion allocates: its output
// (mean and variance, twice one contrast's features) and, in backward, one
// gradient per contrast. Built from stack, mask, sum, subtract and square
// ops it allocated about sixteen times one contrast's features in forward
// alone, which made a HeMISUnet step take several times a U-Net's memory.
func TestHeMISFusionMemory(t *testing.T) {
	g := tensor.NewRNG(7)
	const nc, n, ch, sp = 2, 4, 8, 1024
	const one = n * ch * sp * 4 // bytes of one contrast's features
	feats := make([][]*autograd.Value, nc)
	for c := range feats {
		feats[c] = []*autograd.Value{autograd.Param(tensor.Normal[float32](g, 0, 1, n, ch, sp))}
	}
	w := tensor.Ones(nc, n)
	cnt := []float32{2, 2, 2, 2}
	w.Set(0, 1, 2) // sample 2 lacks contrast 1
	cnt[2] = 1
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	y := hemisFuse(feats, 0, w, cnt)
	runtime.ReadMemStats(&after)
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(2*one+one/2); got > limit {
		t.Errorf("forward allocated %d bytes, want at most %d (the output, %d)", got, limit, 2*one)
	}
	loss := autograd.SumAll(y)
	runtime.ReadMemStats(&before)
	loss.Backward()
	runtime.ReadMemStats(&after)
	// Backward also makes the loss's gradient of y's size (2·one).
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(4*one+one/2); got > limit {
		t.Errorf("backward allocated %d bytes, want at most %d (two gradients and the sum's)", got, limit)
	}
}

// TestHeMISSkipsAbsentEncoder checks that in evaluation the encoder of a
// contrast no sample has is not run (its image, of another size, would
// make the fusion panic) and that the prediction is the one with that
// encoder run.
func TestHeMISSkipsAbsentEncoder(t *testing.T) {
	SetSeed(8)
	m, err := Build("HeMISUnet", []byte(`{"contrasts": ["T1w", "T2w"], "depth": 2, "n_filters": 4, "dropout_rate": 0}`))
	if err != nil {
		t.Fatal(err)
	}
	h := m.(*HeMISUnet)
	g := tensor.NewRNG(9)
	t1 := autograd.Const(tensor.Uniform[float32](g, 0, 1, 2, 1, 8, 8))
	present := [][]bool{{true, false}, {true, false}}
	SetTraining(h, false)
	var skipped, run *autograd.Value
	autograd.NoGrad(func() {
		skipped = h.ForwardHeMIS([]*autograd.Value{t1, autograd.Const(tensor.Zeros(2, 1, 4, 4))}, present)
		// The same with T2w's encoder run on zeros and masked out.
		feats := [][]*autograd.Value{h.Encoders[0].Forward(t1, &filmChain{}), h.Encoders[1].Forward(autograd.Const(tensor.Zeros(2, 1, 8, 8)), &filmChain{})}
		wt := tensor.Zeros(2, 2)
		wt.Set(1, 0, 0)
		wt.Set(1, 0, 1)
		fused := make([]*autograd.Value, len(feats[0]))
		for j := range fused {
			fused[j] = hemisFuse(feats, j, wt, []float32{1, 1})
		}
		run = h.Decoder.Forward(fused, &filmChain{})
	})
	a, b := skipped.Data().Values(), run.Data().Values()
	if len(a) != len(b) {
		t.Fatalf("output sizes %d and %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("output %d: %v with T2w's encoder skipped, %v with it run", i, a[i], b[i])
		}
	}
}
