package nifti

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Format is the on-disk layout of a header.
type Format int

// The header formats, named as in nibabel's oracle.
const (
	Analyze      Format = iota // Analyze 7.5 (read as SPM2 does), always a pair
	NIfTI1Pair                 // magic "ni1": header in .hdr, data in .img
	NIfTI1Single               // magic "n+1": one .nii file
	NIfTI2Pair                 // magic "ni2"
	NIfTI2Single               // magic "n+2"
)

// String returns "analyze", "nifti1-pair", "nifti1-single", "nifti2-pair"
// or "nifti2-single".
func (f Format) String() string {
	switch f {
	case Analyze:
		return "analyze"
	case NIfTI1Pair:
		return "nifti1-pair"
	case NIfTI1Single:
		return "nifti1-single"
	case NIfTI2Pair:
		return "nifti2-pair"
	case NIfTI2Single:
		return "nifti2-single"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Version returns 1 or 2 for NIfTI, 0 for Analyze.
func (f Format) Version() int {
	switch f {
	case NIfTI1Pair, NIfTI1Single:
		return 1
	case NIfTI2Pair, NIfTI2Single:
		return 2
	}
	return 0
}

// Single reports whether header and data share one file.
func (f Format) Single() bool { return f == NIfTI1Single || f == NIfTI2Single }

// Sizes of the fixed headers.
const (
	sizeofHdr1 = 348
	sizeofHdr2 = 540
)

// Extension is one NIfTI header extension.
type Extension struct {
	Code int32
	// Data is the content as stored (esize-8 bytes, trailing NULs kept so
	// that a round trip is byte exact).
	Data []byte
}

// Header holds every field of a NIfTI-1, NIfTI-2 or Analyze header as
// stored on disk (no repairs applied: see the methods for the values
// nibabel uses). Fields stored as float32 in NIfTI-1 hold that float32
// value exactly.
type Header struct {
	Format    Format
	ByteOrder binary.ByteOrder

	SizeofHdr    int32
	DataTypeStr  string // Analyze data_type[10]
	DBName       string // Analyze db_name[18]
	Extents      int32
	SessionError int16
	Regular      byte
	DimInfo      byte
	Dim          [8]int64
	IntentP1     float64
	IntentP2     float64
	IntentP3     float64
	IntentCode   int32
	Datatype     Datatype
	Bitpix       int16
	SliceStart   int64
	Pixdim       [8]float64
	VoxOffset    float64
	SclSlope     float64 // Analyze: funused1 (SPM scale factor)
	SclInter     float64 // Analyze: funused2 (SPM2 intercept)
	SliceEnd     int64
	SliceCode    int32
	XYZTUnits    int32
	CalMax       float64
	CalMin       float64
	SliceDur     float64
	TOffset      float64
	Glmax        int32
	Glmin        int32
	Descrip      string
	AuxFile      string
	QformCode    int32
	SformCode    int32
	QuaternB     float64
	QuaternC     float64
	QuaternD     float64
	QoffsetX     float64
	QoffsetY     float64
	QoffsetZ     float64
	SrowX        [4]float64
	SrowY        [4]float64
	SrowZ        [4]float64
	IntentName   string
	Magic        string
	Origin       [5]int16 // Analyze (SPM): originator field as 5 int16, 1-based voxel

	Extensions []Extension

	// spmMat is the affine of the SPM .mat file beside an Analyze header;
	// when set it overrides the header, as in SPM and nibabel.
	spmMat *Affine

	// raw keeps the header block as read, so that bytes this type does
	// not model (Analyze's unused fields) survive a round trip.
	raw []byte
}

// Clone returns a deep copy of h.
func (h *Header) Clone() *Header {
	c := *h
	c.Extensions = make([]Extension, len(h.Extensions))
	for i, e := range h.Extensions {
		c.Extensions[i] = Extension{Code: e.Code, Data: append([]byte(nil), e.Data...)}
	}
	c.raw = append([]byte(nil), h.raw...)
	if h.spmMat != nil {
		m := *h.spmMat
		c.spmMat = &m
	}
	return &c
}

// Endianness returns "<" for little-endian and ">" for big-endian, as
// numpy and nibabel write it.
func (h *Header) Endianness() string {
	if h.ByteOrder == binary.BigEndian {
		return ">"
	}
	return "<"
}

// ErrNotNIfTI is wrapped by the errors for files that are not NIfTI or
// Analyze at all (sizeof_hdr neither 348 nor 540 and no NIfTI magic), so
// that a loader can tell them from damaged images with errors.Is.
var ErrNotNIfTI = errors.New("not NIfTI")

// cstr returns b without its trailing NULs; as in nibabel, interior NULs
// (FSL writes "FSL3.3\x00 v2.25") are kept.
func cstr(b []byte) string {
	return string(bytes.TrimRight(b, "\x00"))
}

// latin1 decodes b as latin-1 with trailing NULs stripped, as nibabel does.
func latin1(b []byte) string {
	b = bytes.TrimRight(b, "\x00")
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// putLatin1 writes s (as decoded by latin1) into the fixed field dst.
func putLatin1(dst []byte, s string) {
	clear(dst)
	i := 0
	for _, r := range s {
		if i >= len(dst) {
			break
		}
		if r > 0xff {
			r = '?'
		}
		dst[i] = byte(r)
		i++
	}
}

// detect works out the format and byte order from the first bytes of a
// header (at least 348). It follows nibabel: the size of the header in
// either byte order picks the version; a NIfTI-1 magic with a wrong
// sizeof_hdr is still NIfTI-1; the byte order is then guessed from dim[0].
func detect(b []byte) (Format, binary.ByteOrder, error) {
	le := int32(binary.LittleEndian.Uint32(b))
	be := int32(binary.BigEndian.Uint32(b))
	var version int
	switch {
	case le == sizeofHdr1 || be == sizeofHdr1:
		version = 1
	case le == sizeofHdr2 || be == sizeofHdr2:
		version = 2
	default:
		m := b[344:348]
		if bytes.Equal(m, []byte("n+1\x00")) || bytes.Equal(m, []byte("ni1\x00")) {
			version = 1
			break
		}
		return 0, nil, fmt.Errorf("%w: sizeof_hdr was %d (expected 348 or 540 in either byte order)", ErrNotNIfTI, le)
	}
	if version == 1 {
		order := dimOrder(int64(int16(binary.LittleEndian.Uint16(b[40:]))), be == sizeofHdr1)
		m := b[344:348]
		switch {
		case bytes.Equal(m[:3], []byte("n+1")):
			if m[3] != 0 {
				return 0, nil, fmt.Errorf("magic string %q is not valid", m)
			}
			return NIfTI1Single, order, nil
		case bytes.Equal(m[:3], []byte("ni1")):
			if m[3] != 0 {
				return 0, nil, fmt.Errorf("magic string %q is not valid", m)
			}
			return NIfTI1Pair, order, nil
		}
		return Analyze, order, nil
	}
	if len(b) < sizeofHdr2 {
		return 0, nil, fmt.Errorf("truncated header: expected %d bytes, got %d", sizeofHdr2, len(b))
	}
	order := dimOrder(int64(binary.LittleEndian.Uint64(b[16:])), be == sizeofHdr2)
	m := b[4:12]
	var f Format
	switch {
	case bytes.Equal(m[:4], []byte("n+2\x00")):
		f = NIfTI2Single
	case bytes.Equal(m[:4], []byte("ni2\x00")):
		f = NIfTI2Pair
	default:
		return 0, nil, fmt.Errorf("magic string %q is not valid for NIfTI-2", m[:4])
	}
	eol := m[4:8]
	if !bytes.Equal(eol, []byte{13, 10, 26, 10}) && !bytes.Equal(eol, []byte{0, 0, 0, 0}) {
		return 0, nil, fmt.Errorf("NIfTI-2 EOL check bytes are %v, not 13 10 26 10: data may be corrupted by EOL conversion", eol)
	}
	return f, order, nil
}

// decodeFixed parses the fixed part of a header (348 or 540 bytes; b may
// be longer). It does not read extensions and applies no checks beyond
// what is needed to tell the format.
func decodeFixed(b []byte) (*Header, error) {
	if len(b) < sizeofHdr1 {
		return nil, fmt.Errorf("truncated header: expected %d bytes, got %d", sizeofHdr1, len(b))
	}
	f, o, err := detect(b)
	if err != nil {
		return nil, err
	}
	h := &Header{Format: f, ByteOrder: o}
	i16 := func(p int) int16 { return int16(o.Uint16(b[p:])) }
	i32 := func(p int) int32 { return int32(o.Uint32(b[p:])) }
	i64 := func(p int) int64 { return int64(o.Uint64(b[p:])) }
	f32 := func(p int) float64 { return float64(math.Float32frombits(o.Uint32(b[p:]))) }
	f64 := func(p int) float64 { return math.Float64frombits(o.Uint64(b[p:])) }
	if f.Version() == 2 {
		h.raw = append([]byte(nil), b[:sizeofHdr2]...)
		h.SizeofHdr = i32(0)
		h.Magic = cstr(b[4:8])
		h.Datatype = Datatype(i16(12))
		h.Bitpix = i16(14)
		for i := range h.Dim {
			h.Dim[i] = i64(16 + 8*i)
		}
		h.IntentP1, h.IntentP2, h.IntentP3 = f64(80), f64(88), f64(96)
		for i := range h.Pixdim {
			h.Pixdim[i] = f64(104 + 8*i)
		}
		h.VoxOffset = float64(i64(168))
		h.SclSlope, h.SclInter = f64(176), f64(184)
		h.CalMax, h.CalMin = f64(192), f64(200)
		h.SliceDur, h.TOffset = f64(208), f64(216)
		h.SliceStart, h.SliceEnd = i64(224), i64(232)
		h.Descrip = latin1(b[240:320])
		h.AuxFile = latin1(b[320:344])
		h.QformCode, h.SformCode = i32(344), i32(348)
		h.QuaternB, h.QuaternC, h.QuaternD = f64(352), f64(360), f64(368)
		h.QoffsetX, h.QoffsetY, h.QoffsetZ = f64(376), f64(384), f64(392)
		for i := 0; i < 4; i++ {
			h.SrowX[i] = f64(400 + 8*i)
			h.SrowY[i] = f64(432 + 8*i)
			h.SrowZ[i] = f64(464 + 8*i)
		}
		h.SliceCode = i32(496)
		h.XYZTUnits = i32(500)
		h.IntentCode = i32(504)
		h.IntentName = latin1(b[508:524])
		h.DimInfo = b[524]
		return h, nil
	}
	h.raw = append([]byte(nil), b[:sizeofHdr1]...)
	h.SizeofHdr = i32(0)
	h.DataTypeStr = latin1(b[4:14])
	h.DBName = latin1(b[14:32])
	h.Extents = i32(32)
	h.SessionError = i16(36)
	h.Regular = b[38]
	h.DimInfo = b[39]
	for i := range h.Dim {
		h.Dim[i] = int64(i16(40 + 2*i))
	}
	h.Datatype = Datatype(i16(70))
	h.Bitpix = i16(72)
	for i := range h.Pixdim {
		h.Pixdim[i] = f32(76 + 4*i)
	}
	h.VoxOffset = f32(108)
	h.SclSlope, h.SclInter = f32(112), f32(116)
	h.CalMax, h.CalMin = f32(124), f32(128)
	h.Glmax, h.Glmin = i32(140), i32(144)
	h.Descrip = latin1(b[148:228])
	h.AuxFile = latin1(b[228:252])
	if f == Analyze {
		for i := range h.Origin {
			h.Origin[i] = i16(253 + 2*i)
		}
		return h, nil
	}
	h.IntentP1, h.IntentP2, h.IntentP3 = f32(56), f32(60), f32(64)
	h.IntentCode = int32(i16(68))
	h.SliceStart = int64(i16(74))
	h.SliceEnd = int64(i16(120))
	h.SliceCode = int32(b[122])
	h.XYZTUnits = int32(b[123])
	h.SliceDur, h.TOffset = f32(132), f32(136)
	h.QformCode, h.SformCode = int32(i16(252)), int32(i16(254))
	h.QuaternB, h.QuaternC, h.QuaternD = f32(256), f32(260), f32(264)
	h.QoffsetX, h.QoffsetY, h.QoffsetZ = f32(268), f32(272), f32(276)
	for i := 0; i < 4; i++ {
		h.SrowX[i] = f32(280 + 4*i)
		h.SrowY[i] = f32(296 + 4*i)
		h.SrowZ[i] = f32(312 + 4*i)
	}
	h.IntentName = latin1(b[328:344])
	h.Magic = cstr(b[344:348])
	return h, nil
}

// encodeFixed returns the fixed header block for h in h.Format and
// h.ByteOrder. Bytes that h does not model are taken from the block h was
// read from, when it was read in the same layout.
func (h *Header) encodeFixed() []byte {
	v := h.Format.Version()
	size := sizeofHdr1
	if v == 2 {
		size = sizeofHdr2
	}
	b := make([]byte, size)
	if len(h.raw) == size {
		copy(b, h.raw)
	}
	o := h.ByteOrder
	if o == nil {
		o = binary.LittleEndian
	}
	p16 := func(p int, x int16) { o.PutUint16(b[p:], uint16(x)) }
	p32 := func(p int, x int32) { o.PutUint32(b[p:], uint32(x)) }
	p64 := func(p int, x int64) { o.PutUint64(b[p:], uint64(x)) }
	pf32 := func(p int, x float64) { o.PutUint32(b[p:], math.Float32bits(float32(x))) }
	pf64 := func(p int, x float64) { o.PutUint64(b[p:], math.Float64bits(x)) }
	if v == 2 {
		p32(0, sizeofHdr2)
		magic := "ni2"
		if h.Format.Single() {
			magic = "n+2"
		}
		copy(b[4:8], magic+"\x00")
		copy(b[8:12], []byte{13, 10, 26, 10})
		p16(12, int16(h.Datatype))
		p16(14, h.Bitpix)
		for i, d := range h.Dim {
			p64(16+8*i, d)
		}
		pf64(80, h.IntentP1)
		pf64(88, h.IntentP2)
		pf64(96, h.IntentP3)
		for i, d := range h.Pixdim {
			pf64(104+8*i, d)
		}
		p64(168, int64(h.VoxOffset))
		pf64(176, h.SclSlope)
		pf64(184, h.SclInter)
		pf64(192, h.CalMax)
		pf64(200, h.CalMin)
		pf64(208, h.SliceDur)
		pf64(216, h.TOffset)
		p64(224, h.SliceStart)
		p64(232, h.SliceEnd)
		putLatin1(b[240:320], h.Descrip)
		putLatin1(b[320:344], h.AuxFile)
		p32(344, h.QformCode)
		p32(348, h.SformCode)
		pf64(352, h.QuaternB)
		pf64(360, h.QuaternC)
		pf64(368, h.QuaternD)
		pf64(376, h.QoffsetX)
		pf64(384, h.QoffsetY)
		pf64(392, h.QoffsetZ)
		for i := 0; i < 4; i++ {
			pf64(400+8*i, h.SrowX[i])
			pf64(432+8*i, h.SrowY[i])
			pf64(464+8*i, h.SrowZ[i])
		}
		p32(496, h.SliceCode)
		p32(500, h.XYZTUnits)
		p32(504, h.IntentCode)
		putLatin1(b[508:524], h.IntentName)
		b[524] = h.DimInfo
		return b
	}
	p32(0, sizeofHdr1)
	putLatin1(b[4:14], h.DataTypeStr)
	putLatin1(b[14:32], h.DBName)
	p32(32, h.Extents)
	p16(36, h.SessionError)
	b[38] = h.Regular
	b[39] = h.DimInfo
	for i, d := range h.Dim {
		p16(40+2*i, int16(d))
	}
	p16(70, int16(h.Datatype))
	p16(72, h.Bitpix)
	for i, d := range h.Pixdim {
		pf32(76+4*i, d)
	}
	pf32(108, h.VoxOffset)
	pf32(112, h.SclSlope)
	pf32(116, h.SclInter)
	pf32(124, h.CalMax)
	pf32(128, h.CalMin)
	p32(140, h.Glmax)
	p32(144, h.Glmin)
	putLatin1(b[148:228], h.Descrip)
	putLatin1(b[228:252], h.AuxFile)
	if v == 0 {
		for i, x := range h.Origin {
			p16(253+2*i, x)
		}
		return b
	}
	pf32(56, h.IntentP1)
	pf32(60, h.IntentP2)
	pf32(64, h.IntentP3)
	p16(68, int16(h.IntentCode))
	p16(74, int16(h.SliceStart))
	p16(120, int16(h.SliceEnd))
	b[122] = byte(h.SliceCode)
	b[123] = byte(h.XYZTUnits)
	pf32(132, h.SliceDur)
	pf32(136, h.TOffset)
	p16(252, int16(h.QformCode))
	p16(254, int16(h.SformCode))
	pf32(256, h.QuaternB)
	pf32(260, h.QuaternC)
	pf32(264, h.QuaternD)
	pf32(268, h.QoffsetX)
	pf32(272, h.QoffsetY)
	pf32(276, h.QoffsetZ)
	for i := 0; i < 4; i++ {
		pf32(280+4*i, h.SrowX[i])
		pf32(296+4*i, h.SrowY[i])
		pf32(312+4*i, h.SrowZ[i])
	}
	putLatin1(b[328:344], h.IntentName)
	magic := "ni1"
	if h.Format.Single() {
		magic = "n+1"
	}
	copy(b[344:348], magic+"\x00")
	return b
}

// dimOrder is the byte order nibabel infers from dim[0] read as
// little-endian: a value outside 1..7 means the header is big-endian,
// and a 0 (ambiguous) is settled by whether sizeof_hdr reads correctly
// big-endian (sizeofBE).
func dimOrder(dim0 int64, sizeofBE bool) binary.ByteOrder {
	if (dim0 == 0 && sizeofBE) || (dim0 != 0 && (dim0 < 1 || dim0 > 7)) {
		return binary.BigEndian
	}
	return binary.LittleEndian
}
