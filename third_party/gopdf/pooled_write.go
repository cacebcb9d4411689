package gopdf

import (
	"bufio"
	"compress/zlib"
	"fmt"
	"io"
	"sync"
)

// zlibWriters keeps zlib writers between streams, one pool per compression level. A new
// zlib writer allocates and clears about 800 KB of compressor state; a document writes a
// stream per page and per font, so reusing writers (Reset gives the same output as a new
// writer of the same level) removes most of the memory a document allocates.
var zlibWriters sync.Map // compression level → *sync.Pool of *zlib.Writer

// getZlibWriter returns a zlib writer of the given level that writes to w.
func getZlibWriter(w io.Writer, level int) (*zlib.Writer, error) {
	if p, ok := zlibWriters.Load(level); ok {
		if zw, ok := p.(*sync.Pool).Get().(*zlib.Writer); ok {
			zw.Reset(w)
			return zw, nil
		}
	}
	return zlib.NewWriterLevel(w, level)
}

// putZlibWriter gives a writer of getZlibWriter back for another stream, once closed. It is
// not Reset here: getZlibWriter resets it (clearing its hash tables) before any use, and until
// then nothing writes through it to the buffer of its last stream.
func putZlibWriter(zw *zlib.Writer, level int) {
	p, ok := zlibWriters.Load(level)
	if !ok {
		p, _ = zlibWriters.LoadOrStore(level, new(sync.Pool))
	}
	p.(*sync.Pool).Put(zw)
}

// bufWriters keeps the buffers gathering a content stream's small writes.
var bufWriters = sync.Pool{New: func() interface{} { return bufio.NewWriterSize(io.Discard, 32<<10) }}

func getBufWriter(w io.Writer) *bufio.Writer {
	bw := bufWriters.Get().(*bufio.Writer)
	bw.Reset(w)
	return bw
}

func putBufWriter(bw *bufio.Writer) {
	bw.Reset(io.Discard)
	bufWriters.Put(bw)
}

// textBuffers keeps the buffers a text's operators are formatted into.
var textBuffers = sync.Pool{New: func() interface{} { b := make([]byte, 0, 512); return &b }}

// appendGlyphHex appends the glyph index as fmt's "%04X" writes it: at least four upper-case
// hexadecimal digits.
func appendGlyphHex(b []byte, glyph uint) []byte {
	const digits = "0123456789ABCDEF"
	if glyph > 0xFFFF {
		return append(b, fmt.Sprintf("%04X", glyph)...) // not reached: glyph ids are 16 bits
	}
	return append(b, digits[glyph>>12&0xF], digits[glyph>>8&0xF], digits[glyph>>4&0xF], digits[glyph&0xF])
}
