// go-alloc: drives the Go heap through arena start-up, growth, garbage
// collection and release.  It exercises
//   - heap arena reservations (PROT_NONE mmaps at 0xc000000000 hints) and
//     MAP_FIXED commits as the heap grows past several 64 MiB arenas,
//   - runtime threads (clone) from several goroutines, and GC preemption
//     signals (SIGURG) sent to a goroutine spinning in a tight loop,
//   - the scavenger returning freed pages to the kernel with madvise
//     (MADV_DONTNEED, or MADV_FREE under GODEBUG=madvdontneed=0), forced
//     with debug.FreeOSMemory().
//
// The same source is built with both gc (go build) and gccgo.
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// lcg is a tiny deterministic pseudo-random generator.
type lcg uint64

func (s *lcg) next() uint64 {
	*s = *s*6364136223846793005 + 1442695040888963407
	return uint64(*s >> 33)
}

// fill allocates n buffers of pseudo-random sizes up to max bytes and
// touches every page so the memory is really committed.
func fill(seed uint64, n int, max uint64) [][]byte {
	r := lcg(seed)
	out := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		b := make([]byte, 1+r.next()%max)
		for j := 0; j < len(b); j += 4096 {
			b[j] = byte(i)
		}
		out = append(out, b)
	}
	return out
}

func total(bufs [][]byte) (t int) {
	for _, b := range bufs {
		t += len(b)
	}
	return
}

var sink uint64 // updated atomically; keeps results alive

func main() {
	// A goroutine that spins without function calls: the GC must preempt
	// it asynchronously, which the runtime does by sending SIGURG.
	stop := make(chan struct{})
	var spin sync.WaitGroup
	spin.Add(1)
	go func() {
		defer spin.Done()
		var x uint64
		for {
			for i := 0; i < 1<<20; i++ {
				x = x*31 + uint64(i)
			}
			atomic.StoreUint64(&sink, x)
			select {
			case <-stop:
				return
			default:
			}
		}
	}()

	// Phase 1: four goroutines build about 200 MiB of live data, small and
	// large objects mixed, so the heap spans several arenas.
	var wg sync.WaitGroup
	parts := make([][][]byte, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			parts[g] = fill(uint64(g+1), 2000, 50<<10) // ~50 MiB of <=50 KiB objects
			parts[g] = append(parts[g], fill(uint64(g+11), 4, 1<<20)...)
		}(g)
	}
	wg.Wait()
	big := make([][]byte, 0, 8)
	for i := 0; i < 8; i++ { // eight large (8 MiB) objects, allocated directly from the heap
		b := make([]byte, 8<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		big = append(big, b)
	}
	live := 0
	for _, p := range parts {
		live += total(p)
	}
	live += total(big)
	fmt.Printf("phase 1: %d MiB live\n", live>>20)

	// Phase 2: drop three quarters of it, collect, and hand it back.
	parts[1], parts[2], parts[3] = nil, nil, nil
	big = big[:2]
	runtime.GC()
	debug.FreeOSMemory()
	fmt.Printf("phase 2: %d MiB kept\n", (total(parts[0])+total(big))>>20)

	// Phase 3: churn (allocate and drop) to trigger background GC cycles
	// and the background scavenger, then release everything.
	for round := 0; round < 6; round++ {
		tmp := fill(uint64(100+round), 1500, 64<<10)
		atomic.AddUint64(&sink, uint64(total(tmp)))
	}
	parts, big = nil, nil
	runtime.GC()
	debug.FreeOSMemory()

	close(stop)
	spin.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("phase 3: HeapSys %d MiB, HeapReleased %d MiB, NumGC %d\n",
		ms.HeapSys>>20, ms.HeapReleased>>20, ms.NumGC)
}
