package nifti

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"os"
	"strconv"
)

// F is a float64 that marshals to JSON as the nibabel oracle writes it:
// non-finite values as the strings "NaN", "Infinity" and "-Infinity".
type F float64

// MarshalJSON implements json.Marshaler.
func (f F) MarshalJSON() ([]byte, error) {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return []byte(`"NaN"`), nil
	case math.IsInf(x, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(x, -1):
		return []byte(`"-Infinity"`), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

// UnmarshalJSON accepts numbers and the three strings MarshalJSON writes.
func (f *F) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*f = F(math.NaN())
		return nil
	case `"Infinity"`:
		*f = F(math.Inf(1))
		return nil
	case `"-Infinity"`:
		*f = F(math.Inf(-1))
		return nil
	}
	x, err := strconv.ParseFloat(string(b), 64)
	*f = F(x)
	return err
}

// JSONStats is Stats with JSON-safe floats; the nan* fields are present
// only when there are NaNs among other values.
type JSONStats struct {
	N        int  `json:"n"`
	Sum      *F   `json:"sum,omitempty"`
	Mean     *F   `json:"mean,omitempty"`
	Min      *F   `json:"min,omitempty"`
	Max      *F   `json:"max,omitempty"`
	NaNCount *int `json:"nan_count,omitempty"`
	InfCount *int `json:"inf_count,omitempty"`
	NaNSum   *F   `json:"nansum,omitempty"`
	NaNMean  *F   `json:"nanmean,omitempty"`
	NaNMin   *F   `json:"nanmin,omitempty"`
	NaNMax   *F   `json:"nanmax,omitempty"`
}

func pf(x float64) *F { f := F(x); return &f }

func jsonStats(s Stats) *JSONStats {
	j := &JSONStats{N: s.N}
	if s.N == 0 {
		return j
	}
	nan, inf := s.NaNCount, s.InfCount
	j.Sum, j.Mean, j.Min, j.Max = pf(s.Sum), pf(s.Mean), pf(s.Min), pf(s.Max)
	j.NaNCount, j.InfCount = &nan, &inf
	if s.HasNaNStats {
		j.NaNSum, j.NaNMean, j.NaNMin, j.NaNMax = pf(s.NaNSum), pf(s.NaNMean), pf(s.NaNMin), pf(s.NaNMax)
	}
	return j
}

// ComplexStats holds the statistics of the real and imaginary parts.
type ComplexStats struct {
	Real *JSONStats `json:"real"`
	Imag *JSONStats `json:"imag"`
}

// Voxel is the value at one index: a number, or a list for RGB(A)
// ([r, g, b(, a)]) and complex ([re, im]) data.
type Voxel struct {
	Index []int `json:"index"`
	Value any   `json:"value"`
}

// JSONExtension describes one header extension.
type JSONExtension struct {
	Code  int32 `json:"code"`
	ESize int   `json:"esize"`
	// ContentBytes is the length of the content without trailing NULs.
	ContentBytes int `json:"content_bytes"`
}

