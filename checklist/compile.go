package checklist

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/refurbqa/refurbqa/grading"
)

// Limits on what a published charter may contain. They keep a charter readable on a scorecard
// and bound the work one publication can ask of the server.
const (
	maxVersionLen = 32  // version: 1..32 of [A-Za-z0-9._-]
	maxCodeLen    = 32  // point code: 1..32 of [A-Za-z0-9._-]
	maxTitleLen   = 200 // point title, in characters
	maxAreaLen    = 64  // point area, in characters
	maxRuleLen    = 500 // rule, in characters
	maxRuleNodes  = 200 // rule, in expression tree nodes
)

// CompileError lists every problem of a charter that cannot be published, each at the JSON
// path of the field at fault ("version", "points[3].rule"…), so that an author fixes all of
// them in one round trip. The errors are in charter order: version, then each point's fields
// in the order of the API shape.
type CompileError struct {
	Errors []grading.FieldError
}

// Error summarises the first problem and how many follow; the full list is in Errors.
func (e *CompileError) Error() string {
	if len(e.Errors) == 0 {
		return "charter: invalid"
	}
	msg := "charter: " + e.Errors[0].Field + ": " + e.Errors[0].Message
	if n := len(e.Errors) - 1; n > 0 {
		msg += " (and " + strconv.Itoa(n) + " more)"
	}
	return msg
}

// Compiled is a validated charter with the bytecode of every rule, ready to score any number
// of sellers. It is safe for concurrent use; create it with Compile (or through Programs) and
// never copy it.
type Compiled struct {
	charter Charter
	points  []compiledPoint // parallel to charter.Points
	states  sync.Pool       // of *evalState, reused across Evaluate calls
}

// compiledPoint is what evaluating one point needs beyond the Point itself.
type compiledPoint struct {
	program   *vm.Program
	metrics   []string // every catalogue metric the rule names, once each, in order of appearance
	threshold string   // as the scorecard shows it, e.g. ">= 0.95"
}

// Charter returns the charter as compiled: each point's weight and primary metric are filled
// in when the published charter left them empty. This is the form to store and to show, so
// that what the API returns matches what scores. The result is a copy the caller may change.
func (c *Compiled) Charter() Charter {
	return Charter{Version: c.charter.Version, Points: slices.Clone(c.charter.Points)}
}

// Threshold returns what point i (in charter order) must meet, as a scorecard shows it beside
// the point's value: the comparison of its primary metric (">= 0.95"), or the whole rule when
// it has no such simple shape. It lets a page that shows a charter, before any audit, show the
// same thresholds as the scorecards it will produce. It panics when i is out of range.
func (c *Compiled) Threshold(i int) string { return c.points[i].threshold }

