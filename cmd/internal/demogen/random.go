package demogen

import (
	"math"
	"math/rand/v2"
)

// Kinds of random stream. Every (kind, seller, month) triple has a stream of its own, so that
// what one seller does in one month never depends on how much randomness another seller or
// month consumed, and generation can run in any order or in parallel and still give the same
// data.
const (
	streamSellers = iota + 1
	streamBench
	streamOrders
	streamKPI
	streamActions
	streamIDs
	streamLots
)

// splitmix64 scrambles x; it turns structured stream numbers into well-spread PCG sequences.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newRand returns the stream of one kind, seller and month for seed.
func newRand(seed uint64, kind, seller, month int) *rand.Rand {
	stream := uint64(kind)<<56 ^ uint64(seller)<<20 ^ uint64(month)
	return rand.New(rand.NewPCG(splitmix64(seed), splitmix64(stream)))
}

// Reader is a deterministic stream of bytes derived from a seed, to give the store as its
// source of randomness so that the ids of a demo data set are reproducible too. It is not
// cryptographically secure: ids made from it can be guessed by anyone who knows the seed, which
// is fine for demo data and nothing else.
type Reader struct {
	pcg *rand.PCG
	buf [8]byte
	n   int // unread bytes left at the end of buf
}

// NewReader returns the byte stream of seed; salt selects an independent stream (demo uses the
// number of sellers already in the database, so that a forced second load does not repeat ids).
func NewReader(seed, salt uint64) *Reader {
	return &Reader{pcg: rand.NewPCG(splitmix64(seed), splitmix64(uint64(streamIDs)<<56^salt))}
}

// Read fills p; it never fails.
func (r *Reader) Read(p []byte) (int, error) {
	for i := range p {
		if r.n == 0 {
			v := r.pcg.Uint64()
			for j := range r.buf {
				r.buf[j] = byte(v >> (8 * j))
			}
			r.n = len(r.buf)
		}
		p[i] = r.buf[len(r.buf)-r.n]
		r.n--
	}
	return len(p), nil
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return p > 0 && r.Float64() < p }

// between returns an integer in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// uniform returns a float in [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// clamp bounds v to [lo, hi].
func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// poisson draws a Poisson count of mean lambda (Knuth for small means, a rounded normal for
// large ones, where the difference does not matter for demo data).
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// binomial draws how many of n trials succeed with probability p: exact for small n, a rounded
// normal approximation (bounded to [0, n]) when n·p·(1-p) is large enough for it to be faithful.
func binomial(r *rand.Rand, n int, p float64) int {
	if n <= 0 || p <= 0 {
		return 0
	}
	if p >= 1 {
		return n
	}
	v := float64(n) * p * (1 - p)
	if n > 200 && v > 15 {
		k := int(math.Round(float64(n)*p + math.Sqrt(v)*r.NormFloat64()))
		return min(n, max(0, k))
	}
	k := 0
	for range n {
		if r.Float64() < p {
			k++
		}
	}
	return k
}

// pick returns an index drawn with the given weights (which need not sum to 1).
func pick(r *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// round1 rounds to one decimal, as a lab instrument reports battery health.
func round1(v float64) float64 { return math.Round(v*10) / 10 }