// Info is what `ivadogo info --json` prints for one file; the field names
// are those of the nibabel oracle (shared/data/nifti-oracle.json).
type Info struct {
	Path           string          `json:"path"`
	FileSize       int64           `json:"file_size"`
	Format         string          `json:"format"`
	NIfTIVersion   *int            `json:"nifti_version"`
	Endianness     *string         `json:"endianness"`
	SizeofHdr      int32           `json:"sizeof_hdr"`
	Magic          *string         `json:"magic"`
	Dim            []int64         `json:"dim"`
	Shape          []int           `json:"shape"`
	Datatype       int             `json:"datatype"`
	DatatypeName   string          `json:"datatype_name"`
	Bitpix         int             `json:"bitpix"`
	Pixdim         []F             `json:"pixdim"`
	Zooms          []F             `json:"zooms"`
	VoxOffset      F               `json:"vox_offset"`
	SclSlope       F               `json:"scl_slope"`
	SclInter       F               `json:"scl_inter"`
	EffectiveSlope F               `json:"effective_slope"`
	EffectiveInter F               `json:"effective_inter"`
	QformCode      *int32          `json:"qform_code"`
	SformCode      *int32          `json:"sform_code"`
	Qform          *[4][4]F        `json:"qform"`
	Sform          *[4][4]F        `json:"sform"`
	BestAffine     [4][4]F         `json:"best_affine"`
	Axcodes        []*string       `json:"axcodes"`
	IntentCode     *int32          `json:"intent_code"`
	XYZTUnits      *int32          `json:"xyzt_units"`
	SpaceUnits     string          `json:"space_units"`
	TimeUnits      string          `json:"time_units"`
	Descrip        string          `json:"descrip"`
	Extensions     []JSONExtension `json:"extensions"`

	DataKind  string   `json:"data_kind,omitempty"`
	DataShape []int    `json:"data_shape,omitempty"`
	DataStats any      `json:"data_stats,omitempty"`
	Voxels    *[]Voxel `json:"voxels,omitempty"`
	SHA256F32 string   `json:"sha256_f32le_f,omitempty"`
	SHA256C64 string   `json:"sha256_c64le_f,omitempty"`
}

func jaff(a Affine) [4][4]F {
	var j [4][4]F
	for i := range 4 {
		for k := range 4 {
			j[i][k] = F(a[i][k])
		}
	}
	return j
}

// HeaderInfo fills the header part of an Info from h.
func HeaderInfo(h *Header) *Info {
	in := &Info{
		Format:       h.Format.String(),
		SizeofHdr:    h.SizeofHdr,
		Dim:          h.Dim[:],
		Shape:        h.Shape(),
		Datatype:     int(h.Datatype),
		DatatypeName: h.Datatype.String(),
		Bitpix:       int(h.Bitpix),
		VoxOffset:    F(h.VoxOffset),
		SclSlope:     F(h.SclSlope),
		SclInter:     F(h.SclInter),
		BestAffine:   jaff(h.Affine()),
		Descrip:      h.Descrip,
		Extensions:   []JSONExtension{},
	}
	end := h.Endianness()
	in.Endianness = &end
	// format, magic and endianness describe the raw bytes as the oracle
	// does: a sizeof_hdr that is neither 348 nor 540 makes the format
	// "unknown" even when the NIfTI-1 magic lets the header be read.
	if len(h.raw) >= sizeofHdr1 {
		m := latin1(h.raw[344:348])
		if h.Format.Version() == 2 {
			m = string(bytes.TrimRight(h.raw[4:12], "\x00"))
		}
		in.Magic = &m
		le := int32(binary.LittleEndian.Uint32(h.raw))
		be := int32(binary.BigEndian.Uint32(h.raw))
		if le != sizeofHdr1 && le != sizeofHdr2 && be != sizeofHdr1 && be != sizeofHdr2 {
			in.Format, in.Endianness, in.SizeofHdr, in.Magic = "unknown", nil, le, nil
		}
	}
	for _, p := range h.Pixdim {
		in.Pixdim = append(in.Pixdim, F(p))
	}
	for _, z := range h.Zooms() {
		in.Zooms = append(in.Zooms, F(z))
	}
	s, i, err := h.SlopeInter()
	if err == nil {
		in.EffectiveSlope, in.EffectiveInter = F(s), F(i)
	}
	if v := h.Format.Version(); v > 0 {
		q, sf := jaff(h.QForm()), jaff(h.SForm())
		qc, sc, ic, u := h.QformCode, h.SformCode, h.IntentCode, h.XYZTUnits
		if in.Format != "unknown" {
			in.NIfTIVersion = &v
		}
		in.Qform, in.Sform = &q, &sf
		in.QformCode, in.SformCode, in.IntentCode, in.XYZTUnits = &qc, &sc, &ic, &u
		in.SpaceUnits, in.TimeUnits = h.XYZUnits(), h.TUnits()
	}
	for _, c := range AxCodes(h.Affine()) {
		if c == "?" {
			in.Axcodes = append(in.Axcodes, nil)
			continue
		}
		c := c
		in.Axcodes = append(in.Axcodes, &c)
	}
	for _, e := range h.Extensions {
		in.Extensions = append(in.Extensions, JSONExtension{Code: e.Code, ESize: len(e.Data) + 8,
			ContentBytes: len(bytes.TrimRight(e.Data, "\x00"))})
	}
	return in
}

