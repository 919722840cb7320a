package postprocess

// FromFortran returns the voxels of a volume stored first index fastest
// (NIfTI's on-disk order, as package nifti keeps them) in C order (last
// index fastest), the layout of this package, metrics and transforms, for
// the same shape [nx, ny, nz]: out[(i·ny+j)·nz+k] = v[i+nx·(j+ny·k)].
func FromFortran(v []float32, shape [3]int) []float32 {
	checkLen("volume", len(v), shape)
	out := make([]float32, len(v))
	nx, ny, nz := shape[0], shape[1], shape[2]
	for k := 0; k < nz; k++ {
		for j := 0; j < ny; j++ {
			src := v[nx*(j+ny*k) : nx*(j+ny*k)+nx]
			for i, x := range src {
				out[(i*ny+j)*nz+k] = x
			}
		}
	}
	return out
}

// ToFortran is the inverse of FromFortran.
func ToFortran(v []float32, shape [3]int) []float32 {
	checkLen("volume", len(v), shape)
	out := make([]float32, len(v))
	nx, ny, nz := shape[0], shape[1], shape[2]
	for k := 0; k < nz; k++ {
		for j := 0; j < ny; j++ {
			dst := out[nx*(j+ny*k) : nx*(j+ny*k)+nx]
			for i := range dst {
				dst[i] = v[(i*ny+j)*nz+k]
			}
		}
	}
	return out
}
