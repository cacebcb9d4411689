package browsertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ValidateHTML checks HTML files with html-validate (pinned in js/package.json) and the rules of
// js/.htmlvalidate.json, in one run of node for all of them, and fails the test on every error,
// naming its file, line, column, message and rule. Browser does this by itself at the end of a
// test, over the pages of its steps.
//
// The configuration is html-validate's "recommended" preset with two rules off, both purely
// about the look of the source, not about what a browser or an assistive technology gets:
// void-style (<meta ...> and <meta .../> are the same element; the problem pages of httpapi are
// written to be readable as XML too) and no-trailing-whitespace (html/template leaves spaces at
// line ends around its actions, and they change nothing). One rule is set as HTML itself says:
// form-dup-name lets checkboxes share a name, as radio buttons do, since a group of boxes
// sends one value per ticked box under one name (parts.non_genuine, console.md).
func ValidateHTML(t testing.TB, files ...string) {
	t.Helper()
	validateHTML(t, requireTools(t), files)
}

// htmlValidateReport is the part of html-validate's JSON formatter output that the test reports.
type htmlValidateReport []struct {
	FilePath string `json:"filePath"`
	Messages []struct {
		RuleID   string `json:"ruleId"`
		Severity int    `json:"severity"` // 1 warning, 2 error
		Message  string `json:"message"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
	} `json:"messages"`
}

func validateHTML(t testing.TB, tl *tools, files []string) {
	t.Helper()
	if len(files) == 0 {
		return
	}
	// The report goes to a file, not to standard output: node may exit before a large report
	// written to a pipe is flushed, cutting it short.
	out := filepath.Join(t.TempDir(), "html-validate.json")
	args := []string{
		filepath.Join(tl.dir, "node_modules", "html-validate", "bin", "html-validate.mjs"),
		"--config", filepath.Join(tl.dir, ".htmlvalidate.json"), "--formatter", "json=" + out,
	}
	cmd := exec.Command(tl.node, append(args, files...)...)
	cmd.Dir = tl.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run() // exit status 1 when a file has errors: the report says which
	body, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("html-validate: %v, and no report (%v)\n%s%s", runErr, err, stdout.Bytes(), stderr.Bytes())
	}
	var report htmlValidateReport
	if err := json.Unmarshal(body, &report); err != nil {
		t.Fatalf("html-validate: %v (%v)\n%.2000s%s", runErr, err, body, stderr.Bytes())
	}
	var errs, warnings []string
	for _, f := range report {
		for _, m := range f.Messages {
			line := fmt.Sprintf("%s:%d:%d: %s (%s)", f.FilePath, m.Line, m.Column, m.Message, m.RuleID)
			if m.Severity >= 2 {
				errs = append(errs, line)
			} else {
				warnings = append(warnings, line)
			}
		}
	}
	if len(warnings) > 0 {
		t.Logf("html-validate warnings:\n%s", strings.Join(warnings, "\n"))
	}
	if len(errs) > 0 {
		t.Errorf("html-validate: %d errors:\n%s", len(errs), strings.Join(errs, "\n"))
	} else if runErr != nil {
		t.Errorf("html-validate: %v, with no error in its report\n%s", runErr, stderr.Bytes())
	}
}
