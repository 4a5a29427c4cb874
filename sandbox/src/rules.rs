//! The emulator's own reading of impact.com's documented rules for a conversion form.
//! Written from the reference, not from the core, so that each checks the other.

use std::collections::{BTreeMap, HashMap};

/// One field error, as impact.com reports it in `Errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

const IDS: &[&str] = &[
    "CampaignId",
    "EventTypeId",
    "ActionTrackerId",
    "MediaId",
    "MediaPartnerId",
    "PropertyId",
];
const TEXT: &[&str] = &[
    "OrderId",
    "EventTypeCode",
    "ClickId",
    "CustomerId",
    "CustomProfileId",
    "CustomClickId",
    "PromoCode",
    "OrderPromoCode",
    "UniqueUrl",
    "CallerId",
    "GoogAId",
    "AndroidId",
    "AppleIfa",
    "AppleIfv",
    "SubId1",
    "SubId2",
    "SubId3",
    "SharedId",
    "PhoneNumber",
    "CountryCode",
    "IpAddress",
    "EventDate",
    "CustomerEmail",
    "CustomerStatus",
    "CustomerCity",
    "CustomerPostCode",
    "CustomerCountry",
    "CustomerRegion",
    "PaymentType",
    "CurrencyCode",
    "UserAgent",
    "DeviceMfr",
    "DeviceModel",
    "AppPackage",
    "AppInstallRef",
    "AppVer",
    "LocationId",
    "LocationName",
    "LocationType",
    "Note",
    "DispositionCode",
];
const ORDER_MONEY: &[&str] = &[
    "Amount",
    "OrderDiscount",
    "OrderSubTotalPostDiscount",
    "OrderShipping",
    "OrderTax",
    "OrderMargin",
];
const RATES: &[&str] = &["OrderDiscountRate"];
const BOOLS: &[&str] = &["GiftPurchase", "TrackingConsent"];
const ATTRIBUTION: &[&str] = &[
    "ClickId",
    "CustomerId",
    "CustomProfileId",
    "CustomClickId",
    "PromoCode",
    "OrderPromoCode",
    "MediaId",
    "MediaPartnerId",
    "UniqueUrl",
    "CallerId",
    "GoogAId",
    "AndroidId",
    "AppleIfa",
    "AppleIfv",
];
const ITEM_TEXT: &[&str] = &[
    "Sku",
    "Name",
    "Category",
    "SubCategory",
    "Brand",
    "Mpn",
    "PromoCode",
    "DeliveryType",
];
const ITEM_MONEY: &[&str] = &["Price", "SubTotal", "Discount", "TotalDiscount"];

/// Active ISO 4217 currency codes and their minor units (decimal places). Precious
/// metals, fund and testing codes (XAU, XDR, XTS, XXX, ...) are not currencies a purchase is
/// made in and are left out.
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("ANG", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("UYU", 2),
    ("UYW", 4),
    ("UZS", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

/// Minor units of an ISO 4217 currency, or `None` for anything else (including lower case).
pub fn minor_units(code: &str) -> Option<u32> {
    CURRENCIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, units)| *units)
}

/// What kind of value a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Id,
    Text { max: Option<usize> },
    Money,
    SignedMoney,
    Rate,
    Numeric,
    Bool,
    Date,
    Quantity,
}

/// An item parameter split into its name, item index and custom-field number.
struct ItemParam<'a> {
    base: &'a str,
    index: usize,
}

fn split_number(s: &str) -> Option<(&str, usize)> {
    let digits = s.len() - s.bytes().rev().take_while(u8::is_ascii_digit).count();
    let (name, num) = s.split_at(digits);
    if num.is_empty() || num.starts_with('0') {
        return None;
    }
    Some((name, num.parse().ok()?))
}

/// Order-level custom fields: `Text1..50`, `Numeric1..10`, `Money1..3`, `Date1..10`.
fn custom_kind(name: &str) -> Option<Kind> {
    let (family, n) = split_number(name)?;
    let (kind, max) = match family {
        "Text" => (Kind::Text { max: Some(64) }, 50),
        "Numeric" => (Kind::Numeric, 10),
        "Money" => (Kind::Money, 3),
        "Date" => (Kind::Date, 10),
        _ => return None,
    };
    (n <= max).then_some(kind)
}

