//go:build !purego

package kernels

import (
	"fmt"
	"testing"
)

// BenchmarkConvTileFill compares, at two workers and alternating every
// iteration, passes whose windows are 3/4 to 4/5 full (3D at 12³ and 6³,
// 2D at 8²) on the tiled forward and on the gathered GEMM, to set
// tileMinFill.
func BenchmarkConvTileFill(b *testing.B) {
	for _, c := range []struct {
		n, cin, cout int
		in           []int
	}{
		{2, 64, 64, []int{12, 12, 12}}, {2, 32, 32, []int{12, 12, 12}}, {2, 128, 64, []int{12, 12, 12}},
		{2, 128, 128, []int{6, 6, 6}}, {2, 256, 256, []int{6, 6, 6}}, {8, 256, 256, []int{8, 8}},
	} {
		nd := len(c.in)
		p := ConvParams{N: c.n, Cin: c.cin, Cout: c.cout, In: c.in, Kernel: []int{3, 3, 3}[:nd], Pad: []int{1, 1, 1}[:nd]}
		for _, pass := range []string{"fwd", "bwddata"} {
			b.Run(fmt.Sprintf("%dto%d_%v_%s", c.cin, c.cout, c.in, pass), func(b *testing.B) {
				defer func(f int) { tileMinFill = f }(tileMinFill)
				abRounds(b, p, pass, [2]string{"gemm", "tile"}, func(k int) { tileMinFill = []int{11, 7}[k] })
			})
		}
	}
}

// BenchmarkConvPadGroup compares, at two workers and alternating every
// iteration, the forward and backward-data passes of the bench cases
// padded and computed a group of images at a time (padGroupBytes) and
// the whole batch at once.
func BenchmarkConvPadGroup(b *testing.B) {
	for _, c := range benchConvCases {
		nd := len(c.spatial)
		p := ConvParams{N: c.n, Cin: c.cin, Cout: c.cout, In: c.spatial, Kernel: []int{3, 3, 3}[:nd], Pad: []int{1, 1, 1}[:nd]}
		for _, pass := range []string{"fwd", "bwddata"} {
			b.Run(fmt.Sprintf("conv%dd_%dto%d_%d_%s", nd, c.cin, c.cout, c.spatial[0], pass), func(b *testing.B) {
				defer func(v int) { padGroupBytes = v }(padGroupBytes)
				abRounds(b, p, pass, [2]string{"batch", "group"}, func(k int) { padGroupBytes = []int{1 << 40, 2 << 20}[k] })
			})
		}
	}
}
