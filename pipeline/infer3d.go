package pipeline

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
	"github.com/ivadogo/ivadogo/tensor"
)

// gaussian returns nnU-Net's patch weighting: a Gaussian centred on the
// patch with σ = length/8 per axis, normalised to a maximum of 1 and
// floored at its smallest positive value so no voxel weighs zero.
func gaussian(length [3]int) []float32 {
	w := make([]float32, length[0]*length[1]*length[2])
	var g [3][]float64
	for a := 0; a < 3; a++ {
		g[a] = make([]float64, length[a])
		c, s := float64(length[a]-1)/2, float64(length[a])/8
		for i := range g[a] {
			d := (float64(i) - c) / s
			g[a][i] = math.Exp(-d * d / 2)
		}
	}
	minPos := float32(math.MaxFloat32)
	n := 0
	for i := 0; i < length[0]; i++ {
		for j := 0; j < length[1]; j++ {
			for k := 0; k < length[2]; k++ {
				v := float32(g[0][i] * g[1][j] * g[2][k])
				w[n] = v
				if v > 0 && v < minPos {
					minPos = v
				}
				n++
			}
		}
	}
	for i, v := range w {
		if v < minPos {
			w[i] = minPos
		}
	}
	return w
}

// predict3D segments a whole volume by sliding a length_3D window every
// stride_3D voxels over the preprocessed volume and blending overlapping
// patch predictions with Gaussian weights (ivadomed averages them
// uniformly, which leaves seams at patch borders).
func (p *predictor) predict3D(chans [][]float32, sh [3]int, zooms [3]float64) ([][]float32, error) {
	pre, fly := p.tl.For(p.testDataset, true).Split()
	s := &transforms.Sample{Zooms: zooms, Im: transforms.Part{Shape: sh, Data: chans},
		GT: transforms.Part{Shape: sh, Data: [][]float32{make([]float32, sh[0]*sh[1]*sh[2])}}}
	rec, err := pre.Apply(s, rand.New(rand.NewPCG(uint64(p.cfg.Split.RandomSeed)+uint64(p.pass)<<32, 0)))
	if err != nil {
		return nil, fmt.Errorf("pipeline: test preprocessing: %w", err)
	}
	psh := s.Im.Shape
	padPart(&s.Im, p.length)
	full := s.Im.Shape
	origins := patchOrigins(full, p.length, p.stride)
	wts := gaussian(p.length)
	n := full[0] * full[1] * full[2]
	acc := make([][]float32, p.classes)
	for c := range acc {
		acc[c] = make([]float32, n)
	}
	norm := make([]float32, n)
	for lo := 0; lo < len(origins); lo += p.bs {
		hi := min(len(origins), lo+p.bs)
		var ss []*transforms.Sample
		for _, o := range origins[lo:hi] {
			ps := &transforms.Sample{Zooms: s.Zooms, Im: transforms.Part{Shape: p.length}}
			for _, v := range s.Im.Data {
				ps.Im.Data = append(ps.Im.Data, cropPad(v, full, o, p.length))
			}
			if _, err := fly.Apply(ps, rand.New(rand.NewPCG(uint64(p.cfg.Split.RandomSeed)+uint64(p.pass)<<32, uint64(lo)))); err != nil {
				return nil, fmt.Errorf("pipeline: test transforms of the patch at %v: %w", o, err)
			}
			ss = append(ss, ps)
		}
		b := assemble3D(ss, 0, p.mult)
		var pd []float32
		var k int
		autograd.NoGrad(func() {
			x := autograd.Const(tensor.FromSlice(b.x, b.n, b.c, b.h, b.w, b.d))
			y := nn.Run(p.mod, p.in.input(x))
			k = y.Shape()[1]
			pd = y.Data().Contiguous().Data()
		})
		vol := b.h * b.w * b.d
		for i, o := range origins[lo:hi] {
			for c := 0; c < p.classes && c < k; c++ {
				src := pd[(i*k+c)*vol:]
				for a := 0; a < p.length[0]; a++ {
					for bb := 0; bb < p.length[1]; bb++ {
						for z := 0; z < p.length[2]; z++ {
							wv := wts[(a*p.length[1]+bb)*p.length[2]+z]
							dst := ((o[0]+a)*full[1]+o[1]+bb)*full[2] + o[2] + z
							acc[c][dst] += wv * src[(a*b.w+bb)*b.d+z]
							if c == 0 {
								norm[dst] += wv
							}
						}
					}
				}
			}
		}
	}
	pred := transforms.Part{Shape: psh}
	for c := range acc {
		for i := range acc[c] {
			if norm[i] > 0 {
				acc[c][i] /= norm[i]
			}
		}
		pred.Data = append(pred.Data, cropPad(acc[c], full, [3]int{}, psh))
	}
	back, err := rec.Undo(pred)
	if err != nil {
		return nil, fmt.Errorf("pipeline: undoing the test preprocessing: %w", err)
	}
	if back.Shape != sh {
		return nil, fmt.Errorf("pipeline: prediction of shape %v after undo, want %v", back.Shape, sh)
	}
	return back.Data, nil
}
