package bids

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"strings"
	"testing"
)

// tiffOpts describes a TIFF file for makeTIFF.
type tiffOpts struct {
	big         bool // big-endian
	bits, spp   int
	planar      int
	compression int // 1, 8 or 32773
	predictor   int
	photometric int
	rowsPerStrp int
	extra       map[uint16]uint32 // more SHORT/LONG tags
}

// makeTIFF encodes w×h pixels (samples interleaved, as stored) with the
// given layout: an independent writer for the decoder's tests.
func makeTIFF(t *testing.T, w, h int, pix []uint16, o tiffOpts) []byte {
	t.Helper()
	var bo interface {
		binary.ByteOrder
		binary.AppendByteOrder
	} = binary.LittleEndian
	if o.big {
		bo = binary.BigEndian
	}
	planes, perRow := 1, w*o.spp
	if o.planar == 2 {
		planes, perRow = o.spp, w
	}
	rps := o.rowsPerStrp
	if rps == 0 {
		rps = h
	}
	var strips [][]byte
	for p := range planes {
		for y0 := 0; y0 < h; y0 += rps {
			var raw []byte
			for y := y0; y < min(h, y0+rps); y++ {
				row := make([]uint16, perRow)
				for i := range row {
					if o.planar == 2 {
						row[i] = pix[(y*w+i)*o.spp+p]
					} else {
						row[i] = pix[y*w*o.spp+i]
					}
				}
				if o.predictor == 2 {
					step := o.spp
					if o.planar == 2 {
						step = 1
					}
					for i := len(row) - 1; i >= step; i-- {
						row[i] -= row[i-step]
						if o.bits == 8 {
							row[i] &= 0xff
						}
					}
				}
				for _, v := range row {
					if o.bits == 8 {
						raw = append(raw, byte(v))
					} else {
						raw = bo.AppendUint16(raw, v)
					}
				}
			}
			switch o.compression {
			case 8:
				var z bytes.Buffer
				zw := zlib.NewWriter(&z)
				zw.Write(raw)
				zw.Close()
				raw = z.Bytes()
			case 32773: // PackBits: literal runs of up to 128 bytes
				var pb []byte
				for i := 0; i < len(raw); i += 128 {
					n := min(128, len(raw)-i)
					pb = append(pb, byte(n-1))
					pb = append(pb, raw[i:i+n]...)
				}
				raw = pb
			}
			strips = append(strips, raw)
		}
	}
	type entry struct {
		tag, typ uint16
		vals     []uint32
	}
	offsets := make([]uint32, len(strips))
	counts := make([]uint32, len(strips))
	bitsV := make([]uint32, o.spp)
	for i := range bitsV {
		bitsV[i] = uint32(o.bits)
	}
	entries := []entry{
		{256, 4, []uint32{uint32(w)}}, {257, 4, []uint32{uint32(h)}}, {258, 3, bitsV},
		{259, 3, []uint32{uint32(max(1, o.compression))}}, {262, 3, []uint32{uint32(o.photometric)}},
		{273, 4, offsets}, {277, 3, []uint32{uint32(o.spp)}}, {278, 4, []uint32{uint32(rps)}},
		{279, 4, counts}, {284, 3, []uint32{uint32(max(1, o.planar))}},
	}
	if o.predictor != 0 {
		entries = append(entries, entry{317, 3, []uint32{uint32(o.predictor)}})
	}
	for tag, v := range o.extra {
		entries = append(entries, entry{tag, 4, []uint32{v}})
	}
	// Layout: header, strips, out-of-line values, directory.
	out := []byte("II*\x00\x00\x00\x00\x00")
	if o.big {
		out = []byte("MM\x00*\x00\x00\x00\x00")
	}
	for i, s := range strips {
		offsets[i], counts[i] = uint32(len(out)), uint32(len(s))
		out = append(out, s...)
	}
	outOfLine := map[int]uint32{}
	for i, e := range entries {
		size := 2
		if e.typ == 4 {
			size = 4
		}
		if len(e.vals)*size > 4 {
			outOfLine[i] = uint32(len(out))
			for _, v := range e.vals {
				if size == 2 {
					out = bo.AppendUint16(out, uint16(v))
				} else {
					out = bo.AppendUint32(out, v)
				}
			}
		}
	}
	bo.PutUint32(out[4:], uint32(len(out)))
	out = bo.AppendUint16(out, uint16(len(entries)))
	for i, e := range entries {
		out = bo.AppendUint16(out, e.tag)
		out = bo.AppendUint16(out, e.typ)
		out = bo.AppendUint32(out, uint32(len(e.vals)))
		if off, ok := outOfLine[i]; ok {
			out = bo.AppendUint32(out, off)
		} else if e.typ == 3 {
			out = bo.AppendUint16(out, uint16(e.vals[0]))
			if len(e.vals) > 1 {
				out = bo.AppendUint16(out, uint16(e.vals[1]))
			} else {
				out = bo.AppendUint16(out, 0)
			}
		} else {
			out = bo.AppendUint32(out, e.vals[0])
		}
	}
	return bo.AppendUint32(out, 0)
}

