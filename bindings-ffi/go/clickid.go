package impact

/*
#include <stdlib.h>
#include "impact_conversions.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// CaptureRequest is what capture looks at; Now defaults to the current time.
type CaptureRequest struct {
	Scheme         string `json:"scheme"`
	Host           string `json:"host"`
	URL            string `json:"url,omitempty"`
	Query          string `json:"query,omitempty"`
	Cookie         string `json:"cookie,omitempty"`
	Referer        string `json:"referer,omitempty"`
	ForwardedProto string `json:"forwarded_proto,omitempty"`
	Consent        string `json:"consent,omitempty"`
	Now            any    `json:"now"`
}

// CaptureOutcome says which click id to use and the exact Set-Cookie values to send.
type CaptureOutcome struct {
	ClickID    *string           `json:"click_id"`
	Source     *string           `json:"source"`
	Store      bool              `json:"store"`
	CapturedAt *int64            `json:"captured_at"`
	SetCookie  []string          `json:"set_cookie"`
	Warnings   []json.RawMessage `json:"warnings"`
}

func configJSON(config map[string]any) (string, error) {
	if config == nil {
		return "{}", nil
	}
	return toJSON(config)
}

// Capture decides what to do with irclickid on one request (config: the core's
// ClickIdConfig as a map; nil for the defaults).
func Capture(config map[string]any, req CaptureRequest) (*CaptureOutcome, error) {
	if req.Now == nil {
		req.Now = time.Now().UnixMilli()
	}
	cfg, err := configJSON(config)
	if err != nil {
		return nil, err
	}
	in, err := toJSON(req)
	if err != nil {
		return nil, err
	}
	c, r := cstr(cfg), cstr(in)
	defer free(c, r)
	return decode[CaptureOutcome](call(func(o **C.char) C.ImpactStatus { return C.ImpactStatus(C.impact_capture(c, r, o)) }))
}

// ReadStored returns the click id kept in a Cookie header, if still in the referral window.
func ReadStored(config map[string]any, cookieHeader string, now time.Time) (string, error) {
	cfg, err := configJSON(config)
	if err != nil {
		return "", err
	}
	c, h := cstr(cfg), cstr(cookieHeader)
	defer free(c, h)
	out, err := decode[CaptureOutcome](call(func(o **C.char) C.ImpactStatus {
		return C.ImpactStatus(C.impact_read_stored(c, h, C.int64_t(now.UnixMilli()), o))
	}))
	if err != nil || out.ClickID == nil {
		return "", err
	}
	return *out.ClickID, nil
}

// DecorateURL adds the click id (or a signed hand-off token) to links to sister domains;
// every other URL comes back unchanged.
func DecorateURL(config map[string]any, url, clickID string, now time.Time) (string, error) {
	cfg, err := configJSON(config)
	if err != nil {
		return "", err
	}
	c, u, id := cstr(cfg), cstr(url), cstr(clickID)
	defer free(c, u, id)
	out, err := decode[struct {
		URL string `json:"url"`
	}](call(func(o **C.char) C.ImpactStatus {
		return C.ImpactStatus(C.impact_decorate_url(c, u, id, C.int64_t(now.UnixMilli()), o))
	}))
	if err != nil {
		return "", err
	}
	return out.URL, nil
}

// ClearClickID returns the Set-Cookie values that delete the click-id cookie for host in
// both scopes (host-only and registrable domain), for a withdrawn consent or a logout.
func ClearClickID(config map[string]any, host string) ([]string, error) {
	cfg, err := configJSON(config)
	if err != nil {
		return nil, err
	}
	c, h := cstr(cfg), cstr(host)
	defer free(c, h)
	out, err := decode[[]string](call(func(o **C.char) C.ImpactStatus {
		return C.ImpactStatus(C.impact_clear(c, h, o))
	}))
	if err != nil {
		return nil, err
	}
	return *out, nil
}

type contextKey struct{}

// ClickIDFromContext returns the click id the middleware found for this request.
func ClickIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(contextKey{}).(string)
	return id
}

// Middleware captures irclickid on every request, stores the click id in the request
// context (ClickIDFromContext) and adds the core's exact Set-Cookie values to the response.
// consent returns "granted", "denied" or "unknown" for a request (nil: "unknown").
func Middleware(config map[string]any, consent func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		state := "unknown"
		if consent != nil {
			state = consent(r)
		}
		out, err := Capture(config, CaptureRequest{
			Scheme: scheme, Host: r.Host, URL: r.URL.RequestURI(), Cookie: r.Header.Get("Cookie"),
			Referer: r.Referer(), ForwardedProto: r.Header.Get("X-Forwarded-Proto"), Consent: state,
		})
		if err == nil {
			for _, v := range out.SetCookie {
				w.Header().Add("Set-Cookie", v)
			}
			if out.ClickID != nil {
				r = r.WithContext(context.WithValue(r.Context(), contextKey{}, *out.ClickID))
			}
		}
		next.ServeHTTP(w, r)
	})
}
