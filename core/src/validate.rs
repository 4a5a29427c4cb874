//! Every rule impact.com documents for a conversion, checked before anything leaves the
//! process. All problems are reported at once; warnings (allowed, but probably a mistake)
//! are kept apart from errors.
//!
//! | code | meaning |
//! |---|---|
//! | `required` | a required field is missing or blank |
//! | `one_of_required` | none of a group is given (event id, attribution key, item price) |
//! | `mutually_exclusive` | two fields that exclude each other are both given |
//! | `invalid_type` | the JSON type is wrong (an array for a string, `2.5` items) |
//! | `invalid_format` | the text does not parse (date without offset, IP, URL, decimal) |
//! | `invalid_json` | the input text is not JSON |
//! | `too_long` | over impact's length limit (ClickId 64, Text 64, Note/SubId 255), in characters |
//! | `too_many_decimals` | money finer than the currency's minor unit (`0.30000000000000004` USD) |
//! | `negative_amount` | a negative amount where a conversion takes none |
//! | `out_of_range` | an id or quantity below 1, a rate outside 0..100 |
//! | `unknown_field` | a key that is not a parameter; the message names the closest one |
//! | `duplicate_field` | the same parameter given twice (under one or two spellings) |
//! | `invalid_currency` | not an ISO 4217 code with a minor unit |
//! | `invalid_character` | a control character (CR, LF, TAB, NUL, ...) in a value |
//! | `empty_value` | an optional text field given as an empty string |
//! | `invalid_field_name` | an `extra` name that is not a parameter name |
//! | `shadowed_field` | an `extra` name that is a modelled parameter |
//!
//! Warnings: `discount_exceeds_items`, `future_event_date`, `sub_id_without_media`.

use crate::currency::Currency;
use crate::model::{Conversion, Custom, Family, FieldSpec, Item, Kind, SlotRef};
use crate::money::significant_scale;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

/// Stable issue codes (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode {
    Required,
    OneOfRequired,
    MutuallyExclusive,
    InvalidType,
    InvalidFormat,
    InvalidJson,
    TooLong,
    TooManyDecimals,
    NegativeAmount,
    OutOfRange,
    UnknownField,
    DuplicateField,
    InvalidCurrency,
    InvalidCharacter,
    EmptyValue,
    InvalidFieldName,
    ShadowedField,
    DiscountExceedsItems,
    FutureEventDate,
    SubIdWithoutMedia,
}

impl IssueCode {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::Required => "required",
            IssueCode::OneOfRequired => "one_of_required",
            IssueCode::MutuallyExclusive => "mutually_exclusive",
            IssueCode::InvalidType => "invalid_type",
            IssueCode::InvalidFormat => "invalid_format",
            IssueCode::InvalidJson => "invalid_json",
            IssueCode::TooLong => "too_long",
            IssueCode::TooManyDecimals => "too_many_decimals",
            IssueCode::NegativeAmount => "negative_amount",
            IssueCode::OutOfRange => "out_of_range",
            IssueCode::UnknownField => "unknown_field",
            IssueCode::DuplicateField => "duplicate_field",
            IssueCode::InvalidCurrency => "invalid_currency",
            IssueCode::InvalidCharacter => "invalid_character",
            IssueCode::EmptyValue => "empty_value",
            IssueCode::InvalidFieldName => "invalid_field_name",
            IssueCode::ShadowedField => "shadowed_field",
            IssueCode::DiscountExceedsItems => "discount_exceeds_items",
            IssueCode::FutureEventDate => "future_event_date",
            IssueCode::SubIdWithoutMedia => "sub_id_without_media",
        }
    }
}

/// One problem: what (`code`), where in the caller's model (`path`, e.g. `items[1].quantity`,
/// 0-based), under which wire name (`field`, e.g. `ItemQuantity2`), and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub code: IssueCode,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

impl Issue {
    pub fn new(
        code: IssueCode,
        path: impl Into<String>,
        field: Option<String>,
        message: impl Into<String>,
    ) -> Issue {
        Issue {
            code,
            path: path.into(),
            field,
            message: message.into(),
        }
    }
}

/// The outcome of validation: `errors` block sending, `warnings` do not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// How far in the future an `EventDate` may be before it draws a warning (clock skew).
const FUTURE_SLACK_SECS: i64 = 300;

/// Validates against the current time (for the future-date warning).
pub fn validate(conversion: &Conversion) -> Report {
    validate_at(conversion, Utc::now())
}

