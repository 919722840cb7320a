// Package safetensors reads and writes the safetensors format that Hugging
// Face defined for model weights: an 8-byte little-endian header length, a
// JSON header naming every tensor with its dtype, shape and byte range, an
// optional "__metadata__" map of strings, then the raw little-endian tensor
// bytes, back to back.
//
// ivadogo stores model weights in this format with PyTorch state_dict key
// names, so that a file written here loads in Python with
// safetensors.torch.load_file followed by model.load_state_dict, and a
// PyTorch checkpoint converted to safetensors loads in ivadogo.
//
// Parsing validates everything a corrupt or hostile file could get wrong
// (header size, JSON shape, dtype names, negative or overflowing shapes,
// byte ranges that overlap, leave holes, or run past the end of the file)
// and names the tensor at fault.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
)

// MaxHeaderSize bounds the JSON header, as the reference implementation
// does, so that a corrupt length field cannot make a reader allocate
// gigabytes.
const MaxHeaderSize = 100_000_000

// DType is a safetensors element type name, as spelled in the header.
type DType string

// The element types of the format.
const (
	BOOL DType = "BOOL"
	U8   DType = "U8"
	I8   DType = "I8"
	I16  DType = "I16"
	U16  DType = "U16"
	F16  DType = "F16"
	BF16 DType = "BF16"
	I32  DType = "I32"
	U32  DType = "U32"
	F32  DType = "F32"
	F64  DType = "F64"
	I64  DType = "I64"
	U64  DType = "U64"
)

var dtypeSizes = map[DType]int{
	BOOL: 1, U8: 1, I8: 1,
	I16: 2, U16: 2, F16: 2, BF16: 2,
	I32: 4, U32: 4, F32: 4,
	F64: 8, I64: 8, U64: 8,
}

// Size returns the size in bytes of one element, or 0 for an unknown dtype.
func (d DType) Size() int { return dtypeSizes[d] }

// Tensor is one named array of a file: its element type, its shape (empty
// for a scalar) and its raw little-endian bytes.
type Tensor struct {
	DType DType
	Shape []int
	Data  []byte
}

// Numel returns the number of elements, the product of the shape.
func (t Tensor) Numel() int {
	n := 1
	for _, s := range t.Shape {
		n *= s
	}
	return n
}

// File is the content of a safetensors file.
type File struct {
	// Metadata is the header's "__metadata__" map; nil when absent.
	Metadata map[string]string
	// Names lists the tensors in the order their bytes appear in the file.
	Names   []string
	Tensors map[string]Tensor
}

// New returns an empty File ready for Add.
func New() *File { return &File{Tensors: map[string]Tensor{}} }

// Add adds (or replaces) a tensor. It panics if the data length does not
// match the dtype and shape, which is a programming error.
func (f *File) Add(name string, t Tensor) {
	if err := t.check(); err != nil {
		panic(fmt.Sprintf("safetensors: Add %q: %v", name, err))
	}
	if f.Tensors == nil {
		f.Tensors = map[string]Tensor{}
	}
	if _, ok := f.Tensors[name]; !ok {
		f.Names = append(f.Names, name)
	}
	f.Tensors[name] = t
}

func (t Tensor) check() error {
	size := t.DType.Size()
	if size == 0 {
		return fmt.Errorf("unknown dtype %q", t.DType)
	}
	n, err := numel(t.Shape)
	if err != nil {
		return err
	}
	if n*size != len(t.Data) {
		return fmt.Errorf("shape %v of %s needs %d bytes, have %d", t.Shape, t.DType, n*size, len(t.Data))
	}
	return nil
}

// numel multiplies a shape, rejecting negative sizes and overflow.
func numel(shape []int) (int, error) {
	n := 1
	for _, s := range shape {
		if s < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
		if s != 0 && n > math.MaxInt32*int(1<<20)/s {
			return 0, fmt.Errorf("shape %v is too large", shape)
		}
		n *= s
	}
	return n, nil
}

// Float32 returns a float32 tensor from a shape and values; the data is
// copied.
func Float32(shape []int, v []float32) Tensor {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	t := Tensor{DType: F32, Shape: append([]int{}, shape...), Data: b}
	if err := t.check(); err != nil {
		panic("safetensors: Float32: " + err.Error())
	}
	return t
}

// Int64 returns an int64 tensor from a shape and values (PyTorch stores
// batch-norm counters as int64 scalars).
func Int64(shape []int, v []int64) Tensor {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
	}
	t := Tensor{DType: I64, Shape: append([]int{}, shape...), Data: b}
	if err := t.check(); err != nil {
		panic("safetensors: Int64: " + err.Error())
	}
	return t
}

