package tensorboard

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Reader reads the events of one event file in order.
type Reader struct {
	name string
	r    *bufio.Reader
	off  int64
	data bytes.Buffer
}

// NewReader returns a Reader of the event file r; name is used in errors.
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{name: name, r: bufio.NewReader(r)}
}

// Next returns the next event, or io.EOF after the last one. A record cut
// short, a CRC that does not match or a malformed Event is an error naming
// the file and the byte offset of the record.
func (r *Reader) Next() (Event, error) {
	var hdr [12]byte
	start := r.off
	n, err := io.ReadFull(r.r, hdr[:])
	r.off += int64(n)
	if err == io.EOF {
		return Event{}, io.EOF
	}
	if err != nil {
		return Event{}, r.errorf(start, "truncated record header (%d of 12 bytes)", n)
	}
	length := binary.LittleEndian.Uint64(hdr[:8])
	if got, want := maskedCRC(hdr[:8]), binary.LittleEndian.Uint32(hdr[8:]); got != want {
		return Event{}, r.errorf(start, "length CRC mismatch: stored %#08x, computed %#08x", want, got)
	}
	if length > 1<<40 {
		return Event{}, r.errorf(start, "record length %d is implausible", length)
	}
	// CopyN grows the buffer as bytes arrive, so a large length in a short
	// file costs no large allocation.
	r.data.Reset()
	m, err := io.CopyN(&r.data, r.r, int64(length))
	r.off += m
	if err != nil {
		if err == io.EOF {
			return Event{}, r.errorf(start, "truncated record: %d of %d data bytes", m, length)
		}
		return Event{}, r.errorf(start, "%w", err)
	}
	var crc [4]byte
	n, err = io.ReadFull(r.r, crc[:])
	r.off += int64(n)
	if err != nil {
		return Event{}, r.errorf(start, "truncated record: %d of 4 data CRC bytes", n)
	}
	data := r.data.Bytes()
	if got, want := maskedCRC(data), binary.LittleEndian.Uint32(crc[:]); got != want {
		return Event{}, r.errorf(start, "data CRC mismatch: stored %#08x, computed %#08x", want, got)
	}
	var ev Event
	if err := ev.unmarshal(data); err != nil {
		return Event{}, r.errorf(start, "Event: %w", err)
	}
	return ev, nil
}

func (r *Reader) errorf(off int64, format string, args ...any) error {
	return fmt.Errorf("tensorboard: %s: record at offset %d: %w", r.name, off, fmt.Errorf(format, args...))
}

// ReadFile returns all events of the event file at path. On damage, such
// as the cut last record of a killed run, it returns the events before the
// damaged record together with the error.
func ReadFile(path string) ([]Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	defer f.Close()
	r := NewReader(f, path)
	var evs []Event
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return evs, nil
		}
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev)
	}
}

// Files returns the event files in dir (the names TensorBoard picks up:
// those containing "tfevents"), sorted by name, which for files written by
// Create is the order they were created in within a second's resolution.
func Files(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	var paths []string
	for _, e := range ents {
		if !e.IsDir() && strings.Contains(e.Name(), "tfevents") {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(paths)
	return paths, nil
}