fn order_kind(name: &str) -> Option<Kind> {
    if IDS.contains(&name) {
        return Some(Kind::Id);
    }
    if name == "EventDate" {
        return Some(Kind::Date);
    }
    if TEXT.contains(&name) {
        let max = match name {
            "ClickId" => Some(64),
            "Note" | "SubId1" | "SubId2" | "SubId3" | "SharedId" => Some(255),
            _ => None,
        };
        return Some(Kind::Text { max });
    }
    if name == "OrderMargin" {
        return Some(Kind::SignedMoney);
    }
    if ORDER_MONEY.contains(&name) {
        return Some(Kind::Money);
    }
    if RATES.contains(&name) {
        return Some(Kind::Rate);
    }
    if BOOLS.contains(&name) {
        return Some(Kind::Bool);
    }
    custom_kind(name)
}

/// `ItemSku3` -> (Sku, 3, Text); `ItemText2_5` -> (Text_5, 2, Text).
fn item_kind(name: &str) -> Option<(ItemParam<'_>, Kind)> {
    let rest = name.strip_prefix("Item")?;
    if let Some((head, n)) = rest.split_once('_') {
        let (family, index) = split_number(head)?;
        if n.is_empty() || n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: usize = n.parse().ok()?;
        let (kind, max) = match family {
            "Text" => (Kind::Text { max: Some(64) }, 50),
            "Numeric" => (Kind::Numeric, 10),
            "Money" => (Kind::Money, 3),
            "Date" => (Kind::Date, 10),
            _ => return None,
        };
        return (n <= max).then_some((
            ItemParam {
                base: family,
                index,
            },
            kind,
        ));
    }
    let (base, index) = split_number(rest)?;
    let kind = if ITEM_TEXT.contains(&base) {
        Kind::Text { max: None }
    } else if ITEM_MONEY.contains(&base) {
        Kind::Money
    } else if base == "DiscountRate" {
        Kind::Rate
    } else if base == "Quantity" {
        Kind::Quantity
    } else {
        return None;
    };
    Some((ItemParam { base, index }, kind))
}

