package postprocess

import (
	"slices"
	"testing"
)

func TestFortranLayout(t *testing.T) {
	shape := [3]int{2, 3, 4}
	f := make([]float32, 24)
	for i := range f {
		f[i] = float32(i)
	}
	c := FromFortran(f, shape)
	// voxel (1, 2, 3): Fortran index 1 + 2·2 + 3·6 = 23, C index (1·3+2)·4+3 = 23;
	// voxel (1, 0, 0): Fortran 1, C 12.
	if c[23] != 23 || c[12] != 1 || c[1] != 6 {
		t.Errorf("C layout wrong: c[23]=%v c[12]=%v c[1]=%v", c[23], c[12], c[1])
	}
	if back := ToFortran(c, shape); !slices.Equal(back, f) {
		t.Errorf("round trip: %v", back)
	}
}
