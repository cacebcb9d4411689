package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/store"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv returns a getenv over a fixed map, pointing the program at a fresh SQLite file.
func testEnv(t *testing.T, extra ...string) func(string) string {
	vars := map[string]string{"REFURBQA_DSN": filepath.Join(t.TempDir(), "e2e.db"), "REFURBQA_LOG_LEVEL": "warn"}
	for i := 0; i+1 < len(extra); i += 2 {
		vars[extra[i]] = extra[i+1]
	}
	return func(k string) string { return vars[k] }
}

// runCmd runs the program to completion and returns its exit status and output.
func runCmd(t *testing.T, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"refurbqa"}, args...), getenv, &out, &errb)
	return code, out.String(), errb.String()
}

// startServer starts `refurbqa serve` on 127.0.0.1:0 and returns its base URL and a stop
// function that sends the equivalent of SIGTERM and returns the exit status.
func startServer(t *testing.T, getenv func(string) string, flags ...string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan int, 1)
	args := append([]string{"refurbqa", "serve", "--addr", "127.0.0.1:0"}, flags...)
	go func() {
		done <- run(ctx, args, getenv, out, io.Discard)
	}()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			stop := func() int { cancel(); return <-done }
			return m[1], stop
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited with %d before listening: %s", code, out.String())
		default:
		}
		require.True(t, time.Now().Before(deadline), "server did not start")
		time.Sleep(20 * time.Millisecond)
	}
}

func call(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return res.StatusCode, m
}

func TestEndToEnd(t *testing.T) {
	getenv := testEnv(t)
	code, token, stderr := runCmd(t, getenv, "keys", "create", "--role", "manager", "--name", "e2e")
	require.Equal(t, 0, code, stderr)
	token = strings.TrimSpace(token)
	require.NotContains(t, token, "\n", "keys create prints the token alone")

	base, stop := startServer(t, getenv)
	status, _ := call(t, http.MethodGet, base+"/healthz", "", nil)
	assert.Equal(t, 200, status)
	status, _ = call(t, http.MethodGet, base+"/readyz", "", nil)
	assert.Equal(t, 200, status)
	status, _ = call(t, http.MethodGet, base+"/api/v1/sellers", "", nil)
	assert.Equal(t, 401, status)

	status, seller := call(t, http.MethodPost, base+"/api/v1/sellers", token,
		map[string]any{"name": "Łódź Serwis", "country": "PL", "contact_email": "qa@lodz.example"})
	require.Equal(t, 201, status, "%v", seller)
	status, got := call(t, http.MethodGet, base+"/api/v1/sellers/"+seller["id"].(string), token, nil)
	assert.Equal(t, 200, status)
	assert.Equal(t, "Łódź Serwis", got["name"])

	// A seller key made on the command line sees its own seller only.
	code, sellerToken, stderr := runCmd(t, getenv, "keys", "create", "--role", "seller", "--seller", seller["id"].(string), "--name", "portal")
	require.Equal(t, 0, code, stderr)
	status, _ = call(t, http.MethodGet, base+"/api/v1/sellers/"+seller["id"].(string), strings.TrimSpace(sellerToken), nil)
	assert.Equal(t, 200, status)

	assert.Equal(t, 0, stop(), "graceful shutdown exits 0")
	_, err := http.Get(base + "/healthz")
	assert.Error(t, err, "the server is gone after shutdown")

	// A second start reuses the database.
	base, stop = startServer(t, getenv)
	status, _ = call(t, http.MethodGet, base+"/api/v1/sellers/"+seller["id"].(string), token, nil)
	assert.Equal(t, 200, status)
	assert.Equal(t, 0, stop())
}

func TestEveryCommandHasHelp(t *testing.T) {
	getenv := testEnv(t)
	for _, c := range commands() {
		code, out, stderr := runCmd(t, getenv, c.name, "--help")
		assert.Equal(t, 0, code, "%s: %s", c.name, stderr)
		assert.Contains(t, out, "Usage: refurbqa "+c.name, c.name)
	}
	code, out, _ := runCmd(t, getenv, "--help")
	assert.Equal(t, 0, code)
	for _, c := range commands() {
		assert.Contains(t, out, c.name)
	}
}

// TestSlowClientsAreCutOff opens a connection that sends its headers too slowly: the server
// closes it after the read-header timeout instead of holding it open.
func TestSlowClientsAreCutOff(t *testing.T) {
	base, stop := startServer(t, testEnv(t), "--read-header-timeout", "200ms")
	defer stop()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n"))
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	start := time.Now()
	_, err = io.ReadAll(conn)
	assert.NoError(t, err, "the server closed the connection (EOF) rather than the client timing out")
	assert.Less(t, time.Since(start), 4*time.Second)
}

