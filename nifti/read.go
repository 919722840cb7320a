package nifti

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// fileKind is what a file name says about its role.
type fileKind int

const (
	kindUnknown fileKind = iota
	kindSingle           // .nii
	kindHeader           // .hdr
	kindImage            // .img
)

// splitName returns the kind of a file name and whether it is gzipped.
// Extensions are matched without regard to case, as nibabel does.
func splitName(path string) (fileKind, bool) {
	l := strings.ToLower(path)
	gz := strings.HasSuffix(l, ".gz")
	if gz {
		l = l[:len(l)-3]
	}
	switch {
	case strings.HasSuffix(l, ".nii"):
		return kindSingle, gz
	case strings.HasSuffix(l, ".hdr"):
		return kindHeader, gz
	case strings.HasSuffix(l, ".img"):
		return kindImage, gz
	}
	return kindUnknown, gz
}

// swapExt replaces the .hdr/.img part of a pair name by ext, keeping the
// case of the rest and any .gz.
func swapExt(path, ext string) string {
	gz := ""
	base := path
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		gz = path[len(path)-3:]
		base = path[:len(path)-3]
	}
	old := base[len(base)-4:]
	if old == strings.ToUpper(old) {
		ext = strings.ToUpper(ext)
	}
	return base[:len(base)-4] + ext + gz
}

// pairPaths returns the header and image files for path.
func pairPaths(path string) (hdr, img string, kind fileKind, err error) {
	kind, _ = splitName(path)
	switch kind {
	case kindSingle:
		return path, path, kind, nil
	case kindHeader:
		return path, swapExt(path, ".img"), kind, nil
	case kindImage:
		return swapExt(path, ".hdr"), path, kind, nil
	}
	return "", "", kind, fmt.Errorf("cannot work out the file type: expected a name ending in .nii, .hdr or .img (optionally .gz)")
}

// stream is an open, possibly decompressed, file.
type stream struct {
	f    *os.File
	size int64 // size of the file on disk
	gz   *gzip.Reader
	br   *bufio.Reader
	r    io.Reader
	pos  int64 // bytes read from r
	cut  bool  // the compressed stream ended before its end marker

	// headCut: the stream is cut within its first sniffLen bytes, of
	// which headLen could be read.
	headCut bool
	headLen int
}

func (s *stream) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.pos += int64(n)
	if s.gz != nil && errors.Is(err, io.ErrUnexpectedEOF) {
		s.cut = true
	}
	return n, err
}

// Close closes the file and returns the decompressor to its pool.
func (s *stream) Close() error {
	if s.gz != nil {
		s.gz.Close()
		gzipPool.Put(s.gz)
		bufPool.Put(s.br)
		s.gz, s.br = nil, nil
	}
	return s.f.Close()
}

// The decompressor and its input buffer are reused across files: a
// loader reading thousands of small images would otherwise spend much of
// its time building them.
var (
	gzipPool sync.Pool // *gzip.Reader
	bufPool  = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 1<<16) }}
)

// open opens path, decompressing it when its name ends in .gz.
func open(path string) (*stream, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errors.New("file does not exist")
		}
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &stream{f: f, size: st.Size(), r: f}
	if st.Size() == 0 {
		f.Close()
		return nil, errors.New("empty file (0 bytes)")
	}
	if _, gz := splitName(path); gz {
		br := bufPool.Get().(*bufio.Reader)
		br.Reset(f)
		var zr *gzip.Reader
		if z, ok := gzipPool.Get().(*gzip.Reader); ok {
			err = z.Reset(br)
			zr = z
		} else {
			zr, err = gzip.NewReader(br)
		}
		if err != nil {
			if zr != nil {
				gzipPool.Put(zr)
			}
			bufPool.Put(br)
			f.Close()
			return nil, fmt.Errorf("bad gzip: %w", err)
		}
		s.gz, s.br, s.r = zr, br, zr
		// Look at the first bytes now: nibabel sniffs them before parsing
		// and gives up on a stream cut short inside them (see headCut).
		head := make([]byte, sniffLen)
		n, err := io.ReadFull(zr, head)
		switch {
		case err == nil:
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			if !isCut(zr) {
				break // a complete stream, only short
			}
			s.headCut = true
		default:
			s.Close()
			return nil, fmt.Errorf("bad gzip: %w", err)
		}
		s.r = io.MultiReader(bytes.NewReader(head[:n]), zr)
		s.headLen = n
	}
	return s, nil
}

// sniffLen is how many bytes nibabel reads to tell the format of a file
// it is asked to load (560 when it is told the NIfTI class, 1024 when it
// has to guess, as for Analyze).
const (
	sniffLen   = 1024
	sniffNIfTI = 560
)

