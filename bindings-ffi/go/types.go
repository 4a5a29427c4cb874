package impact

import (
	"encoding/json"
	"fmt"
	"time"
)

// Decimal is money or a number as exact decimal text ("14.00"); never a binary float.
type Decimal string

// Conversion is one conversion. Fields holds any other parameter by impact's name
// (e.g. "CustomerCity") or snake_case; custom fields too ("text1", "Numeric2").
type Conversion struct {
	CampaignID      int64          `json:"campaign_id,omitempty"`
	EventTypeID     int64          `json:"event_type_id,omitempty"`
	EventTypeCode   string         `json:"event_type_code,omitempty"`
	EventDate       time.Time      `json:"-"`
	OrderID         string         `json:"order_id,omitempty"`
	ClickID         string         `json:"click_id,omitempty"`
	CustomerID      string         `json:"customer_id,omitempty"`
	CustomProfileID string         `json:"custom_profile_id,omitempty"`
	OrderPromoCode  string         `json:"order_promo_code,omitempty"`
	MediaPartnerID  int64          `json:"media_partner_id,omitempty"`
	CurrencyCode    string         `json:"currency_code,omitempty"`
	Amount          Decimal        `json:"amount,omitempty"`
	OrderDiscount   Decimal        `json:"order_discount,omitempty"`
	OrderShipping   Decimal        `json:"order_shipping,omitempty"`
	OrderTax        Decimal        `json:"order_tax,omitempty"`
	CustomerEmail   string         `json:"customer_email,omitempty"`
	CustomerStatus  string         `json:"customer_status,omitempty"`
	IPAddress       string         `json:"ip_address,omitempty"`
	UserAgent       string         `json:"user_agent,omitempty"`
	Note            string         `json:"note,omitempty"`
	Items           []Item         `json:"items,omitempty"`
	Fields          map[string]any `json:"-"`
}

// MarshalJSON writes the core's JSON shape: EventDate as RFC 3339 with its offset, and
// Fields merged in (a key given twice is reported by the core).
func (c Conversion) MarshalJSON() ([]byte, error) {
	type plain Conversion
	b, err := json.Marshal(plain(c))
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	if !c.EventDate.IsZero() {
		out["event_date"] = c.EventDate.Format(time.RFC3339Nano)
	}
	for k, v := range c.Fields {
		if _, taken := out[k]; taken {
			return nil, &Error{Code: "validation", Message: fmt.Sprintf("%s is set both as a field and in Fields", k)}
		}
		out[k] = v
	}
	return json.Marshal(out)
}

// Item is one line item; give Price or SubTotal, never both.
type Item struct {
	Sku       string         `json:"sku,omitempty"`
	Name      string         `json:"name,omitempty"`
	Category  string         `json:"category,omitempty"`
	Quantity  int64          `json:"quantity,omitempty"`
	Price     Decimal        `json:"price,omitempty"`
	SubTotal  Decimal        `json:"sub_total,omitempty"`
	Discount  Decimal        `json:"discount,omitempty"`
	PromoCode string         `json:"promo_code,omitempty"`
	Fields    map[string]any `json:"-"`
}

// MarshalJSON merges Fields.
func (it Item) MarshalJSON() ([]byte, error) {
	type plain Item
	b, err := json.Marshal(plain(it))
	if err != nil || len(it.Fields) == 0 {
		return b, err
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	for k, v := range it.Fields {
		out[k] = v
	}
	return json.Marshal(out)
}

// Issue is one validation problem.
type Issue struct {
	Code    string `json:"code"`
	Path    string `json:"path"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// ValidationResult holds every error and warning.
type ValidationResult struct {
	Errors   []Issue `json:"errors"`
	Warnings []Issue `json:"warnings"`
}

// Valid reports whether there is no error.
func (r ValidationResult) Valid() bool { return len(r.Errors) == 0 }

// Receipt is impact.com's answer to an accepted submission (queued, processed later).
type Receipt struct {
	Status       string  `json:"status"`
	QueuedURI    string  `json:"queued_uri"`
	SubmissionID string  `json:"submission_id"`
	Attempts     int     `json:"attempts"`
	ElapsedMs    int64   `json:"elapsed_ms"`
	Warnings     []Issue `json:"warnings"`
}

// SubmissionStatus is the processing state of a submission.
type SubmissionStatus struct {
	SubmissionID string          `json:"submission_id"`
	Status       string          `json:"status"`
	Complete     bool            `json:"complete"`
	ErrorType    *string         `json:"error_type"`
	ErrorReason  *string         `json:"error_reason"`
	Raw          json.RawMessage `json:"raw"`
}

// Failed reports a submission processed without recording the conversion.
func (s SubmissionStatus) Failed() bool { return s.ErrorType != nil || s.ErrorReason != nil }

// Result is one outcome of SubmitMany.
type Result struct {
	Receipt *Receipt
	Err     error
}

// Allocation is the discount split per item.
type Allocation struct {
	Currency      string `json:"currency"`
	OrderDiscount string `json:"order_discount"`
	Items         []struct {
		Index    int     `json:"index"`
		Sku      string  `json:"sku"`
		SubTotal Decimal `json:"sub_total"`
		Share    Decimal `json:"share"`
		Net      Decimal `json:"net"`
	} `json:"items"`
}

// APIFieldError is a field error from impact.com's 400 answer.
type APIFieldError struct {
	Field   *string `json:"field"`
	Message string  `json:"message"`
}

// Error is every failure, with the core's stable Code. Use errors.As to read it, or
// errors.Is(err, impact.ErrRateLimited) and friends to test the code.
type Error struct {
	Code      string          `json:"code"`
	Message   string          `json:"message"`
	Issues    []Issue         `json:"issues"`
	Status    *int            `json:"status"`
	Attempts  *int            `json:"attempts"`
	ResetAt   *time.Time      `json:"-"`
	APIErrors []APIFieldError `json:"api_errors"`
}

func (e *Error) Error() string { return fmt.Sprintf("impact: [%s] %s", e.Code, e.Message) }

// Is matches errors by code, so errors.Is(err, ErrTransport) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Message == ""
}

// Retryable reports whether trying again later can succeed.
func (e *Error) Retryable() bool {
	return e.Code == "rate_limited" || e.Code == "transport" || e.Code == "timeout"
}

// Sentinels for errors.Is, one per stable code.
var (
	ErrValidation  = &Error{Code: "validation"}
	ErrConfig      = &Error{Code: "config"}
	ErrAuth        = &Error{Code: "auth"}
	ErrAPI         = &Error{Code: "api"}
	ErrRateLimited = &Error{Code: "rate_limited"}
	ErrTransport   = &Error{Code: "transport"}
	ErrTimeout     = &Error{Code: "timeout"}
	ErrUnconfirmed = &Error{Code: "unconfirmed"}
	ErrInternal    = &Error{Code: "internal"}
)

func errorFromJSON(text string) error {
	var e Error
	var extra struct {
		ResetAt *int64 `json:"reset_at"`
	}
	if json.Unmarshal([]byte(text), &e) != nil || e.Code == "" {
		return &Error{Code: "internal", Message: "unreadable error from the library: " + text}
	}
	if json.Unmarshal([]byte(text), &extra) == nil && extra.ResetAt != nil {
		t := time.Unix(*extra.ResetAt, 0).UTC()
		e.ResetAt = &t
	}
	return &e
}
