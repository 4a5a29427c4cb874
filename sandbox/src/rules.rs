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

/// Minor units of the currencies the emulator knows (ISO 4217).
fn minor_units(code: &str) -> Option<u32> {
    const ZERO: &[&str] = &[
        "JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF", "PYG", "UGX", "RWF", "KMF", "GNF", "DJF",
        "VUV", "XPF", "BIF",
    ];
    const THREE: &[&str] = &["KWD", "BHD", "OMR", "JOD", "IQD", "LYD", "TND"];
    const TWO: &[&str] = &[
        "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF",
        "RON", "BGN", "TRY", "ILS", "AED", "SAR", "QAR", "INR", "PKR", "CNY", "HKD", "SGD", "TWD",
        "THB", "MYR", "IDR", "PHP", "MXN", "BRL", "ARS", "COP", "PEN", "ZAR", "EGP", "NGN", "KES",
        "MAD", "UAH", "RUB", "KZT", "GEL", "RSD", "BAM", "MKD", "ALL", "MDL",
    ];
    if ZERO.contains(&code) {
        Some(0)
    } else if THREE.contains(&code) {
        Some(3)
    } else if TWO.contains(&code) && code.len() == 3 {
        Some(2)
    } else {
        None
    }
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
        "Money" => (Kind::SignedMoney, 3),
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
            "Money" => (Kind::SignedMoney, 3),
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
            Kind::Rate => match value.parse::<f64>() {
                Ok(r) if is_decimal(value) && (0.0..=100.0).contains(&r) => {}
                _ => err(name, format!("{name} must be a percentage from 0 to 100")),
            },
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
                if chrono::DateTime::parse_from_rfc3339(value).is_err() {
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

/// Checks a `PUT /Actions` (modify) or `DELETE /Actions` (reverse) form.
pub fn check_action(pairs: &[(String, String)], reverse: bool) -> Vec<FieldError> {
    let values: HashMap<&str, &str> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut errors = Vec::new();
    let has = |k: &str| values.get(k).is_some_and(|v| !v.is_empty());
    let named = has("ActionId") || (has("ActionTrackerId") && has("OrderId"));
    if !named {
        errors.push(FieldError {
            field: "ActionId".into(),
            message: "ActionId, or ActionTrackerId with OrderId, is required".into(),
        });
    }
    if reverse {
        const CODES: &[&str] = &[
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
        if !values
            .get("DispositionCode")
            .is_some_and(|c| CODES.contains(c))
        {
            errors.push(FieldError {
                field: "DispositionCode".into(),
                message: "a valid DispositionCode is required".into(),
            });
        }
    } else {
        if !has("Reason") {
            errors.push(FieldError {
                field: "Reason".into(),
                message: "Reason is required".into(),
            });
        }
        if ![
            "Amount",
            "CustomerStatus",
            "Quantity",
            "ItemSubTotalDelta",
            "Category",
        ]
        .iter()
        .any(|k| has(k))
        {
            errors.push(FieldError {
                field: "Amount".into(),
                message: "nothing to modify".into(),
            });
        }
        for k in ["Amount", "ItemSubTotalDelta"] {
            if values.get(k).is_some_and(|v| !is_decimal(v)) {
                errors.push(FieldError {
                    field: k.into(),
                    message: format!("{k} must be a decimal"),
                });
            }
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
