package httpapi

import (
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
type verificationCache struct{ sizedCache[cachedVerification] }

type cachedVerification struct {
	state audit.VerificationState
	body  []byte
}

// put keeps e under key, replacing an entry of an older state.
func (c *verificationCache) put(key string, e cachedVerification) {
	c.keep(key, e, len(e.body), verificationCacheBytes, func(cachedVerification) bool { return true })
}
