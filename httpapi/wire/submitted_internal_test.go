package wire

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// viaDecoder is what encoding/json picks: the reference the scan must answer like.
func viaDecoder(body []byte) (json.RawMessage, []json.RawMessage) {
	var one submittedDoc
	_ = json.Unmarshal(body, &one)
	var batch submittedBatch
	_ = json.Unmarshal(body, &batch)
	items := make([]json.RawMessage, len(batch.Items))
	for i, it := range batch.Items {
		items[i] = it.Inspection
	}
	return one.Inspection, items
}

var submittedSeeds = []string{
	`{"seller_id": "s", "inspection": {"device": {"model": "a \"quoted\" }]{[ model"}}, "lab": "L"}`,
	`{ "inspection" :	[1, 2, {"x": "]"}] , "tail": true }`,
	`{"inspection": "just a string, with \\ and \" inside"}`,
	`{"inspection": null}`,
	`{"inspection": 12.5e3}`,
	`{"lab": "no inspection"}`,
	`{"inspection": {"a": 1}, "inspection": {"b": 2}}`,
	`{"Inspection": {"a": 1}}`,
	`{"inspection": {"a": 1}, "INSPECTION": {"b": 2}}`,
	`{"inspectio\u006e": {"a": 1}}`,
	`{"in\"spection": 1, "inspection": {"ok": true}}`,
	`{"inſpection": {"long s": true}}`,
	`null`,
	`[]`,
	`{"items": [{"inspection": {"a": [1, {"b": "}"}]}}, 42, null, "x", [], {"lab": 1}, {"inspection": true}]}`,
	`{"items": null}`,
	`{"items": []}`,
	`{"items": {"inspection": 1}}`,
	`{"items": [{"inspection": 1}], "items": [{"inspection": 2}, {"inspection": 3}]}`,
	`{"Items": [{"inspection": 1}]}`,
	`{"items": [{"Inspection": 1}]}`,
	`{"items": [ { "inspection" : { } } , { } ] }`,
}

func TestSubmittedInspectionsAnswerLikeEncodingJSON(t *testing.T) {
	for _, seed := range submittedSeeds {
		body := []byte(seed)
		one, items := viaDecoder(body)
		assert.Equal(t, one, submittedInspection(body), "one: %s", seed)
		assert.Equal(t, items, nilIfEmpty(submittedInspections(body)), "batch: %s", seed)
	}
	// The plain reading serves the usual documents, without falling back to encoding/json.
	for _, seed := range []string{submittedSeeds[0], submittedSeeds[1], submittedSeeds[14], submittedSeeds[21]} {
		sc := jsonScan{b: []byte(seed)}
		_, ok := sc.member("inspection")
		if bytes.Contains([]byte(seed), []byte(`"items"`)) {
			_, ok = scanBatch([]byte(seed))
		}
		assert.True(t, ok, "read plainly: %s", seed)
	}
}

func nilIfEmpty(items []json.RawMessage) []json.RawMessage {
	if items == nil {
		return []json.RawMessage{}
	}
	return items
}

// FuzzSubmittedInspections holds the scan to encoding/json on any valid JSON document.
func FuzzSubmittedInspections(f *testing.F) {
	for _, s := range submittedSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return // Decode refuses it before anything is picked out
		}
		one, items := viaDecoder(body)
		if got := submittedInspection(body); !bytes.Equal(got, one) || (got == nil) != (one == nil) {
			t.Fatalf("one: %q, encoding/json %q", got, one)
		}
		got := nilIfEmpty(submittedInspections(body))
		if len(got) != len(items) {
			t.Fatalf("batch: %d items, encoding/json %d", len(got), len(items))
		}
		for i := range got {
			if !bytes.Equal(got[i], items[i]) || (got[i] == nil) != (items[i] == nil) {
				t.Fatalf("batch item %d: %q, encoding/json %q", i, got[i], items[i])
			}
		}
	})
}