// isCut reports whether a gzip reader that returned fewer bytes than
// asked stopped because its input ended inside the compressed stream.
func isCut(zr *gzip.Reader) bool {
	var b [1]byte
	_, err := zr.Read(b[:])
	return errors.Is(err, io.ErrUnexpectedEOF)
}

// gzipErr labels decompression failures so that they read as such: a
// corrupt stream, or one cut short (a partial download) rather than a
// complete stream holding too little data.
func gzipErr(s *stream, err error) error {
	if s.gz == nil || err == nil {
		return err
	}
	if s.cut {
		return fmt.Errorf("bad gzip: compressed stream ends early (file cut short?) after %d bytes: %w", s.pos, err)
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("bad gzip: %w", err)
	}
	return err
}

// ReadHeader reads the header and its extensions from path (.nii, .hdr,
// or the .img of a pair, each optionally .gz) without reading voxel data.
// It returns the errors Read would return for the header.
func ReadHeader(path string) (*Header, error) {
	h, err := readHeader(path)
	if err != nil {
		return nil, fmt.Errorf("nifti: %s: %w", path, err)
	}
	return h, nil
}

func readHeader(path string) (*Header, error) {
	h, s, err := readHeaderStream(path)
	if s != nil {
		s.Close()
	}
	return h, err
}

// readHeaderStream reads the header of path and returns it with the
// stream it was read from, still open and positioned after the header
// and extensions, so that a single file's data can follow without a
// second open (and a second decompressor). The caller closes the stream.
func readHeaderStream(path string) (*Header, *stream, error) {
	hdrPath, _, kind, err := pairPaths(path)
	if err != nil {
		return nil, nil, err
	}
	s, err := open(hdrPath)
	if err != nil {
		if hdrPath != path {
			return nil, nil, fmt.Errorf("header file %s: %w", hdrPath, err)
		}
		return nil, nil, err
	}
	h, err := DecodeHeader(s, kind != kindSingle)
	if err != nil {
		err = gzipErr(s, err)
		s.Close()
		return nil, nil, err
	}
	// nibabel cannot tell the format of a gzip stream cut before the
	// bytes it sniffs (it reads them before the header), so neither a
	// header nor data comes out of it.
	if s.headCut && (s.headLen < sniffNIfTI || h.Format == Analyze) {
		s.Close()
		return nil, nil, fmt.Errorf("bad gzip: compressed stream ends early (file cut short?) after %d bytes, within the header", s.headLen)
	}
	switch {
	case kind == kindSingle && !h.Format.Single():
		s.Close()
		return nil, nil, fmt.Errorf("%s header (magic %q) in a .nii file: expected magic n+1 or n+2", h.Format, h.Magic)
	case kind != kindSingle && h.Format.Single():
		s.Close()
		return nil, nil, fmt.Errorf("single-file header (magic %q) in a .hdr/.img pair: expected magic ni1 or ni2", h.Magic)
	}
	if h.Format == Analyze {
		if h.spmMat, err = readSPMMat(hdrPath); err != nil {
			s.Close()
			return nil, nil, err
		}
	}
	return h, s, nil
}

// DecodeHeader reads a header and its extensions from r and checks it as
// nibabel does when it loads an image. pair says whether r is a detached
// .hdr (extensions then run to the end of r) rather than a single file
// (extensions end at vox_offset).
func DecodeHeader(r io.Reader, pair bool) (*Header, error) {
	buf := make([]byte, sizeofHdr2)
	n, err := io.ReadFull(r, buf[:sizeofHdr1])
	if err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return nil, errors.New("empty file (0 bytes)")
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("truncated header: expected %d bytes, got %d", sizeofHdr1, n)
		}
		return nil, err
	}
	le := int32(binary.LittleEndian.Uint32(buf))
	be := int32(binary.BigEndian.Uint32(buf))
	size := sizeofHdr1
	if le == sizeofHdr2 || be == sizeofHdr2 {
		size = sizeofHdr2
		m, err := io.ReadFull(r, buf[sizeofHdr1:])
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("truncated header: expected %d bytes, got %d", sizeofHdr2, sizeofHdr1+m)
			}
			return nil, err
		}
	}
	h, err := decodeFixed(buf[:size])
	if err != nil {
		return nil, err
	}
	if err := h.check(); err != nil {
		return nil, err
	}
	if h.Format.Version() == 0 {
		return h, nil
	}
	// Four bytes after the header flag extensions (first byte non-zero).
	var flag [4]byte
	if m, err := io.ReadFull(r, flag[:]); err != nil || m < 4 || flag[0] == 0 {
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, err
		}
		return h, nil
	}
	left := -1.0
	if !pair {
		left = h.VoxOffset - float64(size+4)
	}
	exts, err := readExtensions(r, left, h.ByteOrder)
	if err != nil {
		return nil, err
	}
	h.Extensions = exts
	return h, nil
}

