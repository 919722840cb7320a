package kernels

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// BenchmarkConvScaling times each pass of the convolution cases of
// ../shared/bench at one and at two workers, alternating the two every
// iteration so that both see the same load, and reports the medians:
// wall ms and GFLOP/s at either count, process CPU ms, and the scaling
// (one worker's wall time over two workers'). Run it with GOMAXPROCS=2
// (or more), for example
//
//	GOMAXPROCS=2 go test -run '^$' -bench 'ConvScaling/conv2d_64' -benchtime 20x ./kernels
//
// On a machine shared with other jobs the scaling is a lower bound; the
// CPU times tell whether two workers do more work than one.
func BenchmarkConvScaling(b *testing.B) {
	for _, c := range benchConvCases {
		p, name, flops := c.setup()
		sp := prodInts(c.spatial)
		for _, pass := range []string{"fwd", "bwddata", "bwdweight"} {
			b.Run(name+"_"+pass, func(b *testing.B) {
				// The operands are made here, so that a filtered run
				// pays only for its own cases.
				rng := newRNG(1)
				x := to32(normals(rng, c.n*c.cin*sp))
				w := to32(normals(rng, c.cout*c.cin*prodInts(p.Kernel)))
				y := make([]float32, c.n*c.cout*sp)
				dy := to32(normals(rng, len(y)))
				dx, dw := make([]float32, len(x)), make([]float32, len(w))
				op := func() { convPass(pass, p, x, w, y, dy, dx, dw) }
				scalingRounds(b, flops, op)
			})
		}
	}
}

// scalingRounds runs op b.N times at one and at two workers in turn and
// reports the medians (see BenchmarkConvScaling).
func scalingRounds(b *testing.B, flops float64, op func()) {
	defer SetWorkers(Workers())
	for _, w := range []int{1, 2} {
		SetWorkers(w)
		op()
	}
	var wall, cpu [2][]float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for wi, w := range []int{1, 2} {
			SetWorkers(w)
			c0, t0 := processCPU(), time.Now()
			op()
			wall[wi] = append(wall[wi], time.Since(t0).Seconds()*1e3)
			cpu[wi] = append(cpu[wi], (processCPU()-c0)*1e3)
		}
	}
	med := func(s []float64) float64 {
		s = slices.Clone(s)
		slices.Sort(s)
		return s[len(s)/2]
	}
	for wi, w := range []int{1, 2} {
		b.ReportMetric(med(wall[wi]), fmt.Sprintf("w%d-ms", w))
		b.ReportMetric(med(cpu[wi]), fmt.Sprintf("w%d-cpu-ms", w))
		b.ReportMetric(flops/med(wall[wi])/1e6, fmt.Sprintf("w%d-GFLOP/s", w))
	}
	b.ReportMetric(med(wall[0])/med(wall[1]), "scaling")
}

// abRounds times pass ("fwd" or "bwddata") of p at two workers b.N
// times under either setting (set(0), set(1)) in turn and reports the
// median wall ms of each under its name.
func abRounds(b *testing.B, p ConvParams, pass string, names [2]string, set func(k int)) {
	defer SetWorkers(SetWorkers(2))
	rng := newRNG(1)
	sp := prodInts(p.In)
	kv := prodInts(p.Kernel)
	x := to32(normals(rng, p.N*p.Cin*sp))
	w := to32(normals(rng, p.Cout*p.Cin*kv))
	y := to32(normals(rng, p.N*p.Cout*prodInts(p.Out())))
	dx := make([]float32, len(x))
	op := func() {
		if pass == "fwd" {
			ConvForward(p, x, w, nil, y)
		} else {
			ConvBackwardData(p, y, w, dx)
		}
	}
	var t [2][]float64
	for k := range t {
		set(k)
		op()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range t {
			set(k)
			t0 := time.Now()
			op()
			t[k] = append(t[k], time.Since(t0).Seconds()*1e3)
		}
	}
	for k, name := range names {
		slices.Sort(t[k])
		b.ReportMetric(t[k][len(t[k])/2], name+"-ms")
	}
}
