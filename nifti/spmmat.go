package nifti

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// SPM keeps the affine of an Analyze image in a MATLAB file beside it
// (name.mat): the variable "mat" (voxel to world, 1-based voxels, flip
// included) or "M" (without the x flip). nibabel reads it for Analyze
// images and lets it override the header; so does this package. Only
// MATLAB's level-4 format is read, the one nibabel writes.

// readSPMMat returns the affine stored in the .mat file beside an Analyze
// header, or nil when there is none (or it is empty).
func readSPMMat(hdrPath string) (*Affine, error) {
	p := swapExt(hdrPath, ".mat")
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if _, gz := splitName(hdrPath); gz && len(b) > 0 {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("SPM file %s: bad gzip: %w", p, err)
		}
		if b, err = io.ReadAll(io.LimitReader(zr, 1<<20)); err != nil {
			return nil, fmt.Errorf("SPM file %s: bad gzip: %w", p, err)
		}
	}
	if len(b) == 0 {
		return nil, nil
	}
	vars, err := parseMat4(b)
	if err != nil {
		return nil, fmt.Errorf("SPM file %s: %w", p, err)
	}
	var a Affine
	switch {
	case vars["mat"] != nil:
		a = *vars["mat"]
	case vars["M"] != nil:
		a = matMul(Affine{{-1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}, *vars["M"])
	default:
		return nil, fmt.Errorf("SPM file %s has no \"mat\" or \"M\" variable", p)
	}
	// MATLAB counts voxels from 1.
	a = matMul(a, Affine{{1, 0, 0, 1}, {0, 1, 0, 1}, {0, 0, 1, 1}, {0, 0, 0, 1}})
	return &a, nil
}

// parseMat4 reads the 4x4 double matrices of a MATLAB level-4 file.
func parseMat4(b []byte) (map[string]*Affine, error) {
	if len(b) >= 128 && bytes.HasPrefix(b, []byte("MATLAB")) {
		return nil, errors.New("not implemented yet: MATLAB level-5 .mat files (only level 4, as nibabel writes, is read)")
	}
	vars := map[string]*Affine{}
	for len(b) > 0 {
		if len(b) < 20 {
			return nil, errors.New("truncated level-4 MATLAB header")
		}
		var o binary.ByteOrder = binary.LittleEndian
		typ := int32(o.Uint32(b))
		if typ < 0 || typ > 4052 {
			o = binary.BigEndian
			typ = int32(o.Uint32(b))
		}
		m, p, t := typ/1000, typ/10%10, typ%10
		rows, cols := int32(o.Uint32(b[4:])), int32(o.Uint32(b[8:]))
		imag, namlen := int32(o.Uint32(b[12:])), int32(o.Uint32(b[16:]))
		if m > 1 || t != 0 || rows < 0 || cols < 0 || namlen < 1 || namlen > 1<<10 {
			return nil, fmt.Errorf("unsupported level-4 MATLAB variable (type %d, %dx%d)", typ, rows, cols)
		}
		size := map[int32]int64{0: 8, 1: 4, 2: 4, 3: 2, 4: 2, 5: 1}[p]
		if size == 0 {
			return nil, fmt.Errorf("unsupported level-4 MATLAB precision %d", p)
		}
		n := int64(rows) * int64(cols) * size
		if imag != 0 {
			n *= 2
		}
		end := 20 + int64(namlen) + n
		if end > int64(len(b)) {
			return nil, errors.New("truncated level-4 MATLAB variable")
		}
		name := string(bytes.TrimRight(b[20:20+namlen], "\x00"))
		if p == 0 && rows == 4 && cols == 4 {
			var a Affine
			d := b[20+namlen:]
			for c := range 4 {
				for r := range 4 {
					a[r][c] = math.Float64frombits(o.Uint64(d[8*(4*c+r):]))
				}
			}
			vars[name] = &a
		}
		b = b[end:]
	}
	return vars, nil
}

// encodeMat4 writes affine a as the SPM "mat" variable of a level-4
// MATLAB file (little-endian doubles, column-major).
func encodeMat4(a Affine) []byte {
	// Stored for 1-based voxels: mat = a · translate(-1).
	m := matMul(a, Affine{{1, 0, 0, -1}, {0, 1, 0, -1}, {0, 0, 1, -1}, {0, 0, 0, 1}})
	b := make([]byte, 20, 20+4+128)
	o := binary.LittleEndian
	o.PutUint32(b[4:], 4)
	o.PutUint32(b[8:], 4)
	o.PutUint32(b[16:], 4)
	b = append(b, "mat\x00"...)
	for c := range 4 {
		for r := range 4 {
			b = o.AppendUint64(b, math.Float64bits(m[r][c]))
		}
	}
	return b
}