// maxExtension bounds one extension's size so that a corrupt esize cannot
// make the reader allocate gigabytes.
const maxExtension = 1 << 30

// readExtensions reads extensions until size bytes are used (size < 0:
// until the end of r), as nibabel's Nifti1Extensions.from_fileobj does.
func readExtensions(r io.Reader, size float64, o binary.ByteOrder) ([]Extension, error) {
	var exts []Extension
	var head [8]byte
	for size >= 16 || size < 0 {
		n, err := io.ReadFull(r, head[:])
		if n == 0 && size < 0 {
			break
		}
		if n < 8 {
			if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("failed to read extension header: got %d of 8 bytes", n)
			}
			return nil, err
		}
		esize := int32(o.Uint32(head[0:]))
		code := int32(o.Uint32(head[4:]))
		if esize < 8 || esize > maxExtension {
			return nil, fmt.Errorf("extension %d has invalid esize %d (must be at least 8)", len(exts), esize)
		}
		// Read without trusting esize for the allocation: a corrupt size
		// must fail at the end of the file, not in the allocator.
		data, err := io.ReadAll(io.LimitReader(r, int64(esize-8)))
		if err != nil {
			return nil, err
		}
		if len(data) < int(esize-8) {
			return nil, fmt.Errorf("failed to read extension content: expected %d bytes, got %d", esize-8, len(data))
		}
		exts = append(exts, Extension{Code: code, Data: data})
		size -= float64(esize)
	}
	return exts, nil
}

// check applies the header checks that make nibabel refuse to load an
// image (its problem level 40 and above).
func (h *Header) check() error {
	v := h.Format.Version()
	if !h.Datatype.validFor(v) {
		if h.Datatype.Known() {
			return fmt.Errorf("datatype %d (%s) not supported", h.Datatype, h.Datatype)
		}
		return fmt.Errorf("datatype code %d not recognized", h.Datatype)
	}
	if math.IsNaN(h.VoxOffset) || math.IsInf(h.VoxOffset, 0) {
		return fmt.Errorf("vox_offset is %g", h.VoxOffset)
	}
	if h.Format.Single() && h.VoxOffset != 0 {
		min := float64(sizeofHdr1 + 4)
		if v == 2 {
			min = sizeofHdr2 + 4
		}
		if h.VoxOffset < min {
			return fmt.Errorf("vox_offset %g too low for a single file (at least %g)", h.VoxOffset, min)
		}
	}
	if _, _, err := h.SlopeInter(); err != nil {
		return err
	}
	if v > 0 && h.Dim[0] >= 3 && h.Dim[1] == -1 && h.Dim[2] == 1 && h.Dim[3] == 1 && h.Glmin == 0 {
		return errors.New("-1 in dim[1] but 0 in glmin: inconsistent FreeSurfer vector header")
	}
	if v > 0 && h.effSformCode() == 0 && h.effQformCode() != 0 {
		if _, _, _, _, ok := h.quaternion(); !ok {
			return fmt.Errorf("qform quaternion (b, c, d) = (%g, %g, %g) has norm above 1", h.QuaternB, h.QuaternC, h.QuaternD)
		}
	}
	return nil
}

// Read reads the image at path as float32 (see Image.Data). For a pair,
// path may name either the .hdr or the .img.
func Read(path string) (*Image, error) {
	img, err := read[float32](path)
	if err != nil {
		return nil, fmt.Errorf("nifti: %s: %w", path, err)
	}
	return img, nil
}

// ReadFloat64 reads the image at path into Image.Data64, with exactly the
// values nibabel's get_fdata gives (use it to compare with nibabel or when
// float32 is not precise enough, e.g. large int32 values).
func ReadFloat64(path string) (*Image, error) {
	img, err := read[float64](path)
	if err != nil {
		return nil, fmt.Errorf("nifti: %s: %w", path, err)
	}
	return img, nil
}

func read[T float32 | float64](path string) (*Image, error) {
	h, s, err := readHeaderStream(path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if !h.Format.Single() {
		s.Close() // the data are in the .img
		s = nil
	}
	_, imgPath, _, _ := pairPaths(path)
	shape := dataShape(h)
	n, err := voxelCount(h.Shape())
	if err != nil {
		return nil, err
	}
	img := &Image{Header: h, Shape: shape}
	var data []T
	if n > 0 {
		data, err = readData[T](h, s, imgPath, n)
		if err != nil {
			return nil, err
		}
	} else {
		data = []T{}
	}
	switch d := any(data).(type) {
	case []float32:
		img.Data = d
	case []float64:
		img.Data64 = d
	}
	return img, nil
}
