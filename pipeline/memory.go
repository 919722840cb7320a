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

// returnGarbage collects the garbage and hands the freed pages back to
// the system, before a stage that makes a new peak: otherwise up to GOGC
// percent of the heap (25 %, see cmd/ivadogo) of garbage stays resident
// beside it. The buffer pool's tensors are live and stay. It costs one
// full collection of a heap of pointer-free buffers.
func returnGarbage() { debug.FreeOSMemory() }

// minorFaults returns the page faults the process has taken that needed
// no I/O, from /proc/self/stat, or -1 where there is none. Each is a page
// that the kernel zeroed and mapped: the cost of memory handed back to
// the system and taken again.
func minorFaults() int64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return -1
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return -1
	}
	fs := strings.Fields(string(b[i+1:]))
	// Fields from 3 on: state, ppid, pgrp, session, tty_nr, tpgid, flags,
	// minflt.
	if len(fs) < 8 {
		return -1
	}
	n, err := strconv.ParseInt(fs[7], 10, 64)
	if err != nil {
		return -1
	}
	return n
}
