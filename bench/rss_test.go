package bench

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// TestModelPeakRSS runs 5 calls of the model case named by
// IVADOGO_RSS_CASE in this process (nothing else is set up) and reports
// the peak resident set size, to set beside /usr/bin/time -v of
// peer_torch.py's run of the same case:
//
//	IVADOGO_RSS_CASE=unet2d_d4_f32_128x128_n8_train go test -run ModelPeakRSS -v ./bench/
func TestModelPeakRSS(t *testing.T) {
	name := os.Getenv("IVADOGO_RSS_CASE")
	if name == "" {
		t.Skip("IVADOGO_RSS_CASE names no case")
	}
	var c *Case
	for _, k := range Cases() {
		if k.Name == name {
			c = &k
		}
	}
	if c == nil {
		t.Fatalf("no case %q", name)
	}
	op, err := Prepare(*c)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 5 {
		op()
	}
	hwm, err := peakRSS()
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%s: peak RSS %.0f MB over 5 calls (%.0f ms per call); tensors and large scratch in use at most %.0f MB; now: buffer pool %.0f MB, kernel scratch %.0f MB, heap in use %.0f MB of %.0f MB, %d GCs",
		name, float64(hwm)/1e6, time.Since(start).Seconds()*1000/5, float64(tensor.Pool().PeakLiveBytes)/1e6, float64(tensor.Pool().HeldBytes)/1e6,
		float64(kernels.ScratchBytes())/1e6, float64(ms.HeapInuse)/1e6, float64(ms.HeapSys)/1e6, ms.NumGC)
}

// peakRSS reads VmHWM, the peak resident set size, from /proc/self/status.
func peakRSS() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, l := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(l, []byte("VmHWM:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, os.ErrNotExist
}
