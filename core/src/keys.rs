//! Reading the JSON shape into a [`Conversion`]: key spellings, repeated keys, unknown keys
//! with the closest valid one, and value types. Every problem becomes an [`Issue`].

use crate::error::{Error, Result};
use crate::model::{Conversion, Custom, Family, FieldSpec, Item, Kind, SlotMut};
use crate::money::{decimal_from_json, json_type};
use crate::validate::{Issue, IssueCode};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// JSON that keeps object keys in order and keeps repeated keys, so that `{"a":1,"a":2}`
/// can be refused instead of silently keeping the last value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Leaf(Value),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub(crate) fn parse(text: &str) -> Result<Json> {
        serde_json::from_str(text).map_err(|e| {
            Error::validation(vec![Issue::new(
                IssueCode::InvalidJson,
                "",
                None,
                format!("the input is not valid JSON ({e}); send one JSON object"),
            )])
        })
    }
}

impl From<&Value> for Json {
    fn from(v: &Value) -> Json {
        match v {
            Value::Array(a) => Json::Array(a.iter().map(Json::from).collect()),
            Value::Object(o) => {
                Json::Object(o.iter().map(|(k, v)| (k.clone(), Json::from(v))).collect())
            }
            leaf => Json::Leaf(leaf.clone()),
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Json, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E>(self, v: bool) -> std::result::Result<Json, E> {
                Ok(Json::Leaf(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Json, E> {
                Ok(Json::Leaf(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Json, E> {
                Ok(Json::Leaf(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Json, E> {
                Ok(Json::Leaf(Value::from(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Json, E> {
                Ok(Json::Leaf(Value::String(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Json, E> {
                Ok(Json::Leaf(Value::String(v)))
            }
            fn visit_unit<E>(self) -> std::result::Result<Json, E> {
                Ok(Json::Leaf(Value::Null))
            }
            fn visit_none<E>(self) -> std::result::Result<Json, E> {
                Ok(Json::Leaf(Value::Null))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Json, D::Error> {
                Json::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Json, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element()? {
                    out.push(v);
                }
                Ok(Json::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Json, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Json>()? {
                    out.push((k, v));
                }
                Ok(Json::Object(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// What a key of the caller's object refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Scalar(&'static FieldSpec),
    Custom(Family, u8),
    Items,
    Extra,
}

impl Target {
    /// Snake-case path segment, used in issue paths.
    fn snake(&self) -> String {
        match self {
            Target::Scalar(spec) => spec.snake.to_owned(),
            Target::Custom(f, n) => format!("{}{n}", f.snake()),
            Target::Items => "items".into(),
            Target::Extra => "extra".into(),
        }
    }
}

/// `CampaignId` -> `campaignId`.
fn camel(wire: &str) -> String {
    let mut chars = wire.chars();
    match chars.next() {
        Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Every accepted spelling of every order-level (`item = false`) or item-level key.
struct Table {
    exact: HashMap<String, Target>,
    /// Canonical spellings offered as suggestions: (spelling, style).
    suggestions: Vec<(String, Style)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Wire,
    Snake,
    Camel,
}

fn style_of(key: &str) -> Style {
    if key.starts_with(|c: char| c.is_ascii_uppercase()) {
        Style::Wire
    } else if key.contains('_') || !key.chars().any(|c| c.is_ascii_uppercase()) {
        Style::Snake
    } else {
        Style::Camel
    }
}

fn build_table(specs: &'static [FieldSpec], item: bool) -> Table {
    let mut exact = HashMap::new();
    let mut suggestions = Vec::new();
    let mut add = |spelling: String, target: Target, style: Option<Style>| {
        if let Some(style) = style {
            suggestions.push((spelling.clone(), style));
        }
        exact.insert(spelling, target);
    };
    for spec in specs {
        let t = Target::Scalar(spec);
        let names = std::iter::once((spec.wire, spec.snake)).chain(spec.aliases.iter().copied());
        for (i, (wire, snake)) in names.enumerate() {
            let canonical = i == 0;
            add(wire.to_owned(), t, canonical.then_some(Style::Wire));
            add(snake.to_owned(), t, canonical.then_some(Style::Snake));
            add(camel(wire), t, canonical.then_some(Style::Camel));
            if item {
                add(format!("Item{wire}"), t, None);
                add(format!("item_{snake}"), t, None);
                add(format!("item{wire}"), t, None);
            }
        }
    }
    for family in Family::ALL {
        for n in 1..=family.max() {
            let t = Target::Custom(family, n);
            add(format!("{}{n}", family.wire()), t, Some(Style::Wire));
            add(format!("{}{n}", family.snake()), t, Some(Style::Snake));
            add(format!("{}_{n}", family.snake()), t, None);
        }
    }
    if !item {
        for (spelling, t, style) in [
            ("items", Target::Items, Style::Snake),
            ("Items", Target::Items, Style::Wire),
            ("extra", Target::Extra, Style::Snake),
            ("Extra", Target::Extra, Style::Wire),
        ] {
            add(spelling.into(), t, Some(style));
        }
    }
    Table { exact, suggestions }
}

fn order_table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| build_table(Conversion::FIELDS, false))
}

fn item_table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| build_table(Item::FIELDS, true))
}

/// Is `key` an indexed or unindexed item parameter written at the order level
/// (`ItemSubTotal`, `ItemSku2`, `ItemText1_3`)?
fn looks_like_item_key(key: &str) -> bool {
    let Some(rest) = key
        .strip_prefix("Item")
        .or_else(|| key.strip_prefix("item"))
    else {
        return false;
    };
    let base: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let table = item_table();
    table.exact.contains_key(&base)
        || Family::ALL
            .iter()
            .any(|f| f.wire().eq_ignore_ascii_case(&base))
}

/// If `name` (an `extra` key) is a modelled parameter, the typed field to use instead.
pub(crate) fn modelled_name(name: &str) -> Option<String> {
    if let Some(t) = order_table().exact.get(name) {
        return Some(t.snake());
    }
    looks_like_item_key(name).then(|| "items[..]".to_owned())
}

/// The closest accepted spelling in the caller's style, if one is close enough to be a typo.
fn closest(table: &Table, key: &str) -> Option<String> {
    let style = style_of(key);
    let lower = key.to_ascii_lowercase();
    table
        .suggestions
        .iter()
        .filter(|(_, s)| *s == style)
        .map(|(cand, _)| {
            (
                strsim::levenshtein(&lower, &cand.to_ascii_lowercase()),
                cand,
            )
        })
        .filter(|(d, cand)| *d <= 3.max(cand.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, cand)| cand.clone())
}

/// What the reader writes into: a conversion or an item.
trait Fields {
    fn slot(&mut self, wire: &str) -> Option<SlotMut<'_>>;
    fn custom(&mut self) -> &mut Custom;
}

impl Fields for Conversion {
    fn slot(&mut self, wire: &str) -> Option<SlotMut<'_>> {
        self.slot_mut(wire)
    }
    fn custom(&mut self) -> &mut Custom {
        &mut self.custom
    }
}

impl Fields for Item {
    fn slot(&mut self, wire: &str) -> Option<SlotMut<'_>> {
        self.slot_mut(wire)
    }
    fn custom(&mut self) -> &mut Custom {
        &mut self.custom
    }
}

struct Reader {
    issues: Vec<Issue>,
}

impl Reader {
    fn issue(&mut self, code: IssueCode, path: String, field: Option<String>, message: String) {
        self.issues.push(Issue::new(code, path, field, message));
    }

    /// Reads one object's keys into scalar slots and custom fields; returns the values of
    /// `items` and `extra` for the caller.
    fn read_object<'j>(
        &mut self,
        pairs: &'j [(String, Json)],
        table: &Table,
        prefix: &str,
        wire_of: &dyn Fn(&Target) -> String,
        into: &mut dyn Fields,
    ) -> (Option<&'j Json>, Option<&'j Json>) {
        let mut seen: HashMap<Target, &str> = HashMap::new();
        let (mut items, mut extra) = (None, None);
        for (key, value) in pairs {
            let Some(&target) = table.exact.get(key.as_str()) else {
                self.unknown_key(table, prefix, key);
                continue;
            };
            // Path and wire name are built only when there is a problem to report.
            let at = || (format!("{prefix}{}", target.snake()), wire_of(&target));
            if let Some(first) = seen.get(&target) {
                let (path, wire) = at();
                let msg =
                    format!("`{key}` sets {wire} again (already set by `{first}`): give it once");
                self.issue(IssueCode::DuplicateField, path, Some(wire), msg);
                continue;
            }
            seen.insert(target, key);
            if matches!(value, Json::Leaf(Value::Null)) {
                continue;
            }
            let result = match target {
                Target::Scalar(spec) => match into.slot(spec.wire) {
                    Some(slot) => Self::read_scalar(spec.kind, slot, value),
                    None => Ok(()),
                },
                Target::Custom(family, n) => Self::read_custom(family, n, into.custom(), value),
                Target::Items => {
                    items = Some(value);
                    Ok(())
                }
                Target::Extra => {
                    extra = Some(value);
                    Ok(())
                }
            };
            if let Err((code, m)) = result {
                let (path, wire) = at();
                let msg = format!("{wire} {m}");
                self.issue(code, path, Some(wire), msg);
            }
        }
        (items, extra)
    }

    fn unknown_key(&mut self, table: &Table, prefix: &str, key: &str) {
        let path = format!("{prefix}{key}");
        let message = if prefix.is_empty() && looks_like_item_key(key) {
            format!(
                "`{key}` is an item parameter: put item fields in the `items` list (e.g. \
                 {{\"items\": [{{\"sku\": \"A1\", \"quantity\": 2, \"sub_total\": \"28.00\"}}]}}); \
                 they are numbered from 1 on the wire for you"
            )
        } else if let Some(best) = closest(table, key) {
            format!("unknown field `{key}`: did you mean `{best}`?")
        } else if prefix.is_empty() {
            format!(
                "unknown field `{key}`: not an impact.com conversion parameter; put parameters \
                 this library does not model yet in `extra`"
            )
        } else {
            format!("unknown item field `{key}`")
        };
        self.issue(IssueCode::UnknownField, path, None, message);
    }

    /// Stores one scalar value; the error text completes "<wire name> ...".
    fn read_scalar(kind: Kind, slot: SlotMut<'_>, value: &Json) -> ReadResult<()> {
        let leaf = single(value)?;
        match slot {
            SlotMut::Int(s) => read_u64(leaf, kind).map(|v| *s = Some(v)),
            SlotMut::Str(s) => read_text(leaf).map(|v| *s = Some(v)),
            SlotMut::Dec(s) => read_decimal(leaf).map(|v| *s = Some(v)),
            SlotMut::Bool(s) => read_bool(leaf).map(|v| *s = Some(v)),
        }
    }

    fn read_custom(family: Family, n: u8, custom: &mut Custom, value: &Json) -> ReadResult<()> {
        let leaf = single(value)?;
        match family {
            Family::Text => drop(custom.text.insert(n, read_text(leaf)?)),
            Family::Date => drop(custom.date.insert(n, read_text(leaf)?)),
            Family::Numeric => drop(custom.numeric.insert(n, read_decimal(leaf)?)),
            Family::Money => drop(custom.money.insert(n, read_decimal(leaf)?)),
        }
        Ok(())
    }

    fn read_item(&mut self, index: usize, value: &Json) -> Item {
        let mut item = Item::default();
        let prefix = format!("items[{index}].");
        let Json::Object(pairs) = value else {
            self.issue(
                IssueCode::InvalidType,
                format!("items[{index}]"),
                None,
                "each item must be an object such as {\"sku\": \"A1\", \"quantity\": 1, \"price\": \"9.99\"}".into(),
            );
            return item;
        };
        let n = index + 1;
        let wire_of = |t: &Target| match t {
            Target::Scalar(spec) => format!("Item{}{n}", spec.wire),
            Target::Custom(f, k) => format!("Item{}{n}_{k}", f.wire()),
            _ => String::new(),
        };
        self.read_object(pairs, item_table(), &prefix, &wire_of, &mut item);
        item
    }

    fn read_extra(&mut self, value: &Json, extra: &mut std::collections::BTreeMap<String, String>) {
        let Json::Object(pairs) = value else {
            return self.issue(
                IssueCode::InvalidType,
                "extra".into(),
                None,
                "extra must be an object mapping impact.com parameter names to values".into(),
            );
        };
        for (key, value) in pairs {
            let path = format!("extra.{key}");
            let text = match value {
                Json::Leaf(Value::Bool(b)) => Ok(b.to_string()),
                Json::Leaf(leaf) => read_text(leaf).or_else(|e| match leaf {
                    Value::Number(_) => decimal_from_json(leaf)
                        .map(crate::money::format_decimal)
                        .map_err(|m| (IssueCode::InvalidType, m)),
                    _ => Err(e),
                }),
                _ => Err((
                    IssueCode::InvalidType,
                    "must be a string, number or boolean".into(),
                )),
            };
            match text {
                Ok(t) if extra.contains_key(key) => self.issue(
                    IssueCode::DuplicateField,
                    path,
                    Some(key.clone()),
                    format!("extra parameter {key} is given twice: give it once (kept {t:?}'s first value)"),
                ),
                Ok(t) => {
                    extra.insert(key.clone(), t);
                }
                Err((code, m)) => self.issue(code, path, Some(key.clone()), format!("extra parameter {key} {m}")),
            }
        }
    }
}

/// A scalar, not a list or an object.
fn single(value: &Json) -> ReadResult<&Value> {
    match value {
        Json::Leaf(v) => Ok(v),
        Json::Array(_) => Err((
            IssueCode::InvalidType,
            "must be a single value, not an array".into(),
        )),
        Json::Object(_) => Err((
            IssueCode::InvalidType,
            "must be a single value, not an object".into(),
        )),
    }
}

/// Unreadable decimal text is a format problem; a value of the wrong JSON type a type one.
fn read_decimal(leaf: &Value) -> ReadResult<rust_decimal::Decimal> {
    decimal_from_json(leaf).map_err(|m| {
        let code = if leaf.is_string() {
            IssueCode::InvalidFormat
        } else {
            IssueCode::InvalidType
        };
        (code, m)
    })
}

type ReadResult<T> = std::result::Result<T, (IssueCode, String)>;

fn read_u64(v: &Value, kind: Kind) -> ReadResult<u64> {
    let what = if kind == Kind::Count {
        "a positive whole number"
    } else {
        "a positive integer id"
    };
    let bad = |code| (code, format!("must be {what}, not {v}"));
    match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Ok(u)
            } else if n.as_i64().is_some() {
                Err(bad(IssueCode::OutOfRange))
            } else {
                // Integral floats (JavaScript numbers) are fine; fractions are not.
                match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && (0.0..9.0e15).contains(&f) => Ok(f as u64),
                    Some(f) if f < 0.0 => Err(bad(IssueCode::OutOfRange)),
                    _ => Err(bad(IssueCode::InvalidType)),
                }
            }
        }
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().map_err(|_| bad(IssueCode::OutOfRange))
        }
        Value::String(_) => Err(bad(IssueCode::InvalidFormat)),
        other => Err((
            IssueCode::InvalidType,
            format!("must be {what}, not {}", json_type(other)),
        )),
    }
}

fn read_text(v: &Value) -> ReadResult<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        // Integer ids (OrderId 12345) are common; their decimal text is exact.
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        other => Err((
            IssueCode::InvalidType,
            format!("must be a string, not {}", json_type(other)),
        )),
    }
}

fn read_bool(v: &Value) -> ReadResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        other => Err((
            IssueCode::InvalidType,
            format!("must be true or false, not {other}"),
        )),
    }
}

/// Reads the JSON shape, returning the conversion and every reading problem.
pub(crate) fn read_conversion(json: &Json) -> (Conversion, Vec<Issue>) {
    let mut reader = Reader { issues: Vec::new() };
    let mut conv = Conversion::default();
    let Json::Object(pairs) = json else {
        reader.issue(
            IssueCode::InvalidType,
            String::new(),
            None,
            "a conversion must be a JSON object of impact.com parameters".into(),
        );
        return (conv, reader.issues);
    };
    let wire_of = |t: &Target| match t {
        Target::Scalar(spec) => spec.wire.to_owned(),
        Target::Custom(f, n) => format!("{}{n}", f.wire()),
        Target::Items => "items".into(),
        Target::Extra => "extra".into(),
    };
    let (items, extra) = reader.read_object(pairs, order_table(), "", &wire_of, &mut conv);
    match items {
        Some(Json::Array(list)) => {
            conv.items = list
                .iter()
                .enumerate()
                .map(|(i, v)| reader.read_item(i, v))
                .collect();
        }
        Some(_) => reader.issue(
            IssueCode::InvalidType,
            "items".into(),
            None,
            "items must be a list of item objects".into(),
        ),
        None => {}
    }
    if let Some(extra) = extra {
        reader.read_extra(extra, &mut conv.extra);
    }
    (conv, reader.issues)
}

/// Reads and, when reading found problems, reports them with the validation problems of
/// the rest of the input, so the caller sees everything in one round.
pub(crate) fn conversion_from_json(json: &Json) -> Result<Conversion> {
    let (conv, issues) = read_conversion(json);
    if issues.is_empty() {
        return Ok(conv);
    }
    let report = crate::validate::merge_reading(issues, &conv);
    Err(Error::validation(report.errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_lowers_first_letter() {
        assert_eq!(camel("GoogAId"), "googAId");
        assert_eq!(camel("CampaignId"), "campaignId");
    }

    #[test]
    fn repeated_keys_in_text_are_caught() {
        let json = Json::parse(r#"{"OrderId":"a","OrderId":"b"}"#).unwrap();
        let (_, issues) = read_conversion(&json);
        assert_eq!(issues[0].code, IssueCode::DuplicateField);
    }

    #[test]
    fn suggestions_follow_the_callers_style() {
        assert_eq!(
            closest(order_table(), "campain_id").as_deref(),
            Some("campaign_id")
        );
        assert_eq!(
            closest(order_table(), "CampainId").as_deref(),
            Some("CampaignId")
        );
        assert_eq!(
            closest(order_table(), "campainId").as_deref(),
            Some("campaignId")
        );
        assert_eq!(closest(order_table(), "zzzzzzzzzzzzzzzzzz"), None);
    }
}
