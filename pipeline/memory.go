package pipeline

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// peakRSS returns the process's peak resident memory in bytes: VmHWM on
// Linux, else the memory the Go runtime obtained from the system.
func peakRSS() int64 { return statusBytes("VmHWM:") }

// currentRSS returns the process's resident memory now in bytes: VmRSS on
// Linux, else the memory the Go runtime obtained from the system.
func currentRSS() int64 { return statusBytes("VmRSS:") }

// statusBytes reads a kB field of /proc/self/status.
func statusBytes(field string) int64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
				fs := strings.Fields(rest)
				if len(fs) > 0 {
					if kb, err := strconv.ParseInt(fs[0], 10, 64); err == nil {
						return kb << 10
					}
				}
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys)
}

// returnGarbage collects the garbage the last epoch left (its batches and
// augmentations, decoded images, the previous epoch's encoded files) and
// hands the freed pages back to the system before the next training step,
// which makes the run's peak; the buffer pool's tensors are live and stay.
// Otherwise up to GOGC percent of the heap (25 %, see cmd/ivadogo) of
// garbage stays resident beside the step: with it, peak RSS fell from 251
// to 216 MB in the 3D reference config and from 490 to 481 MB in the 2D
// one, for the same run time (38.2 against 38.6 s, 185 epochs: one full
// collection of a heap of pointer-free buffers per epoch).
func returnGarbage() { debug.FreeOSMemory() }