// ReadInfo reads path and describes it as the nibabel oracle does; with
// headerOnly the voxel data are not read.
func ReadInfo(path string, headerOnly bool) (*Info, error) {
	var h *Header
	var img *Image
	var err error
	if headerOnly {
		h, err = ReadHeader(path)
	} else {
		img, err = ReadFloat64(path)
		if img != nil {
			h = img.Header
		}
	}
	if err != nil {
		return nil, err
	}
	in := HeaderInfo(h)
	in.Path = path
	if st, err := os.Stat(path); err == nil {
		in.FileSize = st.Size()
	}
	if img != nil {
		describeData(in, img)
	}
	return in, nil
}

// describeData adds data_kind, data_shape, data_stats, voxels and the
// hashes of img (read with ReadFloat64).
func describeData(in *Info, img *Image) {
	h := img.Header
	d := img.Data64
	shape := h.Shape()
	nv := len(d) / h.Datatype.Channels()
	in.DataShape = shape
	switch {
	case h.Datatype.IsRGB():
		in.DataKind = "rgb"
		if h.Datatype == RGBA32 {
			in.DataKind = "rgba"
		}
		in.DataShape = img.Shape
		in.DataStats = jsonStats(Describe(d))
	case h.Datatype.IsComplex():
		in.DataKind = "complex"
		in.DataStats = ComplexStats{Real: jsonStats(Describe(d[:nv])), Imag: jsonStats(Describe(d[nv:]))}
	default:
		in.DataKind = "scalar"
		in.DataStats = jsonStats(Describe(d))
	}
	if h.Datatype.IsComplex() {
		in.SHA256C64 = hashC64(d[:nv], d[nv:])
	} else {
		in.SHA256F32 = HashF32(d)
	}
	vox := voxels(shape, d, nv, h.Datatype)
	in.Voxels = &vox
}

// HashF32 returns the hex sha256 of a's values as float32 little-endian,
// the oracle's sha256_f32le_f when a is in Fortran order.
func HashF32[T float32 | float64](a []T) string {
	hs := sha256.New()
	buf := make([]byte, 0, 4*4096)
	for i, x := range a {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(x)))
		if len(buf) == cap(buf) || i == len(a)-1 {
			hs.Write(buf)
			buf = buf[:0]
		}
	}
	return hexs(hs.Sum(nil))
}

func hashC64(re, im []float64) string {
	hs := sha256.New()
	buf := make([]byte, 0, 8*4096)
	for i := range re {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(re[i])))
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(im[i])))
		if len(buf) == cap(buf) || i == len(re)-1 {
			hs.Write(buf)
			buf = buf[:0]
		}
	}
	return hexs(hs.Sum(nil))
}

func hexs(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

// voxels returns the values at the first, centre (d/2) and last (d-1)
// index along every axis, the oracle's fixed probes.
func voxels(shape []int, d []float64, nv int, dt Datatype) []Voxel {
	out := []Voxel{}
	for _, s := range shape {
		if s == 0 {
			return out
		}
	}
	for probe := 0; probe < 3; probe++ {
		idx := make([]int, len(shape))
		lin, stride := 0, 1
		for i, s := range shape {
			switch probe {
			case 1:
				idx[i] = s / 2
			case 2:
				idx[i] = s - 1
			}
			lin += idx[i] * stride
			stride *= s
		}
		var v any
		switch c := dt.Channels(); {
		case c == 1:
			v = F(d[lin])
		case dt.IsRGB():
			vals := make([]int, c)
			for ch := range c {
				vals[ch] = int(d[ch*nv+lin])
			}
			v = vals
		default:
			v = []F{F(d[lin]), F(d[nv+lin])}
		}
		out = append(out, Voxel{Index: idx, Value: v})
	}
	return out
}
