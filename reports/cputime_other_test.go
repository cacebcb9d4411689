//go:build !unix

package reports

import "time"

// cpuTime is not measured outside unix; benchmarks then report zero CPU time.
func cpuTime() time.Duration { return 0 }
