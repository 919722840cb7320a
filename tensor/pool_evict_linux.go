package tensor

import (
	"syscall"
	"unsafe"
)

// returnPages tells the kernel that the whole pages inside the size bytes
// at ptr, a buffer nobody uses any more, need not be kept: they stop
// counting in the resident set now instead of when the garbage collector
// and its scavenger get to them, and read as zero if the Go heap hands
// their memory out again (it zeroes a reused large block anyway).
func returnPages(ptr unsafe.Pointer, size uintptr) {
	const page = 4096
	base := uintptr(ptr)
	lo := (page - base%page) % page // offset of the first whole page
	hi := size - (base+size)%page   // offset past the last one
	if hi <= lo {
		return
	}
	_ = syscall.Madvise(unsafe.Slice((*byte)(ptr), size)[lo:hi], syscall.MADV_DONTNEED)
}