/// Validates as if the time were `now`.
pub fn validate_at(c: &Conversion, now: DateTime<Utc>) -> Report {
    let mut v = Checker {
        report: Report::default(),
        currency: c.currency_code.as_deref().and_then(Currency::from_code),
    };
    v.required_and_groups(c);
    c.for_each_slot(|spec, slot| v.field(spec, slot, Loc::Order(spec)));
    v.special_formats(c);
    v.custom(&c.custom, "", |f, n| format!("{}{n}", f.wire()));
    for (i, item) in c.items.iter().enumerate() {
        v.item(i, item);
    }
    v.extras(c);
    v.warnings(c, now);
    v.report
}

/// Validates the JSON shape: reading problems and rule violations together.
pub fn validate_json(value: &serde_json::Value) -> Report {
    let (conv, issues) = crate::keys::read_conversion(&crate::keys::Json::from(value));
    merge_reading(issues, &conv)
}

/// Validates JSON text (a repeated key in the text is reported too).
pub fn validate_json_str(text: &str) -> Report {
    match crate::keys::Json::parse(text) {
        Ok(json) => {
            let (conv, issues) = crate::keys::read_conversion(&json);
            merge_reading(issues, &conv)
        }
        Err(e) => Report {
            errors: e.issues,
            warnings: Vec::new(),
        },
    }
}

/// Reading problems first, then the rule violations of what could be read, minus those about
/// a field whose value could not be read (its reading problem already says what is wrong).
pub(crate) fn merge_reading(read: Vec<Issue>, conv: &Conversion) -> Report {
    if read.iter().any(|r| r.path.is_empty()) {
        // The input as a whole is unreadable: rule violations of an empty model would be noise.
        return Report {
            errors: read,
            warnings: Vec::new(),
        };
    }
    let mut report = validate(conv);
    let covered = |path: &str| {
        read.iter().any(|r| {
            !r.path.is_empty()
                && (path == r.path
                    || path
                        .strip_prefix(r.path.as_str())
                        .is_some_and(|rest| rest.starts_with('.')))
        })
    };
    report.errors.retain(|i| !covered(&i.path));
    let mut errors = read;
    errors.append(&mut report.errors);
    report.errors = errors;
    report
}

/// Keys that can attribute a conversion, as (snake path, wire name).
const ATTRIBUTION_KEYS: &str =
    "click_id (the captured irclickid), customer_id, custom_profile_id, \
custom_click_id, order_promo_code, media_id or media_partner_id, unique_url, caller_id, goog_aid, \
android_id, apple_ifa or apple_ifv";

/// Where a checked value sits; the path and wire name are only built when there is
/// something to report (validation runs on every submit).
#[derive(Clone, Copy)]
enum Loc<'a> {
    Order(&'a FieldSpec),
    Item(usize, &'a FieldSpec),
    /// (path, wire name)
    Named(&'a str, &'a str),
}

impl Loc<'_> {
    fn path(&self) -> String {
        match self {
            Loc::Order(spec) => spec.snake.to_owned(),
            Loc::Item(i, spec) => format!("items[{i}].{}", spec.snake),
            Loc::Named(path, _) => (*path).to_owned(),
        }
    }

    fn wire(&self) -> String {
        match self {
            Loc::Order(spec) => spec.wire.to_owned(),
            Loc::Item(i, spec) => format!("Item{}{}", spec.wire, i + 1),
            Loc::Named(_, wire) => (*wire).to_owned(),
        }
    }
}

struct Checker {
    report: Report,
    currency: Option<Currency>,
}

fn max_chars(wire: &str) -> Option<usize> {
    match wire {
        "ClickId" => Some(64),
        "Note" | "SubId1" | "SubId2" | "SubId3" | "SharedId" => Some(255),
        _ => None,
    }
}

impl Checker {
    fn error(&mut self, code: IssueCode, path: impl Into<String>, field: &str, message: String) {
        self.report
            .errors
            .push(Issue::new(code, path, Some(field.to_owned()), message));
    }

    fn warning(&mut self, code: IssueCode, path: &str, field: &str, message: String) {
        self.report
            .warnings
            .push(Issue::new(code, path, Some(field.to_owned()), message));
    }

