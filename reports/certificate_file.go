package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/refurbqa/refurbqa/audit"
)

// This file is what every adapter that hands out a certificate shares (the API's PDF and
// public verification, the console's PDF): the verification address printed on it and
// encoded in its QR code, the drawing of its PDF, and the name of its file. Written once, so
// that the API and the console give the same bytes for the same record.

// VerifyPath is the path of the public verification of a code (GET /verify/{code}), before the
// code.
const VerifyPath = "/verify/"

// CertificateWriter draws the one-page PDF certificate of a device (transparency.md §1), as
// *Renderer does. The same certificate must give the same bytes: adapters tag and compare
// them.
type CertificateWriter interface {
	WriteCertificate(w io.Writer, c Certificate) error
}

// DrawCertificate draws the domain's certificate of a record (audit.Service's
// BenchTestCertificate or MysteryOrderCertificate) with w, its verification at verifyURL
// (VerificationURL), into memory: the whole file or an error, never half a file.
func DrawCertificate(w CertificateWriter, v audit.Certificate, verifyURL string) ([]byte, error) {
	c := CertificateOfView(v, verifyURL)
	var buf bytes.Buffer
	if err := w.WriteCertificate(&buf, c); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", c.Code, err)
	}
	return buf.Bytes(), nil
}

// CertificateFileName is the name of the PDF file of the certificate of code, made of the code
// as printed ("certificate-7K3M-Q9XD-2R4T-VW8H.pdf"): ASCII letters, digits and dashes only,
// safe in a Content-Disposition header and on every file system.
func CertificateFileName(code string) string {
	return "certificate-" + audit.FormatVerificationCode(code) + ".pdf"
}

// ParsePublicURL reads the public URL of a server (the base its public reaches it at, such as
// https://qa.example.com): empty (nil), or an absolute http or https URL with a host and
// nothing after its path, which loses any final slash.
func ParsePublicURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "") {
		err = errors.New("want an http or https base URL such as https://qa.example.com")
	}
	if err != nil {
		return nil, fmt.Errorf("public URL %q: %w", raw, err)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// VerificationURL is the one rule that makes the address of a certificate's verification: the
// public URL (ParsePublicURL), then /verify/ and the code with its dashes. Without a public URL
// (nil) it is the origin the request reached (Origin), and the path alone when that is empty.
func VerificationURL(public *url.URL, origin, code string) string {
	path := VerifyPath + audit.FormatVerificationCode(code)
	if public != nil {
		u := *public
		u.Path += path
		return u.String()
	}
	return origin + path
}

// Origin is the scheme and host a request reached the server at ("http://qa.example.com:8080"),
// from its Host header, when that header is a plain host name or address with an optional port,
// so that nothing else a client puts in it reaches an answer; otherwise it is empty. The
// scheme is https only when the server itself terminated TLS (overTLS): forwarded headers are
// not trusted.
func Origin(host string, overTLS bool) string {
	if !plainHost(host) {
		return ""
	}
	if overTLS {
		return "https://" + host
	}
	return "http://" + host
}

// plainHost reports whether h is a DNS name or IPv4 address, or an IPv6 address in brackets,
// with an optional numeric port.
func plainHost(h string) bool {
	if h == "" || len(h) > 261 {
		return false
	}
	name, port := h, ""
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return false
		}
		name, port = h[1:end], h[end+1:]
		if name == "" || strings.Trim(name, "0123456789abcdefABCDEF:.") != "" {
			return false
		}
	} else {
		if i := strings.LastIndexByte(h, ':'); i >= 0 {
			name, port = h[:i], h[i:]
		}
		const nameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-"
		if name == "" || strings.Trim(name, nameChars) != "" {
			return false
		}
	}
	if port != "" {
		if port[0] != ':' || len(port) < 2 || len(port) > 6 || strings.Trim(port[1:], "0123456789") != "" {
			return false
		}
	}
	return true
}
