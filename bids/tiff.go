package bids

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// raster is a decoded image: samples per pixel in row-major, interleaved
// order, each as stored (0..2^bits-1).
type raster struct {
	w, h, spp, bits int
	pix             []uint16
}

// TIFF tags used by decodeTIFF.
const (
	tagWidth        = 256
	tagHeight       = 257
	tagBits         = 258
	tagCompression  = 259
	tagPhotometric  = 262
	tagStripOffsets = 273
	tagSPP          = 277
	tagRowsPerStrip = 278
	tagStripCounts  = 279
	tagPlanar       = 284
	tagPredictor    = 317
	tagTileWidth    = 322
	tagSampleFormat = 339
	tagColorMap     = 320
)

// decodeTIFF reads the first image of a baseline TIFF file: 8- or 16-bit
// unsigned samples, 1 to 4 per pixel (gray, gray+alpha, RGB, RGBA),
// chunky or planar, in strips, uncompressed, PackBits or Deflate (with or
// without horizontal differencing). Other variants (LZW, JPEG, tiles,
// palettes, float or 1-bit samples) give a "not supported" error. The
// standard library has no TIFF decoder, and this is the subset
// microscopy exports use; it is small enough to keep here rather than
// depend on golang.org/x/image.
func decodeTIFF(b []byte) (*raster, error) {
	if len(b) < 8 {
		return nil, errors.New("tiff: file too short")
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil, errors.New("tiff: not a TIFF file (bad byte-order mark)")
	}
	if bo.Uint16(b[2:]) == 43 {
		return nil, errors.New("tiff: BigTIFF is not supported")
	}
	if bo.Uint16(b[2:]) != 42 {
		return nil, errors.New("tiff: not a TIFF file (bad magic number)")
	}
	off := int64(bo.Uint32(b[4:]))
	if off < 8 || off+2 > int64(len(b)) {
		return nil, fmt.Errorf("tiff: first directory offset %d outside the file", off)
	}
	n := int64(bo.Uint16(b[off:]))
	if off+2+12*n > int64(len(b)) {
		return nil, errors.New("tiff: directory runs past the end of the file")
	}
	tags := map[uint16][]uint32{}
	for i := range n {
		e := b[off+2+12*i : off+14+12*i]
		tag, typ, cnt := bo.Uint16(e), bo.Uint16(e[2:]), int64(bo.Uint32(e[4:]))
		var size int64
		switch typ {
		case 1, 2, 6, 7:
			size = 1
		case 3, 8:
			size = 2
		case 4, 9:
			size = 4
		default:
			continue // rationals, doubles: not needed
		}
		if cnt > 1<<24 {
			return nil, fmt.Errorf("tiff: tag %d has %d values", tag, cnt)
		}
		data := e[8:12]
		if cnt*size > 4 {
			p := int64(bo.Uint32(e[8:]))
			if p < 0 || p+cnt*size > int64(len(b)) {
				return nil, fmt.Errorf("tiff: tag %d values outside the file", tag)
			}
			data = b[p : p+cnt*size]
		}
		vals := make([]uint32, cnt)
		for j := range cnt {
			switch size {
			case 1:
				vals[j] = uint32(data[j])
			case 2:
				vals[j] = uint32(bo.Uint16(data[2*j:]))
			case 4:
				vals[j] = bo.Uint32(data[4*j:])
			}
		}
		tags[tag] = vals
	}
	get := func(tag uint16, def uint32) uint32 {
		if v := tags[tag]; len(v) > 0 {
			return v[0]
		}
		return def
	}
	r := &raster{w: int(get(tagWidth, 0)), h: int(get(tagHeight, 0)), spp: int(get(tagSPP, 1)), bits: int(get(tagBits, 1))}
	if r.w <= 0 || r.h <= 0 || r.w > 1<<16 || r.h > 1<<16 {
		return nil, fmt.Errorf("tiff: image size %dx%d not supported", r.w, r.h)
	}
	for _, bits := range tags[tagBits] {
		if int(bits) != r.bits {
			return nil, errors.New("tiff: samples of different bit depths are not supported")
		}
	}
	if r.bits != 8 && r.bits != 16 {
		return nil, fmt.Errorf("tiff: %d-bit samples are not supported (want 8 or 16)", r.bits)
	}
	if r.spp < 1 || r.spp > 4 {
		return nil, fmt.Errorf("tiff: %d samples per pixel are not supported (want 1 to 4)", r.spp)
	}
	if f := get(tagSampleFormat, 1); f != 1 {
		return nil, fmt.Errorf("tiff: sample format %d is not supported (want unsigned integers)", f)
	}
	photo := get(tagPhotometric, 1)
	if photo > 2 {
		return nil, fmt.Errorf("tiff: photometric interpretation %d is not supported (want gray or RGB)", photo)
	}
	if _, tiled := tags[tagTileWidth]; tiled {
		return nil, errors.New("tiff: tiled images are not supported")
	}
	comp := get(tagCompression, 1)
	pred := get(tagPredictor, 1)
	planar := get(tagPlanar, 1)
	offs, counts := tags[tagStripOffsets], tags[tagStripCounts]
	if len(offs) == 0 || len(offs) != len(counts) {
		return nil, errors.New("tiff: missing or inconsistent strip offsets and byte counts")
	}
	rps := int(get(tagRowsPerStrip, uint32(r.h)))
	if rps <= 0 || rps > r.h {
		rps = r.h
	}
	bps := r.bits / 8
	planes, rowSamples := 1, r.w*r.spp
	if planar == 2 {
		planes, rowSamples = r.spp, r.w
	}
	stripsPerPlane := (r.h + rps - 1) / rps
	if len(offs) < stripsPerPlane*planes {
		return nil, fmt.Errorf("tiff: %d strips, want %d", len(offs), stripsPerPlane*planes)
	}
	r.pix = make([]uint16, r.w*r.h*r.spp)
	for plane := range planes {
		for s := range stripsPerPlane {
			k := plane*stripsPerPlane + s
			o, c := int64(offs[k]), int64(counts[k])
			if o+c > int64(len(b)) {
				return nil, fmt.Errorf("tiff: strip %d runs past the end of the file (truncated?)", k)
			}
			rows := min(rps, r.h-s*rps)
			want := rows * rowSamples * bps
			data, err := decompress(b[o:o+c], comp, want)
			if err != nil {
				return nil, fmt.Errorf("tiff: strip %d: %w", k, err)
			}
			if len(data) < want {
				return nil, fmt.Errorf("tiff: strip %d has %d bytes, want %d (truncated?)", k, len(data), want)
			}
			for y := range rows {
				row := data[y*rowSamples*bps : (y+1)*rowSamples*bps]
				vals := make([]uint16, rowSamples)
				for i := range vals {
					if bps == 1 {
						vals[i] = uint16(row[i])
					} else {
						vals[i] = bo.Uint16(row[2*i:])
					}
				}
				if pred == 2 {
					step := r.spp
					if planar == 2 {
						step = 1
					}
					for i := step; i < len(vals); i++ {
						vals[i] += vals[i-step]
						if bps == 1 {
							vals[i] &= 0xff
						}
					}
				}
				yy := s*rps + y
				if planar == 2 {
					for x := range r.w {
						r.pix[(yy*r.w+x)*r.spp+plane] = vals[x]
					}
				} else {
					copy(r.pix[yy*r.w*r.spp:], vals)
				}
			}
		}
	}
	if photo == 0 { // white is zero
		mx := uint16(1<<r.bits - 1)
		for i := range r.pix {
			if r.spp < 2 || i%r.spp == 0 {
				r.pix[i] = mx - r.pix[i]
			}
		}
	}
	return r, nil
}

func decompress(src []byte, comp uint32, want int) ([]byte, error) {
	switch comp {
	case 1:
		return src, nil
	case 8, 32946:
		zr, err := zlib.NewReader(bytes.NewReader(src))
		if err != nil {
			return nil, fmt.Errorf("deflate: %w", err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, int64(want)+1))
		if err != nil {
			return nil, fmt.Errorf("deflate: %w", err)
		}
		return out, nil
	case 32773:
		out := make([]byte, 0, want)
		for i := 0; i < len(src) && len(out) < want; {
			n := int(int8(src[i]))
			i++
			switch {
			case n >= 0:
				if i+n+1 > len(src) {
					return nil, errors.New("packbits: literal run past the end")
				}
				out = append(out, src[i:i+n+1]...)
				i += n + 1
			case n != -128:
				if i >= len(src) {
					return nil, errors.New("packbits: repeat past the end")
				}
				for range 1 - n {
					out = append(out, src[i])
				}
				i++
			}
		}
		return out, nil
	case 5:
		return nil, errors.New("not implemented yet: LZW compression (save the TIFF uncompressed, or with Deflate or PackBits)")
	}
	return nil, fmt.Errorf("compression %d is not supported (want none, Deflate or PackBits)", comp)
}
