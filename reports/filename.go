package reports

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/refurbqa/refurbqa/audit"
)

// FileName is the ASCII-safe name of a report file, made of the seller's name and the period,
// e.g. "refurbqa-lodz-serwis-2026-07-01-to-2026-09-30.pdf". Letters are stripped of their
// accents; anything that is not an ASCII letter or digit becomes a dash, so the name is safe
// in a Content-Disposition header and on every file system. A name with no ASCII letter at all
// (Greek, Cyrillic) falls back to the seller id.
func FileName(s audit.Seller, p audit.Period) string {
	slug := slugify(s.Name)
	if slug == "" {
		slug = slugify(s.ID)
	}
	if len(slug) > 60 {
		slug = strings.TrimRight(slug[:60], "-")
	}
	last := p.End.AddDate(0, 0, -1)
	return "refurbqa-" + slug + "-" + p.Start.Format("2006-01-02") + "-to-" + last.Format("2006-01-02") + ".pdf"
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // a combining accent: keep the base letter alone
		case r == 'ł' || r == 'Ł':
			r = 'l'
		case r == 'ß':
			b.WriteString("ss")
			dash = false
			continue
		case r == 'ø' || r == 'Ø':
			r = 'o'
		}
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(unicode.ToLower(r))
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}
