package kernels

// ConvForwardLeaky computes ConvForward of LeakyRelu(x, slope) without
// making it where the convolution's path reads its input plane by plane
// (the AVX-512 tier's Winograd path on 3D slices of 48 tiles or more,
// whose planes each pass through LeakyRelu on their way in); elsewhere
// LeakyRelu(x) goes to scratch first. Bit for bit the same either way.
func ConvForwardLeaky[T Float](p ConvParams, x []T, slope T, w, bias, y []T) {
	g := p.geom("ConvForwardLeaky")
	g.checkLens("ConvForwardLeaky", len(x), len(w), len(bias), len(y), bias != nil)
	if convForwardLeakyF32 != nil {
		if xf, ok := any(x).([]float32); ok && convForwardLeakyF32(p, xf, float32(slope), any(w).([]float32), any(bias).([]float32), any(y).([]float32)) {
			return
		}
	}
	ab := getScratch[T](len(x))
	defer putScratch(ab)
	a := (*ab)[:len(x)]
	leakyInto(a, x, slope)
	ConvForward(p, a, w, bias, y)
}

// leakyJob is LeakyRelu over a parallel loop, a pooled job rather than
// the closure Parallel takes, which escapes: the convolutions' steady
// state allocates nothing.
type leakyJob[T Float] struct {
	dst, x []T
	slope  T
}

var leakyJobs jobList

func (j *leakyJob[T]) run(lo, hi int) {
	if leakyReluLeafF32 != nil {
		if d, ok := any(j.dst).([]float32); ok {
			leakyReluLeafF32(d[lo:hi], any(j.x).([]float32)[lo:hi], float32(j.slope))
			return
		}
	}
	leakyReluRange(j.dst[lo:hi], j.x[lo:hi], j.slope)
}

// leakyInto is LeakyRelu(dst, x, slope) without allocating.
func leakyInto[T Float](dst, x []T, slope T) {
	j := getJob[leakyJob[T]](&leakyJobs)
	*j = leakyJob[T]{dst: dst, x: x, slope: slope}
	parallelJob(len(dst), elemGrain, j)
	putJob(&leakyJobs, j)
}

// ConvBackwardWeightLeaky is ConvBackwardWeight of LeakyRelu(x, slope),
// on ConvForwardLeaky's terms.
func ConvBackwardWeightLeaky[T Float](p ConvParams, x []T, slope T, dy, dw, dbias []T) {
	g := p.geom("ConvBackwardWeightLeaky")
	g.checkLens("ConvBackwardWeightLeaky", len(x), len(dw), len(dbias), len(dy), dbias != nil)
	if convBackwardWeightLeakyF32 != nil {
		if xf, ok := any(x).([]float32); ok && convBackwardWeightLeakyF32(p, xf, float32(slope), any(dy).([]float32), any(dw).([]float32), any(dbias).([]float32)) {
			return
		}
	}
	ab := getScratch[T](len(x))
	defer putScratch(ab)
	a := (*ab)[:len(x)]
	leakyInto(a, x, slope)
	ConvBackwardWeight(p, a, dy, dw, dbias)
}
