package impact

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

var sandboxURL string

func TestMain(m *testing.M) {
	cmd := exec.Command(filepath.Join("..", "..", "target", "debug", "impact-sandbox"), "--port", "0", "--processing-delay-ms", "100")
	out, err := cmd.StdoutPipe()
	if err != nil {
		panic(err)
	}
	if err := cmd.Start(); err != nil {
		panic(fmt.Sprintf("start the emulator (cargo build -p impact-sandbox): %v", err))
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	sandboxURL = strings.TrimPrefix(strings.TrimSpace(line), "IMPACT_SANDBOX_URL=")
	code := m.Run()
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	os.Exit(code)
}

func control(t *testing.T, method, path string, body any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		_ = json.NewEncoder(&buf).Encode(body)
	}
	req, _ := http.NewRequest(method, sandboxURL+"/_sandbox/"+path, &buf)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return b.Bytes()
}

func orders(t *testing.T) map[string]int {
	var m map[string]int
	_ = json.Unmarshal(control(t, "GET", "orders", nil), &m)
	return m
}

func newTestClient(t *testing.T, logger *slog.Logger) *Client {
	t.Helper()
	opts := []Option{}
	if logger != nil {
		opts = append(opts, WithLogger(logger))
	}
	c, err := NewClient(Config{AccountSID: "IRSANDBOX00000000000000000000001", AuthToken: "sandbox-auth-token",
		BaseURL: sandboxURL, BaseDelayMs: 10, MaxDelayMs: 50, DeadlineMs: 5000, AttemptTimeoutMs: 1000}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func order(id string) Conversion {
	return Conversion{CampaignID: 1000, EventTypeID: 9876, EventDate: time.Date(2024, 8, 1, 23, 55, 24, 0, time.FixedZone("", -8*3600)),
		OrderID: id, ClickID: "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0", CurrencyCode: "USD", OrderDiscount: "15.00",
		Items: []Item{{Sku: "1ABC2345", Quantity: 2, SubTotal: "28.00"}, {Sku: "9ZXY7654", Quantity: 3, SubTotal: "99.00"}}}
}

func readVectors(t *testing.T, kind string) map[string]map[string]any {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "tests", "vectors", kind, "*.json"))
	if len(files) < 40 {
		t.Fatalf("only %d vectors in %s", len(files), kind)
	}
	out := map[string]map[string]any{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber() // keep numbers exactly as written: the float traps are the point
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = v
	}
	return out
}

func issueKeys(list any, withField bool) []string {
	var out []string
	items, _ := list.([]any)
	for _, i := range items {
		m := i.(map[string]any)
		f := ""
		if withField && m["field"] != nil {
			f = m["field"].(string)
		}
		out = append(out, fmt.Sprintf("%v|%v|%v", m["code"], m["path"], f))
	}
	sort.Strings(out)
	return out
}

func issuesOf(list []Issue, withField bool) []string {
	raw, _ := json.Marshal(list)
	var v any
	_ = json.Unmarshal(raw, &v)
	return issueKeys(v, withField)
}

func TestConversionVectors(t *testing.T) {
	for name, v := range readVectors(t, "conversions") {
		input, _ := json.Marshal(v["input"])
		expect := v["expect"].(map[string]any)
		report, err := Validate(string(input))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if body, ok := expect["body"]; ok {
			got, err := Encode(string(input))
			if err != nil || got != body {
				t.Errorf("%s: body %q, %v; want %q", name, got, err, body)
			}
			if w, g := issueKeys(expect["warnings"], false), issuesOf(report.Warnings, false); fmt.Sprint(w) != fmt.Sprint(g) {
				t.Errorf("%s: warnings %v want %v", name, g, w)
			}
			if d, ok := expect["discount"]; ok {
				a, err := AllocateDiscount(string(input))
				if err != nil || len(a.Items) != len(d.([]any)) || string(a.Items[0].Share) != d.([]any)[0] {
					t.Errorf("%s: discount %+v, %v", name, a, err)
				}
			}
			continue
		}
		if w, g := issueKeys(expect["errors"], true), issuesOf(report.Errors, true); fmt.Sprint(w) != fmt.Sprint(g) {
			t.Errorf("%s: errors %v want %v", name, g, w)
		}
		if _, err := Encode(string(input)); !errors.Is(err, ErrValidation) {
			t.Errorf("%s: encode accepted an invalid conversion (%v)", name, err)
		}
	}
}