// Compile validates a whole charter and compiles its rules. It is the gate a charter passes
// when it is published, so it reports every problem at once as a *CompileError rather than
// stopping at the first.
//
// Beyond the checks of charter.md (known metrics only, boolean rules, unique codes), it
// requires: a version and codes of 1–32 characters of [A-Za-z0-9._-]; a non-empty title (≤ 200
// characters) and area (≤ 64); a known severity; a weight equal to the severity's weight, where
// 0 means "fill it in" (API clients may leave weight out); a sample metric of kind count or
// number from the catalogue and min_samples ≥ 0; a rule of at most 500 characters and 200
// expression nodes that names at least one metric, built only from metric names, number and
// boolean literals, arithmetic (+ - * / ** ^), comparisons, the logical operators and ?: — so
// that no rule can fail at run time (no strings, lists, indexing, function calls or variables);
// and a primary metric that is either empty (then filled with the first metric the rule names)
// or exactly that first metric.
//
// The charter passed in is not modified; the normalised charter is available from
// (*Compiled).Charter.
func Compile(c Charter) (*Compiled, error) {
	var errs charterProblems
	if c.Version == "" {
		errs.add("version", "is required")
	} else if !isCharterName(c.Version, maxVersionLen) {
		errs.add("version", "must be 1 to %d characters of A-Z, a-z, 0-9, '.', '_' or '-'", maxVersionLen)
	}
	if len(c.Points) == 0 {
		errs.add("points", "must list at least one point")
	}

	kinds := make(map[string]MetricKind, 32)
	for _, m := range Catalogue() {
		kinds[m.Name] = m.Kind
	}
	out := &Compiled{
		charter: Charter{Version: c.Version, Points: slices.Clone(c.Points)},
		points:  make([]compiledPoint, len(c.Points)),
	}
	firstUse := make(map[string]int, len(c.Points))
	for i := range out.charter.Points {
		p := &out.charter.Points[i]
		path := "points[" + strconv.Itoa(i) + "]."

		switch {
		case p.Code == "":
			errs.add(path+"code", "is required")
		case !isCharterName(p.Code, maxCodeLen):
			errs.add(path+"code", "must be 1 to %d characters of A-Z, a-z, 0-9, '.', '_' or '-'", maxCodeLen)
		default:
			if j, dup := firstUse[p.Code]; dup {
				errs.add(path+"code", "duplicate code %s, first used at points[%d]", p.Code, j)
			} else {
				firstUse[p.Code] = i
			}
		}
		errs.line(path+"title", p.Title, maxTitleLen)
		errs.line(path+"area", p.Area, maxAreaLen)

		if w := p.Severity.Weight(); w == 0 {
			if p.Severity == "" {
				errs.add(path+"severity", "is required")
			} else {
				errs.add(path+"severity", "must be one of critical, major, minor, got %q", string(p.Severity))
			}
		} else if p.Weight == 0 {
			p.Weight = w
		} else if p.Weight != w {
			errs.add(path+"weight", "must be %d for a %s point, got %d", w, p.Severity, p.Weight)
		}

		label := p.Code
		if label == "" {
			label = "points[" + strconv.Itoa(i) + "]"
		}
		cp, msg := compileRule(label, p.Rule)
		if msg != "" {
			errs.add(path+"rule", "%s", msg)
		}
		switch {
		case p.Metric != "" && kinds[p.Metric] == "":
			errs.add(path+"metric", "unknown metric %s", p.Metric)
		case msg != "":
			// The rule is broken, so there is no first metric to compare with or fill in.
		case p.Metric == "":
			p.Metric = cp.metrics[0]
		case p.Metric != cp.metrics[0]:
			errs.add(path+"metric", "must be %s, the first metric named in the rule, got %s", cp.metrics[0], p.Metric)
		}

		switch kind := kinds[p.SampleMetric]; {
		case p.SampleMetric == "":
			errs.add(path+"sample_metric", "is required")
		case kind == "":
			errs.add(path+"sample_metric", "unknown metric %s", p.SampleMetric)
		case kind != Count && kind != Number:
			errs.add(path+"sample_metric", "must be a count or number metric, and %s is a %s", p.SampleMetric, kind)
		}
		if p.MinSamples < 0 {
			errs.add(path+"min_samples", "must be 0 or more, got %d", p.MinSamples)
		}
		out.points[i] = cp
	}
	if len(errs) > 0 {
		return nil, &CompileError{Errors: errs}
	}
	out.states.New = func() any { return new(evalState) }
	return out, nil
}

