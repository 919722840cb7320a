package kernels

// split2Go deinterleaves src's pairs: a[i] = src[2i], b[i] = src[2i+1]
// for i < len(a).
func split2Go[T Float](a, b, src []T) {
	b, src = b[:len(a)], src[:2*len(a)]
	for i := range a {
		a[i] = src[2*i]
		b[i] = src[2*i+1]
	}
}

// merge2Go interleaves a and b into pairs: dst[2i] = a[i], dst[2i+1] =
// b[i] for i < len(a).
func merge2Go[T Float](dst, a, b []T) {
	b, dst = b[:len(a)], dst[:2*len(a)]
	for i := range a {
		dst[2*i] = a[i]
		dst[2*i+1] = b[i]
	}
}

// split2 is split2Go on the installed tier.
func split2[T Float](a, b, src []T) {
	if split2F32 != nil {
		if af, ok := any(a).([]float32); ok {
			split2F32(af, any(b).([]float32), any(src).([]float32))
			return
		}
	}
	split2Go(a, b, src)
}

// merge2 is merge2Go on the installed tier.
func merge2[T Float](dst, a, b []T) {
	if merge2F32 != nil {
		if df, ok := any(dst).([]float32); ok {
			merge2F32(df, any(a).([]float32), any(b).([]float32))
			return
		}
	}
	merge2Go(dst, a, b)
}