func TestDecodeTIFF(t *testing.T) {
	const w, h = 7, 5 // odd sizes
	tests := []struct {
		name string
		o    tiffOpts
	}{
		{"gray8", tiffOpts{bits: 8, spp: 1, photometric: 1}},
		{"gray16 big-endian", tiffOpts{big: true, bits: 16, spp: 1, photometric: 1}},
		{"rgb8 strips of 2 rows", tiffOpts{bits: 8, spp: 3, photometric: 2, rowsPerStrp: 2}},
		{"rgba16 planar", tiffOpts{bits: 16, spp: 4, photometric: 2, planar: 2}},
		{"rgb8 deflate predictor", tiffOpts{bits: 8, spp: 3, photometric: 2, compression: 8, predictor: 2}},
		{"gray16 deflate predictor big-endian", tiffOpts{big: true, bits: 16, spp: 1, photometric: 1, compression: 8, predictor: 2}},
		{"gray+alpha8 packbits", tiffOpts{bits: 8, spp: 2, photometric: 1, compression: 32773, rowsPerStrp: 3}},
		{"white-is-zero", tiffOpts{bits: 8, spp: 1, photometric: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pix := make([]uint16, w*h*tt.o.spp)
			mx := 1<<tt.o.bits - 1
			for i := range pix {
				pix[i] = uint16((i*7919 + 13) % (mx + 1))
			}
			r, err := decodeTIFF(makeTIFF(t, w, h, pix, tt.o))
			if err != nil {
				t.Fatal(err)
			}
			if r.w != w || r.h != h || r.spp != tt.o.spp || r.bits != tt.o.bits {
				t.Fatalf("%dx%dx%d %d-bit", r.w, r.h, r.spp, r.bits)
			}
			for i, v := range pix {
				want := v
				if tt.o.photometric == 0 {
					want = uint16(mx) - v
				}
				if r.pix[i] != want {
					t.Fatalf("sample %d = %d, want %d", i, r.pix[i], want)
				}
			}
		})
	}
	pix := make([]uint16, w*h)
	good := makeTIFF(t, w, h, pix, tiffOpts{bits: 8, spp: 1, photometric: 1})
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"lzw", makeTIFF(t, w, h, pix, tiffOpts{bits: 8, spp: 1, photometric: 1, compression: 5}), "LZW"},
		{"tiled", makeTIFF(t, w, h, pix, tiffOpts{bits: 8, spp: 1, photometric: 1, extra: map[uint16]uint32{322: 16}}), "tiled"},
		{"float", makeTIFF(t, w, h, pix, tiffOpts{bits: 8, spp: 1, photometric: 1, extra: map[uint16]uint32{339: 3}}), "sample format 3"},
		{"palette", makeTIFF(t, w, h, pix, tiffOpts{bits: 8, spp: 1, photometric: 3}), "photometric"},
		{"truncated", good[:20], "outside the file"},
		{"not tiff", []byte("GIF89a......"), "not a TIFF"},
		{"empty", nil, "too short"},
	} {
		if _, err := decodeTIFF(c.b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
