// Package impact is the Go face of impact-conversions: impact.com server-side conversion
// tracking on the project's Rust core, linked through its C ABI (bindings-ffi).
//
// Build the library first (`cargo build -p impact-conversions-ffi`, or `--release` and set
// CGO_LDFLAGS to that directory); this package links target/debug by default.
package impact

/*
#cgo CFLAGS: -I${SRCDIR}/../include
#cgo LDFLAGS: -L${SRCDIR}/../../target/debug -limpact_conversions -Wl,-rpath,${SRCDIR}/../../target/debug
#include <stdlib.h>
#include "impact_conversions.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
	"unsafe"
)

// call runs one C function with borrowed C strings and returns its output and status.
func call(fn func(out **C.char) C.ImpactStatus) (string, error) {
	var out *C.char
	status := fn(&out)
	text := ""
	if out != nil {
		text = C.GoString(out)
		C.impact_string_free(out)
	}
	if status != C.IMPACT_STATUS_OK {
		return "", errorFromJSON(text)
	}
	return text, nil
}

func cstr(s string) *C.char { return C.CString(s) }

func free(ps ...*C.char) {
	for _, p := range ps {
		C.free(unsafe.Pointer(p))
	}
}

func toJSON(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case []byte:
		return string(t), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", &Error{Code: "validation", Message: fmt.Sprintf("cannot encode the input as JSON: %v", err)}
	}
	return string(b), nil
}

// Version of the linked library.
func Version() string { return C.GoString(C.impact_version()) }

// Validate reports every error and warning at once; it fails only for unusable input.
func Validate(conversion any) (*ValidationResult, error) {
	in, err := toJSON(conversion)
	if err != nil {
		return nil, err
	}
	c := cstr(in)
	defer free(c)
	out, err := call(func(o **C.char) C.ImpactStatus { return C.ImpactStatus(C.impact_validate(c, o)) })
	if err != nil {
		return nil, err
	}
	var r ValidationResult
	return &r, json.Unmarshal([]byte(out), &r)
}

// Encode returns the exact form body that would be sent, or a *Error with code validation.
func Encode(conversion any) (string, error) {
	in, err := toJSON(conversion)
	if err != nil {
		return "", err
	}
	c := cstr(in)
	defer free(c)
	return call(func(o **C.char) C.ImpactStatus { return C.ImpactStatus(C.impact_encode(c, o)) })
}

// AllocateDiscount shows how impact.com spreads OrderDiscount over the items.
func AllocateDiscount(conversion any) (*Allocation, error) {
	in, err := toJSON(conversion)
	if err != nil {
		return nil, err
	}
	c := cstr(in)
	defer free(c)
	out, err := call(func(o **C.char) C.ImpactStatus { return C.ImpactStatus(C.impact_allocate_discount(c, o)) })
	if err != nil {
		return nil, err
	}
	var a Allocation
	return &a, json.Unmarshal([]byte(out), &a)
}

// Config of a Client. Zero values take the core's defaults (5 attempts, 30 s deadline, ...).
type Config struct {
	AccountSID       string `json:"account_sid"`
	AuthToken        string `json:"auth_token"`
	BaseURL          string `json:"base_url,omitempty"`
	MaxAttempts      int    `json:"max_attempts,omitempty"`
	BaseDelayMs      int    `json:"base_delay_ms,omitempty"`
	MaxDelayMs       int    `json:"max_delay_ms,omitempty"`
	DeadlineMs       int    `json:"deadline_ms,omitempty"`
	AttemptTimeoutMs int    `json:"attempt_timeout_ms,omitempty"`
}

// String never shows the token (fmt's %v and %+v use it).
func (c Config) String() string {
	return fmt.Sprintf("impact.Config{AccountSID:%q, BaseURL:%q, AuthToken:***}", c.AccountSID, c.BaseURL)
}

// GoString never shows the token (%#v).
func (c Config) GoString() string { return c.String() }

// Client submits conversions with retries. Safe for concurrent use; Close it when done.
type Client struct {
	mu     sync.RWMutex
	ptr    *C.ImpactClient
	logger *slog.Logger
}

// Option configures a Client.
type Option func(*Client)

// WithLogger routes attempt, retry, success and give-up events to l (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.logger = l } }

// NewClient validates cfg and creates a client.
func NewClient(cfg Config, opts ...Option) (*Client, error) {
	in, err := toJSON(struct {
		Config
		Binding string `json:"binding"`
	}{cfg, "go"})
	if err != nil {
		return nil, err
	}
	c := cstr(in)
	defer free(c)
	var ptr *C.ImpactClient
	if _, err := call(func(o **C.char) C.ImpactStatus { return C.ImpactStatus(C.impact_client_new(c, &ptr, o)) }); err != nil {
		return nil, err
	}
	client := &Client{ptr: ptr, logger: slog.Default()}
	for _, opt := range opts {
		opt(client)
	}
	return client, nil
}

// NewClientFromEnv reads IMPACT_ACCOUNT_SID, IMPACT_AUTH_TOKEN and IMPACT_BASE_URL.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	return NewClient(Config{
		AccountSID: os.Getenv("IMPACT_ACCOUNT_SID"),
		AuthToken:  os.Getenv("IMPACT_AUTH_TOKEN"),
		BaseURL:    os.Getenv("IMPACT_BASE_URL"),
	}, opts...)
}

// Close frees the client; calls after Close fail with a validation error.
func (c *Client) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr != nil {
		C.impact_client_free(c.ptr)
		c.ptr = nil
	}
}

func (c *Client) String() string { return "impact.Client{}" }

// run calls one client function; a cancelled or expired ctx cancels the call promptly.
func (c *Client) run(ctx context.Context, arg string, fn func(*C.ImpactClient, *C.char, *C.ImpactCancel, **C.char) C.ImpactStatus) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return "", &Error{Code: "validation", Message: "the client is closed"}
	}
	cancel := C.impact_cancel_new()
	defer C.impact_cancel_free(cancel)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-ctx.Done():
			C.impact_cancel_trigger(cancel)
		case <-done:
		}
	}()
	a := cstr(arg)
	defer free(a)
	out, err := call(func(o **C.char) C.ImpactStatus { return fn(c.ptr, a, cancel, o) })
	close(done)
	<-stopped
	c.logEvents()
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	return out, err
}

// logEvents forwards the core's queued events to slog on the caller's goroutine.
func (c *Client) logEvents() {
	out, err := call(func(o **C.char) C.ImpactStatus { return C.ImpactStatus(C.impact_client_events(c.ptr, o)) })
	if err != nil {
		return
	}
	var events []map[string]any
	if json.Unmarshal([]byte(out), &events) != nil {
		return
	}
	for _, e := range events {
		level := slog.LevelDebug
		switch e["kind"] {
		case "retry", "success":
			level = slog.LevelInfo
		case "give_up":
			level = slog.LevelWarn
		}
		attrs := make([]any, 0, 2*len(e))
		for k, v := range e {
			if k != "kind" {
				attrs = append(attrs, k, v)
			}
		}
		c.logger.Log(context.Background(), level, fmt.Sprintf("impact %v", e["kind"]), attrs...)
	}
}

func decode[T any](out string, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return nil, &Error{Code: "internal", Message: fmt.Sprintf("unreadable result: %v", err)}
	}
	return &v, nil
}

// Submit validates and submits one conversion (a Conversion, a map, or JSON text).
func (c *Client) Submit(ctx context.Context, conversion any) (*Receipt, error) {
	in, err := toJSON(conversion)
	if err != nil {
		return nil, err
	}
	return decode[Receipt](c.run(ctx, in, func(p *C.ImpactClient, a *C.char, k *C.ImpactCancel, o **C.char) C.ImpactStatus {
		return C.ImpactStatus(C.impact_submit(p, a, k, o))
	}))
}

// SubmitMany submits at most concurrency at a time; one Result per input, in order.
func (c *Client) SubmitMany(ctx context.Context, conversions []any, concurrency int) ([]Result, error) {
	in, err := toJSON(map[string]any{"conversions": conversions, "concurrency": concurrency})
	if err != nil {
		return nil, err
	}
	out, err := c.run(ctx, in, func(p *C.ImpactClient, a *C.char, k *C.ImpactCancel, o **C.char) C.ImpactStatus {
		return C.ImpactStatus(C.impact_submit_many(p, a, k, o))
	})
	if err != nil {
		return nil, err
	}
	var raw []struct {
		Ok    *Receipt        `json:"ok"`
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		return nil, err
	}
	results := make([]Result, len(raw))
	for i, r := range raw {
		results[i].Receipt = r.Ok
		if r.Ok == nil {
			results[i].Err = errorFromJSON(string(r.Error))
		}
	}
	return results, nil
}

// SubmissionStatus of a submission id or QueuedUri.
func (c *Client) SubmissionStatus(ctx context.Context, id string) (*SubmissionStatus, error) {
	return decode[SubmissionStatus](c.run(ctx, id, func(p *C.ImpactClient, a *C.char, k *C.ImpactCancel, o **C.char) C.ImpactStatus {
		return C.ImpactStatus(C.impact_submission_status(p, a, k, o))
	}))
}

// WaitForSubmission polls until processed, at most timeout (or until ctx ends).
func (c *Client) WaitForSubmission(ctx context.Context, id string, timeout time.Duration) (*SubmissionStatus, error) {
	secs := C.double(timeout.Seconds())
	return decode[SubmissionStatus](c.run(ctx, id, func(p *C.ImpactClient, a *C.char, k *C.ImpactCancel, o **C.char) C.ImpactStatus {
		return C.ImpactStatus(C.impact_wait_for_submission(p, a, secs, k, o))
	}))
}

// ModifyAction sends PUT /Actions (returns, partial refunds), e.g.
// map[string]any{"action_id": id, "reason": "ITEM_RETURNED", "amount": "10.00"}.
func (c *Client) ModifyAction(ctx context.Context, change any) (*Receipt, error) {
	in, err := toJSON(change)
	if err != nil {
		return nil, err
	}
	return decode[Receipt](c.run(ctx, in, func(p *C.ImpactClient, a *C.char, k *C.ImpactCancel, o **C.char) C.ImpactStatus {
		return C.ImpactStatus(C.impact_modify_action(p, a, k, o))
	}))
}

// ReverseAction sends DELETE /Actions with a DispositionCode.
func (c *Client) ReverseAction(ctx context.Context, reversal any) (*Receipt, error) {
	in, err := toJSON(reversal)
	if err != nil {
		return nil, err
	}
	return decode[Receipt](c.run(ctx, in, func(p *C.ImpactClient, a *C.char, k *C.ImpactCancel, o **C.char) C.ImpactStatus {
		return C.ImpactStatus(C.impact_reverse_action(p, a, k, o))
	}))
}
