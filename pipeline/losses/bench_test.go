package losses

import (
	"math/rand/v2"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

func benchLoss(b *testing.B, name string) {
	f, err := New(name, nil)
	if err != nil {
		b.Fatal(err)
	}
	shape := []int{16, 1, 128, 128}
	n := 16 * 128 * 128
	r := rand.New(rand.NewPCG(1, 2))
	pd := make([]float32, n)
	td := make([]float32, n)
	for i := range pd {
		pd[i] = 0.05 + 0.9*r.Float32()
		if r.Float64() < 0.3 {
			td[i] = 1
		}
	}
	tg := autograd.Const(tensor.FromSlice(td, shape...))
	b.ResetTimer()
	for b.Loop() {
		p := autograd.Param(tensor.FromSlice(pd, shape...))
		l := f(p, tg)
		l.Backward()
		l.Release()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvox/s")
}

func BenchmarkDiceLoss(b *testing.B)   { benchLoss(b, "DiceLoss") }
func BenchmarkFocalLoss(b *testing.B)  { benchLoss(b, "FocalLoss") }
func BenchmarkDiceCELoss(b *testing.B) { benchLoss(b, "DiceCELoss") }
