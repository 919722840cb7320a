package nifti

import "strconv"

// Datatype is a NIfTI datatype code.
type Datatype int16

// The datatype codes of the NIfTI-1 standard (Analyze 7.5 knows the codes
// up to 255).
const (
	None       Datatype = 0
	Binary     Datatype = 1
	Uint8      Datatype = 2
	Int16      Datatype = 4
	Int32      Datatype = 8
	Float32    Datatype = 16
	Complex64  Datatype = 32
	Float64    Datatype = 64
	RGB24      Datatype = 128
	All        Datatype = 255
	Int8       Datatype = 256
	Uint16     Datatype = 512
	Uint32     Datatype = 768
	Int64      Datatype = 1024
	Uint64     Datatype = 1280
	Float128   Datatype = 1536
	Complex128 Datatype = 1792
	Complex256 Datatype = 2048
	RGBA32     Datatype = 2304
)

type dtInfo struct {
	name    string
	size    int // bytes per voxel; 0 = no voxel layout (none, binary, all)
	analyze bool
}

var dtTable = map[Datatype]dtInfo{
	None:       {"none", 0, true},
	Binary:     {"binary", 0, true},
	Uint8:      {"uint8", 1, true},
	Int16:      {"int16", 2, true},
	Int32:      {"int32", 4, true},
	Float32:    {"float32", 4, true},
	Complex64:  {"complex64", 8, true},
	Float64:    {"float64", 8, true},
	RGB24:      {"RGB", 3, true},
	All:        {"all", 0, true},
	Int8:       {"int8", 1, false},
	Uint16:     {"uint16", 2, false},
	Uint32:     {"uint32", 4, false},
	Int64:      {"int64", 8, false},
	Uint64:     {"uint64", 8, false},
	Float128:   {"float128", 0, false}, // see validFor
	Complex128: {"complex128", 16, false},
	Complex256: {"complex256", 0, false},
	RGBA32:     {"RGBA", 4, false},
}

// String returns nibabel's label for the code ("uint8", "RGB", ...), or
// the number for an unknown code.
func (d Datatype) String() string {
	if in, ok := dtTable[d]; ok {
		return in.name
	}
	return strconv.Itoa(int(d))
}

// Known reports whether d is a datatype code of the NIfTI-1 standard.
func (d Datatype) Known() bool {
	_, ok := dtTable[d]
	return ok
}

// Size returns the bytes per voxel, or 0 when the code has no voxel layout
// (none, binary, all), is not supported (float128, complex256) or is
// unknown.
func (d Datatype) Size() int { return dtTable[d].size }

// Channels returns the number of values per voxel in an Image: 3 for RGB24,
// 4 for RGBA32, 2 for the complex types and 1 otherwise.
func (d Datatype) Channels() int {
	switch d {
	case RGB24:
		return 3
	case RGBA32:
		return 4
	case Complex64, Complex128, Complex256:
		return 2
	}
	return 1
}

// IsComplex reports whether d is a complex type.
func (d Datatype) IsComplex() bool { return d == Complex64 || d == Complex128 || d == Complex256 }

// IsRGB reports whether d is RGB24 or RGBA32.
func (d Datatype) IsRGB() bool { return d == RGB24 || d == RGBA32 }

// IsInteger reports whether d stores integers.
func (d Datatype) IsInteger() bool {
	switch d {
	case Uint8, Int16, Int32, Int8, Uint16, Uint32, Int64, Uint64:
		return true
	}
	return false
}

// validFor reports whether a reader of the given NIfTI version (0 for
// Analyze) can hold voxels of type d. float128 and complex256 are refused,
// as nibabel refuses them wherever numpy's long double is not IEEE
// binary128 (x86 among others): their meaning differs across writers.
func (d Datatype) validFor(version int) bool {
	in, ok := dtTable[d]
	return ok && in.size > 0 && (version > 0 || in.analyze)
}