func TestKeysListAndRevoke(t *testing.T) {
	getenv := testEnv(t)
	code, token, stderr := runCmd(t, getenv, "keys", "create", "--role", "technician", "--name", "bench 3", "--expires", "720h")
	require.Equal(t, 0, code, stderr)
	code, out, stderr := runCmd(t, getenv, "keys", "list")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "bench 3")
	assert.Contains(t, out, "technician")
	assert.Contains(t, out, "active")
	assert.NotContains(t, out, strings.TrimSpace(token), "tokens are never listed")
	id := regexp.MustCompile(`key_[0-9a-z]{30}`).FindString(out)
	require.NotEmpty(t, id)

	base, stop := startServer(t, getenv)
	defer stop()
	status, _ := call(t, http.MethodGet, base+"/api/v1/protocols", strings.TrimSpace(token), nil)
	assert.Equal(t, 200, status)
	code, _, stderr = runCmd(t, getenv, "keys", "revoke", id)
	require.Equal(t, 0, code, stderr)
	status, _ = call(t, http.MethodGet, base+"/api/v1/protocols", strings.TrimSpace(token), nil)
	assert.Equal(t, 401, status, "revoked from the command line, refused by the running server at once")
	_, out, _ = runCmd(t, getenv, "keys", "list")
	assert.Contains(t, out, "revoked")
}

// TestSlowBodiesAre408: a request body that does not arrive within the server's read timeout
// (--request-timeout) is 408 problem+json and the connection is closed; one that breaks off
// before its announced length is 400. Neither is a 5xx. Real connections to the real server.
func TestSlowBodiesAre408(t *testing.T) {
	getenv := testEnv(t)
	code, token, stderr := runCmd(t, getenv, "keys", "create", "--role", "manager", "--name", "slow")
	require.Equal(t, 0, code, stderr)
	base, stop := startServer(t, getenv, "--request-timeout", "300ms")
	defer stop()
	send := func(t *testing.T, halfClose bool) *http.Response {
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close() })
		_, err = conn.Write([]byte("POST /api/v1/sellers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + strings.TrimSpace(token) +
			"\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"name\": "))
		require.NoError(t, err)
		if halfClose {
			require.NoError(t, conn.(*net.TCPConn).CloseWrite())
		}
		// The rest of the body never comes.
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err, "the server answers")
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	problem := func(t *testing.T, res *http.Response) map[string]any {
		assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
		var p map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&p))
		return p
	}

	res := send(t, false)
	assert.Equal(t, http.StatusRequestTimeout, res.StatusCode)
	assert.True(t, res.Close, "the connection is closed after a 408")
	assert.Equal(t, "http://x/problems/request-timeout", problem(t, res)["type"])

	res = send(t, true)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Equal(t, "http://x/problems/bad-request", problem(t, res)["type"])
}

// TestPoolMetrics: the served /metrics carries client_golang's statistics of both SQLite
// pools, as wired by serve.
func TestPoolMetrics(t *testing.T) {
	base, stop := startServer(t, testEnv(t))
	defer stop()
	res, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	for _, pool := range []string{"write", "read"} {
		assert.True(t, strings.Contains(string(body), `go_sql_open_connections{db_name="`+pool+`"}`), "pool %s", pool)
	}
}

// TestPublicProfileEndToEnd reaches a seller's public profile and badge on the real server,
// without a key, hides it as a manager, and runs into the per-address limit of the public
// pages that serve's flags set.
func TestPublicProfileEndToEnd(t *testing.T) {
	getenv := testEnv(t)
	code, token, stderr := runCmd(t, getenv, "keys", "create", "--role", "manager", "--name", "e2e")
	require.Equal(t, 0, code, stderr)
	token = strings.TrimSpace(token)
	base, stop := startServer(t, getenv, "--public-rate-limit", "0.01", "--public-rate-burst", "4")
	defer stop()
	status, seller := call(t, http.MethodPost, base+"/api/v1/sellers", token,
		map[string]any{"name": "Łódź Serwis", "country": "PL", "contact_email": "qa@lodz.example"})
	require.Equal(t, 201, status, "%v", seller)
	page := base + "/public/sellers/" + seller["id"].(string)

	req, err := http.NewRequest(http.MethodGet, page, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode, "%s", raw)
	assert.JSONEq(t, `{"seller_id": "`+seller["id"].(string)+`", "name": "Łódź Serwis", "country": "PL", "status": "not_yet_rated", "latest": null, "trend": []}`, string(raw))

	res, err = http.Get(page + "/badge.svg")
	require.NoError(t, err)
	raw, _ = io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "image/svg+xml; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Contains(t, string(raw), "not yet rated")

	status, got := call(t, http.MethodPut, base+"/api/v1/sellers/"+seller["id"].(string)+"/profile", token, map[string]any{"public": false})
	require.Equal(t, 200, status, "%v", got)
	status, _ = call(t, http.MethodGet, page, "", nil)
	assert.Equal(t, 404, status, "hidden")
	status, _ = call(t, http.MethodGet, page+"/badge.svg", "", nil)
	assert.Equal(t, 404, status, "hidden")

	// Four requests from this address: the fifth waits.
	res, err = http.Get(page)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 429, res.StatusCode)
	assert.NotEmpty(t, res.Header.Get("Retry-After"))
	// The API, with its key, is not counted per address.
	status, _ = call(t, http.MethodGet, base+"/api/v1/sellers/"+seller["id"].(string), token, nil)
	assert.Equal(t, 200, status)
}

