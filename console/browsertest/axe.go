package browsertest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// axeTags are the rule sets axe-core checks: WCAG 2.0, 2.1 and 2.2 at levels A and AA
// (console.md, Principles: WCAG 2.2 AA).
func axeTags() []string {
	return []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}
}

// axeViolation is one rule that failed on the page, with the elements it failed on.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"` // minor, moderate, serious or critical
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		// Target is the CSS selector of the element, as a list: an element in a frame or a
		// shadow root has one selector per level (and then a list of its own).
		Target         []json.RawMessage `json:"target"`
		HTML           string            `json:"html"`
		FailureSummary string            `json:"failureSummary"`
	} `json:"nodes"`
}

// blocking reports whether the violation fails the test: serious or critical, the levels that
// keep people from using the page (console.md: no serious or critical violation on any page).
func (v axeViolation) blocking() bool { return v.Impact == "serious" || v.Impact == "critical" }

// String is the violation as a test failure prints it: the rule, its impact and help, and for
// each element its selector, its HTML and what axe found wrong with it.
func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s — %s", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		targets := make([]string, len(n.Target))
		for i, t := range n.Target {
			targets[i] = strings.Trim(string(t), `"`)
		}
		fmt.Fprintf(&b, "\n    %s  %s", strings.Join(targets, " » "), n.HTML)
		for _, line := range strings.Split(n.FailureSummary, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				fmt.Fprintf(&b, "\n      %s", line)
			}
		}
	}
	return b.String()
}

// axeScript is the expression that runs axe on the document and resolves to its violations.
// axe is injected first, once per document.
func axeScript() string {
	tags, _ := json.Marshal(axeTags())
	return `axe.run(document, {runOnly: {type: "tag", values: ` + string(tags) + `}, resultTypes: ["violations"]})` +
		`.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,` +
		` nodes: v.nodes.map(n => ({target: n.target, html: n.html, failureSummary: n.failureSummary}))})))`
}
