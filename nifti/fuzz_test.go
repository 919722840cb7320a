package nifti

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedFiles builds small valid files of every layout for the fuzz corpus:
// NIfTI-1 and -2, both byte orders, with an extension, and Analyze.
func seedFiles(t testing.TB) [][]byte {
	var seeds [][]byte
	tmp := t.TempDir()
	for i, f := range []Format{NIfTI1Single, NIfTI2Single} {
		for j, o := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			for _, dt := range []Datatype{Uint8, Int16, Float32, RGB24, Complex64} {
				h := NewHeader(dt, []int{2, 3, 1}, identity())
				h.Format, h.ByteOrder = f, o
				h.Extensions = []Extension{{Code: 6, Data: []byte("seed")}}
				shape := dataShape(h)
				n := 1
				for _, d := range shape {
					n *= d
				}
				p := filepath.Join(tmp, "s.nii")
				if err := Write(p, &Image{Header: h, Shape: shape, Data: make([]float32, n)}); err != nil {
					t.Fatalf("seed %d %d %s: %v", i, j, dt, err)
				}
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				seeds = append(seeds, b)
			}
		}
	}
	an := NewHeader(Int16, []int{2, 2, 2}, identity())
	an.Format, an.VoxOffset = Analyze, 0
	b := an.encodeFixed()
	seeds = append(seeds, b, append(b[:len(b):len(b)], make([]byte, 16)...))
	// The edge-case files (single files only: the fuzzer writes one file).
	if m, _ := filepath.Glob(filepath.Join("testdata", "edge", "*.nii*")); len(m) > 0 {
		for _, p := range m {
			if b, err := os.ReadFile(p); err == nil {
				if strings.HasSuffix(p, ".gz") {
					zr, err := gzip.NewReader(bytes.NewReader(b))
					if err != nil {
						continue
					}
					if b, err = io.ReadAll(zr); err != nil {
						continue
					}
				}
				seeds = append(seeds, b)
			}
		}
	}
	// Real corrupt files kept by nifti-rs's fuzzer, when the shared data are here.
	if m, _ := filepath.Glob(filepath.Join("..", "..", "shared", "data", "nifti", "nifti-rs", "resources", "fuzz_artifacts", "*")); len(m) > 0 {
		for _, p := range m {
			if b, err := os.ReadFile(p); err == nil {
				seeds = append(seeds, b)
			}
		}
	}
	return seeds
}

// FuzzDecodeHeader feeds arbitrary bytes to the header parser: it must
// return a header or an error, never panic, and a header it accepts must
// encode and decode to the same bytes.
func FuzzDecodeHeader(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, b []byte, pair bool) {
		h, err := DecodeHeader(bytes.NewReader(b), pair)
		if err != nil {
			return
		}
		_ = h.Affine()
		_ = h.Shape()
		_ = HeaderInfo(h)
		enc := h.encodeFixed()
		h2, err := DecodeHeader(bytes.NewReader(append(enc, encodeExtensions(h)...)), pair)
		if err != nil {
			t.Fatalf("re-encoded header does not decode: %v", err)
		}
		if !bytes.Equal(enc, h2.encodeFixed()) {
			t.Fatalf("header changed on re-encoding")
		}
	})
}

// FuzzRead writes arbitrary bytes as .nii and .nii.gz files and reads
// them with Read and ReadInfo: errors are fine, panics and runaway
// allocations are not.
func FuzzRead(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tmp := t.TempDir()
		plain := filepath.Join(tmp, "f.nii")
		if err := os.WriteFile(plain, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b)
		zw.Close()
		gz := filepath.Join(tmp, "f.nii.gz")
		if err := os.WriteFile(gz, z.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{plain, gz} {
			img, err := Read(p)
			if err == nil {
				// A degenerate affine (some axis with no orientation) is
				// the one reason a readable image may refuse Canonical.
				if _, err := img.Canonical(); err != nil && oriented(img.Orientation()) {
					t.Fatalf("canonical of a readable image: %v", err)
				}
			}
			ReadInfo(p, false)
			ReadInfo(p, true)
		}
		// The same bytes as a detached header with no image.
		hdr := filepath.Join(tmp, "f.hdr")
		os.WriteFile(hdr, b, 0o644)
		Read(hdr)
	})
}

// oriented reports whether every voxel axis of o has a world axis.
func oriented(o Orientation) bool {
	for _, a := range o {
		if a.Axis < 0 {
			return false
		}
	}
	return true
}