// TestServeVerification: the real program serves the public verification of certificates
// without a key, with the verification address made from --public-url (or, without it, from
// the address it listens on), the console's certificate being the API's file with that
// address, and limits it per client address as --public-rate-limit and --public-rate-burst say.
func TestServeVerification(t *testing.T) {
	getenv := testEnv(t)
	code, token, stderr := runCmd(t, getenv, "keys", "create", "--role", "manager", "--name", "e2e")
	require.Equal(t, 0, code, stderr)
	token = strings.TrimSpace(token)
	code, _, stderr = runStdin(t, getenv, "a technician's password\n", "users", "create", "--email", "tech@lab.example",
		"--name", "Tech", "--role", "technician", "--password-stdin")
	require.Equal(t, 0, code, stderr)

	base, stop := startServer(t, getenv, "--public-url", "https://qa.example.org/refurb", "--public-rate-limit", "0.001", "--public-rate-burst", "2")
	defer func() { assert.Equal(t, 0, stop()) }()
	status, seller := call(t, http.MethodPost, base+"/api/v1/sellers", token, map[string]any{"name": "S", "country": "FR", "contact_email": "qa@s.example"})
	require.Equal(t, http.StatusCreated, status)
	status, bt := call(t, http.MethodPost, base+"/api/v1/bench-tests", token, map[string]any{
		"seller_id": seller["id"], "lab": "lab", "tested_at": "2026-10-02T09:00:00Z", "inspection": e2eInspection()})
	require.Equal(t, http.StatusCreated, status, "%v", bt)

	// The code is on the certificate; here it is read where the server stored it.
	st, err := store.Open(context.Background(), store.Config{Driver: store.SQLite, DSN: getenv("REFURBQA_DSN")})
	require.NoError(t, err)
	rec, err := st.BenchTest(context.Background(), bt["id"].(string))
	require.NoError(t, err)
	require.NoError(t, st.Close())

	get := func(path, accept string) (int, http.Header, string) {
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", accept)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, string(body)
	}
	status, _, body := get("/verify/"+strings.ToLower(rec.VerificationCode), "application/json")
	require.Equal(t, http.StatusOK, status, body)
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &v))
	assert.Equal(t, "https://qa.example.org/refurb/verify/"+audit.FormatVerificationCode(rec.VerificationCode), v["verification_url"])
	assert.NotContains(t, body, "356938035643809")
	assert.NotContains(t, body, "qa@s.example")

	// The console's certificate is the API's file: both make its address from --public-url.
	pdf := func(c *http.Client, path, token string) []byte {
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := c.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s: %.300s", path, body)
		require.Equal(t, "application/pdf", res.Header.Get("Content-Type"), path)
		return body
	}
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	tech := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	res, err := tech.PostForm(base+"/console/signin", url.Values{"email": {"tech@lab.example"}, "password": {"a technician's password"}})
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusOK, res.StatusCode)
	fromAPI := pdf(http.DefaultClient, "/api/v1/bench-tests/"+rec.ID+"/certificate.pdf", token)
	assert.Equal(t, fromAPI, pdf(tech, "/console/bench-tests/"+rec.ID+"/certificate.pdf", ""), "the same bytes")

	status, h, body := get("/verify/ZZZZZZZZZZZZZZZZ", "text/html")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
	assert.Contains(t, body, "No device grade certificate has this verification code")
	status, h, _ = get("/verify", "text/html")
	assert.Equal(t, http.StatusTooManyRequests, status, "the third request of this address")
	assert.NotEmpty(t, h.Get("Retry-After"))
}

// e2eInspection is a pristine smartphone inspection.
func e2eInspection() map[string]any {
	fn := map[string]any{}
	for _, c := range []string{"power_on", "display", "touchscreen", "buttons", "earpiece", "loudspeaker", "microphone",
		"front_camera", "rear_camera", "flash", "vibration", "proximity_sensor", "motion_sensors", "biometrics", "wifi",
		"bluetooth", "cellular", "sim_reader", "gps", "nfc", "charging_port"} {
		fn[c] = "pass"
	}
	zone := map[string]any{"light_scratches": 0, "deep_scratches": 0, "dents": 0, "chips": 0, "cracks": 0, "visible_from_cm": 0}
	return map[string]any{
		"device":     map[string]any{"category": "smartphone", "brand": "Apple", "model": "iPhone 13", "imei": "356938035643809"},
		"functional": fn,
		"battery":    map[string]any{"health_pct": 95, "genuine": true},
		"cosmetic":   map[string]any{"screen": zone, "body": zone},
		"compliance": map[string]any{"activation_lock": false, "imei_status": "clean", "liquid_damage": false, "data_erased": true,
			"factory_reset": true, "os_up_to_date": true, "markings_intact": true, "display_like_for_like": true},
		"parts": map[string]any{"non_genuine": []string{}, "disclosed": true},
	}
}

func TestDefaultPublicURL(t *testing.T) {
	for _, tc := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://127.0.0.1:8080"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://localhost:8080"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 9000}, "http://localhost:9000"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 80}, "http://[::1]:80"},
	} {
		assert.Equal(t, tc.want, defaultPublicURL(tc.addr))
	}
}
