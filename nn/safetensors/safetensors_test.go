package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// raw builds a file from a literal header and a body, as a hostile writer
// could.
func raw(header string, body []byte) []byte {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	return append(append(n[:], header...), body...)
}

func TestRoundTrip(t *testing.T) {
	f := New()
	f.Metadata = map[string]string{"format": "pt", "model": "Unet"}
	f.Add("encoder.down_path.0.conv1.weight", Float32([]int{2, 1, 3, 3}, seq(18)))
	f.Add("encoder.down_path.0.conv1.bias", Float32([]int{2}, []float32{-1.5, 2.25}))
	f.Add("encoder.down_path.0.conv1_bn.num_batches_tracked", Int64([]int{}, []int64{7}))
	f.Add("h", Tensor{DType: F16, Shape: []int{3}, Data: []byte{0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00}})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	hl := binary.LittleEndian.Uint64(buf.Bytes()[:8])
	if hl%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", hl)
	}
	g, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.Metadata, f.Metadata) {
		t.Errorf("metadata %v, want %v", g.Metadata, f.Metadata)
	}
	if len(g.Tensors) != len(f.Tensors) {
		t.Fatalf("%d tensors, want %d", len(g.Tensors), len(f.Tensors))
	}
	for name, want := range f.Tensors {
		got := g.Tensors[name]
		if got.DType != want.DType || !reflect.DeepEqual(got.Shape, want.Shape) || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("%s: got %v %v, want %v %v", name, got.DType, got.Shape, want.DType, want.Shape)
		}
	}
	// 8-byte types come first so every tensor is aligned to its element size.
	if g.Names[0] != "encoder.down_path.0.conv1_bn.num_batches_tracked" {
		t.Errorf("first tensor %q, want the int64 one", g.Names[0])
	}
	v, err := g.Tensors["encoder.down_path.0.conv1.bias"].AsFloat32()
	if err != nil || v[0] != -1.5 || v[1] != 2.25 {
		t.Errorf("AsFloat32 = %v, %v", v, err)
	}
	h, err := g.Tensors["h"].AsFloat32()
	if err != nil || h[0] != 1 || h[1] != -2 || h[2] != float32(math.Ldexp(1, -24)) {
		t.Errorf("F16 AsFloat32 = %v, %v", h, err)
	}
	c, err := g.Tensors["encoder.down_path.0.conv1_bn.num_batches_tracked"].AsInt64()
	if err != nil || len(c) != 1 || c[0] != 7 {
		t.Errorf("AsInt64 = %v, %v", c, err)
	}
}

func seq(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i) * 0.5
	}
	return v
}

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.safetensors")
	f := New()
	f.Add("a", Float32([]int{3}, []float32{1, 2, 3}))
	if err := f.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	g, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := g.Tensors["a"].AsFloat32(); !reflect.DeepEqual(v, []float32{1, 2, 3}) {
		t.Errorf("got %v", v)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.safetensors")); err == nil {
		t.Error("reading a missing file succeeded")
	}
	os.WriteFile(path, []byte{1, 2}, 0o644)
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v does not name the file", err)
	}
}

// TestBF16F64 decodes the two floating types PyTorch checkpoints often use
// besides F32.
func TestBF16F64(t *testing.T) {
	body := make([]byte, 0, 12)
	body = binary.LittleEndian.AppendUint64(body, math.Float64bits(-0.125))
	body = binary.LittleEndian.AppendUint16(body, 0x3f80) // bf16 1.0
	body = binary.LittleEndian.AppendUint16(body, 0xc040) // bf16 -3.0
	hdr := `{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}}`
	f, err := Parse(raw(hdr, body))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := f.Tensors["d"].AsFloat32()
	b, _ := f.Tensors["b"].AsFloat32()
	if d[0] != -0.125 || b[0] != 1 || b[1] != -3 {
		t.Errorf("got %v %v", d, b)
	}
	if _, err := f.Tensors["d"].AsInt64(); err == nil {
		t.Error("AsInt64 of F64 succeeded")
	}
}