// AsFloat32 converts the tensor's values to float32. Floating types (F64,
// F32, F16, BF16) are converted by value; integer and boolean tensors are
// refused, because treating them as weights is almost certainly a mistake.
func (t Tensor) AsFloat32() ([]float32, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	n := t.Numel()
	out := make([]float32, n)
	le := binary.LittleEndian
	switch t.DType {
	case F32:
		for i := range out {
			out[i] = math.Float32frombits(le.Uint32(t.Data[4*i:]))
		}
	case F64:
		for i := range out {
			out[i] = float32(math.Float64frombits(le.Uint64(t.Data[8*i:])))
		}
	case F16:
		for i := range out {
			out[i] = halfToFloat32(le.Uint16(t.Data[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = math.Float32frombits(uint32(le.Uint16(t.Data[2*i:])) << 16)
		}
	default:
		return nil, fmt.Errorf("dtype %s is not a floating type", t.DType)
	}
	return out, nil
}

// AsInt64 converts an integer tensor's values to int64.
func (t Tensor) AsInt64() ([]int64, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	out := make([]int64, t.Numel())
	le := binary.LittleEndian
	for i := range out {
		switch t.DType {
		case I64:
			out[i] = int64(le.Uint64(t.Data[8*i:]))
		case U64:
			out[i] = int64(le.Uint64(t.Data[8*i:]))
		case I32:
			out[i] = int64(int32(le.Uint32(t.Data[4*i:])))
		case U32:
			out[i] = int64(le.Uint32(t.Data[4*i:]))
		case I16:
			out[i] = int64(int16(le.Uint16(t.Data[2*i:])))
		case U16:
			out[i] = int64(le.Uint16(t.Data[2*i:]))
		case I8:
			out[i] = int64(int8(t.Data[i]))
		case U8, BOOL:
			out[i] = int64(t.Data[i])
		default:
			return nil, fmt.Errorf("dtype %s is not an integer type", t.DType)
		}
	}
	return out, nil
}

// halfToFloat32 converts an IEEE 754 binary16 value.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: renormalise
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		mant &= 0x3ff
		return math.Float32frombits(sign | e<<23 | mant<<13)
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	default:
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	}
}

// headerEntry is one tensor's description in the JSON header.
type headerEntry struct {
	DType       DType    `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// ReadFile reads and validates a safetensors file.
func ReadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	f, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Read reads a whole safetensors stream and validates it.
func Read(r io.Reader) (*File, error) {
	var n [8]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, fmt.Errorf("safetensors: reading the 8-byte header length: %w", err)
	}
	hl := binary.LittleEndian.Uint64(n[:])
	if hl > MaxHeaderSize {
		return nil, fmt.Errorf("safetensors: header length %d exceeds the limit of %d bytes", hl, MaxHeaderSize)
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return Parse(append(n[:], rest...))
}

// Parse validates and decodes a complete safetensors file held in memory.
// The returned tensors' Data alias b.
func Parse(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("safetensors: file is %d bytes, shorter than the 8-byte header length", len(b))
	}
	hl := binary.LittleEndian.Uint64(b[:8])
	if hl > MaxHeaderSize {
		return nil, fmt.Errorf("safetensors: header length %d exceeds the limit of %d bytes", hl, MaxHeaderSize)
	}
	if hl > uint64(len(b)-8) {
		return nil, fmt.Errorf("safetensors: header length %d runs past the end of the %d-byte file", hl, len(b))
	}
	header := b[8 : 8+hl]
	body := b[8+hl:]
	if len(header) == 0 || header[0] != '{' {
		return nil, errors.New("safetensors: header does not start with '{'")
	}
	meta, entries, order, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	// Every tensor's range must follow the previous one without gap or
	// overlap, starting at 0 and ending exactly at the end of the file.
	sort.SliceStable(order, func(i, j int) bool {
		a, c := entries[order[i]].DataOffsets, entries[order[j]].DataOffsets
		if a[0] != c[0] {
			return a[0] < c[0]
		}
		return a[1] < c[1]
	})
	f := &File{Metadata: meta, Names: order, Tensors: make(map[string]Tensor, len(order))}
	var pos int64
	for _, name := range order {
		e := entries[name]
		size := e.DType.Size()
		if size == 0 {
			return nil, fmt.Errorf("safetensors: tensor %q: unknown dtype %q", name, e.DType)
		}
		n, err := numel(e.Shape)
		if err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: %v", name, err)
		}
		lo, hi := e.DataOffsets[0], e.DataOffsets[1]
		if lo < 0 || hi < lo {
			return nil, fmt.Errorf("safetensors: tensor %q: invalid data_offsets [%d, %d]", name, lo, hi)
		}
		if lo != pos {
			if lo < pos {
				return nil, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] overlap the previous tensor, which ends at %d", name, lo, hi, pos)
			}
			return nil, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] leave a gap after byte %d", name, lo, hi, pos)
		}
		if int64(n)*int64(size) != hi-lo {
			return nil, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] hold %d bytes, but shape %v of %s needs %d", name, lo, hi, hi-lo, e.Shape, e.DType, int64(n)*int64(size))
		}
		if hi > int64(len(body)) {
			return nil, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] run past the end of the %d-byte data section (file truncated?)", name, lo, hi, len(body))
		}
		pos = hi
		shape := e.Shape
		if shape == nil {
			shape = []int{}
		}
		f.Tensors[name] = Tensor{DType: e.DType, Shape: shape, Data: body[lo:hi:hi]}
	}
	if pos != int64(len(body)) {
		return nil, fmt.Errorf("safetensors: the tensors cover %d bytes of the %d-byte data section", pos, len(body))
	}
	return f, nil
}

// parseHeader decodes the JSON header object key by key, so that duplicate
// names are caught and wrong types are reported with the tensor's name.
func parseHeader(h []byte) (map[string]string, map[string]headerEntry, []string, error) {
	// Trailing spaces pad the header to an 8-byte boundary.
	h = bytes.TrimRight(h, " ")
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(h))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, nil, nil, fmt.Errorf("safetensors: header is not a JSON object: %v", err)
	}
	raw = map[string]json.RawMessage{}
	var order []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("safetensors: header JSON: %w", err)
		}
		key := tok.(string) // object keys are always strings
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, nil, fmt.Errorf("safetensors: header JSON, value of %q: %w", key, err)
		}
		if _, dup := raw[key]; dup {
			return nil, nil, nil, fmt.Errorf("safetensors: header names %q twice", key)
		}
		raw[key] = v
		if key != "__metadata__" {
			order = append(order, key)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, nil, fmt.Errorf("safetensors: header JSON: %w", err)
	}
	if dec.More() {
		return nil, nil, nil, errors.New("safetensors: header has data after the JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, nil, errors.New("safetensors: header has data after the JSON object")
	}
	var meta map[string]string
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, nil, fmt.Errorf("safetensors: __metadata__ must map strings to strings: %w", err)
		}
	}
	entries := make(map[string]headerEntry, len(order))
	for _, name := range order {
		var e headerEntry
		d := json.NewDecoder(bytes.NewReader(raw[name]))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			return nil, nil, nil, fmt.Errorf("safetensors: tensor %q: header entry must be {\"dtype\", \"shape\", \"data_offsets\"}: %w", name, err)
		}
		var probe map[string]json.RawMessage
		_ = json.Unmarshal(raw[name], &probe)
		for _, k := range []string{"dtype", "shape", "data_offsets"} {
			if _, ok := probe[k]; !ok {
				return nil, nil, nil, fmt.Errorf("safetensors: tensor %q: header entry lacks %q", name, k)
			}
		}
		entries[name] = e
	}
	return meta, entries, order, nil
}

// Write writes the file in the layout the reference implementation uses:
// tensors sorted by decreasing element size, then by name (so every tensor
// starts aligned to its element size), the header padded with spaces to a
// multiple of 8 bytes.
func (f *File) Write(w io.Writer) error {
	names := make([]string, 0, len(f.Tensors))
	for n := range f.Tensors {
		if n == "__metadata__" {
			return errors.New(`safetensors: "__metadata__" cannot name a tensor`)
		}
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		si, sj := f.Tensors[names[i]].DType.Size(), f.Tensors[names[j]].DType.Size()
		if si != sj {
			return si > sj
		}
		return names[i] < names[j]
	})
	var hdr strings.Builder
	hdr.WriteByte('{')
	first := true
	if len(f.Metadata) > 0 {
		m, err := json.Marshal(f.Metadata)
		if err != nil {
			return fmt.Errorf("safetensors: __metadata__: %w", err)
		}
		hdr.WriteString(`"__metadata__":`)
		hdr.Write(m)
		first = false
	}
	var off int64
	for _, n := range names {
		t := f.Tensors[n]
		if err := t.check(); err != nil {
			return fmt.Errorf("safetensors: tensor %q: %v", n, err)
		}
		if !first {
			hdr.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(n)
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		e, _ := json.Marshal(headerEntry{DType: t.DType, Shape: shape, DataOffsets: [2]int64{off, off + int64(len(t.Data))}})
		hdr.Write(k)
		hdr.WriteByte(':')
		hdr.Write(e)
		off += int64(len(t.Data))
	}
	hdr.WriteByte('}')
	h := []byte(hdr.String())
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(h)))
	if _, err := w.Write(n[:]); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if _, err := w.Write(h); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	for _, name := range names {
		if _, err := w.Write(f.Tensors[name].Data); err != nil {
			return fmt.Errorf("safetensors: %w", err)
		}
	}
	return nil
}

// WriteFile writes the file to path, through a temporary file renamed into
// place, so that a failed write never leaves a truncated weights file.
func (f *File) WriteFile(path string) error {
	tmp, err := os.CreateTemp(dirOf(path), ".safetensors-*")
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := f.Write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	// CreateTemp makes the file private; weights are ordinary files.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		if i == 0 {
			return "/"
		}
		return path[:i]
	}
	return "."
}