    fn required_and_groups(&mut self, c: &Conversion) {
        if c.campaign_id.is_none() {
            self.error(
                IssueCode::Required,
                "campaign_id",
                "CampaignId",
                "CampaignId is required: your impact.com program id (e.g. 1000)".into(),
            );
        }
        if c.event_date.is_none() {
            self.error(IssueCode::Required, "event_date", "EventDate",
                "EventDate is required: when the conversion happened, RFC 3339 with an offset (e.g. 2024-08-01T23:55:24-08:00)".into());
        }
        if c.order_id.as_deref().is_none_or(|s| s.trim().is_empty()) {
            self.error(IssueCode::Required, "order_id", "OrderId",
                "OrderId is required: your unique, non-empty order id (it keeps retries from double-reporting)".into());
        }
        match (c.event_type_id.is_some(), c.event_type_code.is_some()) {
            (false, false) => self.error(IssueCode::OneOfRequired, "event_type_id", "EventTypeId",
                "an event type is required: set event_type_id (EventTypeId, formerly ActionTrackerId) or event_type_code (EventTypeCode)".into()),
            (true, true) => self.error(IssueCode::MutuallyExclusive, "event_type_code", "EventTypeCode",
                "give exactly one event type: event_type_id or event_type_code, not both".into()),
            _ => {}
        }
        let keys = [
            c.click_id.is_some(),
            c.customer_id.is_some(),
            c.custom_profile_id.is_some(),
            c.custom_click_id.is_some(),
            c.order_promo_code.is_some(),
            c.media_id.is_some(),
            c.media_partner_id.is_some(),
            c.unique_url.is_some(),
            c.caller_id.is_some(),
            c.goog_aid.is_some(),
            c.android_id.is_some(),
            c.apple_ifa.is_some(),
            c.apple_ifv.is_some(),
        ];
        if !keys.contains(&true) {
            self.error(
                IssueCode::OneOfRequired,
                "click_id",
                "ClickId",
                format!("at least one attribution key is required: {ATTRIBUTION_KEYS}"),
            );
        }
        if c.media_id.is_some() && c.media_partner_id.is_some() {
            self.error(
                IssueCode::MutuallyExclusive,
                "media_partner_id",
                "MediaPartnerId",
                "media_id and media_partner_id name the same partner: give only one".into(),
            );
        }
        match c.currency_code.as_deref() {
            None if c.has_money() => self.error(
                IssueCode::Required,
                "currency_code",
                "CurrencyCode",
                "CurrencyCode is required when any amount is sent: an ISO 4217 code such as USD"
                    .into(),
            ),
            Some(code) if self.currency.is_none() => {
                let hint = if Currency::from_code(&code.to_ascii_uppercase()).is_some() {
                    format!(": write it in capitals, {}", code.to_ascii_uppercase())
                } else {
                    String::new()
                };
                self.error(IssueCode::InvalidCurrency, "currency_code", "CurrencyCode",
                    format!("CurrencyCode {code:?} is not an ISO 4217 currency code with a minor unit (e.g. USD, EUR, JPY){hint}"));
            }
            _ => {}
        }
    }

    fn error_at(&mut self, code: IssueCode, at: Loc<'_>, message: String) {
        self.report
            .errors
            .push(Issue::new(code, at.path(), Some(at.wire()), message));
    }

    /// Checks that follow from a field's kind and its documented limits.
    fn field(&mut self, spec: &FieldSpec, slot: SlotRef<'_>, at: Loc<'_>) {
        match slot {
            SlotRef::Str(Some(s)) if spec.kind == Kind::Date => self.date(s, at),
            SlotRef::Str(Some(s)) => self.text(s, at, max_chars(spec.wire)),
            SlotRef::Dec(Some(d)) => self.decimal(spec.kind, *d, at),
            SlotRef::Int(Some(0)) => {
                let what = if spec.kind == Kind::Count {
                    "a quantity of at least 1"
                } else {
                    "an id of at least 1"
                };
                let msg = format!("{} must be {what}", at.wire());
                self.error_at(IssueCode::OutOfRange, at, msg);
            }
            _ => {}
        }
    }

    fn text(&mut self, s: &str, at: Loc<'_>, max: Option<usize>) {
        if s.trim().is_empty() {
            // An empty OrderId is reported as `required`.
            if !matches!(at, Loc::Order(spec) if spec.wire == "OrderId") {
                let msg = format!(
                    "{} is empty: give a value or leave the field out",
                    at.wire()
                );
                self.error_at(IssueCode::EmptyValue, at, msg);
            }
            return;
        }
        if let Some(c) = s.chars().find(|c| c.is_control()) {
            let msg = format!(
                "{} contains the control character U+{:04X}: remove line breaks, tabs and other control characters",
                at.wire(),
                c as u32
            );
            self.error_at(IssueCode::InvalidCharacter, at, msg);
        }
        if let Some(max) = max {
            let n = s.chars().count();
            if n > max {
                let msg = format!(
                    "{} is {n} characters long; impact.com takes at most {max}",
                    at.wire()
                );
                self.error_at(IssueCode::TooLong, at, msg);
            }
        }
    }

