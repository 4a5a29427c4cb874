//! Returns and cancellations after the fact: `PUT /Actions` (modify) and `DELETE /Actions`
//! (reverse), validated like conversions before anything is sent.

use crate::error::{Error, Result};
use crate::money::{format_decimal, significant_scale};
use crate::validate::{Issue, IssueCode};
use rust_decimal::Decimal;
use serde::Deserialize;

/// Which action: impact's `ActionId`, or the event type and your `OrderId`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRef {
    #[serde(default, alias = "ActionId", alias = "actionId")]
    pub action_id: Option<String>,
    #[serde(
        default,
        alias = "ActionTrackerId",
        alias = "actionTrackerId",
        alias = "event_type_id",
        alias = "EventTypeId",
        alias = "eventTypeId"
    )]
    pub action_tracker_id: Option<u64>,
    #[serde(default, alias = "OrderId", alias = "orderId")]
    pub order_id: Option<String>,
}

/// `PUT /Actions`: change an action's amount, an item's quantity or amount, or its customer
/// status. `reason` is one of impact's reason codes (`ORDER_UPDATE`, `ITEM_RETURNED`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionModification {
    #[serde(flatten)]
    pub action: ActionRef,
    #[serde(alias = "Reason")]
    pub reason: String,
    #[serde(default, alias = "DispositionCode", alias = "dispositionCode")]
    pub disposition_code: Option<String>,
    /// New total sale amount (0 reverses a non-zero action).
    #[serde(default, alias = "Amount", with = "opt_decimal")]
    pub amount: Option<Decimal>,
    #[serde(default, alias = "CustomerStatus", alias = "customerStatus")]
    pub customer_status: Option<String>,
    /// The item to change; with `quantity` and/or `item_sub_total_delta`.
    #[serde(default, alias = "Sku")]
    pub sku: Option<String>,
    #[serde(default, alias = "Category")]
    pub category: Option<String>,
    /// The item's new absolute quantity.
    #[serde(default, alias = "Quantity")]
    pub quantity: Option<u64>,
    /// Added to (negative: subtracted from) the item's sale amount.
    #[serde(
        default,
        alias = "ItemSubTotalDelta",
        alias = "itemSubTotalDelta",
        with = "opt_decimal"
    )]
    pub item_sub_total_delta: Option<Decimal>,
}

/// `DELETE /Actions`: reverse an action; `disposition_code` says why (`ITEM_RETURNED`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionReversal {
    #[serde(flatten)]
    pub action: ActionRef,
    #[serde(alias = "DispositionCode", alias = "dispositionCode")]
    pub disposition_code: String,
}

/// The reversal codes impact.com documents.
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

mod opt_decimal {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        let v = Option::<serde_json::Value>::deserialize(d)?;
        match v {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => crate::money::decimal_from_json(&v)
                .map(Some)
                .map_err(|m| serde::de::Error::custom(format!("amount {m}"))),
        }
    }
}

fn issue(code: IssueCode, path: &str, field: &str, message: String) -> Issue {
    Issue::new(code, path, Some(field.to_owned()), message)
}

impl ActionRef {
    fn check(&self, issues: &mut Vec<Issue>) {
        let by_order = self.action_tracker_id.is_some() && self.order_id.is_some();
        match (&self.action_id, by_order) {
            (Some(_), true) => issues.push(issue(IssueCode::MutuallyExclusive, "action_id", "ActionId",
                "name the action once: action_id, or action_tracker_id with order_id".into())),
            (None, false) => issues.push(issue(IssueCode::OneOfRequired, "action_id", "ActionId",
                "name the action: action_id, or action_tracker_id (the event type id) together with order_id".into())),
            _ => {}
        }
        for (v, path, field) in [
            (&self.action_id, "action_id", "ActionId"),
            (&self.order_id, "order_id", "OrderId"),
        ] {
            if v.as_deref()
                .is_some_and(|s| s.trim().is_empty() || s.chars().any(char::is_control))
            {
                issues.push(issue(
                    IssueCode::InvalidFormat,
                    path,
                    field,
                    format!("{field} must be non-empty text without control characters"),
                ));
            }
        }
    }

