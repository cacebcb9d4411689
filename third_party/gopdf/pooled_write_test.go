package gopdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/goregular"
)

// The writers of pooled_write.go must give exactly the bytes upstream gopdf gives: these
// tests hold them to upstream's code, kept here as it was in v0.33.0.

func TestAppendGlyphHexIsFmt(t *testing.T) {
	for g := uint(0); g <= 0x1FFFF; g++ {
		if got, want := string(appendGlyphHex(nil, g)), fmt.Sprintf("%04X", g); got != want {
			t.Fatalf("glyph %d: %q, fmt gives %q", g, got, want)
		}
	}
}

func TestPooledZlibWriterIsANewWriter(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, level := range []int{zlib.DefaultCompression, zlib.BestSpeed, zlib.BestCompression, zlib.HuffmanOnly} {
		var reused *zlib.Writer
		for i := 0; i < 5; i++ {
			data := make([]byte, rng.Intn(200_000))
			for j := range data {
				data[j] = "BT ET 0123 TJ\n"[rng.Intn(14)]
			}
			var fresh, pooled bytes.Buffer
			zw, _ := zlib.NewWriterLevel(&fresh, level)
			zw.Write(data)
			zw.Close()
			pw, err := getZlibWriter(&pooled, level)
			if err != nil {
				t.Fatal(err)
			}
			if i > 0 && pw != reused {
				// The pool dropped what it held (a collection ran): reuse the last round's
				// writer as getZlibWriter would have, so that every round after the first
				// compresses with a writer that compressed other streams before.
				pw = reused
				pw.Reset(&pooled)
			}
			pw.Write(data)
			pw.Close()
			putZlibWriter(pw, level)
			reused = pw
			if !bytes.Equal(fresh.Bytes(), pooled.Bytes()) {
				t.Fatalf("level %d, %d bytes, round %d: the pooled writer's stream differs from a new writer's", level, len(data), i)
			}
		}
	}
}

// TestTextWriteIsUpstream draws texts of every kind (each font size, spacing, position and
// character the font lacks) and checks that each text's operators are byte for byte those of
// upstream's write.
func TestTextWriteIsUpstream(t *testing.T) {
	for _, kerning := range []bool{false, true} {
		pdf := &GoPdf{}
		pdf.Start(Config{Unit: UnitMM, PageSize: Rect{W: 210, H: 297}})
		if err := pdf.AddTTFFontDataWithOption("r", goregular.TTF, TtfOption{UseKerning: kerning}); err != nil {
			t.Fatal(err)
		}
		pdf.AddPage()
		texts := []string{"", "A", "AVAT Wa To.", "Ünïcödé Ελληνικά Кириллица", "emoji 🙂 is not in the font", strings.Repeat("0123456789 ", 40)}
		n := 0
		for i, s := range texts {
			for _, size := range []float64{7, 8.5, 11.25, 24} {
				if err := pdf.SetFont("r", "", size); err != nil {
					t.Fatal(err)
				}
				pdf.SetCharSpacing(float64(i) * 0.1)
				pdf.SetXY(10+float64(i)*3.3, 20+size*2.7)
				if err := pdf.Cell(nil, s); err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
		checked := 0
		for _, obj := range pdf.pdfObjs {
			content, ok := obj.(*ContentObj)
			if !ok {
				continue
			}
			for _, cache := range content.listCache.caches {
				text, ok := cache.(*cacheContentText)
				if !ok {
					continue
				}
				var got, want bytes.Buffer
				if err := text.write(&got, nil); err != nil {
					t.Fatal(err)
				}
				if err := upstreamTextWrite(text, &want); err != nil {
					t.Fatal(err)
				}
				if got.String() != want.String() {
					t.Fatalf("kerning %v, text %q:\n%s\nupstream writes\n%s", kerning, text.text, got.String(), want.String())
				}
				checked++
			}
		}
		if checked != n {
			t.Fatalf("kerning %v: %d texts checked, %d drawn", kerning, checked, n)
		}
		if _, err := pdf.WriteTo(io.Discard); err != nil {
			t.Fatal(err)
		}
	}
}

// upstreamTextWrite is cacheContentText.write of gopdf v0.33.0, unchanged.
func upstreamTextWrite(c *cacheContentText, w io.Writer) error {
	x, err := c.calX()
	if err != nil {
		return err
	}
	y, err := c.calY()
	if err != nil {
		return err
	}
	for _, extGStateIndex := range c.cellOpt.extGStateIndexes {
		linkToGSObj := fmt.Sprintf("/GS%d gs\n", extGStateIndex)
		if _, err := io.WriteString(w, linkToGSObj); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(w, "BT\n"); err != nil {
		return err
	}
	fmt.Fprintf(w, "%0.2f %0.2f TD\n", x, y)
	fmt.Fprintf(w, "/F%d %s Tf %s Tc\n", c.fontCountIndex, FormatFloatTrim(c.fontSize), FormatFloatTrim(c.charSpacing))
	if c.txtColorMode == "color" {
		c.textColor.write(w, nil)
	}
	io.WriteString(w, "[<")
	unitsPerEm := int(c.fontSubset.ttfp.UnitsPerEm())
	var leftRune rune
	var leftRuneIndex uint
	for i, r := range c.text {
		glyphindex, err := c.fontSubset.CharIndex(r)
		if err == ErrCharNotFound {
			continue
		} else if err != nil {
			return err
		}
		pairvalPdfUnit := 0
		if i > 0 && c.fontSubset.ttfFontOption.UseKerning { //kerning
			pairval := kern(c.fontSubset, leftRune, r, leftRuneIndex, glyphindex)
			pairvalPdfUnit = convertTTFUnit2PDFUnit(int(pairval), unitsPerEm)
			if pairvalPdfUnit != 0 {
				fmt.Fprintf(w, ">%d<", (-1)*pairvalPdfUnit)
			}
		}
		fmt.Fprintf(w, "%04X", glyphindex)
		leftRune = r
		leftRuneIndex = glyphindex
	}
	io.WriteString(w, ">] TJ\n")
	io.WriteString(w, "ET\n")
	if c.fontStyle&Underline == Underline {
		if err := c.underline(w); err != nil {
			return err
		}
	}
	c.drawBorder(w)
	return nil
}
