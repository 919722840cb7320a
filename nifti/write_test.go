package nifti

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sameHeader reports whether two headers store the same bytes.
func sameHeader(t *testing.T, a, b *Header) {
	t.Helper()
	if a.Format != b.Format || a.ByteOrder != b.ByteOrder {
		t.Errorf("format %s %s, read back %s %s", a.Format, a.Endianness(), b.Format, b.Endianness())
	}
	want := a.Clone()
	if want.Format.Single() && want.VoxOffset == 0 {
		// vox_offset 0 is read as nibabel does (data at byte 0) but
		// written as the standard wants, after the header.
		want.VoxOffset = b.VoxOffset
	}
	if wa, wb := want.encodeFixed(), b.encodeFixed(); !bytes.Equal(wa, wb) {
		for i := range wa {
			if wa[i] != wb[i] {
				t.Errorf("header differs after the round trip from byte %d", i)
				break
			}
		}
	}
	if len(a.Extensions) != len(b.Extensions) {
		t.Fatalf("%d extensions, read back %d", len(a.Extensions), len(b.Extensions))
	}
	for i := range a.Extensions {
		// Write pads content to a multiple of 16 bytes with NULs.
		ta, tb := bytes.TrimRight(a.Extensions[i].Data, "\x00"), bytes.TrimRight(b.Extensions[i].Data, "\x00")
		if a.Extensions[i].Code != b.Extensions[i].Code || !bytes.Equal(ta, tb) {
			t.Errorf("extension %d differs", i)
		}
	}
}

func sameBits32(t *testing.T, a, b []float32) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d values, read back %d", len(a), len(b))
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			t.Fatalf("value %d: %v, read back %v", i, a[i], b[i])
		}
	}
}

// TestRoundTrip reads every readable file of the oracle, writes it in its
// own form and in the other forms, and reads it back: the header (every
// field and extension) and the data must come back identical.
func TestRoundTrip(t *testing.T) {
	dir, o := loadOracle(t)
	roundTrip(t, dir, o)
}

// TestRoundTripEdge round-trips the readable files of testdata/edge.
func TestRoundTripEdge(t *testing.T) {
	dir, o := readOracle(t, "testdata/edge")
	roundTrip(t, dir, o)
}

