package tensor

import (
	"slices"
	"unsafe"
)

// evictMin is the smallest buffer, in bytes, that evictFor hands back to
// the operating system: below it the pool's bytes do not matter.
const evictMin = 1 << 20

// evictSlack and evictFloor bound the bytes in use plus the bytes a
// pool holds to evictSlack times the most ever in use (statPeakEver), or
// that plus evictFloor bytes if more, before evictFor hands buffers back.
const evictSlack = 1.15

var evictFloor int64 = 64 << 20 // a variable for tests

// evictFor makes room for a request of n elements that no free buffer
// could serve, when the buffers in use and held would otherwise pass
// evictSlack times the most ever in use: it takes free buffers out of
// the pool, smallest first, until they cover the excess, and returns
// their pages to the operating system at once (returnPages) before
// leaving them to the garbage collector. Without it the pool kept every
// buffer it ever held, so that its footprint was the sum of the largest
// demands of each size rather than the most in use at once: 946 MB free
// beside a peak of 664 MB in use in the 2D U-Net config. The slack keeps
// a pool that covers a training step's requests, where evicting at every
// miss made fresh pages for a fifth of them. A tighter 1.05 and 16 MiB
// saved 45 MB of peak RSS in the 2D config but made the benchmark U-Net's
// steps about 10 % slower on a quiet machine (train 1179 → 1312 ms,
// inference 407 → 449 ms, 3 interleaved rounds): the page faults of the
// fresh pages cost more than they save.
// Called with p.mu held; n is already counted in statLive.
func (p *bufPool[E]) evictFor(n int) {
	// This pool's free bytes only: the other's would need its lock, and
	// training holds float32 buffers.
	peak := statPeakEver.Load()
	need := statLive.Load() + p.bytes - max(int64(evictSlack*float64(peak)), peak+evictFloor)
	for i := 0; i < len(p.caps) && need > 0; {
		c := p.caps[i]
		sz := int64(c) * int64(sizeOf[E]())
		if sz < evictMin {
			i++
			continue
		}
		l := p.free[c]
		for len(l) > 0 && need > 0 {
			b := l[len(l)-1]
			l[len(l)-1] = nil
			l = l[:len(l)-1]
			returnPages(unsafe.Pointer(unsafe.SliceData(b)), uintptr(sz))
			p.bytes -= sz
			need -= sz
			statEvicted.Add(sz)
		}
		p.free[c] = l
		if len(l) == 0 {
			p.caps = slices.Delete(p.caps, i, i+1)
			continue
		}
		i++
	}
}

// overSlack reports whether the bytes in use and held pass evictSlack
// times the most ever in use. Only then does get trim a buffer's tail
// (trimTail): below that the pool may hold those bytes whole anyway, and
// a trimmed tail comes back as fresh pages, faulted in and zeroed by the
// kernel, when the next longer request takes the buffer. Trimming every
// time made the 3D U-Net benchmark's training step fault in 40 MB and
// run 7 % slower (unet3d_mod_f8: 187 → 173 ms, 3 rounds) for a peak RSS
// no lower; in the 2D reference config a quarter of the tails it
// trimmed stay, and its peak RSS is unchanged (see TestPoolTrimTail).
// Called with p.mu held.
func (p *bufPool[E]) overSlack() bool {
	return statLive.Load()+p.bytes > int64(evictSlack*float64(statPeakEver.Load()))
}

// trimTail returns to the operating system the whole pages of b, a free
// buffer handed out for a request of n elements, past its first n: a
// best fit may be up to fitSlack times the request, and a tail that no
// one writes would otherwise stay resident beside the bytes in use
// without being counted in them. The pages come back, zero, when a
// longer request takes the buffer.
func trimTail[E Float](b []E, n int) {
	tail := int64(len(b)-n) * int64(sizeOf[E]())
	if tail < evictMin {
		return
	}
	returnPages(unsafe.Pointer(unsafe.SliceData(b[n:])), uintptr(tail))
}

// ReleaseFree hands every free buffer the pool holds back to the
// operating system (and, emptied, to the garbage collector), and the
// steps' arena too when none of its buffers is in use (see StartStep),
// and returns their bytes: for a program that is done with the work that
// filled them, a training loop before it saves its models, so that its
// working set does not stay resident beside what comes next.
func ReleaseFree() int64 { return pool32.releaseFree() + pool64.releaseFree() + releaseArena() }

func (p *bufPool[E]) releaseFree() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	sz := int64(sizeOf[E]())
	var n int64
	for _, c := range p.caps {
		for _, b := range p.free[c] {
			// Smaller buffers hold no whole page worth the call (see
			// evictMin): the garbage collector takes them.
			if bs := int64(c) * sz; bs >= evictMin {
				returnPages(unsafe.Pointer(unsafe.SliceData(b)), uintptr(bs))
			}
			n += int64(c) * sz
		}
	}
	p.free, p.caps, p.bytes = nil, nil, 0
	statEvicted.Add(n)
	return n
}
