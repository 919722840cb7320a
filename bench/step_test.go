package bench

import (
	"math"
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// stepNet is a small 2D U-Net built straight from autograd ops: two
// levels of (conv-BN-ReLU)×2 with max pooling, a bottleneck, bilinear
// upsampling with skip concatenations, a 1×1 conv and a sigmoid. It is
// what one training step of the real models exercises, minus nn's
// bookkeeping, so that the memory behaviour of the engine shows alone.
type stepNet struct {
	nd     int // spatial dimensions: 2 or 3
	params []*autograd.Value
	blocks map[string]*convBlock
}

type convBlock struct {
	w1, g1, b1, w2, g2, b2 *autograd.Value
	rm1, rv1, rm2, rv2     *tensor.Tensor
}

func newStepNet(nd, base int) *stepNet {
	rng := tensor.NewRNG(1)
	n := &stepNet{nd: nd, blocks: map[string]*convBlock{}}
	param := func(t *tensor.Tensor) *autograd.Value {
		p := autograd.Param(t)
		n.params = append(n.params, p)
		return p
	}
	conv := func(cin, cout, k int) *autograd.Value {
		shape := []int{cout, cin}
		for range nd {
			shape = append(shape, k)
		}
		w := tensor.New[float32](shape...)
		w.KaimingUniform(rng, math.Sqrt(5), tensor.FanIn, "leaky_relu")
		return param(w)
	}
	block := func(name string, cin, cout int) {
		n.blocks[name] = &convBlock{
			w1: conv(cin, cout, 3), g1: param(tensor.Ones(cout)), b1: param(tensor.Zeros(cout)),
			w2: conv(cout, cout, 3), g2: param(tensor.Ones(cout)), b2: param(tensor.Zeros(cout)),
			rm1: tensor.Zeros(cout), rv1: tensor.Ones(cout), rm2: tensor.Zeros(cout), rv2: tensor.Ones(cout),
		}
	}
	block("enc1", 1, base)
	block("enc2", base, 2*base)
	block("mid", 2*base, 4*base)
	block("dec2", 6*base, 2*base)
	block("dec1", 3*base, base)
	n.blocks["out"] = &convBlock{w1: conv(base, 1, 1), b1: param(tensor.Zeros(1))}
	return n
}

func ones(nd, v int) []int {
	s := make([]int, nd)
	for i := range s {
		s[i] = v
	}
	return s
}

func (b *convBlock) forward(x *autograd.Value) *autograd.Value {
	same := autograd.ConvOpts{Pad: ones(x.Dims()-2, 1)}
	x = autograd.Conv(x, b.w1, nil, same)
	x = autograd.Relu(autograd.BatchNorm(x, b.g1, b.b1, b.rm1, b.rv1, true, 0.1, 1e-5))
	x = autograd.Conv(x, b.w2, nil, same)
	return autograd.Relu(autograd.BatchNorm(x, b.g2, b.b2, b.rm2, b.rv2, true, 0.1, 1e-5))
}

func (n *stepNet) forward(x *autograd.Value) *autograd.Value {
	pool := autograd.PoolOpts{Kernel: ones(n.nd, 2)}
	up := func(v *autograd.Value) *autograd.Value {
		size := append([]int(nil), v.Shape()[2:]...)
		for i := range size {
			size[i] *= 2
		}
		return autograd.Interpolate(v, size, autograd.InterpLinear, false)
	}
	e1 := n.blocks["enc1"].forward(x)
	e2 := n.blocks["enc2"].forward(autograd.MaxPool(e1, pool))
	m := n.blocks["mid"].forward(autograd.MaxPool(e2, pool))
	d2 := n.blocks["dec2"].forward(autograd.Concat(1, up(m), e2))
	d1 := n.blocks["dec1"].forward(autograd.Concat(1, up(d2), e1))
	o := n.blocks["out"]
	return autograd.Sigmoid(autograd.Conv(d1, o.w1, o.b1, autograd.ConvOpts{}))
}

// diceLoss is 1 − (2Σpt + 1)/(Σp + Σt + 1), the soft Dice loss.
func diceLoss(p, t *autograd.Value) *autograd.Value {
	inter := autograd.SumAll(autograd.Mul(p, t))
	den := autograd.AddScalar(autograd.Add(autograd.SumAll(p), autograd.SumAll(t)), 1)
	return autograd.AddScalar(autograd.Neg(autograd.Div(autograd.AddScalar(autograd.MulScalar(inter, 2), 1), den)), 1)
}

// step runs forward, backward, a plain SGD update and releases the graph.
func (n *stepNet) step(x, y *tensor.Tensor, lr float32) float32 {
	loss := diceLoss(n.forward(autograd.Const(x)), autograd.Const(y))
	l := loss.Item()
	loss.Backward()
	for _, p := range n.params {
		tensor.Axpy(-lr, p.Grad(), p.Data())
		p.ZeroGrad()
	}
	loss.Release()
	return l
}

func stepData(nd, batch, size int) (x, y *tensor.Tensor) {
	rng := tensor.NewRNG(2)
	shape := append([]int{batch, 1}, ones(nd, size)...)
	x = tensor.Normal[float32](rng, 0, 1, shape...)
	y = tensor.Zeros(shape...)
	yd := y.Data()
	for i := range yd { // a ball in the middle
		r2 := 0
		for j, k := 0, i; j < nd; j, k = j+1, k/size {
			c := k%size - size/2
			r2 += c * c
		}
		if r2 < size*size/16 {
			yd[i] = 1
		}
	}
	return x, y
}

// BenchmarkUNetStep times one training step of a small U-Net, 2D (batch
// 2, 1×64×64, 8 base filters) and 3D (batch 1, 1×24×24×24, 4 base
// filters), and reports the bytes allocated and the garbage collector's
// CPU time per step, with the buffer pool on and off.
func BenchmarkUNetStep(b *testing.B) {
	nets := []struct {
		name                string
		nd, base, batch, sz int
	}{
		{"2d", 2, 8, 2, 64},
		{"3d", 3, 4, 1, 24},
	}
	for _, nc := range nets {
		for _, pool := range []bool{true, false} {
			name := nc.name + "/pool=on"
			if !pool {
				name = nc.name + "/pool=off"
			}
			b.Run(name, func(b *testing.B) { benchStep(b, pool, nc.nd, nc.base, nc.batch, nc.sz) })
		}
	}
}

func benchStep(b *testing.B, pool bool, nd, base, batch, size int) {
	old := tensor.SetPooling(pool)
	defer tensor.SetPooling(old)
	net := newStepNet(nd, base)
	x, y := stepData(nd, batch, size)
	for i := 0; i < 2; i++ { // warm the pool up
		net.step(x, y, 0.01)
	}
	runtime.GC()
	samples := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(samples)
	gc0 := samples[0].Value.Float64()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	ps0 := tensor.Pool()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		net.step(x, y, 0.01)
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	metrics.Read(samples)
	steps := float64(b.N)
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/steps, "B/step")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/steps, "allocs/step")
	b.ReportMetric(float64(ms1.NumGC-ms0.NumGC)/steps, "GCs/step")
	b.ReportMetric((samples[0].Value.Float64()-gc0)*1e3/steps, "gc-cpu-ms/step")
	ps1 := tensor.Pool()
	b.ReportMetric(float64(ps1.Misses-ps0.Misses)/steps, "new-buffers/step")
	b.ReportMetric(float64(ps1.HeldBytes)/(1<<20), "pool-MiB")
}

// TestUNetStepLearns checks that the benchmark's network really trains:
// the Dice loss must fall over a few steps on a fixed batch.
func TestUNetStepLearns(t *testing.T) {
	net := newStepNet(2, 4)
	x, y := stepData(2, 2, 16)
	first := net.step(x, y, 0.1)
	var last float32
	for i := 0; i < 30; i++ {
		last = net.step(x, y, 0.1)
	}
	if !(last < first) {
		t.Fatalf("Dice loss went from %v to %v in 30 steps", first, last)
	}
}