func TestClickIDVectors(t *testing.T) {
	for name, v := range readVectors(t, "clickid") {
		config, _ := v["config"].(map[string]any)
		expected, _ := v["expected"].(map[string]any)
		switch {
		case v["decorate"] != nil:
			d := v["decorate"].(map[string]any)
			now, _ := d["now"].(json.Number).Int64()
			got, err := DecorateURL(config, d["url"].(string), d["click_id"].(string), time.UnixMilli(now))
			if err != nil || got != expected["url"] {
				t.Errorf("%s: %q %v", name, got, err)
			}
		case v["clear"] != nil:
			host := v["clear"].(map[string]any)["host"].(string)
			got, err := ClearClickID(config, host)
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(expected["set_cookie"])
			if err != nil || string(gotJSON) != string(wantJSON) {
				t.Errorf("%s: %s %v; want %s", name, gotJSON, err, wantJSON)
			}
		default:
			req := v["request"].(map[string]any)
			if fills, ok := v["request_fill"].(map[string]any); ok {
				for field, spec := range fills {
					s := spec.(map[string]any)
					n, _ := s["times"].(json.Number).Int64()
					pre, _ := s["prefix"].(string)
					suf, _ := s["suffix"].(string)
					req[field] = pre + strings.Repeat(s["repeat"].(string), int(n)) + suf
				}
			}
			raw, _ := json.Marshal(req)
			var cr CaptureRequest
			_ = json.Unmarshal(raw, &cr)
			cr.Now = req["now"]
			out, err := Capture(config, cr)
			if want, ok := v["expected_error"].(map[string]any); ok {
				var e *Error
				if !errors.As(err, &e) || e.Code != want["code"] {
					t.Errorf("%s: want error %v, got %v", name, want["code"], err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			gotCookies, _ := json.Marshal(out.SetCookie)
			wantCookies, _ := json.Marshal(expected["set_cookie"])
			id := ""
			if out.ClickID != nil {
				id = *out.ClickID
			}
			wantID, _ := expected["click_id"].(string)
			if string(gotCookies) != string(wantCookies) || id != wantID || out.Store != expected["store"] {
				t.Errorf("%s: got %s %q %v", name, gotCookies, id, out.Store)
			}
		}
	}
}

func TestSubmitRetriesAndCodes(t *testing.T) {
	control(t, "POST", "reset", nil)
	var logs bytes.Buffer
	c := newTestClient(t, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	control(t, "POST", "script", map[string]any{"responses": []any{map[string]any{"status": 503}, map[string]any{"fault": "drop"}}})
	r, err := c.Submit(context.Background(), order("G-retry"))
	if err != nil || r.Attempts != 3 || r.Status != "QUEUED" {
		t.Fatalf("%+v %v", r, err)
	}
	if orders(t)["G-retry"] != 1 {
		t.Fatal("not delivered exactly once")
	}
	if !strings.Contains(logs.String(), `"msg":"impact retry"`) || strings.Contains(logs.String(), "sandbox-auth-token") {
		t.Fatalf("slog: %s", logs.String())
	}
	for status, want := range map[int]error{400: ErrAPI, 401: ErrAuth, 403: ErrAuth, 404: ErrAPI, 422: ErrAPI} {
		control(t, "POST", "script", map[string]any{"responses": []any{map[string]any{"status": status}}})
		_, err := c.Submit(context.Background(), order("G-fatal"))
		var e *Error
		if !errors.Is(err, want) || !errors.As(err, &e) || *e.Attempts != 1 || e.Retryable() {
			t.Fatalf("%d: %v", status, err)
		}
	}
	_, err = c.Submit(context.Background(), Conversion{OrderID: "x"})
	var e *Error
	if !errors.As(err, &e) || e.Code != "validation" || len(e.Issues) < 3 {
		t.Fatalf("validation: %v", err)
	}
}

func TestRateLimitAndStatus(t *testing.T) {
	control(t, "POST", "reset", nil)
	c := newTestClient(t, nil)
	control(t, "POST", "script", map[string]any{"responses": []any{map[string]any{"status": 429, "rate_limit_reset": map[string]any{"delta": 600}}}})
	start := time.Now()
	_, err := c.Submit(context.Background(), order("G-429"))
	var e *Error
	if !errors.Is(err, ErrRateLimited) || !errors.As(err, &e) || e.ResetAt == nil || time.Since(start) > time.Second {
		t.Fatalf("%v", err)
	}
	c2 := newTestClient(t, nil)
	r, err := c2.Submit(context.Background(), order("G-status"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := c2.WaitForSubmission(context.Background(), r.QueuedURI, 5*time.Second)
	if err != nil || !s.Complete || s.Failed() {
		t.Fatalf("%+v %v", s, err)
	}
	rs, err := c2.SubmitMany(context.Background(), []any{order("G-m1"), map[string]any{"order_id": "bad"}}, 2)
	if err != nil || rs[0].Receipt == nil || !errors.Is(rs[1].Err, ErrValidation) {
		t.Fatalf("%+v %v", rs, err)
	}
	if _, err := c2.ReverseAction(context.Background(), map[string]any{"action_id": "1000.1.1", "disposition_code": "ITEM_RETURNED"}); err != nil {
		t.Fatal(err)
	}
}

func TestHundredGoroutines(t *testing.T) {
	control(t, "POST", "reset", nil)
	c := newTestClient(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, err := c.Submit(context.Background(), order(fmt.Sprintf("G-go-%d", i))); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := len(orders(t)); n != 100 {
		t.Fatalf("%d orders", n)
	}
}

func TestContextCancelReturnsPromptly(t *testing.T) {
	c, err := NewClient(Config{AccountSID: "IRSANDBOX00000000000000000000001", AuthToken: "t", BaseURL: "http://127.0.0.1:9",
		MaxAttempts: 100000, BaseDelayMs: 10, MaxDelayMs: 50, DeadlineMs: 30000})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Submit(ctx, order("G-ctx"))
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
	if s := fmt.Sprintf("%v %+v %#v", Config{AuthToken: "t0ken"}, Config{AuthToken: "t0ken"}, Config{AuthToken: "t0ken"}); strings.Contains(s, "t0ken") {
		t.Fatal("token printed")
	}
}

func TestMiddleware(t *testing.T) {
	handler := Middleware(nil, func(r *http.Request) string {
		if r.Header.Get("X-Consent") == "no" {
			return "denied"
		}
		return "granted"
	}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(ClickIDFromContext(r.Context())))
	}))
	req := httptest.NewRequest("GET", "https://www.example.com/landing?irclickid=Abc:1", nil)
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	cookies := rec.Header().Values("Set-Cookie")
	if rec.Body.String() != "Abc:1" || len(cookies) != 1 || !strings.Contains(cookies[0], ".Abc:1; Max-Age=2592000; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax") {
		t.Fatalf("%q %v", rec.Body.String(), cookies)
	}
	back := httptest.NewRequest("GET", "https://www.example.com/checkout", nil)
	back.Header.Set("Cookie", strings.SplitN(cookies[0], ";", 2)[0])
	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, back)
	if rec.Body.String() != "Abc:1" || len(rec.Header().Values("Set-Cookie")) != 0 {
		t.Fatalf("return visit: %q %v", rec.Body.String(), rec.Header().Values("Set-Cookie"))
	}
	denied := httptest.NewRequest("GET", "https://www.example.com/?irclickid=Z2", nil)
	denied.Header.Set("X-Consent", "no")
	denied.Header.Set("Cookie", strings.SplitN(cookies[0], ";", 2)[0])
	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, denied)
	for _, c := range rec.Header().Values("Set-Cookie") {
		if !strings.Contains(c, "Max-Age=0") {
			t.Fatalf("consent denied stored a cookie: %v", c)
		}
	}
}