fn is_decimal(v: &str) -> bool {
    let body = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

fn decimals(v: &str) -> usize {
    v.split_once('.').map(|(_, f)| f.len()).unwrap_or(0)
}

fn is_hex(v: &str, len: usize) -> bool {
    v.len() == len && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Checks one conversion form; an empty list means impact.com would queue it.
/// `allowed_extra` names parameters the emulator is told to accept unchecked.
pub fn check_conversion(pairs: &[(String, String)], allowed_extra: &[String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            message,
        })
    };
    let mut values: HashMap<&str, &str> = HashMap::new();
    let mut items: BTreeMap<usize, HashMap<&str, &str>> = BTreeMap::new();
    let mut money_fields: Vec<(&str, &str, bool)> = Vec::new();

    for (name, value) in pairs {
        if values.insert(name, value).is_some() {
            err(name, format!("{name} is given more than once"));
            continue;
        }
        if value.chars().any(|c| c.is_control()) {
            err(name, format!("{name} contains a control character"));
        }
        if value.trim().is_empty() {
            err(name, format!("{name} is empty"));
            continue;
        }
        let kind = if let Some(kind) = order_kind(name) {
            kind
        } else if let Some((param, kind)) = item_kind(name) {
            if param.base != "Text"
                && param.base != "Numeric"
                && param.base != "Money"
                && param.base != "Date"
            {
                items
                    .entry(param.index)
                    .or_default()
                    .insert(param.base, value);
            } else {
                items.entry(param.index).or_default();
            }
            kind
        } else if allowed_extra.iter().any(|a| a == name) {
            continue;
        } else {
            err(
                name,
                format!("{name} is not a documented conversion parameter"),
            );
            continue;
        };
        match kind {
            Kind::Id => {
                if !value.bytes().all(|b| b.is_ascii_digit())
                    || value.parse::<u64>().map_or(true, |v| v == 0)
                {
                    err(name, format!("{name} must be a positive integer"));
                }
            }
            Kind::Quantity => {
                if !value.bytes().all(|b| b.is_ascii_digit())
                    || value.parse::<u64>().map_or(true, |v| v == 0)
                {
                    err(name, format!("{name} must be a positive integer quantity"));
                }
            }
            Kind::Text { max } => {
                if let Some(max) = max.filter(|m| value.chars().count() > *m) {
                    err(name, format!("{name} is longer than {max} characters"));
                }
            }
            Kind::Money | Kind::SignedMoney => {
                if !is_decimal(value) {
                    err(name, format!("{name} must be a decimal amount"));
                } else {
                    if kind == Kind::Money && value.starts_with('-') {
                        err(name, format!("{name} must not be negative"));
                    }
                    money_fields.push((name, value, true));
                }
            }
            Kind::Rate => {
                let hundred = rust_decimal::Decimal::ONE_HUNDRED;
                match rust_decimal::Decimal::from_str_exact(value) {
                    Ok(r) if is_decimal(value) && !r.is_sign_negative() && r <= hundred => {}
                    _ => err(name, format!("{name} must be a percentage from 0 to 100")),
                }
            }
            Kind::Numeric => {
                if !is_decimal(value) {
                    err(name, format!("{name} must be a number"));
                }
            }
            Kind::Bool => {
                if value != "true" && value != "false" {
                    err(name, format!("{name} must be true or false"));
                }
            }
            Kind::Date => {
                if value.as_bytes().get(10) != Some(&b'T')
                    || chrono::DateTime::parse_from_rfc3339(value).is_err()
                {
                    err(
                        name,
                        format!("{name} must be an ISO 8601 date-time with an offset"),
                    );
                }
            }
        }
    }

    for required in ["CampaignId", "EventDate", "OrderId"] {
        if !values.contains_key(required) {
            err(required, format!("{required} is required"));
        }
    }
    let event_ids = ["EventTypeId", "ActionTrackerId", "EventTypeCode"]
        .iter()
        .filter(|k| values.contains_key(**k))
        .count();
    if event_ids != 1 {
        err(
            "EventTypeId",
            "exactly one of EventTypeId, ActionTrackerId or EventTypeCode is required".into(),
        );
    }
    if !ATTRIBUTION.iter().any(|k| values.contains_key(k)) {
        err(
            "ClickId",
            "an attribution key is required (ClickId, CustomerId, OrderPromoCode, MediaId, ...)"
                .into(),
        );
    }
    if values.contains_key("MediaId") && values.contains_key("MediaPartnerId") {
        err(
            "MediaPartnerId",
            "MediaId and MediaPartnerId cannot both be sent".into(),
        );
    }
    match values.get("CurrencyCode") {
        Some(code) => match minor_units(code) {
            Some(units) => {
                for (name, value, _) in &money_fields {
                    if decimals(value) > units as usize {
                        err(name, format!("{name} has more decimals than {code} allows"));
                    }
                }
            }
            None => err(
                "CurrencyCode",
                format!("{code} is not a supported ISO 4217 currency"),
            ),
        },
        None if !money_fields.is_empty() => err(
            "CurrencyCode",
            "CurrencyCode is required with monetary fields".into(),
        ),
        None => {}
    }
    if let Some(ip) = values.get("IpAddress") {
        if ip.parse::<std::net::IpAddr>().is_err() {
            err("IpAddress", "IpAddress is not a valid IP address".into());
        }
    }
    if let Some(u) = values.get("UniqueUrl") {
        if url::Url::parse(u).map_or(true, |u| !u.has_host()) {
            err("UniqueUrl", "UniqueUrl must be an absolute URL".into());
        }
    }
    if let Some(e) = values.get("CustomerEmail") {
        if !is_hex(e, 40) && !is_hex(e, 64) {
            err(
                "CustomerEmail",
                "CustomerEmail must be a SHA1 or SHA256 hash; plaintext emails are not accepted"
                    .into(),
            );
        }
    }
    if let Some(c) = values.get("CountryCode") {
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            err(
                "CountryCode",
                "CountryCode must be an ISO 3166-1 alpha-2 code".into(),
            );
        }
    }
    for (expected, (index, fields)) in (1..).zip(&items) {
        if *index != expected {
            err(
                &format!("ItemSku{expected}"),
                format!("items must be numbered from 1 without gaps; item {expected} is missing"),
            );
            break;
        }
        for required in ["Sku", "Quantity"] {
            if !fields.contains_key(required) {
                err(
                    &format!("Item{required}{index}"),
                    format!("Item{required}{index} is required for item {index}"),
                );
            }
        }
        match (
            fields.contains_key("Price"),
            fields.contains_key("SubTotal"),
        ) {
            (true, true) => err(
                &format!("ItemSubTotal{index}"),
                format!("send ItemPrice{index} or ItemSubTotal{index}, not both"),
            ),
            (false, false) => err(
                &format!("ItemPrice{index}"),
                format!("ItemPrice{index} or ItemSubTotal{index} is required"),
            ),
            _ => {}
        }
    }
    errors
}

