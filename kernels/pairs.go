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

// split2RowsGo runs split2Go on rows rows of n pairs: row r splits
// src[r·srcStride:] into a[r·dstStride:] and b[r·dstStride:].
func split2RowsGo[T Float](a, b, src []T, n, rows, dstStride, srcStride int) {
	for r := range rows {
		split2Go(a[r*dstStride:][:n], b[r*dstStride:], src[r*srcStride:])
	}
}

// merge2RowsGo runs merge2Go on rows rows of n pairs: row r interleaves
// a[r·srcStride:] and b[r·srcStride:] into dst[r·dstStride:].
func merge2RowsGo[T Float](dst, a, b []T, n, rows, dstStride, srcStride int) {
	for r := range rows {
		merge2Go(dst[r*dstStride:], a[r*srcStride:][:n], b[r*srcStride:])
	}
}

// split2Rows is split2RowsGo on the installed tier.
func split2Rows[T Float](a, b, src []T, n, rows, dstStride, srcStride int) {
	if split2RowsF32 != nil {
		if af, ok := any(a).([]float32); ok {
			split2RowsF32(af, any(b).([]float32), any(src).([]float32), n, rows, dstStride, srcStride)
			return
		}
	}
	split2RowsGo(a, b, src, n, rows, dstStride, srcStride)
}

// merge2Rows is merge2RowsGo on the installed tier.
func merge2Rows[T Float](dst, a, b []T, n, rows, dstStride, srcStride int) {
	if merge2RowsF32 != nil {
		if df, ok := any(dst).([]float32); ok {
			merge2RowsF32(df, any(a).([]float32), any(b).([]float32), n, rows, dstStride, srcStride)
			return
		}
	}
	merge2RowsGo(dst, a, b, n, rows, dstStride, srcStride)
}
