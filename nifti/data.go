package nifti

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sync"
)

// maxDeflateRatio bounds how much deflate can expand its input (a bit over
// 1032:1); a gzip file too small to hold the data is known to be truncated
// before any memory is spent on it.
const maxDeflateRatio = 1040

// chunkVoxels is how many voxels are decoded per read: big enough to
// amortise the calls, small enough to stay in cache.
const chunkBytes = 1 << 18

// readData reads n voxels of h's datatype from the image file at offset
// int(vox_offset), converting and scaling them into a new []T.
// s, when not nil, is the stream the header came from, positioned after
// it; it is used when it has not already passed the data.
func readData[T float32 | float64](h *Header, s *stream, imgPath string, n int64) ([]T, error) {
	slope, inter, err := h.SlopeInter()
	if err != nil {
		return nil, err
	}
	offset := int64(h.VoxOffset) // Python's int(): truncation
	if offset < 0 {
		return nil, fmt.Errorf("negative vox_offset %g", h.VoxOffset)
	}
	if s == nil || s.pos > offset {
		s, err = open(imgPath)
		if err != nil {
			if !h.Format.Single() {
				return nil, fmt.Errorf("image file %s: %w", imgPath, err)
			}
			return nil, err
		}
		defer s.Close()
	}
	vs := int64(h.Datatype.Size())
	nbytes := n * vs
	if n > math.MaxInt64/vs {
		return nil, fmt.Errorf("data size overflows: %d voxels of %d bytes", n, vs)
	}
	// Refuse before allocating when the file cannot hold the data.
	if s.gz == nil {
		if avail := s.size - offset; avail < nbytes {
			return nil, fmt.Errorf("truncated data: expected %d bytes, got %d", nbytes, max(avail, 0))
		}
		if _, err := s.f.Seek(offset, io.SeekStart); err != nil {
			return nil, err
		}
	} else {
		if _, err := io.CopyN(io.Discard, s, offset-s.pos); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, gzipErr(s, fmt.Errorf("truncated data: expected %d bytes, got 0", nbytes))
			}
			return nil, gzipErr(s, err)
		}
		if s.size < math.MaxInt64/maxDeflateRatio && nbytes > s.size*maxDeflateRatio {
			got, err := io.Copy(io.Discard, s)
			if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, gzipErr(s, err)
			}
			return nil, gzipErr(s, fmt.Errorf("truncated data: expected %d bytes, got %d", nbytes, got))
		}
	}
	dst := make([]T, n*int64(h.Datatype.Channels()))
	d := decoder[T]{dt: h.Datatype, order: h.ByteOrder, slope: slope, inter: inter, n: int(n), dst: dst}
	if s.gz == nil && nbytes >= parallelBytes && runtime.GOMAXPROCS(0) > 1 {
		// The size was checked above: the whole range is in the file.
		if err := d.runParallel(s.f, offset, nbytes); err != nil {
			return nil, err
		}
		return dst, nil
	}
	if err := d.run(s, nbytes); err != nil {
		return nil, gzipErr(s, err)
	}
	return dst, nil
}

// decoder converts stored voxels to T, chunk by chunk, so that the stored
// bytes never exist in full next to the converted data.
type decoder[T float32 | float64] struct {
	dt           Datatype
	order        binary.ByteOrder
	slope, inter float64
	n            int // voxels
	dst          []T
}

func (d *decoder[T]) run(r io.Reader, nbytes int64) error {
	vs := d.dt.Size()
	if done, err := d.fastRaw(r, nbytes); done {
		return err
	}
	chunk := (chunkBytes / vs) * vs
	buf := make([]byte, min(int64(chunk), nbytes))
	var done int64
	for done < nbytes {
		m := min(int64(len(buf)), nbytes-done)
		k, err := io.ReadFull(r, buf[:m])
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("truncated data: expected %d bytes, got %d", nbytes, done+int64(k))
			}
			return err
		}
		d.convert(int(done/int64(vs)), buf[:m])
		done += m
	}
	return nil
}

// parallelBytes is the size from which an uncompressed file is read by
// several goroutines: each reads and converts its own part, so the copy
// out of the page cache, the page faults of the new slice and the
// conversion use every core.
var parallelBytes int64 = 4 << 20 // a variable so tests can lower it