/// Reason codes impact.com documents for `PUT /Actions` (the defaults; accounts can add their
/// own, which the emulator cannot know).
pub const REASON_CODES: &[&str] = &[
    "ORDER_UPDATE",
    "ITEM_RETURNED",
    "CONS_FRAUD",
    "CONS_ERROR",
    "ORDER_ERROR",
    "PUB_ACT_DISPUTE",
    "ADV_ACT_DISPUTE",
    "NOT_COMPLIANCE_TERMS",
    "ITEM_OUT_OF_STOCK",
    "TEST_ACTION",
    "PARTNER_NOT_ACTIVE",
    "CREDITED_DIFFERENT_MP",
    "OTHER",
];

/// `DispositionCode` values of `DELETE /Actions` (the YAML's enum).
pub const DISPOSITION_CODES: &[&str] = &[
    "REJECTED",
    "CONS_INFO_INVALID",
    "CONS_ERROR",
    "CONS_FRAUD",
    "ITEM_RETURNED",
    "ITEM_OUT_OF_STOCK",
    "ORDER_ERROR",
    "PUB_ACT_DISPUTE",
    "NOT_COMPLIANCE_TERMS",
    "MP_RETURNED",
    "OTHER",
    "CREDITED_DIFFERENT_MP",
    "ADV_ACT_DISPUTE",
    "TEST_ACTION",
];

/// `Sku`, `Sku2`, `Quantity3`, ... -> (base, item number; 1 when unnumbered).
fn action_item(name: &str) -> Option<(&str, usize)> {
    for base in ["Sku", "Quantity", "ItemSubTotalDelta", "Category"] {
        if let Some(rest) = name.strip_prefix(base) {
            if rest.is_empty() {
                return Some((base, 1));
            }
            if rest.starts_with('0') || !rest.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            return rest.parse().ok().filter(|n| *n >= 2).map(|n| (base, n));
        }
    }
    None
}

