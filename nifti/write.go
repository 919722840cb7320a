package nifti

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
)

// GzipLevel is the compression level Write uses for .gz files. It is
// nibabel's default (1, fastest): images compress little better at higher
// levels and cost several times as long to write. The standard library's
// compressor does the work, on all cores (see parallelGzip).
var GzipLevel = gzip.BestSpeed

// Write writes img to path, atomically: the data go to a temporary file
// in the same folder that is renamed over path only when complete, so an
// interrupted write never leaves a partial image. The name chooses the
// form: .nii for a single file, .hdr or .img for a pair (both files are
// written), .gz after either to compress.
//
// The header of img is kept (byte order, datatype, scaling, extensions,
// every field); its dim follows img.Shape. Values are stored in the
// header's datatype: for integer types they are unscaled with
// scl_slope/scl_inter, rounded half to even and clipped to the type's
// range; for float types the scaling is reset to (1, 0) when it is not
// already the identity, so that values are stored exactly.
func Write(path string, img *Image) error {
	if err := write(path, img); err != nil {
		return fmt.Errorf("nifti: %s: %w", path, err)
	}
	return nil
}

func write(path string, img *Image) error {
	kind, _ := splitName(path)
	if kind == kindUnknown {
		return errors.New("cannot work out the file type: expected a name ending in .nii, .hdr or .img (optionally .gz)")
	}
	h, n, err := writeHeader(img, kind == kindSingle)
	if err != nil {
		return err
	}
	enc := encoder{h: h, n: n, f32: img.Data, f64: img.Data64}
	if err := enc.setup(); err != nil {
		return err
	}
	block := h.encodeFixed()
	extBytes := encodeExtensions(h)
	if kind == kindSingle {
		pad := int(h.VoxOffset) - len(block) - len(extBytes)
		return atomicWrite(path, func(w io.Writer) error {
			if err := writeAll(w, block, extBytes, make([]byte, pad)); err != nil {
				return err
			}
			return enc.writeTo(w)
		})
	}
	hdrPath, imgPath, _, _ := pairPaths(path)
	if h.Format == Analyze {
		extBytes = nil
	} else if len(h.Extensions) == 0 {
		extBytes = nil // a detached header ends after the fixed block
	}
	if err := atomicWrite(imgPath, func(w io.Writer) error {
		if err := writeAll(w, make([]byte, int(h.VoxOffset))); err != nil {
			return err
		}
		return enc.writeTo(w)
	}); err != nil {
		return err
	}
	if h.Format == Analyze && h.spmMat != nil {
		mat := encodeMat4(*h.spmMat)
		if err := atomicWrite(swapExt(hdrPath, ".mat"), func(w io.Writer) error { return writeAll(w, mat) }); err != nil {
			return err
		}
	}
	return atomicWrite(hdrPath, func(w io.Writer) error { return writeAll(w, block, extBytes) })
}

