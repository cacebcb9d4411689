package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/checklist"
	"github.com/refurbqa/refurbqa/sampling"
	"github.com/refurbqa/refurbqa/store"
)

// BenchmarkAddLotSample is the cost of one sample through the service and the store on SQLite,
// by the samples its lot already holds and by the lot's sample size: issue 15 asks that a
// sample cost the same whatever the number of samples already in. Each sub-benchmark times
// windows of up to 100 consecutive samples — the first ones of a lot (in=0), or samples 1,901
// to 1,999 of a lot of 2,000 filled to 1,900 (in=1900, filled as 1,900 samples would have
// left it, while the timer is stopped) — one client at a time, none of them the sample that
// decides its lot (which also writes the stream). The database runs with synchronous=NORMAL so that what is timed is the work of a
// sample rather than the disk's fsync (the server keeps FULL; the group commit shares the
// fsync between the samples of a group):
//
//	go test -run '^$' -bench AddLotSample -benchmem ./store/
func BenchmarkAddLotSample(b *testing.B) {
	const window = 100
	for _, tc := range []struct {
		name       string
		lotSize    int
		level      sampling.Level
		sampleSize int
		in         int
	}{
		{"size=20/in=0", 100, sampling.LevelII, 20, 0},
		{"size=2000/in=0", 1_000_000, sampling.LevelIII, 2000, 0},
		{"size=2000/in=1900", 1_000_000, sampling.LevelIII, 2000, 1900},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			st, err := store.Open(ctx, store.Config{Driver: store.SQLite,
				DSN: filepath.Join(b.TempDir(), "bench.db") + "?_synchronous=NORMAL"})
			require.NoError(b, err)
			b.Cleanup(func() { st.Close() })
			_, err = st.Migrate(ctx)
			require.NoError(b, err)
			ps, err := checklist.LoadProtocols()
			require.NoError(b, err)
			svc := audit.NewService(audit.ServiceConfig{Store: st, Protocols: ps})
			major := 0.65
			part := audit.Input[audit.NewLotSample]{Value: audit.NewLotSample{Serial: "SN-1", Defects: []audit.Defect{}}}
			lots := 0
			// next makes a lot holding tc.in samples and returns the samples it still takes in
			// the window.
			next := func() (string, int) {
				lots++
				l, err := svc.CreateLot(ctx, lotTech, audit.Input[audit.NewLot]{Value: audit.NewLot{Kind: audit.LotParts,
					LotRef: fmt.Sprint("B-", lots), LotSize: tc.lotSize, Level: tc.level, AQLMajor: &major,
					Supplier: "Bench", PartType: "screen", ReceivedAt: lotAt}})
				require.NoError(b, err)
				require.Equal(b, tc.sampleSize, l.Plan.SampleSize)
				require.NoError(b, st.FillLot(ctx, lotTech, l.ID, tc.in))
				return l.ID, min(window, tc.sampleSize-tc.in-1) // the last one would decide the lot
			}
			b.ReportAllocs()
			b.ResetTimer()
			var id string
			left := 0
			for range b.N {
				if left == 0 {
					b.StopTimer()
					id, left = next()
					b.StartTimer()
				}
				l, s, err := svc.AddLotSample(ctx, lotTech, id, part)
				if err != nil {
					b.Fatal(err)
				}
				if s.Number <= tc.in || len(l.Positions) != tc.sampleSize {
					b.Fatalf("sample %d of a lot of %d positions, want one after the %d in", s.Number, len(l.Positions), tc.in)
				}
				left--
			}
		})
	}
}
