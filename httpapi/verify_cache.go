package httpapi

import (
	"sync"

	"github.com/refurbqa/refurbqa/audit"
)

// verificationCacheBytes bounds the memory of the cache of verifications (a page is about
// 4 KiB, its JSON about 3 KiB).
const verificationCacheBytes = 32 << 20

// verificationCache keeps the encoded answers of verifications, by representation and
// verification address (which holds the code and the public URL, or the request's host), each
// with the state it shows (audit.VerificationState). An entry is served only after the
// service has said, reading the database, that the code still shows that state: a correction
// stored since, by this instance or another, makes it stale at once. What a hit spares is the
// reading of the record's contents, the certificate and its encoding, not the database's word.
type verificationCache struct {
	mu      sync.RWMutex
	entries map[string]cachedVerification
	size    int
}

type cachedVerification struct {
	state audit.VerificationState
	body  []byte
}

func (c *verificationCache) get(key string) (cachedVerification, bool) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	return e, ok
}

// put keeps e under key, replacing an entry of an older state, and evicts arbitrary entries
// (map order) until it fits.
func (c *verificationCache) put(key string, e cachedVerification) {
	if len(e.body) > verificationCacheBytes/64 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]cachedVerification{}
	}
	if old, ok := c.entries[key]; ok {
		delete(c.entries, key)
		c.size -= len(old.body)
	}
	for k, old := range c.entries {
		if c.size+len(e.body) <= verificationCacheBytes {
			break
		}
		delete(c.entries, k)
		c.size -= len(old.body)
	}
	c.entries[key] = e
	c.size += len(e.body)
}
