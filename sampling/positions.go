package sampling

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// Positions draws n distinct positions uniformly at random from 1..lotSize and returns them
// sorted, so that the technician pulls exactly those items (lots.md §3.5). Randomness comes from
// random, which must be a cryptographic source in production (crypto/rand.Reader) so that no
// one can predict which items will be inspected; tests pass a seeded one. n equal to lotSize
// gives every position (100 % inspection).
//
// It uses Floyd's algorithm, which takes exactly n draws whatever n is, and rejection sampling
// on 64-bit draws so that every position is equally likely.
func Positions(random io.Reader, lotSize, n int) ([]int, error) {
	if lotSize < 1 || lotSize > MaxLotSize || n < 0 || n > lotSize {
		return nil, fmt.Errorf("%w: %d positions of a lot of %d", ErrInput, n, lotSize)
	}
	chosen := make(map[int]struct{}, n)
	out := make([]int, 0, n)
	var buf [8]byte
	for j := lotSize - n + 1; j <= lotSize; j++ {
		t, err := uniform(random, &buf, uint64(j))
		if err != nil {
			return nil, fmt.Errorf("sample positions: %w", err)
		}
		p := int(t) + 1
		if _, taken := chosen[p]; taken {
			p = j
		}
		chosen[p] = struct{}{}
		out = append(out, p)
	}
	slices.Sort(out)
	return out, nil
}

// uniform returns a uniformly distributed value in 0..bound-1 (bound > 0). It discards the
// top 2^64 mod bound values of a draw, which would otherwise make small values likelier.
func uniform(random io.Reader, buf *[8]byte, bound uint64) (uint64, error) {
	rem := (^uint64(0)%bound + 1) % bound // 2^64 mod bound
	for {
		if _, err := io.ReadFull(random, buf[:]); err != nil {
			return 0, err
		}
		v := binary.LittleEndian.Uint64(buf[:])
		if v <= ^uint64(0)-rem {
			return v % bound, nil
		}
	}
}
