package kernels

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"syscall"
	"testing"
	"time"
)

// BenchmarkWinograd times the bench conv layers' forward,
// backward-data and backward-weight passes by the direct kernels and by Winograd F(4×4, 3×3)
// in alternation, and reports both medians and their ratio, in wall time
// and in the process's CPU time (which a busy machine disturbs less, but
// which counts the workers' polling between calls, see spinTime: compare
// CPU times with each other, not with wall times):
//
//	go test -run '^$' -bench Winograd -benchtime 10x ./kernels
func BenchmarkWinograd(b *testing.B) {
	for _, c := range []struct{ n, cin, cout, hw, d int }{
		{8, 32, 32, 128, 0}, {8, 64, 64, 64, 0}, {8, 128, 128, 32, 0}, {8, 256, 256, 16, 0}, {8, 96, 32, 128, 0}, {8, 512, 256, 16, 0},
		// 3D: the bench cases and Modified3DUNet's 8-filter levels.
		{2, 16, 16, 48, 48}, {2, 32, 32, 24, 24}, {2, 64, 64, 12, 12}, {2, 8, 8, 48, 48}, {4, 8, 8, 48, 16}, {4, 16, 16, 24, 8}, {4, 32, 32, 12, 4},
	} {
		p := ConvParams{N: c.n, Cin: c.cin, Cout: c.cout, In: []int{c.hw, c.hw}, Kernel: []int{3, 3}, Pad: []int{1, 1}}
		sp, taps, name := c.hw*c.hw, 9, fmt.Sprintf("%dx%d", c.hw, c.hw)
		if c.d > 0 {
			p.In, p.Kernel, p.Pad = []int{c.d, c.hw, c.hw}, []int{3, 3, 3}, []int{1, 1, 1}
			sp, taps, name = c.d*sp, 27, fmt.Sprintf("%dx%dx%d", c.d, c.hw, c.hw)
		}
		r := rand.New(rand.NewPCG(3, 4))
		x, w, bias := randF32(r, c.n*c.cin*sp), randF32(r, c.cout*c.cin*taps), randF32(r, c.cout)
		y := make([]float32, c.n*c.cout*sp)
		bp := p
		bp.Cin, bp.Cout = c.cout, c.cin
		dw, db := make([]float32, len(w)), make([]float32, c.cout)
		for _, pass := range []string{"fwd", "bwddata", "bwdweight"} {
			b.Run(fmt.Sprintf("%dto%d_%s_n%d_%s", c.cin, c.cout, name, c.n, pass), func(b *testing.B) {
				var direct, wino, directCPU, winoCPU []time.Duration
				for range b.N {
					was := SetWinograd(false)
					c0, t0 := cpuTime(), time.Now()
					switch pass {
					case "fwd":
						ConvForward(p, x, w, bias, y)
					case "bwddata":
						ConvBackwardData(p, y, w, x)
					default:
						ConvBackwardWeight(p, x, y, dw, db)
					}
					SetWinograd(was)
					direct = append(direct, time.Since(t0))
					directCPU = append(directCPU, cpuTime()-c0)
					c0, t0 = cpuTime(), time.Now()
					switch pass {
					case "fwd":
						convWinograd(winoTier(), p, x, nil, w, bias, y, nil, false)
					case "bwddata":
						convWinograd(winoTier(), bp, y, nil, w, nil, x, nil, true)
					default:
						convWinogradDW(winoTier(), p, x, nil, y, dw)
					}
					wino = append(wino, time.Since(t0))
					winoCPU = append(winoCPU, cpuTime()-c0)
				}
				md, mw := medianDur(direct), medianDur(wino)
				b.ReportMetric(float64(md.Microseconds())/1000, "direct-ms")
				b.ReportMetric(float64(mw.Microseconds())/1000, "winograd-ms")
				b.ReportMetric(float64(md)/float64(mw), "speedup")
				cd, cw := medianDur(directCPU), medianDur(winoCPU)
				b.ReportMetric(float64(cd.Microseconds())/1000, "direct-cpu-ms")
				b.ReportMetric(float64(cw.Microseconds())/1000, "winograd-cpu-ms")
				b.ReportMetric(float64(cd)/float64(cw), "cpu-speedup")
			})
		}
	}
}

func medianDur(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
