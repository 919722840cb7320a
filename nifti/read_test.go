package nifti

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReadErrors checks that damaged files give errors that name the
// file and say what was expected, for both the plain and the gzip
// readers and for the direct (float32) and converting (int16) paths.
func TestReadErrors(t *testing.T) {
	tmp := t.TempDir()
	build := func(dt Datatype) []byte {
		h := NewHeader(dt, []int{4, 4, 4}, identity())
		p := filepath.Join(tmp, "full.nii")
		if err := Write(p, &Image{Header: h, Shape: []int{4, 4, 4}, Data: make([]float32, 64)}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	gz := func(b []byte) []byte {
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		w.Write(b)
		w.Close()
		return z.Bytes()
	}
	f32, i16 := build(Float32), build(Int16)
	badMagic := append([]byte(nil), f32...)
	copy(badMagic[344:], "n+1X")
	badDtype := append([]byte(nil), f32...)
	badDtype[70], badDtype[71] = 0x34, 0x12
	tests := []struct {
		name string
		file string
		data []byte
		want string
	}{
		{"float32 truncated", "a.nii", f32[:352+100], "truncated data: expected 256 bytes, got 100"},
		{"float32 truncated gz", "a.nii.gz", gz(f32[:352+100]), "truncated data: expected 256 bytes, got 100"},
		{"int16 truncated gz", "b.nii.gz", gz(i16[:352+30]), "truncated data: expected 128 bytes, got 30"},
		{"header truncated", "c.nii", f32[:200], "truncated header: expected 348 bytes, got 200"},
		{"header truncated gz", "c.nii.gz", gz(f32[:200]), "truncated header: expected 348 bytes, got 200"},
		{"corrupt gzip", "d.nii.gz", append(gz(f32)[:40], 0xff, 0xff, 0xff, 0xff), "bad gzip"},
		{"not gzip", "e.nii.gz", f32, "bad gzip"},
		{"empty", "f.nii", nil, "empty file"},
		{"html", "g.nii", []byte(strings.Repeat("<html><body>not an image</body></html>\n", 20)), "not NIfTI: sizeof_hdr was"},
		{"bad magic", "h.nii", badMagic, "magic"},
		{"unknown datatype", "i.nii", badDtype, "datatype code 4660 not recognized"},
		{"missing image", "j.hdr", f32[:348], "does not exist"},
		{"no extension", "k.dat", f32, "cannot work out the file type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(tmp, tt.file)
			if tt.file == "j.hdr" {
				b := append([]byte(nil), tt.data...)
				copy(b[344:], "ni1\x00")
				tt.data = b
			}
			if err := os.WriteFile(p, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Read(p)
			if err == nil {
				t.Fatal("no error")
			}
			if (tt.name == "html") != errors.Is(err, ErrNotNIfTI) {
				t.Errorf("errors.Is(%q, ErrNotNIfTI) = %v", err, errors.Is(err, ErrNotNIfTI))
			}
			if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q: want the file name and %q", err, tt.want)
			}
		})
	}
}

// TestReadParallel checks the parallel reader of large uncompressed files
// against the sequential gzip reader on the same voxels, for the direct
// path (float32), a converting and scaling path (int16), and the planar
// layouts (RGB24, complex64).
func TestReadParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3)) // 3 parts: uneven split
	defer func(b int64) { parallelBytes = b }(parallelBytes)
	parallelBytes = 1 << 14
	tmp := t.TempDir()
	shape := []int{31, 20, 17} // int16: 21 kB, above parallelBytes
	n := 31 * 20 * 17
	for _, dt := range []Datatype{Float32, Int16, RGB24, Complex64} {
		h := NewHeader(dt, shape, identity())
		if dt == Int16 {
			h.SclSlope, h.SclInter = 0.5, -3
		}
		ds := dataShape(h)
		data := make([]float32, n*dt.Channels())
		for i := range data {
			data[i] = float32(i*7919%251) - 100
			if dt == RGB24 {
				data[i] = float32(i * 7919 % 251)
			}
		}
		img := &Image{Header: h, Shape: ds, Data: data}
		var got [2]*Image
		for k, name := range []string{"p.nii", "p.nii.gz"} {
			p := filepath.Join(tmp, dt.String()+name)
			if err := Write(p, img); err != nil {
				t.Fatal(err)
			}
			var err error
			if got[k], err = Read(p); err != nil {
				t.Fatal(err)
			}
		}
		sameBits32(t, got[1].Data, got[0].Data)
		if dt != Int16 {
			sameBits32(t, data, got[0].Data)
		}
	}
}
