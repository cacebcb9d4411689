// Package wiretest builds documents for the tests of every package whose request types
// wire.Decode reads (wire's own documents, httpapi's requests), so that each holds the text check
// to every string of every one of its types with the same filler.
package wiretest

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// FillText sets every string reachable from doc, a pointer to a request type, to value
// (allocating pointers, giving slices two elements and maps one key "k") and returns the
// dotted JSON path of each, with whether the field is multi-line (`text:"multiline"`, the
// tag wire.TextTag names; wiretest cannot import wire, whose own tests use it).
// json.RawMessage values are raw JSON decoded on their own and are set to {}.
func FillText(doc any, value string) map[string]bool {
	out := map[string]bool{}
	fill(reflect.ValueOf(doc).Elem(), "", false, value, out)
	return out
}

func fill(v reflect.Value, path string, multiline bool, value string, out map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), path, multiline, value, out)
	case reflect.String:
		v.SetString(value)
		out[path] = multiline
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			v.Set(reflect.ValueOf(json.RawMessage(`{}`)))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), path+"["+strconv.Itoa(i)+"]", multiline, value, out)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		el := reflect.New(v.Type().Elem()).Elem()
		fill(el, join(path, "k"), multiline, value, out)
		v.SetMapIndex(reflect.ValueOf("k"), el)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				fill(v.Field(i), path, false, value, out) // embedded: its fields are this object's
				continue
			}
			if name == "" {
				name = f.Name
			}
			fill(v.Field(i), join(path, name), f.Tag.Get("text") == "multiline", value, out)
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
