package sampling_test

import (
	"encoding/binary"
	"testing"

	"github.com/refurbqa/refurbqa/sampling"
)

// fuzzPlan builds a valid plan from the first 7 bytes of data, so that every fuzz input plans
// some lot: any lot size of 2..1,000,000, any level, AQLs and severity.
func fuzzPlan(t *testing.T, data []byte) (sampling.Plan, []byte) {
	t.Helper()
	var head [7]byte
	copy(head[:], data)
	data = data[min(len(data), 7):]
	size := sampling.MinLotSize + int(binary.LittleEndian.Uint32(head[:4])%(sampling.MaxLotSize-sampling.MinLotSize+1))
	if head[4]&0x80 != 0 { // half the inputs take a small lot, where 100 % inspection happens
		size = sampling.MinLotSize + int(head[0])%100
	}
	levels := []sampling.Level{sampling.LevelI, sampling.LevelII, sampling.LevelIII}
	sev := sampling.Normal
	if head[4]&0x40 != 0 {
		sev = sampling.Tightened
	}
	aql := sampling.AQLs{Major: specAQLs[int(head[5])%len(specAQLs)], Minor: specAQLs[int(head[6])%len(specAQLs)]}
	p, err := sampling.NewPlan(size, levels[int(head[4]&0x3f)%3], aql, sev)
	if err != nil {
		t.Fatalf("NewPlan(%d, %v): %v", size, aql, err)
	}
	return p, data
}

// unitOf reads a unit from the low three bits of b: critical, major, minor.
func unitOf(b byte) sampling.Unit {
	return sampling.Unit{Critical: b&1 != 0, Major: b&2 != 0, Minor: b&4 != 0}
}

// FuzzDecision checks the decision rules on any plan and any sequence of units: a decision, of
// a class or of the lot, never changes once made; a conforming sample never turns a pending or
// accepted lot into a rejected one; a class counts only its first n samples; a complete sample
// is always decided; and Record refuses exactly the samples a decided lot must refuse.
func FuzzDecision(f *testing.F) {
	f.Add([]byte{0x20, 0x03, 0, 0, 0x01, 3, 4, 0, 0, 2, 0, 4})
	f.Add([]byte{10, 0, 0, 0, 0x81, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x42, 5, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, rest := fuzzPlan(t, data)
		var counted, recorded sampling.Tally
		classDecided := map[sampling.Class]sampling.Decision{}
		lotDecided := sampling.Pending
		for i := 0; i < p.SampleSize; i++ {
			var b byte
			if i < len(rest) {
				b = rest[i]
			}
			u := unitOf(b)
			before := p.Decide(counted)

			if after := p.Decide(p.Count(counted, sampling.Unit{})); before != sampling.Rejected && after == sampling.Rejected {
				t.Fatalf("sample %d: a conforming sample turned %s into rejected", i+1, before)
			}

			next, err := p.Record(recorded, u)
			if (err != nil) != (before != sampling.Pending) {
				t.Fatalf("sample %d: Record error %v on a %s lot", i+1, err, before)
			}
			if err == nil {
				recorded = next
			}

			counted = p.Count(counted, u)
			for _, c := range sampling.Classes() {
				cp, cnt := p.For(c), counted.For(c)
				if want := min(counted.Received, cp.SampleSize); cnt.Inspected != want {
					t.Fatalf("%s inspected %d after %d samples of a plan of %d", c, cnt.Inspected, counted.Received, cp.SampleSize)
				}
				if cnt.Nonconforming > cnt.Inspected {
					t.Fatalf("%s: %d nonconforming of %d", c, cnt.Nonconforming, cnt.Inspected)
				}
				d := cp.Decide(cnt)
				if prev, ok := classDecided[c]; ok && prev != d {
					t.Fatalf("%s changed from %s to %s at sample %d", c, prev, d, i+1)
				}
				if d != sampling.Pending {
					classDecided[c] = d
				}
			}
			d := p.Decide(counted)
			if lotDecided != sampling.Pending && d != lotDecided {
				t.Fatalf("lot changed from %s to %s at sample %d", lotDecided, d, i+1)
			}
			lotDecided = d
		}
		if lotDecided == sampling.Pending {
			t.Fatalf("a complete sample of %d is still pending: %+v", p.SampleSize, counted)
		}
		if d := p.Decide(recorded); d != lotDecided {
			t.Fatalf("Record decided %s, counting every sample decided %s", d, lotDecided)
		}
		if _, err := p.Record(recorded, sampling.Unit{}); err == nil {
			t.Fatal("Record took a sample after the decision")
		}
	})
}

// streamModel is the switching rules of lots.md §5 written as directly as they read: it keeps
// every decision made since the stream entered its current state and looks back through them.
type streamModel struct {
	state sampling.State
	since []sampling.Decision
}

func (m *streamModel) record(d sampling.Decision) {
	m.since = append(m.since, d)
	n := len(m.since)
	switch m.state {
	case sampling.StateNormal:
		if d == sampling.Rejected {
			for _, prev := range m.since[max(0, n-5) : n-1] {
				if prev == sampling.Rejected {
					m.state, m.since = sampling.StateTightened, nil
					return
				}
			}
		}
	case sampling.StateTightened:
		rejected, run := 0, 0
		for _, prev := range m.since {
			if prev == sampling.Rejected {
				rejected, run = rejected+1, 0
			} else {
				run++
			}
		}
		switch {
		case run >= 5:
			m.state, m.since = sampling.StateNormal, nil
		case rejected >= 5:
			m.state, m.since = sampling.StateDiscontinued, nil
		}
	}
}

// FuzzStream holds Stream to streamModel on any sequence of decisions and resumptions.
func FuzzStream(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 1})
	f.Add([]byte{1, 1, 0, 0, 0, 0, 0, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var s sampling.Stream
		m := streamModel{state: sampling.StateNormal}
		for i, b := range data {
			switch b % 3 {
			case 2:
				got, err := s.Resume()
				if (err == nil) != (m.state == sampling.StateDiscontinued) {
					t.Fatalf("step %d: Resume on %s: %v", i, m.state, err)
				}
				if err == nil {
					s, m = got, streamModel{state: sampling.StateTightened}
				}
			default:
				d := sampling.Accepted
				if b%3 == 1 {
					d = sampling.Rejected
				}
				var err error
				if s, err = s.Record(d); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				m.record(d)
			}
			if s.Current() != m.state {
				t.Fatalf("step %d: stream %s, the rules say %s (%+v)", i, s.Current(), m.state, s)
			}
		}
	})
}
