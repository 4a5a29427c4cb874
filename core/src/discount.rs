//! A preview of how impact.com spreads `OrderDiscount` over the items: in proportion to each
//! line's subtotal, exact in minor units, the leftover units going to the largest remainders
//! (ties to the earlier item) so the shares always sum to the discount.

use crate::currency::Currency;
use crate::error::{Error, Result};
use crate::model::Conversion;
use crate::money::format_money;
use crate::validate::{Issue, IssueCode};
use rust_decimal::Decimal;
use serde::Serialize;

/// One item's part of the order discount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemShare {
    /// 1-based, as on the wire (`ItemSku1`).
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub sub_total: String,
    pub share: String,
    /// `sub_total - share`.
    pub net: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub currency: String,
    pub order_discount: String,
    pub items: Vec<ItemShare>,
}

/// Splits `OrderDiscount` over the items (all zero when there is no discount).
pub fn allocate_discount(c: &Conversion) -> Result<Allocation> {
    let fail = |path: &str, field: &str, code, msg: String| {
        Err(Error::validation(vec![Issue::new(
            code,
            path,
            Some(field.to_owned()),
            msg,
        )]))
    };
    let Some(cur) = c.currency_code.as_deref().and_then(Currency::from_code) else {
        return fail(
            "currency_code",
            "CurrencyCode",
            IssueCode::InvalidCurrency,
            "allocating a discount needs a valid CurrencyCode (e.g. USD) to know the minor unit"
                .into(),
        );
    };
    let scale = cur.minor_units();
    let minor = |d: Decimal| -> Option<i128> {
        let mut d = d;
        (crate::money::significant_scale(d) <= scale).then(|| {
            d.rescale(scale);
            d.mantissa()
        })
    };
    let discount = c.order_discount.unwrap_or(Decimal::ZERO);
    let Some(d) = minor(discount).filter(|d| *d >= 0) else {
        return fail(
            "order_discount",
            "OrderDiscount",
            IssueCode::TooManyDecimals,
            format!("OrderDiscount must be a non-negative amount with at most {scale} decimals"),
        );
    };
    let mut totals = Vec::with_capacity(c.items.len());
    for (i, item) in c.items.iter().enumerate() {
        match item.line_total().and_then(minor).filter(|t| *t >= 0) {
            Some(t) => totals.push(t),
            None => return fail(&format!("items[{i}].sub_total"), &format!("ItemSubTotal{}", i + 1),
                IssueCode::OneOfRequired,
                format!("item {} needs a non-negative sub_total, or price and quantity, with at most {scale} decimals", i + 1)),
        }
    }
    let sum: i128 = totals.iter().sum();
    if d > 0 && sum == 0 {
        return fail(
            "order_discount",
            "OrderDiscount",
            IssueCode::OutOfRange,
            "there is no item subtotal to spread OrderDiscount over".into(),
        );
    }
    let mut shares: Vec<(i128, i128)> = totals
        .iter()
        .map(|t| {
            if sum == 0 {
                (0, 0)
            } else {
                (d * t / sum, d * t % sum)
            }
        })
        .collect();
    let leftover = d - shares.iter().map(|(q, _)| q).sum::<i128>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| shares[b].1.cmp(&shares[a].1).then(a.cmp(&b)));
    for &i in order.iter().take(usize::try_from(leftover).unwrap_or(0)) {
        if let Some(s) = shares.get_mut(i) {
            s.0 += 1;
        }
    }
    let money = |m: i128| format_money(Decimal::from_i128_with_scale(m, scale), scale);
    Ok(Allocation {
        currency: cur.code().to_owned(),
        order_discount: money(d),
        items: c
            .items
            .iter()
            .zip(totals.iter().zip(&shares))
            .enumerate()
            .map(|(i, (item, (total, (share, _))))| ItemShare {
                index: i + 1,
                sku: item.sku.clone(),
                sub_total: money(*total),
                share: money(*share),
                net: money(total - share),
            })
            .collect(),
    })
}
