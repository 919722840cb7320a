package pipeline

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The CRC-32C check value of "123456789" (RFC 3720), and TFRecord's
// masking applied to it by the formula of the TFRecord specification.
func TestMaskedCRC(t *testing.T) {
	if c := crc32.Checksum([]byte("123456789"), castagnoli); c != 0xE3069283 {
		t.Fatalf("CRC-32C of 123456789 = %#x, want 0xE3069283", c)
	}
	c := uint32(0xE3069283)
	want := ((c >> 15) | (c << 17)) + 0xa282ead8
	if got := maskedCRC([]byte("123456789")); got != want {
		t.Errorf("maskedCRC = %#x, want %#x", got, want)
	}
}

// TestEventFile writes scalars and reads the file back as TensorBoard
// does: records with valid CRCs, the version event first, then events
// whose step and (tag, simple_value) pairs are those written.
func TestEventFile(t *testing.T) {
	dir := t.TempDir()
	ew, err := newEventWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := ew.scalars(3, []string{"losses/train_loss", "learning_rate"}, []float64{-0.5, 0.001}); err != nil {
		t.Fatal(err)
	}
	ew.close()
	files, _ := filepath.Glob(filepath.Join(dir, "events.out.tfevents.*"))
	if len(files) != 1 {
		t.Fatalf("%d event files, want 1", len(files))
	}
	b, _ := os.ReadFile(files[0])
	var recs [][]byte
	for len(b) > 0 {
		if len(b) < 12 {
			t.Fatalf("truncated record header")
		}
		n := binary.LittleEndian.Uint64(b)
		if maskedCRC(b[:8]) != binary.LittleEndian.Uint32(b[8:]) {
			t.Fatal("bad length CRC")
		}
		data := b[12 : 12+n]
		if maskedCRC(data) != binary.LittleEndian.Uint32(b[12+n:]) {
			t.Fatal("bad data CRC")
		}
		recs = append(recs, data)
		b = b[16+n:]
	}
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	if f := fields(t, recs[0]); string(f[3][0]) != "brain.Event:2" {
		t.Errorf("first event's file_version %q", f[3])
	}
	ev := fields(t, recs[1])
	if step, _ := binary.Uvarint(ev[2][0]); step != 3 {
		t.Errorf("step %d, want 3", step)
	}
	vals := fields(t, ev[5][0])[1]
	want := map[string]float32{"losses/train_loss": -0.5, "learning_rate": 0.001}
	if len(vals) != 2 {
		t.Fatalf("%d values, want 2", len(vals))
	}
	for _, v := range vals {
		f := fields(t, v)
		tag := string(f[1][0])
		got := math.Float32frombits(binary.LittleEndian.Uint32(f[2][0]))
		if got != want[tag] {
			t.Errorf("%s = %v, want %v", tag, got, want[tag])
		}
	}
}

// fields decodes one protocol buffer message into its fields' raw values
// (varints as their bytes), by field number.
func fields(t *testing.T, b []byte) map[int][][]byte {
	out := map[int][][]byte{}
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		b = b[n:]
		f, wire := int(tag>>3), int(tag&7)
		var v []byte
		switch wire {
		case 0:
			_, m := binary.Uvarint(b)
			v, b = b[:m], b[m:]
		case 1:
			v, b = b[:8], b[8:]
		case 5:
			v, b = b[:4], b[4:]
		case 2:
			l, m := binary.Uvarint(b)
			v, b = b[m:m+int(l)], b[m+int(l):]
		default:
			t.Fatalf("wire type %d", wire)
		}
		out[f] = append(out[f], v)
	}
	return out
}
