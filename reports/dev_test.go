package reports

import (
	"os"
	"testing"
)

func TestDevWrite(t *testing.T) {
	out := os.Getenv("REPORTS_DEV_OUT")
	if out == "" {
		t.Skip()
	}
	f := typicalFixture()
	if os.Getenv("REPORTS_DEV_STRESS") != "" {
		f.failed = map[string]int{}
		for _, c := range charter2026() {
			f.failed[c.code] = 20
		}
		f.insufficient = nil
		f.missing = 2
	}
	pdf := render(t, NewModel(buildInput(f)))
	if err := os.WriteFile(out, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
}
