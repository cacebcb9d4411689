package grading

// Get returns the protocol of category c. The boolean is false for a category that has no
// protocol, which callers turn into a validation error rather than a panic.
func (ps Protocols) Get(c Category) (Protocol, bool) {
	p, ok := ps[c]
	return p, ok
}

// Lookup returns the test with the given code. Protocols are short (under 30 tests), so a
// linear scan is cheaper than building an index for every call.
func (p Protocol) Lookup(code string) (Test, bool) {
	for _, t := range p.Tests {
		if t.Code == code {
			return t, true
		}
	}
	return Test{}, false
}