    fn date(&mut self, s: &str, at: Loc<'_>) {
        if DateTime::parse_from_rfc3339(s).is_err() {
            let hint = if chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok() {
                "it has no offset; add one such as Z or -08:00"
            } else {
                "use RFC 3339 with an offset, e.g. 2024-08-01T23:55:24-08:00"
            };
            let msg = format!(
                "{} {s:?} is not a date-time with an offset: {hint}",
                at.wire()
            );
            self.error_at(IssueCode::InvalidFormat, at, msg);
        }
    }

    fn decimal(&mut self, kind: Kind, d: Decimal, at: Loc<'_>) {
        if kind == Kind::Money && d.is_sign_negative() && !d.is_zero() {
            let msg = format!(
                "{} is negative ({d}): a conversion takes no negative amounts; report returns with modify_action or reverse_action",
                at.wire()
            );
            self.error_at(IssueCode::NegativeAmount, at, msg);
        }
        if let Some(cur) = self.currency.filter(|_| kind.is_money()) {
            if significant_scale(d) > cur.minor_units() {
                let msg = format!(
                    "{} {d} has more decimals than {} allows ({}): round it yourself, this library never rounds money",
                    at.wire(),
                    cur.code(),
                    cur.minor_units()
                );
                self.error_at(IssueCode::TooManyDecimals, at, msg);
            }
        }
        if kind == Kind::Rate && (d.is_sign_negative() && !d.is_zero() || d > Decimal::ONE_HUNDRED)
        {
            let msg = format!(
                "{} is a percentage: give a value from 0 to 100, not {d}",
                at.wire()
            );
            self.error_at(IssueCode::OutOfRange, at, msg);
        }
    }

    fn special_formats(&mut self, c: &Conversion) {
        if let Some(ip) = c.ip_address.as_deref() {
            if ip.parse::<std::net::IpAddr>().is_err() {
                self.error(
                    IssueCode::InvalidFormat,
                    "ip_address",
                    "IpAddress",
                    format!("IpAddress {ip:?} is not an IPv4 or IPv6 address"),
                );
            }
        }
        if let Some(u) = c.unique_url.as_deref() {
            let ok = url::Url::parse(u)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
            if !ok {
                self.error(
                    IssueCode::InvalidFormat,
                    "unique_url",
                    "UniqueUrl",
                    format!("UniqueUrl {u:?} must be an absolute http(s) URL"),
                );
            }
        }
        if let Some(e) = c.customer_email.as_deref() {
            if !is_hex_digest(e) && !looks_like_email(e.trim()) {
                self.error(IssueCode::InvalidFormat, "customer_email", "CustomerEmail",
                    "CustomerEmail must be an email address (hashed with SHA-256 before sending) or a SHA-1/SHA-256 hex digest".into());
            }
        }
        if let Some(cc) = c.country_code.as_deref() {
            if !(cc.len() == 2 && cc.bytes().all(|b| b.is_ascii_uppercase())) {
                self.error(
                    IssueCode::InvalidFormat,
                    "country_code",
                    "CountryCode",
                    format!("CountryCode {cc:?} must be an ISO 3166-1 alpha-2 code such as US"),
                );
            }
        }
    }

    fn custom(&mut self, custom: &Custom, prefix: &str, wire: impl Fn(Family, u8) -> String) {
        let check_n = |this: &mut Self, family: Family, n: u8| {
            let ok = (1..=family.max()).contains(&n);
            if !ok {
                let path = format!("{prefix}{}{n}", family.snake());
                this.error(
                    IssueCode::UnknownField,
                    path,
                    &wire(family, n),
                    format!(
                        "{} fields are numbered 1 to {}, not {n}",
                        family.wire(),
                        family.max()
                    ),
                );
            }
            ok
        };
        for (&n, s) in &custom.text {
            if check_n(self, Family::Text, n) {
                let (path, wire) = (format!("{prefix}text{n}"), wire(Family::Text, n));
                self.text(s, Loc::Named(&path, &wire), Some(64));
            }
        }
        for &n in custom.numeric.keys() {
            check_n(self, Family::Numeric, n);
        }
        for (&n, s) in &custom.date {
            if check_n(self, Family::Date, n) {
                let (path, wire) = (format!("{prefix}date{n}"), wire(Family::Date, n));
                self.date(s, Loc::Named(&path, &wire));
            }
        }
        for (&n, d) in &custom.money {
            if check_n(self, Family::Money, n) {
                let (path, wire) = (format!("{prefix}money{n}"), wire(Family::Money, n));
                self.decimal(Kind::SignedMoney, *d, Loc::Named(&path, &wire));
            }
        }
    }