/// Checks a `PUT /Actions` (modify, `reverse == false`) or `DELETE /Actions` (reverse) form,
/// following `brand-actions-v14.yaml` (`ActionModificationRequest`, `ActionReversalRequest`).
pub fn check_action(pairs: &[(String, String)], reverse: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            message,
        })
    };
    let mut values: HashMap<&str, &str> = HashMap::new();
    let mut items: BTreeMap<usize, HashMap<&str, &str>> = BTreeMap::new();
    for (name, value) in pairs {
        let (name, value) = (name.as_str(), value.as_str());
        if values.insert(name, value).is_some() {
            err(name, format!("{name} is given more than once"));
            continue;
        }
        if value.chars().any(char::is_control) {
            err(name, format!("{name} contains a control character"));
        }
        if value.trim().is_empty() {
            err(name, format!("{name} is empty"));
            continue;
        }
        let item = if reverse { None } else { action_item(name) };
        let base = match item {
            Some((base, n)) => {
                items.entry(n).or_default().insert(base, value);
                base
            }
            None => name,
        };
        match base {
            "ActionId" | "OrderId" | "CustomerStatus" | "Sku" => {}
            "ActionTrackerId" => {
                if !value.bytes().all(|b| b.is_ascii_digit())
                    || value.parse::<u64>().map_or(true, |v| v == 0)
                {
                    err(name, format!("{name} must be a positive integer"));
                }
            }
            "DispositionCode" => {
                if reverse && !DISPOSITION_CODES.contains(&value) {
                    err(
                        name,
                        format!("{value} is not a reversal DispositionCode (ITEM_RETURNED, ORDER_ERROR, ...)"),
                    );
                }
            }
            "Reason" if !reverse => {
                if !REASON_CODES.contains(&value) {
                    err(
                        name,
                        format!("{value} is not a reason code (ORDER_UPDATE, ITEM_RETURNED, ...)"),
                    );
                }
            }
            "Amount" if !reverse => {
                if !is_decimal(value) || value.starts_with('-') {
                    err(
                        name,
                        format!("{name} must be a non-negative decimal amount"),
                    );
                }
            }
            "ItemSubTotalDelta" => {
                if !is_decimal(value) {
                    err(
                        name,
                        format!("{name} must be a decimal amount (may be negative)"),
                    );
                }
            }
            "Quantity" => {
                if !value.bytes().all(|b| b.is_ascii_digit()) || value.parse::<u64>().is_err() {
                    err(name, format!("{name} must be a non-negative integer"));
                }
            }
            "Category" => {
                if value.chars().count() > 255 {
                    err(name, format!("{name} is longer than 255 characters"));
                }
            }
            _ => err(
                name,
                format!(
                    "{name} is not a documented parameter of {} /Actions",
                    if reverse { "DELETE" } else { "PUT" }
                ),
            ),
        }
    }
    let has = |k: &str| values.get(k).is_some_and(|v| !v.trim().is_empty());
    let named = has("ActionId") || (has("ActionTrackerId") && has("OrderId"));
    if !named {
        let field = if has("ActionTrackerId") {
            "OrderId"
        } else if has("OrderId") {
            "ActionTrackerId"
        } else {
            "ActionId"
        };
        err(
            field,
            "ActionId, or ActionTrackerId with OrderId, is required".into(),
        );
    }
    if reverse {
        if !values.contains_key("DispositionCode") {
            err(
                "DispositionCode",
                "DispositionCode is required to reverse an action".into(),
            );
        }
        return errors;
    }
    if !values.contains_key("Reason") {
        err(
            "Reason",
            "Reason is required (ORDER_UPDATE, ITEM_RETURNED, ...)".into(),
        );
    }
    let changes = ["Amount", "CustomerStatus"].iter().any(|k| has(k)) || !items.is_empty();
    if !changes {
        err(
            "Amount",
            "nothing to modify: send Amount, CustomerStatus, or Sku with Quantity/ItemSubTotalDelta"
                .into(),
        );
    }
    for (n, fields) in &items {
        let suffix = if *n == 1 {
            String::new()
        } else {
            n.to_string()
        };
        if !fields.contains_key("Sku") {
            err(
                &format!("Sku{suffix}"),
                format!("Sku{suffix} is required with the item's other fields"),
            );
        } else if fields.len() == 1 && !has("Amount") {
            err(
                &format!("Quantity{suffix}"),
                format!("Sku{suffix} needs a change: Quantity{suffix}, ItemSubTotalDelta{suffix} or Category{suffix}"),
            );
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(s: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(s.as_bytes()).into_owned().collect()
    }

    const SEED: &str = "CampaignId=1000&EventTypeId=9876&EventDate=2024-08-01T23%3A55%3A24-08%3A00&ClickId=Qii&CurrencyCode=USD&OrderId=O1234567&OrderDiscount=15.00&ItemSku1=1ABC2345&ItemQuantity1=2&ItemSubTotal1=28.00&ItemSku2=9ZXY7654&ItemQuantity2=3&ItemSubTotal2=99.00";

    #[test]
    fn seed_example_passes() {
        assert_eq!(check_conversion(&form(SEED), &[]), vec![]);
    }

    #[test]
    fn unindexed_item_subtotal_is_refused() {
        let errors = check_conversion(&form(&format!("{SEED}&ItemSubTotal=28.00")), &[]);
        assert_eq!(errors[0].field, "ItemSubTotal");
    }

    #[test]
    fn item_custom_fields_are_known() {
        let e = check_conversion(
            &form(&format!(
                "{SEED}&ItemText1_2=Blue&ItemMoney2_3=1.00&ItemText1_51=x"
            )),
            &[],
        );
        assert_eq!(
            e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["ItemText1_51"]
        );
    }
}
