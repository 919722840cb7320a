package kernels

import "math"

// exp32 is e^x for float32 by Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2,
// a degree-6 polynomial for e^r, and 2^n put into the exponent bits. It
// is within 2 ulp of the correctly rounded value for x in [−87.3, 88.7]
// and, unlike math.Exp on a float64, costs a few nanoseconds. Inputs
// below −87.3 give about 1.2e-38 instead of a subnormal, and inputs above
// 88.7 give +Inf; NaN gives NaN.
func exp32(x float32) float32 {
	if x != x {
		return x
	}
	if x > 88.72283 {
		return float32(math.Inf(1))
	}
	x = max(x, -87.33654)
	fx := x*1.44269504088896341 + 0.5
	n := float32(int32(fx))
	if n > fx { // floor for negative fx
		n--
	}
	x -= n * 0.693359375
	x -= n * -2.12194440e-4
	z := x * x
	y := ((((1.9875691500e-4*x+1.3981999507e-3)*x+8.3334519073e-3)*x+4.1665795894e-2)*x+1.6666665459e-1)*x + 5.0000001201e-1
	y = y*z + x + 1
	// 2^n as two halves: n reaches 128 near the top of the range and −126
	// at the bottom, where 2^n alone would overflow or be subnormal.
	n1 := int32(n) >> 1
	n2 := int32(n) - n1
	return y * math.Float32frombits(uint32(n1+127)<<23) * math.Float32frombits(uint32(n2+127)<<23)
}
