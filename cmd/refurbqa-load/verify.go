package main

import (
	"bufio"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// The verify scenario: GET /verify/{code} of the public verification of certificates, without
// a token, for codes drawn at random from --codes (one a line; blank lines and lines starting
// with # are skipped), as JSON or as the page (--accept). A code that names nothing is a
// 404, counted like any answer: mixing unknown codes into the file measures that path too.
// The server limits the public pages per client address, and the load tool is one address:
// start it with --public-rate-limit 0 to measure the page rather than the limit.

// maxCodes bounds the codes read from --codes.
const maxCodes = 1_000_000

// readCodes reads the codes of --codes into the paths the clients draw from.
func (r *runner) readCodes() error {
	f, err := os.Open(r.o.codesFile)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(r.paths) < maxCodes {
		code := strings.TrimSpace(sc.Text())
		if code == "" || strings.HasPrefix(code, "#") {
			continue
		}
		r.paths = append(r.paths, "/verify/"+url.PathEscape(code))
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(r.paths) == 0 {
		return errors.New("--codes holds no verification code")
	}
	r.logf("%d verification codes", len(r.paths))
	return nil
}

// verifyHeaders asks for the representation of --accept; the request carries no token.
func (r *runner) verifyHeaders(req *http.Request) {
	if r.o.accept == "html" {
		req.Header.Set("Accept", "text/html")
		return
	}
	req.Header.Set("Accept", "application/json")
}
