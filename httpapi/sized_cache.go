package httpapi

import "sync"

// sizedCache is the bounded map behind the API's caches of encoded answers (approved
// scorecards, verifications, lots' sample positions): entries by key, their bytes counted
// against a limit, arbitrary entries (map order) evicted until a new one fits. Each cache says
// what an entry weighs, its limit, and whether a new entry replaces the one already under its
// key. The zero value is empty and ready.
type sizedCache[V any] struct {
	mu      sync.RWMutex
	entries map[string]sizedEntry[V]
	size    int // bytes of the entries kept
}

type sizedEntry[V any] struct {
	v V
	n int // bytes
}

func (c *sizedCache[V]) get(key string) (V, bool) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	return e.v, ok
}

// keep stores v, of n bytes, under key, within limit bytes in all. An entry larger than a
// 64th of the limit is not kept, so that one answer never empties the cache. An entry already
// under key stays, unless replaces(old) says v replaces it.
func (c *sizedCache[V]) keep(key string, v V, n, limit int, replaces func(old V) bool) {
	if n > limit/64 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]sizedEntry[V]{}
	}
	if old, ok := c.entries[key]; ok {
		if !replaces(old.v) {
			return
		}
		delete(c.entries, key)
		c.size -= old.n
	}
	for k, old := range c.entries {
		if c.size+n <= limit {
			break
		}
		delete(c.entries, k)
		c.size -= old.n
	}
	c.entries[key] = sizedEntry[V]{v: v, n: n}
	c.size += n
}