    fn item(&mut self, i: usize, item: &Item) {
        let n = i + 1;
        let prefix = format!("items[{i}].");
        if item.sku.is_none() {
            self.error(
                IssueCode::Required,
                format!("{prefix}sku"),
                &format!("ItemSku{n}"),
                format!("item {n} needs a sku (ItemSku{n})"),
            );
        }
        if item.quantity.is_none() {
            self.error(
                IssueCode::Required,
                format!("{prefix}quantity"),
                &format!("ItemQuantity{n}"),
                format!(
                    "item {n} needs a quantity (ItemQuantity{n}), a whole number of at least 1"
                ),
            );
        }
        match (item.price.is_some(), item.sub_total.is_some()) {
            (true, true) => self.error(IssueCode::MutuallyExclusive, format!("{prefix}sub_total"), &format!("ItemSubTotal{n}"),
                format!("item {n} has both price and sub_total: give the unit price or the line total, not both")),
            (false, false) => self.error(IssueCode::OneOfRequired, format!("{prefix}price"), &format!("ItemPrice{n}"),
                format!("item {n} needs a price (unit price, ItemPrice{n}) or a sub_total (line total, ItemSubTotal{n})")),
            _ => {}
        }
        item.for_each_slot(|spec, slot| self.field(spec, slot, Loc::Item(i, spec)));
        self.custom(&item.custom, &prefix, |f, k| {
            format!("Item{}{n}_{k}", f.wire())
        });
    }

    fn extras(&mut self, c: &Conversion) {
        for (name, value) in &c.extra {
            let path = format!("extra.{name}");
            let valid_name = name.len() <= 64
                && name.starts_with(|ch: char| ch.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
            if !valid_name {
                self.error(IssueCode::InvalidFieldName, path, name,
                    format!("extra parameter name {name:?} is not a parameter name: letters, digits and _, starting with a letter"));
                continue;
            }
            if let Some(typed) = crate::keys::modelled_name(name) {
                self.error(
                    IssueCode::ShadowedField,
                    path,
                    name,
                    format!("{name} is modelled: set `{typed}` instead of putting it in extra"),
                );
                continue;
            }
            self.text(value, Loc::Named(&path, name), None);
        }
    }

    fn warnings(&mut self, c: &Conversion, now: DateTime<Utc>) {
        if let Some(date) = c
            .event_date
            .as_deref()
            .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
        {
            if date.with_timezone(&Utc) - now > chrono::Duration::seconds(FUTURE_SLACK_SECS) {
                self.warning(
                    IssueCode::FutureEventDate,
                    "event_date",
                    "EventDate",
                    format!("EventDate {date} is in the future: check the clock and the offset"),
                );
            }
        }
        if let (Some(discount), false) = (c.order_discount, c.items.is_empty()) {
            let total: Option<Decimal> = c.items.iter().map(Item::line_total).sum();
            if let Some(total) = total.filter(|t| discount > *t) {
                self.warning(
                    IssueCode::DiscountExceedsItems,
                    "order_discount",
                    "OrderDiscount",
                    format!("OrderDiscount {discount} is larger than the items' total {total}"),
                );
            }
        }
        let sub_ids = [&c.sub_id1, &c.sub_id2, &c.sub_id3, &c.shared_id];
        if sub_ids.iter().any(|s| s.is_some())
            && c.media_id.is_none()
            && c.media_partner_id.is_none()
        {
            self.warning(IssueCode::SubIdWithoutMedia, "sub_id1", "SubId1",
                "SubId1..3 and SharedId are only used together with media_id/media_partner_id: impact.com ignores them here".into());
        }
    }
}

fn is_hex_digest(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
                && !domain.contains('@')
        }
        None => false,
    }
}

/// Whether a `CustomerEmail` value is sent as given (already a digest) or hashed first.
pub(crate) fn email_needs_hashing(s: &str) -> bool {
    !is_hex_digest(s)
}
