package tensor

import "testing"

// TestCopyFromLarge checks CopyFrom on views large enough to be split
// over the workers (a concatenation's parts along axis 1, a transposed
// view, a broadcast row) against an element-by-element copy.
func TestCopyFromLarge(t *testing.T) {
	g := NewRNG(4)
	src := Uniform[float32](g, -1, 1, 5, 12, 33, 41)
	whole := Empty[float32](5, 20, 33, 41)
	whole.Narrow(1, 3, 12).CopyFrom(src)
	tr := Empty[float32](5, 12, 41, 33)
	tr.CopyFrom(src.Transpose(2, 3))
	row := Uniform[float32](g, -1, 1, 1, 1, 1, 41)
	bc := Empty[float32](5, 12, 33, 41)
	bc.CopyFrom(row)
	for a := range 5 {
		for b := range 12 {
			for c := range 33 {
				for d := range 41 {
					v := src.At(a, b, c, d)
					if whole.At(a, b+3, c, d) != v || tr.At(a, b, d, c) != v || bc.At(a, b, c, d) != row.At(0, 0, 0, d) {
						t.Fatalf("element %v: narrow %v, transposed %v, broadcast %v; want %v and %v",
							[]int{a, b, c, d}, whole.At(a, b+3, c, d), tr.At(a, b, d, c), bc.At(a, b, c, d), v, row.At(0, 0, 0, d))
					}
				}
			}
		}
	}
}
