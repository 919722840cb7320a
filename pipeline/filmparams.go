package pipeline

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/nn"
)

// filmParams collects what a FiLMedUnet's FiLM layers do to each test
// image and writes ivadomed's files for it (testing.save_film_params):
// gamma_layer_<i>.npy and beta_layer_<i>.npy for each FiLM position i =
// 1…2·depth+2 (an empty float64 array where the position has no FiLM
// layer) and metadata_values.npy, the metadata value of each row.
//
// Departures from ivadomed: a row per test image rather than per slice
// or patch (γ and β depend on the image's metadata only, so ivadomed's
// rows repeat within an image, and its per-batch stacking fails on a
// short last batch with NumPy ≥ 1.24); rows are [images, channels]
// float32. The metadata value is the image's contrast suffix for
// "contrasts", "FlipAngle=…,RepetitionTime=…,EchoTime=…,Manufacturer=…"
// for "mri_params", and the column's value otherwise.
type filmParams struct {
	kind        string
	layers      []*nn.FiLM
	gamma, beta [][]float32
	values      []string
}

// newFiLMParams returns a collector for p's model, or nil when it has no
// FiLM layers.
func newFiLMParams(p *predictor) *filmParams {
	u, ok := p.mod.(*nn.Unet)
	if !ok || p.in.c == nil || p.in.c.film == nil {
		return nil
	}
	layers := u.FiLMLayers()
	if layers == nil {
		return nil
	}
	return &filmParams{kind: p.in.c.film.Kind, layers: layers, gamma: make([][]float32, len(layers)), beta: make([][]float32, len(layers))}
}

// add records the FiLM parameters of the image at path, whose metadata
// vector was meta.
func (f *filmParams) add(row *bids.Row, meta []float32) {
	for i, l := range f.layers {
		if l == nil {
			continue
		}
		g, b := l.Params(meta)
		f.gamma[i] = append(f.gamma[i], g...)
		f.beta[i] = append(f.beta[i], b...)
	}
	f.values = append(f.values, filmValue(f.kind, row))
}

// filmValue is the metadata value of a row as a string.
func filmValue(kind string, r *bids.Row) string {
	switch kind {
	case bids.FiLMContrasts:
		return r.Image.Suffix
	case bids.FiLMMRIParams:
		var parts []string
		for _, k := range []string{"FlipAngle", "RepetitionTime", "EchoTime", "Manufacturer"} {
			v, _ := r.Get(k)
			parts = append(parts, k+"="+v)
		}
		return strings.Join(parts, ",")
	}
	v, _ := r.Get(kind)
	return v
}

// write writes the files into dir.
func (f *filmParams) write(dir string) error {
	n := len(f.values)
	for i, l := range f.layers {
		for _, a := range []struct {
			name string
			v    []float32
		}{{"gamma", f.gamma[i]}, {"beta", f.beta[i]}} {
			path := filepath.Join(dir, fmt.Sprintf("%s_layer_%d.npy", a.name, i+1))
			var b []byte
			if l == nil {
				b = npyFloat64(nil, 0)
			} else {
				b = npyFloat32(a.v, n, l.C)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				return fmt.Errorf("pipeline: FiLM parameters: %w", err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "metadata_values.npy"), npyStrings(f.values), 0o644); err != nil {
		return fmt.Errorf("pipeline: FiLM parameters: %w", err)
	}
	return nil
}

// npy encodes a NumPy .npy file (format 1.0): the magic string, a header
// dictionary padded with spaces to a multiple of 64 bytes, then data.
func npy(descr string, shape []int, data []byte) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	sh := strings.Join(dims, ", ")
	if len(shape) == 1 {
		sh += ","
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, sh)
	pad := 64 - (10+len(h)+1)%64
	if pad == 64 {
		pad = 0
	}
	h += strings.Repeat(" ", pad) + "\n"
	var buf bytes.Buffer
	buf.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&buf, binary.LittleEndian, uint16(len(h)))
	buf.WriteString(h)
	buf.Write(data)
	return buf.Bytes()
}

// npyFloat32 encodes v as a rows×cols float32 array.
func npyFloat32(v []float32, rows, cols int) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return npy("<f4", []int{rows, cols}, b)
}

// npyFloat64 encodes v as a one-dimensional float64 array of length n.
func npyFloat64(v []float64, n int) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return npy("<f8", []int{n}, b)
}

// npyStrings encodes s as NumPy's fixed-width unicode array ('<U' of the
// longest string in code points, UTF-32 little endian, zero padded).
func npyStrings(s []string) []byte {
	w := 1
	for _, x := range s {
		w = max(w, len([]rune(x)))
	}
	b := make([]byte, 4*w*len(s))
	for i, x := range s {
		for j, r := range []rune(x) {
			binary.LittleEndian.PutUint32(b[4*(i*w+j):], uint32(r))
		}
	}
	return npy(fmt.Sprintf("<U%d", w), []int{len(s)}, b)
}
