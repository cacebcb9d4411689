package pdfdoc

import (
	"fmt"

	"github.com/skip2/go-qrcode"
)

// QRCode draws content as a QR code (error correction level M, about 15% of it may be
// damaged) in a square of side size at (x, y), the quiet zone of four modules included; it
// fails only for content too long for a QR code. The modules are drawn as filled rectangles — one per run of dark modules
// along a row — so the code is vector art: sharp at any zoom, and the same content always
// gives the same bytes.
func (d *Doc) QRCode(x, y, size float64, content string) error {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("pdfdoc: QR code: %w", err)
	}
	bits := q.Bitmap() // quiet zone included: white, since the page is
	n := len(bits)
	if n == 0 {
		return fmt.Errorf("pdfdoc: QR code of %d modules", n)
	}
	m := size / float64(n)
	d.FillRect(x, y, size, size, White())
	for row, line := range bits {
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			run := col
			for run < len(line) && line[run] {
				run++
			}
			d.FillRect(x+float64(col)*m, y+float64(row)*m, float64(run-col)*m, m, Ink())
			col = run
		}
	}
	return nil
}
