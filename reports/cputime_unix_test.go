//go:build unix

package reports

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used so far. Benchmarks report
// it per operation because wall time is meaningless on a busy shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
