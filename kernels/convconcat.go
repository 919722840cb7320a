package kernels

import "fmt"

// ConvForwardConcat computes ConvForward of the concatenation of parts
// along the channel axis without making it: part i is [N, Cᵢ, In...] (Cᵢ
// is len(parts[i]) / (N·∏In)), and the Cᵢ sum to p.Cin. A decoder's
// convolution of an upsampled map and a skip connection reads both in
// place where its path reads the input plane by plane (the AVX-512 tier's
// Winograd path); elsewhere the parts are copied into one buffer first.
func ConvForwardConcat[T Float](p ConvParams, parts [][]T, w, bias, y []T) {
	g := p.geom("ConvForwardConcat")
	n := checkParts("ConvForwardConcat", &g, p, parts)
	g.checkLens("ConvForwardConcat", n, len(w), len(bias), len(y), bias != nil)
	if convForwardConcatF32 != nil {
		if xs, ok := any(parts).([][]float32); ok && convForwardConcatF32(p, xs, any(w).([]float32), any(bias).([]float32), any(y).([]float32)) {
			return
		}
	}
	xb := getScratch[T](n)
	defer putScratch(xb)
	x := (*xb)[:n]
	concatChannels(x, parts, g.n)
	ConvForward(p, x, w, bias, y)
}

// ConvBackwardWeightConcat is ConvBackwardWeight with the input given as
// the parts of a concatenation along the channels (ConvForwardConcat),
// read in place where the AVX-512 tier's Winograd path computes the
// gradient.
func ConvBackwardWeightConcat[T Float](p ConvParams, parts [][]T, dy, dw, dbias []T) {
	g := p.geom("ConvBackwardWeightConcat")
	n := checkParts("ConvBackwardWeightConcat", &g, p, parts)
	g.checkLens("ConvBackwardWeightConcat", n, len(dw), len(dbias), len(dy), dbias != nil)
	if convBackwardWeightConcatF32 != nil {
		if xs, ok := any(parts).([][]float32); ok && convBackwardWeightConcatF32(p, xs, any(dy).([]float32), any(dw).([]float32), any(dbias).([]float32)) {
			return
		}
	}
	xb := getScratch[T](n)
	defer putScratch(xb)
	x := (*xb)[:n]
	concatChannels(x, parts, g.n)
	ConvBackwardWeight(p, x, dy, dw, dbias)
}

// ConvBackwardDataConcat is ConvBackwardData with dx given as the parts
// of a concatenation along the channels (ConvForwardConcat), part i [N,
// Cᵢ, In...]: each gets its channels of the gradient, written in place
// where the AVX-512 tier's Winograd path computes it.
func ConvBackwardDataConcat[T Float](p ConvParams, dy, w []T, parts [][]T) {
	g := p.geom("ConvBackwardDataConcat")
	n := checkParts("ConvBackwardDataConcat", &g, p, parts)
	g.checkLens("ConvBackwardDataConcat", n, len(w), 0, len(dy), false)
	if convBackwardDataConcatF32 != nil {
		if xs, ok := any(parts).([][]float32); ok && convBackwardDataConcatF32(p, any(dy).([]float32), any(w).([]float32), xs) {
			return
		}
	}
	xb := getScratch[T](n)
	defer putScratch(xb)
	dx := (*xb)[:n]
	ConvBackwardData(p, dy, w, dx)
	splitChannels(parts, dx, g.n)
}

// splitChannels writes x, the concatenation along the channels of parts
// each [n, Cᵢ, ...], into the parts (concatChannels' inverse).
func splitChannels[T Float](parts [][]T, x []T, n int) {
	at := 0
	for s := 0; s < n; s++ {
		for _, pt := range parts {
			m := len(pt) / n
			at += copy(pt[s*m:(s+1)*m], x[at:])
		}
	}
}

// checkParts panics unless parts hold whole channels of p's input, p.Cin
// in all, and returns the values they hold.
func checkParts[T Float](kernel string, g *convGeom, p ConvParams, parts [][]T) int {
	plane := g.n * g.inVol()
	c := 0
	for i, x := range parts {
		if len(x) == 0 || plane == 0 || len(x)%plane != 0 {
			panic(fmt.Sprintf("kernels: %s: part %d of %d values is not a whole number of channels of %d×%v", kernel, i, len(x), g.n, p.In))
		}
		c += len(x) / plane
	}
	if c != p.Cin {
		panic(fmt.Sprintf("kernels: %s: parts of %d channels in all for Cin %d", kernel, c, p.Cin))
	}
	return c * plane
}

// concatChannels writes the concatenation along the channels of parts,
// each [n, Cᵢ, ...], into x.
func concatChannels[T Float](x []T, parts [][]T, n int) {
	at := 0
	for s := 0; s < n; s++ {
		for _, pt := range parts {
			m := len(pt) / n
			at += copy(x[at:], pt[s*m:(s+1)*m])
		}
	}
}
