// Package wire reads and writes the documents of the API (api.md): a bench test, a batch of
// them, a mystery order, an inspection. It is the one decoder of those documents for every
// adapter that accepts them — the HTTP API, and the console's batch upload, which takes a file
// in the batch endpoint's format — so that a document is read the same way wherever it comes
// in: the same problems, in the same words, at the same dotted paths, item by item.
//
// Decoding is one pass (Decode): a value of the wrong type or a control character in a string
// is a problem of its field, not of the whole document, and the rest is still read. The
// problems that only decoding can see (a malformed timestamp, a member left out) travel with
// the domain's value in an audit.Input; the service adds the domain's rules and answers both
// in one validation error. Only what makes the document unreadable (malformed JSON, a body that
// is not an object) is an error of the document as a whole.
//
// wire knows no transport: it imports neither echo nor gorm nor store (make lint checks it).
// Reading the body, its size and media type, and writing answers stay with each adapter.
package wire