    fn pairs(&self, out: &mut Vec<(&'static str, String)>) {
        if let Some(id) = &self.action_id {
            out.push(("ActionId", id.clone()));
        } else {
            if let Some(t) = self.action_tracker_id {
                out.push(("ActionTrackerId", t.to_string()));
            }
            if let Some(o) = &self.order_id {
                out.push(("OrderId", o.clone()));
            }
        }
    }
}

fn done(issues: Vec<Issue>, pairs: Vec<(&'static str, String)>) -> Result<String> {
    if !issues.is_empty() {
        return Err(Error::validation(issues));
    }
    Ok(form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish())
}

impl ActionModification {
    pub fn from_json(value: &serde_json::Value) -> Result<ActionModification> {
        ActionModification::deserialize(value).map_err(|e| bad_json("modification", e))
    }

    /// Validates and encodes the form body.
    pub fn encode(&self) -> Result<String> {
        let mut issues = Vec::new();
        self.action.check(&mut issues);
        if self.reason.trim().is_empty() {
            issues.push(issue(
                IssueCode::Required,
                "reason",
                "Reason",
                "reason is required: a reason code such as ORDER_UPDATE or ITEM_RETURNED".into(),
            ));
        }
        let changes = self.amount.is_some()
            || self.customer_status.is_some()
            || self.quantity.is_some()
            || self.item_sub_total_delta.is_some()
            || self.category.is_some();
        if !changes {
            issues.push(issue(IssueCode::OneOfRequired, "amount", "Amount",
                "say what changes: amount, customer_status, or sku with quantity / item_sub_total_delta".into()));
        }
        if (self.quantity.is_some() || self.item_sub_total_delta.is_some()) && self.sku.is_none() {
            issues.push(issue(
                IssueCode::Required,
                "sku",
                "Sku",
                "an item change needs the item's sku".into(),
            ));
        }
        if let Some(a) = self.amount.filter(|a| a.is_sign_negative() && !a.is_zero()) {
            issues.push(issue(IssueCode::NegativeAmount, "amount", "Amount",
                format!("amount is the new total ({a}) and cannot be negative; use item_sub_total_delta for a partial refund")));
        }
        for (d, path, field) in [
            (self.amount, "amount", "Amount"),
            (
                self.item_sub_total_delta,
                "item_sub_total_delta",
                "ItemSubTotalDelta",
            ),
        ] {
            if d.is_some_and(|d| significant_scale(d) > 3) {
                issues.push(issue(
                    IssueCode::TooManyDecimals,
                    path,
                    field,
                    format!("{field} has more than 3 decimals"),
                ));
            }
        }
        let mut pairs = Vec::new();
        self.action.pairs(&mut pairs);
        pairs.push(("Reason", self.reason.clone()));
        let text = [
            ("DispositionCode", &self.disposition_code),
            ("CustomerStatus", &self.customer_status),
            ("Sku", &self.sku),
            ("Category", &self.category),
        ];
        for (k, v) in text {
            if let Some(v) = v {
                if v.chars().any(char::is_control) {
                    issues.push(issue(
                        IssueCode::InvalidCharacter,
                        k,
                        k,
                        format!("{k} contains a control character"),
                    ));
                }
                pairs.push((k, v.clone()));
            }
        }
        if let Some(a) = self.amount {
            pairs.push(("Amount", format_decimal(a)));
        }
        if let Some(q) = self.quantity {
            pairs.push(("Quantity", q.to_string()));
        }
        if let Some(d) = self.item_sub_total_delta {
            pairs.push(("ItemSubTotalDelta", format_decimal(d)));
        }
        done(issues, pairs)
    }
}

impl ActionReversal {
    pub fn from_json(value: &serde_json::Value) -> Result<ActionReversal> {
        ActionReversal::deserialize(value).map_err(|e| bad_json("reversal", e))
    }

    pub fn encode(&self) -> Result<String> {
        let mut issues = Vec::new();
        self.action.check(&mut issues);
        if !DISPOSITION_CODES.contains(&self.disposition_code.as_str()) {
            issues.push(issue(
                IssueCode::InvalidFormat,
                "disposition_code",
                "DispositionCode",
                format!(
                    "disposition_code {:?} is not one of impact's codes: {}",
                    self.disposition_code,
                    DISPOSITION_CODES.join(", ")
                ),
            ));
        }
        let mut pairs = Vec::new();
        self.action.pairs(&mut pairs);
        pairs.push(("DispositionCode", self.disposition_code.clone()));
        done(issues, pairs)
    }
}

fn bad_json(what: &str, e: serde_json::Error) -> Error {
    Error::validation(vec![Issue::new(
        IssueCode::InvalidType,
        "",
        None,
        format!("action {what}: {e}"),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn modification_by_order_encodes_in_documented_names() {
        let m = ActionModification::from_json(
            &json!({"ActionTrackerId": 2240, "order_id": "O1", "reason": "ITEM_RETURNED",
            "sku": "S1", "quantity": 1, "item_sub_total_delta": "-5.00"}),
        )
        .unwrap();
        assert_eq!(m.encode().unwrap(), "ActionTrackerId=2240&OrderId=O1&Reason=ITEM_RETURNED&Sku=S1&Quantity=1&ItemSubTotalDelta=-5");
    }

    #[test]
    fn modification_needs_an_action_a_reason_and_a_change() {
        let e = ActionModification::from_json(&json!({"reason": ""}))
            .unwrap()
            .encode()
            .unwrap_err();
        let codes: Vec<_> = e
            .issues
            .iter()
            .map(|i| i.field.clone().unwrap_or_default())
            .collect();
        assert_eq!(codes, ["ActionId", "Reason", "Amount"]);
    }

    #[test]
    fn reversal_checks_the_disposition_code() {
        let r = ActionReversal::from_json(
            &json!({"action_id": "1000.4636.158133", "disposition_code": "ITEM_RETURNED"}),
        )
        .unwrap();
        assert_eq!(
            r.encode().unwrap(),
            "ActionId=1000.4636.158133&DispositionCode=ITEM_RETURNED"
        );
        let r =
            ActionReversal::from_json(&json!({"action_id": "1", "disposition_code": "BECAUSE"}))
                .unwrap();
        assert!(r.encode().is_err());
        assert!(ActionReversal::from_json(&json!({"action_id": "1"})).is_err());
    }
}
