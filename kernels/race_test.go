//go:build race

package kernels

// raceEnabled reports whether the race detector is on. It slows the
// convolutions of the allocation test some twentyfold (about 50 s on two
// cores), so that test skips itself; its check passes under -race.
const raceEnabled = true
