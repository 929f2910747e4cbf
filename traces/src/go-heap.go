// go-heap: a large Go heap built by many goroutines, then partly released,
// for recording with rmsim record under three scavenger settings (default,
// GODEBUG=madvdontneed=1, GODEBUG=harddecommit=1).  It exercises
//   - heap growth across several 64 MiB arenas from 8 goroutines at once,
//     each keeping 48 MiB of slices live (384 MiB in all),
//   - garbage collection while the goroutines still allocate,
//   - the scavenger returning half the heap with debug.FreeOSMemory(), then
//     the heap growing again into the released pages.
// The run is short (well under a second alone) so the trace and its page
// faults stay small.
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

const (
	workers   = 8
	perWorker = 48 << 20
	chunk     = 256 << 10
)

// build allocates n bytes in chunks and writes every page of them.
func build(n int) [][]byte {
	var out [][]byte
	for got := 0; got < n; got += chunk {
		b := make([]byte, chunk)
		for i := 0; i < len(b); i += 4096 {
			b[i] = byte(i)
		}
		out = append(out, b)
	}
	return out
}

func main() {
	live := make([][][]byte, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			live[w] = build(perWorker)
		}(w)
	}
	wg.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("heap %d MiB\n", ms.HeapAlloc>>20)

	// drop half, and give it back to the kernel
	for w := 0; w < workers; w += 2 {
		live[w] = nil
	}
	debug.FreeOSMemory()

	// grow again into the released pages
	for w := 0; w < workers; w += 2 {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			live[w] = build(perWorker / 2)
		}(w)
	}
	wg.Wait()
	runtime.ReadMemStats(&ms)
	fmt.Printf("heap %d MiB, released %d MiB\n", ms.HeapAlloc>>20,
		ms.HeapReleased>>20)
	runtime.KeepAlive(live)
}
