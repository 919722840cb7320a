package pipeline

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"time"
)

// eventWriter writes TensorBoard event files: TFRecord framing (length,
// masked CRC-32C of the length, payload, masked CRC-32C of the payload)
// around Event protocol buffers holding scalar summaries, encoded by hand
// to need no protobuf library.
type eventWriter struct {
	f *os.File
	w *bufio.Writer
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskedCRC is TFRecord's masked CRC-32C.
func maskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return (c>>15 | c<<17) + 0xa282ead8
}

// newEventWriter creates events.out.tfevents.<unix time>.<host> in dir
// and writes the file-version event TensorBoard expects first.
func newEventWriter(dir string) (*eventWriter, error) {
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	name := fmt.Sprintf("events.out.tfevents.%d.%s", time.Now().Unix(), host)
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("pipeline: tensorboard: %w", err)
	}
	ew := &eventWriter{f: f, w: bufio.NewWriter(f)}
	var ev []byte
	ev = appendDouble(ev, 1, float64(time.Now().UnixNano())/1e9)
	ev = appendBytes(ev, 3, []byte("brain.Event:2"))
	ew.record(ev)
	return ew, ew.w.Flush()
}

// scalars writes one event at step with a scalar summary per tag.
func (ew *eventWriter) scalars(step int, tags []string, values []float64) error {
	var sum []byte
	for i, tag := range tags {
		var v []byte
		v = appendBytes(v, 1, []byte(tag))
		v = appendTag(v, 2, 5)
		v = binary.LittleEndian.AppendUint32(v, math.Float32bits(float32(values[i])))
		sum = appendBytes(sum, 1, v)
	}
	var ev []byte
	ev = appendDouble(ev, 1, float64(time.Now().UnixNano())/1e9)
	ev = appendTag(ev, 2, 0)
	ev = binary.AppendUvarint(ev, uint64(step))
	ev = appendBytes(ev, 5, sum)
	ew.record(ev)
	return ew.w.Flush()
}

func (ew *eventWriter) record(data []byte) {
	var hdr [8]byte
	binary.LittleEndian.PutUint64(hdr[:], uint64(len(data)))
	ew.w.Write(hdr[:])
	binary.Write(ew.w, binary.LittleEndian, maskedCRC(hdr[:]))
	ew.w.Write(data)
	binary.Write(ew.w, binary.LittleEndian, maskedCRC(data))
}

func (ew *eventWriter) close() error { return ew.f.Close() }

// Protocol buffer wire format: a tag is field<<3 | wire type (0 varint,
// 1 fixed64, 2 length-delimited, 5 fixed32).
func appendTag(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field<<3|wire))
}

func appendDouble(b []byte, field int, v float64) []byte {
	b = appendTag(b, field, 1)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

func appendBytes(b []byte, field int, v []byte) []byte {
	b = appendTag(b, field, 2)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}