func writeAll(w io.Writer, bs ...[]byte) error {
	for _, b := range bs {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// writeHeader returns the header to write for img and the number of
// voxels per channel.
func writeHeader(img *Image, single bool) (*Header, int, error) {
	if img.Header == nil {
		return nil, 0, errors.New("image has no header (use New)")
	}
	h := img.Header.Clone()
	if h.ByteOrder == nil {
		h.ByteOrder = binary.LittleEndian
	}
	if !h.Datatype.validFor(h.Format.Version()) {
		return nil, 0, fmt.Errorf("cannot store datatype %s in %s", h.Datatype, h.Format)
	}
	total := 1
	for _, d := range img.Shape {
		if d < 0 {
			return nil, 0, fmt.Errorf("negative dimension in shape %v", img.Shape)
		}
		total *= d
	}
	nvals := len(img.Data)
	if img.Data == nil {
		nvals = len(img.Data64)
	}
	if total != nvals {
		return nil, 0, fmt.Errorf("shape %v holds %d values, data has %d", img.Shape, total, nvals)
	}
	spatial := img.Shape
	if c := h.Datatype.Channels(); c > 1 {
		if len(spatial) == 0 || spatial[len(spatial)-1] != c {
			return nil, 0, fmt.Errorf("datatype %s needs a trailing axis of %d channels, shape is %v", h.Datatype, c, img.Shape)
		}
		spatial = spatial[:len(spatial)-1]
	}
	if len(spatial) > 7 {
		return nil, 0, fmt.Errorf("shape %v has more than 7 axes", spatial)
	}
	// Switch layout to fit the file name; Analyze becomes NIfTI-1 in a
	// .nii file, keeping its affine in the sform.
	switch {
	case single && h.Format == Analyze:
		aff := h.Affine()
		slope, inter, _ := h.SlopeInter()
		h.Format, h.raw, h.spmMat = NIfTI1Single, nil, nil
		h.SclSlope, h.SclInter = slope, inter
		if float64(float32(slope)) != slope || float64(float32(inter)) != inter {
			// SPM's cal/gl scaling need not fit NIfTI-1's float32 fields:
			// store the values themselves rather than change them.
			h.Datatype, h.SclSlope, h.SclInter = Float32, 1, 0
		}
		h.Origin = [5]int16{}
		h.SetAffine(aff)
	case single && h.Format == NIfTI1Pair:
		h.Format = NIfTI1Single
	case single && h.Format == NIfTI2Pair:
		h.Format = NIfTI2Single
	case !single && h.Format == NIfTI1Single:
		h.Format = NIfTI1Pair
	case !single && h.Format == NIfTI2Single:
		h.Format = NIfTI2Pair
	}
	if !slices.Equal(spatial, h.Shape()) {
		for i := range h.Dim {
			h.Dim[i] = 1
		}
		h.Dim[0] = int64(len(spatial))
		for i, d := range spatial {
			h.Dim[i+1] = int64(d)
		}
	}
	for _, d := range h.Dim {
		if h.Format.Version() < 2 && d > math.MaxInt16 {
			if h.Format == Analyze {
				return nil, 0, fmt.Errorf("dimension %d does not fit an Analyze header", d)
			}
			// NIfTI-1 stores dims as int16: move to NIfTI-2.
			h.Format += NIfTI2Pair - NIfTI1Pair
			h.raw = nil
			break
		}
	}
	h.Bitpix = int16(8 * h.Datatype.Size())
	if h.Format.Version() > 0 {
		h.SizeofHdr = sizeofHdr1
		if h.Format.Version() == 2 {
			h.SizeofHdr = sizeofHdr2
		}
		h.Magic = map[Format]string{NIfTI1Pair: "ni1", NIfTI1Single: "n+1", NIfTI2Pair: "ni2", NIfTI2Single: "n+2"}[h.Format]
	}
	if h.Datatype == Float32 || h.Datatype == Float64 || h.Datatype.IsRGB() {
		if s, i, err := h.SlopeInter(); err != nil || s != 1 || i != 0 {
			h.SclSlope, h.SclInter = 1, 0
		}
	}
	if _, _, err := h.SlopeInter(); err != nil {
		return nil, 0, err
	}
	if h.Format.Single() {
		min := float64(sizeofHdr1 + 4)
		if h.Format.Version() == 2 {
			min = sizeofHdr2 + 4
		}
		for _, e := range h.Extensions {
			min += float64(extSize(e))
		}
		if h.VoxOffset < min || h.VoxOffset != math.Trunc(h.VoxOffset) {
			h.VoxOffset = min
		}
	} else if h.VoxOffset < 0 || math.IsNaN(h.VoxOffset) || h.VoxOffset != math.Trunc(h.VoxOffset) {
		h.VoxOffset = 0
	}
	n := 1
	for _, d := range spatial {
		n *= d
	}
	return h, n, nil
}

// extSize is the stored size of an extension: 8 bytes of esize and code,
// then the content padded to a multiple of 16.
func extSize(e Extension) int {
	return (8 + len(e.Data) + 15) / 16 * 16
}

// encodeExtensions returns the 4 flag bytes and the extensions.
func encodeExtensions(h *Header) []byte {
	if h.Format.Version() == 0 {
		return nil
	}
	b := make([]byte, 4)
	if len(h.Extensions) == 0 {
		return b
	}
	b[0] = 1
	for _, e := range h.Extensions {
		size := extSize(e)
		head := make([]byte, 8)
		h.ByteOrder.PutUint32(head, uint32(size))
		h.ByteOrder.PutUint32(head[4:], uint32(e.Code))
		b = append(b, head...)
		b = append(b, e.Data...)
		b = append(b, make([]byte, size-8-len(e.Data))...)
	}
	return b
}

// atomicWrite writes a file through fill into a temporary file beside
// path and renames it to path once everything, gzip trailer included, is
// written.
func atomicWrite(path string, fill func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	var w io.Writer = &fileWriter{bw: bw}
	var zw io.WriteCloser
	if _, gz := splitName(path); gz {
		if GzipLevel < gzip.HuffmanOnly || GzipLevel > gzip.BestCompression {
			return fmt.Errorf("invalid GzipLevel %d", GzipLevel)
		}
		zw, err = newParallelGzip(bw, GzipLevel)
		if err != nil {
			return err
		}
		w = zw
	}
	if err = fill(w); err != nil {
		return err
	}
	if zw != nil {
		if err = zw.Close(); err != nil {
			return err
		}
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// encoder turns float values back into stored voxels.
type encoder struct {
	h            *Header
	n            int // voxels per channel
	f32          []float32
	f64          []float64
	slope, inter float64
	lo, hi       float64 // range of an integer datatype
}

func (e *encoder) setup() error {
	s, i, err := e.h.SlopeInter()
	if err != nil {
		return err
	}
	e.slope, e.inter = s, i
	switch e.h.Datatype {
	case Uint8, RGB24, RGBA32:
		e.lo, e.hi = 0, math.MaxUint8
	case Int8:
		e.lo, e.hi = math.MinInt8, math.MaxInt8
	case Int16:
		e.lo, e.hi = math.MinInt16, math.MaxInt16
	case Uint16:
		e.lo, e.hi = 0, math.MaxUint16
	case Int32:
		e.lo, e.hi = math.MinInt32, math.MaxInt32
	case Uint32:
		e.lo, e.hi = 0, math.MaxUint32
	case Int64:
		e.lo, e.hi = math.MinInt64, math.MaxInt64
	case Uint64:
		e.lo, e.hi = 0, math.MaxUint64
	}
	return nil
}

// unscale inverts the read scaling and, for integer types, rounds half to
// even and clips to the type's range (NaN is stored as 0).
func (e *encoder) unscale(v float64, integer bool) float64 {
	if e.inter != 0 {
		v -= e.inter
	}
	if e.slope != 1 {
		v /= e.slope
	}
	if !integer {
		return v
	}
	if v != v {
		return 0
	}
	// Comparisons, not math.Max/Min: those are calls, and this runs for
	// every voxel.
	v = math.RoundToEven(v)
	if v < e.lo {
		return e.lo
	}
	if v > e.hi {
		return e.hi
	}
	return v
}

func (e *encoder) writeTo(w io.Writer) error {
	if fw, ok := w.(*fileWriter); ok && int64(e.n)*int64(e.h.Datatype.Size()) >= parallelBytes && runtime.GOMAXPROCS(0) > 1 {
		return e.writeParallel(fw)
	}
	if done, err := e.fastWrite(w); done {
		return err
	}
	vs := e.h.Datatype.Size()
	chunk := max(1, chunkBytes/vs)
	buf := make([]byte, chunk*vs)
	for start := 0; start < e.n; start += chunk {
		end := min(e.n, start+chunk)
		b := buf[:(end-start)*vs]
		if e.f32 != nil {
			encodeChunk(e, e.f32, b, start, end)
		} else {
			encodeChunk(e, e.f64, b, start, end)
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// fileWriter marks an uncompressed output, where encoding, not
// compression, bounds the speed and is worth spreading over the cores.
type fileWriter struct {
	bw *bufio.Writer
}

func (w *fileWriter) Write(p []byte) (int, error) { return w.bw.Write(p) }

// writeParallel encodes the voxels with one goroutine per core, a batch
// of blocks at a time, and writes the blocks in order: writes to one file
// from several goroutines contend for the inode lock and were slower than
// one writer.
func (e *encoder) writeParallel(w *fileWriter) error {
	if raw, ok := e.rawBytes(0, int64(e.n)); ok {
		_, err := w.Write(raw)
		return err
	}
	vs := int64(e.h.Datatype.Size())
	nv := int64(e.n)
	workers := int64(min(runtime.GOMAXPROCS(0), 16))
	blk := max(1, int64(parallelBytes/4)/vs) // voxels per block
	bufs := make([][]byte, workers)
	for k := range bufs {
		bufs[k] = make([]byte, blk*vs)
	}
	for start := int64(0); start < nv; start += workers * blk {
		var wg sync.WaitGroup
		nb := 0
		for k := int64(0); k < workers; k++ {
			lo, hi := start+k*blk, min(start+(k+1)*blk, nv)
			if lo >= hi {
				break
			}
			nb++
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := bufs[k][:(hi-lo)*vs]
				if e.f32 != nil {
					encodeChunk(e, e.f32, b, int(lo), int(hi))
				} else {
					encodeChunk(e, e.f64, b, int(lo), int(hi))
				}
				bufs[k] = b
			}()
		}
		wg.Wait()
		for k := 0; k < nb; k++ {
			if _, err := w.Write(bufs[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodeChunk stores voxels [start, end) of src into b, with one loop per
// datatype so that the per-voxel work is a conversion and a store.
func encodeChunk[T float32 | float64](e *encoder, src []T, b []byte, start, end int) {
	o := e.h.ByteOrder
	v := src[start:end]
	u := func(x T) float64 { return e.unscale(float64(x), true) }
	switch e.h.Datatype {
	case Uint8:
		for i, x := range v {
			b[i] = byte(u(x))
		}
	case Int8:
		for i, x := range v {
			b[i] = byte(int8(u(x)))
		}
	case Int16:
		for i, x := range v {
			o.PutUint16(b[2*i:], uint16(int16(u(x))))
		}
	case Uint16:
		for i, x := range v {
			o.PutUint16(b[2*i:], uint16(u(x)))
		}
	case Int32:
		for i, x := range v {
			o.PutUint32(b[4*i:], uint32(int32(u(x))))
		}
	case Uint32:
		for i, x := range v {
			o.PutUint32(b[4*i:], uint32(u(x)))
		}
	case Int64:
		for i, x := range v {
			f := u(x)
			y := int64(f)
			if f >= math.MaxInt64 {
				y = math.MaxInt64
			}
			o.PutUint64(b[8*i:], uint64(y))
		}
	case Uint64:
		for i, x := range v {
			f := u(x)
			y := uint64(f)
			if f >= math.MaxUint64 {
				y = math.MaxUint64
			}
			o.PutUint64(b[8*i:], y)
		}
	case Float32:
		for i, x := range v {
			o.PutUint32(b[4*i:], math.Float32bits(float32(x)))
		}
	case Float64:
		for i, x := range v {
			o.PutUint64(b[8*i:], math.Float64bits(float64(x)))
		}
	case RGB24, RGBA32:
		c := e.h.Datatype.Channels()
		for i := start; i < end; i++ {
			for ch := 0; ch < c; ch++ {
				b[(i-start)*c+ch] = byte(e.unscale(float64(src[ch*e.n+i]), true))
			}
		}
	case Complex64, Complex128:
		vs := e.h.Datatype.Size()
		for i := start; i < end; i++ {
			p := b[(i-start)*vs:]
			re := e.unscale(float64(src[i]), false)
			im := float64(src[e.n+i])
			if e.slope != 1 {
				im /= e.slope
			}
			if e.h.Datatype == Complex64 {
				o.PutUint32(p, math.Float32bits(float32(re)))
				o.PutUint32(p[4:], math.Float32bits(float32(im)))
			} else {
				o.PutUint64(p, math.Float64bits(re))
				o.PutUint64(p[8:], math.Float64bits(im))
			}
		}
	}
}
