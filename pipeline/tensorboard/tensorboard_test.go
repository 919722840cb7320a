package tensorboard

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCRC32C checks the Castagnoli CRC against RFC 3720 appendix B.4 and
// the usual check value of "123456789".
func TestCRC32C(t *testing.T) {
	seq := func(f func(i int) byte, n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = f(i)
		}
		return b
	}
	pdu := []byte{
		0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
		0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
		0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	}
	for _, tc := range []struct {
		name string
		data []byte
		want uint32
	}{
		{"32 zeros", make([]byte, 32), 0x8a9136aa},
		{"32 ones", seq(func(int) byte { return 0xff }, 32), 0x62a8ab43},
		{"incrementing", seq(func(i int) byte { return byte(i) }, 32), 0x46dd794e},
		{"decrementing", seq(func(i int) byte { return byte(31 - i) }, 32), 0x113fdb5c},
		{"iSCSI read PDU", pdu, 0xd9963a56},
		{"123456789", []byte("123456789"), 0xe3069283},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := maskedCRC(tc.data) - 0xa282ead8
			got := c<<15 | c>>17 // unmask
			if got != tc.want {
				t.Errorf("CRC-32C = %#08x, want %#08x", got, tc.want)
			}
		})
	}
}

// tfRecord is a record from TensorFlow's event_file_loader_test.py: an
// Event with wall_time and file_version "brain.Event:1", framed by
// TensorFlow's own writer.
var tfRecord = []byte("\x18\x00\x00\x00\x00\x00\x00\x00\xa3\x7fK\"\t\x00\x00\xc0%\xddu" +
	"\xd5A\x1a\rbrain.Event:1\xec\xf32\x8d")

// loggerFile is the whole event file that the Python package
// tensorboard_logger (test_serialization in its test suite) writes for
// wall time 256.5, 'v/1' = 1.5 at step 1 and 'v/22' = 16.0 at step 2.
var loggerFile = []byte(
	"\x18\x00\x00\x00\x00\x00\x00\x00\xa3\x7fK\"\t\x00\x00\x00\x00\x00\x08p@\x1a\rbrain.Event:2\xbc\x98!+" +
		"\x19\x00\x00\x00\x00\x00\x00\x00\x8b\xf1\x08(\t\x00\x00\x00\x00\x00\x08p@\x10\x01*\x0c\n\n\n\x03v/1\x15\x00\x00\xc0?,\xec\xc0\x87" +
		"\x1a\x00\x00\x00\x00\x00\x00\x00\x12\x9b\xd8-\t\x00\x00\x00\x00\x00\x08p@\x10\x02*\r\n\x0b\n\x04v/22\x15\x00\x00\x80A\x8f\xa3\xb6\x88")

// TestRecordFraming frames TensorFlow's record payload and compares every
// byte with what TensorFlow wrote.
func TestRecordFraming(t *testing.T) {
	payload := tfRecord[12 : len(tfRecord)-4]
	if got := appendRecord(nil, payload); !bytes.Equal(got, tfRecord) {
		t.Errorf("appendRecord:\n got % x\nwant % x", got, tfRecord)
	}
	// The header by hand: length 24 little-endian, then its masked CRC.
	if n := binary.LittleEndian.Uint64(tfRecord); n != uint64(len(payload)) || n != 24 {
		t.Fatalf("length field %d, payload %d bytes", n, len(payload))
	}
	ev, err := NewReader(bytes.NewReader(tfRecord), "tf").Next()
	if err != nil {
		t.Fatal(err)
	}
	if ev.FileVersion != "brain.Event:1" || ev.Step != 0 || ev.Values != nil {
		t.Errorf("event %+v", ev)
	}
	// 0x41d575dd25c00000 is 1440183447.0 (Python: struct.unpack("<d", ...)).
	if ev.WallTime != 1440183447 {
		t.Errorf("wall_time %v, want 1440183447", ev.WallTime)
	}
}

func fakeClock(sec, nsec int64) func() time.Time {
	return func() time.Time { return time.Unix(sec, nsec) }
}

// TestWriterGolden writes the same events as tensorboard_logger's test
// and expects the same bytes.
func TestWriterGolden(t *testing.T) {
	dir := t.TempDir()
	w, err := create(dir, fakeClock(256, 5e8))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Scalar("v/1", 1, 1.5); err != nil {
		t.Fatal(err)
	}
	if err := w.Scalar("v/22", 2, 16); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, loggerFile) {
		t.Errorf("file bytes:\n got % x\nwant % x", got, loggerFile)
	}
	host, _ := os.Hostname()
	if want := filepath.Join(dir, "events.out.tfevents.256."+host); host != "" && w.Path() != want {
		t.Errorf("path %q, want %q", w.Path(), want)
	}
}

func TestReadFileKeepsEventsBeforeDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.out.tfevents.256.x")
	if err := os.WriteFile(path, loggerFile[:len(loggerFile)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	evs, err := ReadFile(path)
	if err == nil || !strings.Contains(err.Error(), path+": record at offset 81: truncated") {
		t.Errorf("error %v", err)
	}
	checkEvents(t, evs, []Event{
		{WallTime: 256.5, FileVersion: "brain.Event:2"},
		{WallTime: 256.5, Step: 1, Values: []Value{{"v/1", 1.5}}},
	})
}

func TestReadForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.out.tfevents.256.x")
	if err := os.WriteFile(path, loggerFile, 0o644); err != nil {
		t.Fatal(err)
	}
	evs, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{
		{WallTime: 256.5, FileVersion: "brain.Event:2"},
		{WallTime: 256.5, Step: 1, Values: []Value{{"v/1", 1.5}}},
		{WallTime: 256.5, Step: 2, Values: []Value{{"v/22", 16}}},
	}
	checkEvents(t, evs, want)
}

func sameFloat(a, b float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b)
}

func checkEvents(t *testing.T, got, want []Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !sameFloat(g.WallTime, w.WallTime) || g.Step != w.Step || g.FileVersion != w.FileVersion ||
			len(g.Values) != len(w.Values) || (g.Values == nil) != (w.Values == nil) {
			t.Errorf("event %d: got %+v, want %+v", i, g, w)
			continue
		}
		for j := range w.Values {
			if g.Values[j].Tag != w.Values[j].Tag || !sameFloat(g.Values[j].Value, w.Values[j].Value) {
				t.Errorf("event %d value %d: got %+v, want %+v", i, j, g.Values[j], w.Values[j])
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		step   int64
		values []Value
		want   []Value // float32 rounding of values
	}{
		{"one", 3, []Value{{"losses/train_loss", 0.25}}, []Value{{"losses/train_loss", 0.25}}},
		{"epoch metrics", 12, []Value{{"losses/train_loss", 0.5}, {"losses/val_loss", 0.75}, {"learning_rate", 0.001}, {"Validation/Metrics/dice_score", 0.9}},
			[]Value{{"losses/train_loss", 0.5}, {"losses/val_loss", 0.75}, {"learning_rate", float64(float32(0.001))}, {"Validation/Metrics/dice_score", float64(float32(0.9))}}},
		{"step zero", 0, []Value{{"x", -2}}, []Value{{"x", -2}}},
		{"negative step", -7, []Value{{"x", 1}}, []Value{{"x", 1}}},
		{"huge step", math.MaxInt64, []Value{{"x", 1}}, []Value{{"x", 1}}},
		{"zero value", 1, []Value{{"x", 0}}, []Value{{"x", 0}}},
		{"nan and inf", 1, []Value{{"nan", math.NaN()}, {"inf", math.Inf(-1)}}, []Value{{"nan", math.NaN()}, {"inf", math.Inf(-1)}}},
		{"beyond float32", 1, []Value{{"big", 1e300}}, []Value{{"big", math.Inf(1)}}},
		{"empty tag", 1, []Value{{"", 5}}, []Value{{"", 5}}},
		{"unicode tag", 1, []Value{{"Dice é/ü", 5}}, []Value{{"Dice é/ü", 5}}},
		{"long tag", 1, []Value{{strings.Repeat("t", 300), 1}}, []Value{{strings.Repeat("t", 300), 1}}},
		{"no values", 4, nil, []Value{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := create(t.TempDir(), fakeClock(1700000000, 250e6))
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Scalars(tc.step, tc.values...); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			evs, err := ReadFile(w.Path())
			if err != nil {
				t.Fatal(err)
			}
			checkEvents(t, evs, []Event{
				{WallTime: 1700000000.25, FileVersion: FileVersion},
				{WallTime: 1700000000.25, Step: tc.step, Values: tc.want},
			})
		})
	}
}

// TestCorruption cuts the file at every length and flips every byte: each
// must be an error naming the file and the offset of the damaged record.
func TestCorruption(t *testing.T) {
	path := filepath.Join("dir", "events.out.tfevents.1.h")
	recStart := func(pos int) int { // offset of the record holding byte pos
		off := 0
		for _, n := range []int{40, 41, 42} {
			if pos < off+n {
				return off
			}
			off += n
		}
		return -1
	}
	read := func(b []byte) (int, error) {
		r := NewReader(bytes.NewReader(b), path)
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				return n, nil
			}
			if err != nil {
				return n, err
			}
			n++
		}
	}
	if n, err := read(loggerFile); n != 3 || err != nil || len(loggerFile) != 40+41+42 {
		t.Fatalf("intact file: %d events, %v", n, err)
	}
	for cut := 1; cut < len(loggerFile); cut++ {
		_, err := read(loggerFile[:cut])
		if cut == 40 || cut == 81 {
			if err != nil {
				t.Errorf("cut at record boundary %d: %v", cut, err)
			}
			continue
		}
		wantOff := "offset " + itoa(recStart(cut))
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), wantOff) || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("cut at %d: error %v, want truncation at %s", cut, err, wantOff)
		}
	}
	for pos := range loggerFile {
		b := bytes.Clone(loggerFile)
		b[pos] ^= 0x20
		_, err := read(b)
		wantOff := "offset " + itoa(recStart(pos)) + ":"
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), wantOff) {
			t.Errorf("flip byte %d: error %v, want one naming %s and %s", pos, err, path, wantOff)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestMalformedEvent frames bad protocol buffers correctly, so only the
// Event decoder can catch them.
func TestMalformedEvent(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"step as fixed64", "\x11\x00\x00\x00\x00\x00\x00\x00\x00", "Event.step"},
		{"wall_time as varint", "\x08\x01", "Event.wall_time"},
		{"simple_value as varint", "*\x04\n\x02\x10\x01", "Summary.Value.simple_value"},
		{"cut varint", "\x10\x80", "truncated"},
		{"cut string", "\x1a\x05abc", "truncated"},
		{"group", "\x1b", "wire type 3"},
		{"field zero", "\x00\x00", "field number 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(appendRecord(nil, []byte(tc.data))), "f").Next()
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "f: record at offset 0") {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestSkipsUnknownFields reads an event that also holds fields outside the
// subset (a graph_def, a log message, an image summary value).
func TestSkipsUnknownFields(t *testing.T) {
	ev := Event{WallTime: 2, Step: 9, Values: []Value{{"a", 1}}}
	b := ev.marshal()
	b = append(b, "\x22\x03abc"...)          // graph_def = 4, bytes
	b = append(b, "\x40\x05"...)             // field 8, varint
	b = append(b, "\x4d\x01\x02\x03\x04"...) // field 9, fixed32
	// A summary holding an image value (field 4 of Value) and no simple_value.
	b = append(b, "\x2a\x09\x0a\x07\x0a\x01i\x22\x02xy"...)
	got, err := NewReader(bytes.NewReader(appendRecord(nil, b)), "f").Next()
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, []Event{got}, []Event{{WallTime: 2, Step: 9, Values: []Value{{"a", 1}}}})
}

func TestCreateNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	clock := fakeClock(1000, 0)
	var paths []string
	for i := range 3 {
		w, err := create(dir, clock)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Scalar("run", 1, float64(i)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, w.Path())
	}
	files, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("Files: %q", files)
	}
	for i, p := range paths {
		evs, err := ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || evs[1].Values[0].Value != float64(i) {
			t.Errorf("%s: %+v", p, evs)
		}
		if i > 0 && p != paths[0]+"."+itoa(i) {
			t.Errorf("path %d %q, want suffix .%d on %q", i, p, i, paths[0])
		}
	}
}

func TestErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such")
	if _, err := Create(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Create in missing dir: %v", err)
	}
	if _, err := ReadFile(filepath.Join(missing, "f")); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile missing: %v", err)
	}
	if _, err := Files(missing); err == nil {
		t.Error("Files of a missing dir: no error")
	}
	w, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{"Scalar": w.Scalar("a", 1, 1), "Flush": w.Flush(), "Close": w.Close()} {
		if !errors.Is(err, fs.ErrClosed) || !strings.Contains(err.Error(), w.Path()) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
}

func TestConcurrentScalars(t *testing.T) {
	w, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if err := w.Scalar("g", int64(g*100+i), 1); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	evs, err := ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 201 {
		t.Errorf("%d events, want 201", len(evs))
	}
}

// TestFlushMakesEventsVisible reads the file while the writer is open, as
// a running TensorBoard does.
func TestFlushMakesEventsVisible(t *testing.T) {
	w, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Scalar("a", 1, 2); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	evs, err := ReadFile(w.Path())
	if err != nil || len(evs) != 2 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
}

func FuzzReader(f *testing.F) {
	f.Add(loggerFile)
	f.Add(tfRecord)
	f.Add(appendRecord(nil, []byte("\x2a\x09\x0a\x07\x0a\x01i\x22\x02xy")))
	f.Add([]byte{})
	f.Add(loggerFile[:50])
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bytes.NewReader(b), "fuzz")
		for {
			ev, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				if !strings.Contains(err.Error(), "fuzz: record at offset") {
					t.Fatalf("error without file and offset: %v", err)
				}
				return
			}
			// What was read must survive a write and a read.
			var again Event
			if err := again.unmarshal(ev.marshal()); err != nil {
				t.Fatalf("re-reading %+v: %v", ev, err)
			}
			checkEvents(t, []Event{again}, []Event{ev})
		}
	})
}

// FuzzEvent frames arbitrary bytes as a valid record, so that the fuzzer
// reaches the protocol buffer decoder past the CRCs.
func FuzzEvent(f *testing.F) {
	f.Add(loggerFile[12:36])
	f.Add(loggerFile[52:77])
	f.Add([]byte("\x2a\x09\x0a\x07\x0a\x01i\x22\x02xy"))
	f.Add([]byte("\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := NewReader(bytes.NewReader(appendRecord(nil, b)), "fuzz").Next()
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz: record at offset 0: Event: ") {
				t.Fatalf("error without file, offset and message: %v", err)
			}
			return
		}
		var again Event
		if err := again.unmarshal(ev.marshal()); err != nil {
			t.Fatalf("re-reading %+v: %v", ev, err)
		}
		checkEvents(t, []Event{again}, []Event{ev})
	})
}