// compileRule compiles one rule. On failure it returns a message that names the point (label)
// and, where the expression language knows it, the line:column of the fault, e.g.
// "QC04: unknown name foo (1:5)".
func compileRule(label, rule string) (compiledPoint, string) {
	fail := func(format string, args ...any) (compiledPoint, string) {
		return compiledPoint{}, label + ": " + fmt.Sprintf(format, args...)
	}
	if strings.TrimSpace(rule) == "" {
		return fail("rule is required")
	}
	if !utf8.ValidString(rule) {
		return fail("rule must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(rule); n > maxRuleLen {
		return fail("rule must be at most %d characters, got %d", maxRuleLen, n)
	}

	// Parse and type-check against the catalogue. This is what expr.Compile does, spelled out
	// because the checked tree is needed to vet its shape, find the metrics it names and
	// render the threshold, and to word the "not a boolean" error ourselves.
	opts := []expr.Option{
		expr.Env(ruleEnv{}),       // typed: unknown names are refused
		expr.DisableAllBuiltins(), // only catalogue names; no now(), len()…
		expr.MaxNodes(maxRuleNodes),
	}
	cfg := conf.CreateNew()
	for _, opt := range opts {
		opt(cfg)
	}
	for name := range cfg.Disabled {
		delete(cfg.Builtins, name)
	}
	tree, err := checker.ParseCheck(rule, cfg)
	if err != nil {
		return fail("%s", exprErrorText(rule, err))
	}

	var w ruleWalker
	if bad := w.walk(tree.Node); bad != nil {
		return fail("%s is not allowed in a rule (%s)", w.reason, position(rule, bad.Location().From))
	}
	if t := tree.Node.Type(); t == nil || t.Kind() != reflect.Bool {
		name := "an unknown type"
		if t != nil {
			name = t.String()
		}
		return fail("rule must yield a boolean, not %s", name)
	}
	if len(w.names) == 0 {
		return fail("rule names no metric")
	}

	program, err := expr.Compile(rule, append(opts, expr.AsBool())...)
	if err != nil {
		return fail("%s", exprErrorText(rule, err))
	}
	metrics := make([]string, 0, len(w.names))
	for _, n := range w.names {
		if !slices.Contains(metrics, n) {
			metrics = append(metrics, n)
		}
	}
	threshold := ruleThreshold(tree.Node, w.names, []rune(rule))
	if threshold == "" {
		threshold = rule
	}
	return compiledPoint{program: program, metrics: metrics, threshold: threshold}, ""
}

// exprErrorText words an error of the expression language as "message (line:column)", without
// the multi-line source snippet expr adds, so that it fits one API error message.
func exprErrorText(rule string, err error) string {
	var fe *file.Error
	if errors.As(err, &fe) {
		return fe.Message + " (" + position(rule, fe.From) + ")"
	}
	return err.Error()
}

// position renders the rune offset from of rule as a 1-based "line:column".
func position(rule string, from int) string {
	line, col, i := 1, 1, 0
	for _, r := range rule {
		if i == from {
			break
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i++
	}
	return strconv.Itoa(line) + ":" + strconv.Itoa(col)
}

// ruleWalker vets the shape of a checked rule and collects the metric names it uses, in the
// order they appear. Rules are held to plain arithmetic and logic over numbers so that every
// compiled rule runs without error on any metrics: nothing that could index out of range,
// divide integers by zero, allocate or call out.
type ruleWalker struct {
	names  []string // metric names as they occur, repeats included
	reason string   // what the refused node is, when walk returns one
}

// walk returns the first node that is not allowed in a rule, or nil.
func (w *ruleWalker) walk(n ast.Node) ast.Node {
	switch n := n.(type) {
	case *ast.IdentifierNode:
		w.names = append(w.names, n.Value)
		return nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return nil
	case *ast.UnaryNode:
		switch n.Operator {
		case "!", "not", "-", "+":
		default:
			w.reason = "operator " + n.Operator
			return n
		}
		return w.walk(n.Node)
	case *ast.BinaryNode:
		switch n.Operator {
		case "==", "!=", "<", "<=", ">", ">=", "&&", "||", "and", "or", "+", "-", "*", "/", "**", "^":
		default:
			w.reason = "operator " + n.Operator
			return n
		}
		if bad := w.walk(n.Left); bad != nil {
			return bad
		}
		return w.walk(n.Right)
	case *ast.ConditionalNode:
		for _, c := range []ast.Node{n.Cond, n.Exp1, n.Exp2} {
			if bad := w.walk(c); bad != nil {
				return bad
			}
		}
		return nil
	case *ast.StringNode, *ast.BytesNode:
		w.reason = "a string"
	case *ast.NilNode:
		w.reason = "nil"
	case *ast.ArrayNode:
		w.reason = "a list"
	case *ast.MapNode, *ast.PairNode:
		w.reason = "a map"
	case *ast.MemberNode, *ast.ChainNode:
		w.reason = "member access"
	case *ast.SliceNode:
		w.reason = "slicing"
	case *ast.CallNode, *ast.BuiltinNode:
		w.reason = "a function call"
	case *ast.VariableDeclaratorNode:
		w.reason = "a variable"
	case *ast.PredicateNode, *ast.PointerNode:
		w.reason = "a predicate"
	default:
		w.reason = "this expression"
	}
	return n
}

// ruleThreshold renders the threshold of the primary metric (names[0]) for a scorecard, e.g.
// ">= 0.95", when the rule has the simple shape every point of the default charter has: the
// metric appears once, compared with a number literal, in a comparison that is the rule itself
// or one operand of a chain of ANDs (so that it is a condition the seller must meet, not one
// negated or offered as an alternative). The literal keeps the spelling of the rule (0.90 stays
// 0.90), and "0.95 <= x" reads ">= 0.95". It returns "" for any other shape; the caller then
// shows the whole rule.
func ruleThreshold(root ast.Node, names []string, src []rune) string {
	primary := names[0]
	seen := 0
	for _, n := range names {
		if n == primary {
			seen++
		}
	}
	if seen != 1 {
		return ""
	}
	var find func(n ast.Node) string
	find = func(n ast.Node) string {
		b, ok := n.(*ast.BinaryNode)
		if !ok {
			return ""
		}
		switch b.Operator {
		case "&&", "and":
			if s := find(b.Left); s != "" {
				return s
			}
			return find(b.Right)
		case "==", "!=", "<", "<=", ">", ">=":
			if isIdentifier(b.Left, primary) {
				if lit := literalText(b.Right, src); lit != "" {
					return b.Operator + " " + lit
				}
			}
			if isIdentifier(b.Right, primary) {
				if lit := literalText(b.Left, src); lit != "" {
					return mirror(b.Operator) + " " + lit
				}
			}
		}
		return ""
	}
	return find(root)
}

func isIdentifier(n ast.Node, name string) bool {
	id, ok := n.(*ast.IdentifierNode)
	return ok && id.Value == name
}

// literalText returns a number literal (optionally signed) as written in the rule, or "".
func literalText(n ast.Node, src []rune) string {
	sign := ""
	if u, ok := n.(*ast.UnaryNode); ok && (u.Operator == "-" || u.Operator == "+") {
		if u.Operator == "-" {
			sign = "-"
		}
		n = u.Node
	}
	switch n.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
	default:
		return ""
	}
	loc := n.Location()
	if loc.From < 0 || loc.From >= loc.To || loc.To > len(src) {
		return sign + n.String()
	}
	return sign + string(src[loc.From:loc.To])
}

// mirror turns the operator of "literal op metric" into that of "metric op literal".
func mirror(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

// isCharterName reports whether s is 1 to max characters of [A-Za-z0-9._-], the alphabet of
// charter versions and point codes, which appear in URLs, file names and reports.
func isCharterName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// charterProblems collects the problems of a charter in the order they are found.
type charterProblems []grading.FieldError

func (l *charterProblems) add(field, format string, args ...any) {
	*l = append(*l, grading.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// line checks a required single-line text of at most max characters. Titles and areas end up
// in PDF reports and CSV exports, so control characters are refused.
func (l *charterProblems) line(field, v string, max int) {
	switch {
	case strings.TrimSpace(v) == "":
		l.add(field, "is required")
	case !utf8.ValidString(v):
		l.add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(v) > max:
		l.add(field, "must be at most %d characters, got %d", max, utf8.RuneCountInString(v))
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		l.add(field, "must not contain control characters")
	}
}

// Programs caches compiled charters by version, so that a batch audit of every seller compiles
// each charter once rather than once per seller. Charter versions are immutable, which makes the
// version a sound key; should a caller nevertheless pass different content under a cached
// version, Get compiles that content afresh (without caching it) rather than score it with the
// wrong rules. Failed compilations are not cached, so a corrected charter can be retried under
// the same version. Programs is safe for concurrent use.
type Programs struct {
	mu        sync.Mutex
	byVersion map[string]cachedCharter
}

type cachedCharter struct {
	source   Charter // the charter as given to Get, to detect a mismatch
	compiled *Compiled
}

// NewPrograms returns an empty cache.
func NewPrograms() *Programs {
	return &Programs{byVersion: make(map[string]cachedCharter)}
}

// Get returns c compiled, compiling it on the first request for its version.
func (p *Programs) Get(c Charter) (*Compiled, error) {
	p.mu.Lock()
	e, ok := p.byVersion[c.Version]
	p.mu.Unlock()
	if ok && sameCharter(e.source, c) {
		return e.compiled, nil
	}
	compiled, err := Compile(c)
	if err != nil {
		return nil, err
	}
	if ok {
		return compiled, nil // different content under a cached version: do not cache
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.byVersion[c.Version]; ok {
		// Another goroutine compiled the same version meanwhile; keep one copy.
		if sameCharter(e.source, c) {
			return e.compiled, nil
		}
		return compiled, nil
	}
	p.byVersion[c.Version] = cachedCharter{
		source:   Charter{Version: c.Version, Points: slices.Clone(c.Points)},
		compiled: compiled,
	}
	return compiled, nil
}

func sameCharter(a, b Charter) bool {
	return a.Version == b.Version && slices.Equal(a.Points, b.Points)
}
