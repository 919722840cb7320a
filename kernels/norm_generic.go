package kernels

import "math"

func sqrt64(v float64) float64 { return math.Sqrt(v) }

// sum64 returns Σ x accumulated in float64.
func sum64[T Float](x []T) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i])
		s1 += float64(x[i+1])
		s2 += float64(x[i+2])
		s3 += float64(x[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// sumSqDev64 returns Σ (x − m)² accumulated in float64.
func sumSqDev64[T Float](x []T, m float64) float64 {
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(x); i += 2 {
		d0, d1 := float64(x[i])-m, float64(x[i+1])-m
		s0 += d0 * d0
		s1 += d1 * d1
	}
	for ; i < len(x); i++ {
		d := float64(x[i]) - m
		s0 += d * d
	}
	return s0 + s1
}

// dyStats returns Σ dy and Σ dy·(x − m), accumulated in float64.
func dyStats[T Float](dy, x []T, m float64) (sdy, sdyx float64) {
	for i, g := range dy {
		gv := float64(g)
		sdy += gv
		sdyx += gv * (float64(x[i]) - m)
	}
	return
}

// affine folds normalisation and the optional affine parameters of
// channel ch into y = a·x + d.
func affine[T Float](gamma, beta []T, ch int, mean, invstd float64) (a, d T) {
	g, b := 1.0, 0.0
	if gamma != nil {
		g = float64(gamma[ch])
	}
	if beta != nil {
		b = float64(beta[ch])
	}
	return T(g * invstd), T(b - mean*g*invstd)
}

// scaleShift sets y = a·x + d.
func scaleShift[T Float](y, x []T, a, d T) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] = a*v + d
	}
}

// gradLinear sets dx = k·dy + kx·(x − m) + k0; centring x first avoids
// the cancellation of kx·x + k0 when the mean is large.
func gradLinear[T Float](dx, dy, x []T, m, k, kx, k0 T) {
	dy, x = dy[:len(dx)], x[:len(dx)]
	for i := range dx {
		dx[i] = k*dy[i] + kx*(x[i]-m) + k0
	}
}

// channelMoments returns the mean of channel ch of x (n×c×s) and
// 1/√(variance+eps), summed in float64 image by image: the generic
// statistics of every batch norm path, so that they agree bit for bit.
func channelMoments[T Float](n, c, s int, x []T, eps T, ch int) (mean, invstd float64) {
	var sum float64
	for b := 0; b < n; b++ {
		sum += sum64(x[(b*c+ch)*s : (b*c+ch+1)*s])
	}
	mean = sum / float64(n*s)
	var sq float64
	for b := 0; b < n; b++ {
		sq += sumSqDev64(x[(b*c+ch)*s:(b*c+ch+1)*s], mean)
	}
	return mean, 1 / sqrt64(sq/float64(n*s)+float64(eps))
}
