package console_test

import (
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// formValues is what a browser would send from the form of page whose action is action,
// without pressing any of its buttons: every named input with its value (a radio button or
// box only when checked), and every select's chosen option (its first when none is). Empty
// values are left out, so that a form compares with the values a test posted.
func formValues(t *testing.T, page, action string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	attr := func(n *html.Node, key string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val, true
			}
		}
		return "", false
	}
	var form *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "form" {
			if a, _ := attr(n, "action"); a == action {
				form = n
			}
		}
		for c := n.FirstChild; c != nil && form == nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	require.NotNil(t, form, "a form posting to %s", action)

	v := url.Values{}
	add := func(name, value string) {
		if name != "" && value != "" {
			v.Add(name, value)
		}
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name, _ := attr(n, "name")
			_, disabled := attr(n, "disabled")
			switch {
			case disabled:
			case n.Data == "input":
				typ, _ := attr(n, "type")
				value, _ := attr(n, "value")
				_, checked := attr(n, "checked")
				switch typ {
				case "submit", "button", "reset", "image":
				case "radio", "checkbox":
					if checked {
						add(name, value)
					}
				default:
					add(name, value)
				}
			case n.Data == "select":
				var options []string
				chosen := -1
				for o := n.FirstChild; o != nil; o = o.NextSibling {
					if o.Type != html.ElementNode || o.Data != "option" {
						continue
					}
					value, _ := attr(o, "value")
					if _, ok := attr(o, "selected"); ok {
						chosen = len(options)
					}
					options = append(options, value)
				}
				if chosen < 0 && len(options) > 0 {
					chosen = 0
				}
				if chosen >= 0 {
					add(name, options[chosen])
				}
				return
			case n.Data == "textarea" && n.FirstChild != nil:
				add(name, n.FirstChild.Data)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	for _, vals := range v {
		sort.Strings(vals)
	}
	return v
}

// filled is v without its empty values and without the action, as formValues reads a form.
func filled(v url.Values) url.Values {
	out := url.Values{}
	for name, vals := range v {
		if name == "action" {
			continue
		}
		for _, x := range vals {
			if x != "" {
				out.Add(name, x)
			}
		}
	}
	for _, vals := range out {
		sort.Strings(vals)
	}
	return out
}