func TestParseErrors(t *testing.T) {
	f4 := make([]byte, 8)
	cases := []struct {
		name, header string
		body         []byte
		want         string // substring of the error
	}{
		{"not object", `[1,2]`, nil, "start with '{'"},
		{"bad json", `{"a":`, nil, "header JSON"},
		{"trailing", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} x`, f4, "after the JSON"},
		{"unknown dtype", `{"w":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}}`, f4, `"w": unknown dtype "F31"`},
		{"size mismatch", `{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, f4, `"w": data_offsets [0, 8] hold 8 bytes, but shape [3] of F32 needs 12`},
		{"negative dim", `{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, f4, `"w": negative dimension`},
		{"reversed offsets", `{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, f4, `"w": invalid data_offsets`},
		{"gap", `{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f4, `"w": data_offsets [4, 8] leave a gap`},
		{"overlap", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f4, `overlap`},
		{"truncated", `{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, f4, `"w": data_offsets [0, 16] run past the end`},
		{"extra bytes", `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, f4, `cover 4 bytes of the 8-byte`},
		{"duplicate", `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f4, `names "w" twice`},
		{"missing field", `{"w":{"dtype":"F32","shape":[2]}}`, f4, `"w": header entry lacks "data_offsets"`},
		{"unknown field", `{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}`, f4, `"w": header entry`},
		{"float shape", `{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}`, f4, `"w": header entry`},
		{"huge shape", `{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, f4, `"w": shape`},
		{"bad metadata", `{"__metadata__":{"a":1}}`, nil, "__metadata__ must map strings"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(raw(c.header, c.body))
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestHeaderLength(t *testing.T) {
	for _, b := range [][]byte{
		{1, 2, 3},
		binary.LittleEndian.AppendUint64(nil, MaxHeaderSize+1),
		binary.LittleEndian.AppendUint64(nil, 100),
		binary.LittleEndian.AppendUint64(nil, math.MaxUint64),
	} {
		if _, err := Parse(b); err == nil {
			t.Errorf("Parse(%v) succeeded", b)
		}
		if _, err := Read(bytes.NewReader(b)); err == nil {
			t.Errorf("Read(%v) succeeded", b)
		}
	}
	// Padding spaces after the JSON object are part of the format.
	if _, err := Parse(raw(`{}      `, nil)); err != nil {
		t.Errorf("padded empty header: %v", err)
	}
}

func TestAddPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `"bad"`) {
			t.Errorf("panic %v does not name the tensor", r)
		}
	}()
	New().Add("bad", Tensor{DType: F32, Shape: []int{3}, Data: make([]byte, 8)})
}

func FuzzParse(f *testing.F) {
	good := New()
	good.Metadata = map[string]string{"k": "v"}
	good.Add("a", Float32([]int{2, 2}, []float32{1, 2, 3, 4}))
	good.Add("b", Int64([]int{}, []int64{3}))
	var buf bytes.Buffer
	good.Write(&buf)
	f.Add(buf.Bytes())
	f.Add(raw(`{}`, nil))
	f.Add(raw(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Parse(b)
		if err != nil {
			return
		}
		// Whatever parses must survive a write and a re-read unchanged.
		var out bytes.Buffer
		if err := g.Write(&out); err != nil {
			t.Fatalf("Write of a parsed file: %v", err)
		}
		h, err := Parse(out.Bytes())
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if len(h.Tensors) != len(g.Tensors) {
			t.Fatalf("%d tensors after round trip, want %d", len(h.Tensors), len(g.Tensors))
		}
		for n, x := range g.Tensors {
			y := h.Tensors[n]
			if x.DType != y.DType || !bytes.Equal(x.Data, y.Data) || len(x.Shape) != len(y.Shape) {
				t.Fatalf("tensor %q changed in the round trip", n)
			}
		}
	})
}
