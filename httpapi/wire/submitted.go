package wire

import (
	"encoding/json"
	"strings"
)

// The inspection of a bench test or mystery order is decoded with the rest of its document, in
// one pass, and also kept as the client wrote it (audit.BenchTest.Submitted): a grade can be
// defended years later only against the very document it was computed from. These functions pick
// those bytes out of a body that Decode has already decoded, and so checked as JSON. They answer
// what encoding/json answers for submittedDoc and submittedBatch (the member as json.RawMessage:
// the value's bytes, the last one when a name repeats), and go through encoding/json itself for
// any document they do not read plainly: a member name with an escape, or one that encoding/json
// would match other than byte for byte (another case, a repeat). Reading plainly is a scan for
// quotes and brackets, a small part of the cost of decoding the batch a second time, which batch
// ingest, a hot path, would pay.

// submittedDoc picks the inspection of a bench test or mystery order document out of its body.
type submittedDoc struct {
	Inspection json.RawMessage `json:"inspection"`
}

// submittedBatch picks the inspection of every item of a batch out of its body.
type submittedBatch struct {
	Items []submittedDoc `json:"items"`
}

// submittedInspection returns the inspection member of the document body, as written.
func submittedInspection(body []byte) json.RawMessage {
	sc := jsonScan{b: body}
	raw, ok := sc.member("inspection")
	if !ok {
		var sub submittedDoc
		// A wrong type elsewhere is Decode's to report: the inspection is still read.
		_ = json.Unmarshal(body, &sub)
		return sub.Inspection
	}
	return clone(raw)
}

// submittedInspections returns the inspection member of each item of the batch body, as
// written, nil for an item that is not an object or has none; there may be fewer than items.
func submittedInspections(body []byte) []json.RawMessage {
	if out, ok := scanBatch(body); ok {
		return out
	}
	var sub submittedBatch
	// An item that is not an object is Decode's to report: the others are still read.
	_ = json.Unmarshal(body, &sub)
	out := make([]json.RawMessage, len(sub.Items))
	for i, it := range sub.Items {
		out[i] = it.Inspection
	}
	return out
}

func scanBatch(body []byte) ([]json.RawMessage, bool) {
	sc := jsonScan{b: body}
	items, ok := sc.member("items")
	if !ok {
		return nil, false
	}
	list := jsonScan{b: items}
	list.space()
	if list.i == len(list.b) || list.b[list.i] != '[' {
		return nil, true // absent or null: no items (an array of another type is refused before)
	}
	var out []json.RawMessage
	list.i++
	for {
		list.space()
		if list.b[list.i] == ']' {
			return out, true
		}
		start := list.i
		list.value()
		item := jsonScan{b: list.b[start:list.i]}
		raw, ok := item.member("inspection")
		if !ok {
			return nil, false
		}
		out = append(out, clone(raw))
		list.space()
		if list.b[list.i] == ',' {
			list.i++
		}
	}
}

func clone(raw []byte) json.RawMessage {
	if raw == nil {
		return nil
	}
	return append(json.RawMessage(nil), raw...)
}

// jsonScan reads a valid JSON document without decoding it.
type jsonScan struct {
	b []byte
	i int
}

func (s *jsonScan) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// member returns the value of the member name of the object that the document is, nil when
// it has none or is not an object. ok is false when encoding/json must decide: a member name
// holds an escape, or matches name other than exactly once, byte for byte.
func (s *jsonScan) member(name string) (value []byte, ok bool) {
	s.space()
	if s.i == len(s.b) || s.b[s.i] != '{' {
		return nil, true
	}
	s.i++
	found := false
	for {
		s.space()
		if s.b[s.i] == '}' {
			return value, true
		}
		start := s.i + 1
		if plain := s.str(); !plain {
			return nil, false
		}
		key := s.b[start : s.i-1]
		s.space()
		s.i++ // the colon
		s.space()
		vstart := s.i
		s.value()
		switch {
		case string(key) == name:
			if found {
				return nil, false
			}
			found, value = true, s.b[vstart:s.i]
		case strings.EqualFold(string(key), name):
			return nil, false
		}
		s.space()
		if s.b[s.i] == ',' {
			s.i++
		}
	}
}

// str skips the string at s.i and reports whether it holds no escape.
func (s *jsonScan) str() (plain bool) {
	plain = true
	for s.i++; ; s.i++ {
		switch s.b[s.i] {
		case '"':
			s.i++
			return plain
		case '\\':
			plain = false
			s.i++ // the escaped character; the digits of \uXXXX are plain
		}
	}
}

// value skips the value at s.i.
func (s *jsonScan) value() {
	switch s.b[s.i] {
	case '"':
		s.str()
	case '{', '[':
		depth := 0
		for {
			switch s.b[s.i] {
			case '"':
				s.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				return
			}
		}
	default: // a number, true, false or null
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			s.i++
		}
	}
}