// runParallel reads nbytes at offset of f with one goroutine per core,
// each on a contiguous run of whole voxels.
func (d *decoder[T]) runParallel(f *os.File, offset, nbytes int64) error {
	vs := int64(d.dt.Size())
	workers := int64(min(runtime.GOMAXPROCS(0), 16))
	nv := nbytes / vs
	per := (nv + workers - 1) / workers
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := int64(0); w < workers; w++ {
		lo, hi := w*per, min((w+1)*per, nv)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sr := io.NewSectionReader(f, offset+lo*vs, (hi-lo)*vs)
			part := *d
			if done, err := part.fastRawAt(sr, lo, hi); done {
				errs[w] = err
				return
			}
			chunk := (chunkBytes / vs) * vs
			buf := make([]byte, min(chunk, (hi-lo)*vs))
			for v := lo; v < hi; {
				m := min(int64(len(buf)), (hi-v)*vs)
				if _, err := io.ReadFull(sr, buf[:m]); err != nil {
					errs[w] = err
					return
				}
				part.convert(int(v), buf[:m])
				v += m / vs
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// scale applies slope and intercept as numpy does: the product is rounded
// to float64 before the intercept is added (no fused multiply-add), and a
// slope of 1 or an intercept of 0 is not applied at all.
func (d *decoder[T]) scale(x float64) float64 {
	if d.slope != 1 {
		x = float64(x * d.slope)
	}
	if d.inter != 0 {
		x = float64(x + d.inter)
	}
	return x
}

// convert decodes the voxels in b, the first of which has index first.
func (d *decoder[T]) convert(first int, b []byte) {
	o := d.order
	dst := d.dst
	scaled := d.slope != 1 || d.inter != 0
	switch d.dt {
	case Uint8:
		out := dst[first : first+len(b)]
		if !scaled {
			for i, v := range b {
				out[i] = T(v)
			}
			return
		}
		for i, v := range b {
			out[i] = T(d.scale(float64(v)))
		}
	case Int8:
		out := dst[first : first+len(b)]
		for i, v := range b {
			out[i] = T(d.scale(float64(int8(v))))
		}
	case Int16:
		out := dst[first : first+len(b)/2]
		if !scaled {
			for i := range out {
				out[i] = T(int16(o.Uint16(b[2*i:])))
			}
			return
		}
		for i := range out {
			out[i] = T(d.scale(float64(int16(o.Uint16(b[2*i:])))))
		}
	case Uint16:
		out := dst[first : first+len(b)/2]
		for i := range out {
			out[i] = T(d.scale(float64(o.Uint16(b[2*i:]))))
		}
	case Int32:
		out := dst[first : first+len(b)/4]
		for i := range out {
			out[i] = T(d.scale(float64(int32(o.Uint32(b[4*i:])))))
		}
	case Uint32:
		out := dst[first : first+len(b)/4]
		for i := range out {
			out[i] = T(d.scale(float64(o.Uint32(b[4*i:]))))
		}
	case Int64:
		out := dst[first : first+len(b)/8]
		for i := range out {
			out[i] = T(d.scale(float64(int64(o.Uint64(b[8*i:])))))
		}
	case Uint64:
		out := dst[first : first+len(b)/8]
		for i := range out {
			out[i] = T(d.scale(float64(o.Uint64(b[8*i:]))))
		}
	case Float32:
		out := dst[first : first+len(b)/4]
		if !scaled {
			for i := range out {
				out[i] = T(math.Float32frombits(o.Uint32(b[4*i:])))
			}
			return
		}
		for i := range out {
			out[i] = T(d.scale(float64(math.Float32frombits(o.Uint32(b[4*i:])))))
		}
	case Float64:
		out := dst[first : first+len(b)/8]
		for i := range out {
			out[i] = T(d.scale(math.Float64frombits(o.Uint64(b[8*i:]))))
		}
	case RGB24, RGBA32:
		c := d.dt.Channels()
		nv := len(b) / c
		for i := 0; i < nv; i++ {
			for ch := 0; ch < c; ch++ {
				dst[ch*d.n+first+i] = T(b[c*i+ch])
			}
		}
	case Complex64, Complex128:
		vs := d.dt.Size()
		nv := len(b) / vs
		for i := 0; i < nv; i++ {
			p := b[vs*i:]
			var re, im float64
			if d.dt == Complex64 {
				re = float64(math.Float32frombits(o.Uint32(p)))
				im = float64(math.Float32frombits(o.Uint32(p[4:])))
			} else {
				re = math.Float64frombits(o.Uint64(p))
				im = math.Float64frombits(o.Uint64(p[8:]))
			}
			if scaled {
				// numpy: (re + i·im)·slope + (inter + 0i)
				if d.slope != 1 {
					re, im = float64(re*d.slope), float64(im*d.slope)
				}
				if d.inter != 0 {
					re, im = float64(re+d.inter), im+0
				}
			}
			dst[first+i] = T(re)
			dst[d.n+first+i] = T(im)
		}
	}
}