func roundTrip(t *testing.T, dir string, o *oracle) {
	tmp := t.TempDir()
	count := 0
	for _, e := range o.Files {
		if ok, _ := e["data_ok"].(bool); !ok {
			continue
		}
		rel := e["path"].(string)
		t.Run(rel, func(t *testing.T) {
			src := filepath.Join(dir, filepath.FromSlash(rel))
			img, err := Read(src)
			if err != nil {
				t.Fatal(err)
			}
			exts := []string{".nii", ".nii.gz", ".hdr", ".img.gz"}
			if testing.Short() && len(img.Data) > 1<<23 {
				// Large volumes: only their own form, to keep -short fast.
				own, _ := splitName(src)
				exts = map[fileKind][]string{kindSingle: {".nii.gz"}, kindHeader: {".hdr.gz"}}[own]
			}
			for _, ext := range exts {
				dst := filepath.Join(tmp, strings.ReplaceAll(rel, "/", "_")+ext)
				if err := Write(dst, img); err != nil {
					t.Fatalf("%s: %v", ext, err)
				}
				back, err := Read(dst)
				if err != nil {
					t.Fatalf("%s: %v", ext, err)
				}
				sameBits32(t, img.Data, back.Data)
				if !equalInts(img.Shape, back.Shape) {
					t.Errorf("%s: shape %v, read back %v", ext, img.Shape, back.Shape)
				}
				own := (ext == ".nii" || ext == ".nii.gz") == img.Header.Format.Single()
				scaledFloat := false
				if s, i, _ := img.Header.SlopeInter(); (s != 1 || i != 0) && !img.Header.Datatype.IsInteger() {
					scaledFloat = true // Write stores floats unscaled
				}
				if own && !scaledFloat {
					sameHeader(t, img.Header, back.Header)
				}
				if a, b := img.Header.Affine(), back.Header.Affine(); a != b {
					t.Errorf("%s: affine %v, read back %v", ext, a, b)
				}
			}
			count++
		})
	}
	t.Logf("%d files round-tripped", count)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRoundTripFloat64 checks that ReadFloat64 data written back keep
// every float64 bit for types wider than float32.
func TestRoundTripFloat64(t *testing.T) {
	tmp := t.TempDir()
	tests := []struct {
		dt   Datatype
		data []float64
	}{
		{Int32, []float64{0, -1, math.MinInt32, math.MaxInt32, 123456789, -7}},
		{Uint32, []float64{0, 1, math.MaxUint32, 1 << 31, 123456789, 7}},
		{Int64, []float64{0, -1, 1 << 60, -(1 << 60) - 4096, 123456789012345, -7}},
		{Float64, []float64{0, -1, 1.0 / 3, math.Inf(1), 1e-310, -7}},
		{Complex128, []float64{0, -1, 1.0 / 3, 2.5, 1e-300, -7}},
	}
	for _, tt := range tests {
		dt, data := tt.dt, tt.data
		shape := []int{2, 3}
		if dt.IsComplex() {
			shape = []int{3, 2}
		}
		h := NewHeader(dt, shape[:len(shape)-boolInt(dt.IsComplex())], identity())
		img := &Image{Header: h, Shape: shape, Data64: data}
		p := filepath.Join(tmp, dt.String()+".nii")
		if err := Write(p, img); err != nil {
			t.Fatal(err)
		}
		back, err := ReadFloat64(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := range data {
			if back.Data64[i] != data[i] {
				t.Errorf("%s: value %d = %v, read back %v", dt, i, data[i], back.Data64[i])
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestWriteAtomic checks that a failed write leaves neither a partial
// file nor a temporary one, and that the old file survives.
func TestWriteAtomic(t *testing.T) {
	tmp := t.TempDir()
	p := filepath.Join(tmp, "a.nii.gz")
	img := New([]float32{1, 2, 3, 4, 5, 6}, []int{1, 2, 3}, identity())
	if err := Write(p, img); err != nil {
		t.Fatal(err)
	}
	bad := &Image{Header: img.Header, Shape: []int{2, 2, 3}, Data: img.Data}
	if err := Write(p, bad); err == nil || !strings.Contains(err.Error(), "a.nii.gz") {
		t.Fatalf("writing a shape that does not match the data: err = %v", err)
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 {
		t.Errorf("folder holds %d files after a failed write, want 1", len(entries))
	}
	back, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	sameBits32(t, img.Data, back.Data)
	if err := Write(filepath.Join(tmp, "a.txt"), img); err == nil {
		t.Error("writing to a .txt name succeeded")
	}
}

// TestWriteIntegerScaling checks the unscaling, rounding and clipping of
// values written to an integer type.
func TestWriteIntegerScaling(t *testing.T) {
	tests := []struct {
		dt           Datatype
		slope, inter float64
		in, want     []float32
	}{
		{Int16, 1, 0, []float32{0.5, 1.5, -2.5, 40000, -40000, float32(math.NaN())}, []float32{0, 2, -2, 32767, -32768, 0}},
		{Uint8, 2, 10, []float32{10, 12, 13, 600, -5, 520}, []float32{10, 12, 14, 520, 10, 520}},
		{Int8, 0.5, 0, []float32{1, -1, 0.25, 100}, []float32{1, -1, 0, 63.5}},
	}
	tmp := t.TempDir()
	for _, tt := range tests {
		h := NewHeader(tt.dt, []int{len(tt.in)}, identity())
		h.SclSlope, h.SclInter = tt.slope, tt.inter
		p := filepath.Join(tmp, tt.dt.String()+".nii")
		if err := Write(p, &Image{Header: h, Shape: []int{len(tt.in)}, Data: tt.in}); err != nil {
			t.Fatal(err)
		}
		back, err := Read(p)
		if err != nil {
			t.Fatal(err)
		}
		sameBits32(t, tt.want, back.Data)
	}
}

// TestNewLike writes a uint8 prediction on the grid of a scaled int16
// image: the affine, voxel sizes and shape carry over, the scaling does
// not.
func TestNewLike(t *testing.T) {
	tmp := t.TempDir()
	aff := Affine{{0, 0, -1.5, 20}, {0.8, 0, 0, -3}, {0, 2, 0, 7}, {0, 0, 0, 1}}
	h := NewHeader(Int16, []int{3, 2, 2}, aff)
	h.SclSlope, h.SclInter = 3, -1
	h.Extensions = []Extension{{Code: 6, Data: []byte("comment")}}
	ref := &Image{Header: h, Shape: []int{3, 2, 2}, Data: make([]float32, 12)}
	pred := NewLike(ref, []float32{0, 1, 1, 0, 2, 2, 0, 0, 1, 1, 0, 1}, []int{3, 2, 2}, Uint8)
	p := filepath.Join(tmp, "pred.nii.gz")
	if err := Write(p, pred); err != nil {
		t.Fatal(err)
	}
	back, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if back.Header.Datatype != Uint8 || len(back.Header.Extensions) != 0 {
		t.Errorf("datatype %s with %d extensions, want uint8 and none", back.Header.Datatype, len(back.Header.Extensions))
	}
	if s, i, _ := back.Header.SlopeInter(); s != 1 || i != 0 {
		t.Errorf("scaling (%v, %v), want none", s, i)
	}
	if back.Header.Affine() != h.Affine() {
		t.Errorf("affine %v, want %v", back.Header.Affine(), h.Affine())
	}
	sameBits32(t, pred.Data, back.Data)
	// A different spatial shape updates dim.
	small := NewLike(ref, []float32{1, 2}, []int{2, 1}, Float32)
	if got := small.Header.Shape(); !equalInts(got, []int{2, 1}) {
		t.Errorf("shape %v, want [2 1]", got)
	}
}
