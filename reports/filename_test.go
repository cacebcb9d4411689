package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/refurbqa/refurbqa/audit"
)

func TestFileName(t *testing.T) {
	p := audit.Period{Start: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct{ name, id, want string }{
		{"Łódź Serwis", "sl_1", "refurbqa-lodz-serwis-2026-07-01-to-2026-09-30.pdf"},
		{"Électronique Lyonnaise S.A.", "sl_1", "refurbqa-electronique-lyonnaise-s-a-2026-07-01-to-2026-09-30.pdf"},
		{"Ανακαίνιση Αθηνών", "sl_01abc", "refurbqa-sl-01abc-2026-07-01-to-2026-09-30.pdf"},
		{`Evil"; filename=x.exe`, "sl_1", "refurbqa-evil-filename-x-exe-2026-07-01-to-2026-09-30.pdf"},
		{"Straße 🚀 Reuse", "sl_1", "refurbqa-strasse-reuse-2026-07-01-to-2026-09-30.pdf"},
	}
	for _, tt := range tests {
		got := FileName(audit.Seller{ID: tt.id, Name: tt.name}, p)
		assert.Equal(t, tt.want, got, tt.name)
		for _, r := range got {
			assert.True(t, r < 128 && r != '"' && r != ' ', "ASCII-safe: %q", got)
		}
	}
}
