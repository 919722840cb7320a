package tensorboard

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// FileVersion is the file_version of the first event of every file.
const FileVersion = "brain.Event:2"

// Writer appends events to one event file. Its methods may be called from
// several goroutines.
type Writer struct {
	mu   sync.Mutex
	path string
	f    *os.File
	w    *bufio.Writer
	buf  []byte
	err  error            // first write error; later calls return it
	now  func() time.Time // replaced in tests for byte-exact files
}

// Create creates a new event file events.out.tfevents.<unix seconds>.<hostname>
// in dir, which must exist, and writes the file-version event TensorBoard
// expects first. It never overwrites a file: if the name is taken (a second
// writer in the same second, say) it adds a suffix .1, .2, …, which
// TensorBoard still recognises as an event file.
func Create(dir string) (*Writer, error) {
	return create(dir, time.Now)
}

func create(dir string, now func() time.Time) (*Writer, error) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	base := filepath.Join(dir, "events.out.tfevents."+strconv.FormatInt(now().Unix(), 10)+"."+host)
	path := base
	var f *os.File
	for i := 1; ; i++ {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if !errors.Is(err, fs.ErrExist) || i > 1000 {
			break
		}
		path = base + "." + strconv.Itoa(i)
	}
	if err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	w := &Writer{path: path, f: f, w: bufio.NewWriter(f), now: now}
	w.write(&Event{WallTime: w.wallTime(), FileVersion: FileVersion})
	if err := w.Flush(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return w, nil
}

// Path returns the name of the event file.
func (w *Writer) Path() string { return w.path }

func (w *Writer) wallTime() float64 {
	// Seconds and fraction apart: UnixNano/1e9 rounds 1700000000.25 wrongly.
	t := w.now()
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// Scalar writes one event at step holding one scalar. TensorBoard stores
// scalars as float32: values beyond its range become ±Inf, and NaN stays NaN.
func (w *Writer) Scalar(tag string, step int64, value float64) error {
	return w.Scalars(step, Value{Tag: tag, Value: value})
}

// Scalars writes one event at step holding all the given scalars, as a
// training loop does at the end of an epoch.
func (w *Writer) Scalars(step int64, values ...Value) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return fmt.Errorf("tensorboard: %s: %w", w.path, fs.ErrClosed)
	}
	if values == nil {
		values = []Value{}
	}
	w.write(&Event{WallTime: w.wallTime(), Step: step, Values: values})
	return w.err
}

// write frames ev into the buffered file, keeping the first error.
func (w *Writer) write(ev *Event) {
	if w.err != nil {
		return
	}
	w.buf = appendRecord(w.buf[:0], ev.marshal())
	if _, err := w.w.Write(w.buf); err != nil {
		w.err = fmt.Errorf("tensorboard: %s: %w", w.path, err)
	}
}

// Flush hands the buffered events to the operating system, so that a
// running TensorBoard sees them.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flush()
}

func (w *Writer) flush() error {
	if w.f == nil {
		return fmt.Errorf("tensorboard: %s: %w", w.path, fs.ErrClosed)
	}
	if w.err == nil {
		if err := w.w.Flush(); err != nil {
			w.err = fmt.Errorf("tensorboard: %s: %w", w.path, err)
		}
	}
	return w.err
}

// Close flushes the events and closes the file. Closing twice is an error.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.flush()
	if w.f == nil {
		return err
	}
	if cerr := w.f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("tensorboard: %s: %w", w.path, cerr)
	}
	w.f = nil
	return err
}
