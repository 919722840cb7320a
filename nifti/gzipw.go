package nifti

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"io"
	"runtime"
	"sync"
)

// gzipBlock is how much input each goroutine of the parallel gzip writer
// compresses at a time; a variable so that tests can make it small.
var gzipBlock = 1 << 20

// parallelGzip writes one gzip member whose deflate stream is made of
// independently compressed blocks, as pigz does: every block but the last
// ends with a sync flush (byte-aligned, not final), so the blocks
// concatenate into a valid stream any gzip reader accepts. A block does
// not refer back into the one before it, which costs little: at most 32
// KiB of matches are lost per MiB. In exchange all cores compress.
type parallelGzip struct {
	w       io.Writer
	level   int
	workers int
	pending [][]byte // full blocks waiting to be compressed
	cur     []byte   // block being filled
	crc     uint32
	size    uint32 // input length mod 2³²
	free    [][]byte
	outs    []*bytes.Buffer
	err     error
}

func newParallelGzip(w io.Writer, level int) (*parallelGzip, error) {
	// Header: magic, deflate, no flags, mtime 0 (reproducible files, as
	// nibabel writes them), no extra flags, OS unknown.
	hdr := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}
	if _, err := w.Write(hdr); err != nil {
		return nil, err
	}
	n := min(runtime.GOMAXPROCS(0), 16)
	z := &parallelGzip{w: w, level: level, workers: n}
	z.outs = make([]*bytes.Buffer, n)
	for i := range z.outs {
		z.outs[i] = new(bytes.Buffer)
	}
	z.cur = z.block()
	return z, nil
}

func (z *parallelGzip) block() []byte {
	if k := len(z.free); k > 0 {
		b := z.free[k-1]
		z.free = z.free[:k-1]
		return b[:0]
	}
	return make([]byte, 0, gzipBlock)
}

func (z *parallelGzip) Write(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n := len(p)
	z.crc = crc32.Update(z.crc, crc32.IEEETable, p)
	z.size += uint32(n)
	for len(p) > 0 {
		k := copy(z.cur[len(z.cur):cap(z.cur)], p)
		z.cur = z.cur[:len(z.cur)+k]
		p = p[k:]
		if len(z.cur) == cap(z.cur) {
			z.pending = append(z.pending, z.cur)
			z.cur = z.block()
			if len(z.pending) == z.workers {
				if err := z.compress(false); err != nil {
					return 0, err
				}
			}
		}
	}
	return n, nil
}

// compress deflates the pending blocks in parallel and writes them in
// order; with last, the final block (z.cur) is included and closed.
func (z *parallelGzip) compress(last bool) error {
	blocks := z.pending
	if last {
		blocks = append(blocks, z.cur)
	}
	errs := make([]error, len(blocks))
	var wg sync.WaitGroup
	for i, b := range blocks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := z.outs[i%len(z.outs)]
			out.Reset()
			fw, err := flate.NewWriter(out, z.level)
			if err != nil {
				errs[i] = err
				return
			}
			if _, err := fw.Write(b); err != nil {
				errs[i] = err
				return
			}
			if last && i == len(blocks)-1 {
				errs[i] = fw.Close()
			} else {
				errs[i] = fw.Flush()
			}
		}()
	}
	wg.Wait()
	for i := range blocks {
		if errs[i] != nil {
			z.err = errs[i]
			return z.err
		}
		if _, err := z.w.Write(z.outs[i%len(z.outs)].Bytes()); err != nil {
			z.err = err
			return err
		}
	}
	z.free = append(z.free, z.pending...)
	z.pending = z.pending[:0]
	return nil
}

// Close compresses what is left and writes the gzip trailer (CRC-32 and
// length of the input).
func (z *parallelGzip) Close() error {
	if z.err != nil {
		return z.err
	}
	if len(z.pending) > z.workers-1 {
		if err := z.compress(false); err != nil {
			return err
		}
	}
	if err := z.compress(true); err != nil {
		return err
	}
	var t [8]byte
	binary.LittleEndian.PutUint32(t[:], z.crc)
	binary.LittleEndian.PutUint32(t[4:], z.size)
	_, err := z.w.Write(t[:])
	z.err = io.ErrClosedPipe
	if err != nil {
		return err
	}
	return nil
}
