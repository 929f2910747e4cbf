// go-hello: the smallest Go (gc toolchain) program.  Its trace shows only the
// Go runtime's start-up: heap arena reservations (PROT_NONE at 0xc000000000
// hints, then MAP_FIXED commits), the first spans, and the runtime threads
// it clones before main runs and exits.
package main

import "fmt"

func main() {
	fmt.Println("hello, world")
}
