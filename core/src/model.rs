//! The typed model of one `POST /Advertisers/{AccountSID}/Conversions` call.
//!
//! Every scalar parameter is declared once, in wire order, in the tables below; the struct
//! fields, the builder, key spellings, validation and mapping all come from those tables, so a
//! parameter cannot be modelled in one place and forgotten in another.
//!
//! The JSON shape every binding passes through: one object whose keys are impact's parameter
//! names (`CampaignId`), snake_case (`campaign_id`) or camelCase (`campaignId`); `items` is a
//! list of objects keyed the same way without the `Item` prefix and index (`sku`, `Sku`,
//! `ItemSku`); custom fields are `text1`/`Text1`/`text_1`, `numeric1..10`, `money1..3`,
//! `date1..10`; `extra` maps further impact parameter names to values.

use crate::error::Result;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// How a parameter's value is typed, checked and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// A positive integer id (`CampaignId`, `MediaId`).
    Id,
    /// A positive count (`ItemQuantity`).
    Count,
    Text,
    /// Money that must not be negative, written with the currency's minor units.
    Money,
    /// Money that may be negative (`OrderMargin`).
    SignedMoney,
    /// A percentage, 0 to 100.
    Rate,
    Bool,
    /// RFC 3339 with an explicit offset, kept as given.
    Date,
}

impl Kind {
    pub(crate) fn is_money(self) -> bool {
        matches!(self, Kind::Money | Kind::SignedMoney)
    }
}

/// One modelled parameter: its Rust/snake name, its wire name and older wire names.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct FieldSpec {
    pub snake: &'static str,
    pub wire: &'static str,
    pub kind: Kind,
    /// Older or alternative wire names with their snake spelling (`ActionTrackerId`).
    pub aliases: &'static [(&'static str, &'static str)],
}

/// A read-only view of one typed field.
pub(crate) enum SlotRef<'a> {
    Int(&'a Option<u64>),
    Str(&'a Option<String>),
    Dec(&'a Option<Decimal>),
    Bool(&'a Option<bool>),
}

/// A writable view of one typed field, for the JSON reader.
pub(crate) enum SlotMut<'a> {
    Int(&'a mut Option<u64>),
    Str(&'a mut Option<String>),
    Dec(&'a mut Option<Decimal>),
    Bool(&'a mut Option<bool>),
}

macro_rules! slot_from {
    ($t:ty, $variant:ident) => {
        impl<'a> From<&'a Option<$t>> for SlotRef<'a> {
            fn from(v: &'a Option<$t>) -> Self {
                SlotRef::$variant(v)
            }
        }
        impl<'a> From<&'a mut Option<$t>> for SlotMut<'a> {
            fn from(v: &'a mut Option<$t>) -> Self {
                SlotMut::$variant(v)
            }
        }
    };
}
slot_from!(u64, Int);
slot_from!(String, Str);
slot_from!(Decimal, Dec);
slot_from!(bool, Bool);

macro_rules! kind_ty {
    (Id) => {
        u64
    };
    (Count) => {
        u64
    };
    (Text) => {
        String
    };
    (Money) => {
        Decimal
    };
    (SignedMoney) => {
        Decimal
    };
    (Rate) => {
        Decimal
    };
    (Bool) => {
        bool
    };
    (Date) => {
        String
    };
}

/// Declares a struct of optional typed parameters plus its field table, slot accessors and
/// builder setters, from one list.
macro_rules! typed_fields {
    (
        $(#[$meta:meta])*
        pub struct $name:ident, builder $builder:ident {
            $( $(#[$fmeta:meta])* $field:ident : $kind:ident = $wire:literal $(| $alias:literal $alias_snake:literal)* ),* $(,)?
        }
        tail { $($tail:tt)* }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$fmeta])* pub $field: Option<kind_ty!($kind)>, )*
            $($tail)*
        }

        impl $name {
            pub(crate) const FIELDS: &'static [FieldSpec] = &[
                $( FieldSpec {
                    snake: stringify!($field),
                    wire: $wire,
                    kind: Kind::$kind,
                    aliases: &[$(($alias, $alias_snake)),*],
                } ),*
            ];

            pub(crate) fn slot_mut(&mut self, wire: &str) -> Option<SlotMut<'_>> {
                match wire {
                    $( $wire => Some(SlotMut::from(&mut self.$field)), )*
                    _ => None,
                }
            }

            /// Visits every scalar field in wire order.
            pub(crate) fn for_each_slot<'a>(&'a self, mut f: impl FnMut(&'static FieldSpec, SlotRef<'a>)) {
                let mut specs = Self::FIELDS.iter();
                $( if let Some(spec) = specs.next() { f(spec, SlotRef::from(&self.$field)); } )*
            }
        }

        impl $builder {
            $(
                $(#[$fmeta])*
                pub fn $field(mut self, value: impl Into<kind_ty!($kind)>) -> Self {
                    self.0.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

/// Custom report fields: `Text1..50`, `Numeric1..10`, `Date1..10`, `Money1..3` on the order,
/// and the same families per item (`ItemText{i}_{n}`, ...). Keys are the 1-based field number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Custom {
    /// At most 64 characters each.
    pub text: BTreeMap<u8, String>,
    pub numeric: BTreeMap<u8, Decimal>,
    /// RFC 3339 with an offset.
    pub date: BTreeMap<u8, String>,
    /// Money in the order's currency; may be negative.
    pub money: BTreeMap<u8, Decimal>,
}

/// A family of numbered custom fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Family {
    Text,
    Numeric,
    Date,
    Money,
}

impl Family {
    pub(crate) const ALL: [Family; 4] =
        [Family::Text, Family::Numeric, Family::Date, Family::Money];

    pub(crate) fn wire(self) -> &'static str {
        match self {
            Family::Text => "Text",
            Family::Numeric => "Numeric",
            Family::Date => "Date",
            Family::Money => "Money",
        }
    }

    pub(crate) fn snake(self) -> &'static str {
        match self {
            Family::Text => "text",
            Family::Numeric => "numeric",
            Family::Date => "date",
            Family::Money => "money",
        }
    }

    /// How many fields impact.com has in this family.
    pub(crate) fn max(self) -> u8 {
        match self {
            Family::Text => 50,
            Family::Numeric | Family::Date => 10,
            Family::Money => 3,
        }
    }
}

typed_fields! {
    /// One conversion. Build it with [`Conversion::builder`], struct update syntax, or from
    /// JSON with [`Conversion::from_json`]; nothing is checked until [`crate::validate`] or
    /// [`crate::prepare`] runs, which report every problem at once.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Conversion, builder ConversionBuilder {
        // Always required.
        /// Your program's id. Required.
        campaign_id: Id = "CampaignId",
        /// When the conversion happened: RFC 3339 with an offset (`2024-08-01T23:55:24-08:00`). Required.
        event_date: Date = "EventDate",
        /// Your unique order id; keep it stable across retries. Required.
        order_id: Text = "OrderId",
        // Exactly one event identifier.
        /// The event type (action tracker) id; `ActionTrackerId` is its older name.
        event_type_id: Id = "EventTypeId" | "ActionTrackerId" "action_tracker_id",
        /// The event type's configurable code.
        event_type_code: Text = "EventTypeCode",
        // At least one attribution key.
        /// The `irclickid` captured at landing (at most 64 characters).
        click_id: Text = "ClickId",
        customer_id: Text = "CustomerId",
        custom_profile_id: Text = "CustomProfileId",
        custom_click_id: Text = "CustomClickId",
        /// The order's promo code; `PromoCode` is accepted as another name for it.
        order_promo_code: Text = "OrderPromoCode" | "PromoCode" "promo_code",
        /// Forces attribution to a partner; never together with `media_partner_id`.
        media_id: Id = "MediaId",
        media_partner_id: Id = "MediaPartnerId",
        /// A partner's unique URL: an absolute http(s) URL.
        unique_url: Text = "UniqueUrl",
        caller_id: Text = "CallerId",
        goog_aid: Text = "GoogAId",
        android_id: Text = "AndroidId",
        apple_ifa: Text = "AppleIfa",
        apple_ifv: Text = "AppleIfv",
        // Order amounts.
        /// ISO 4217 code; required as soon as any money field is sent.
        currency_code: Text = "CurrencyCode",
        amount: Money = "Amount",
        order_sub_total_post_discount: Money = "OrderSubTotalPostDiscount",
        /// Discount on the whole order; impact.com spreads it over the items by subtotal.
        order_discount: Money = "OrderDiscount",
        /// Percentage, 0 to 100.
        order_discount_rate: Rate = "OrderDiscountRate",
        order_shipping: Money = "OrderShipping",
        order_tax: Money = "OrderTax",
        /// Revenue less costs; may be negative.
        order_margin: SignedMoney = "OrderMargin",
        payment_type: Text = "PaymentType",
        gift_purchase: Bool = "GiftPurchase",
        // Customer.
        /// A plaintext address is trimmed, lower-cased and SHA-256 hashed before it leaves
        /// the process; a 40- or 64-hex-digit value passes as already hashed.
        customer_email: Text = "CustomerEmail",
        customer_status: Text = "CustomerStatus",
        customer_city: Text = "CustomerCity",
        customer_post_code: Text = "CustomerPostCode",
        customer_country: Text = "CustomerCountry",
        customer_region: Text = "CustomerRegion",
        // Request context.
        ip_address: Text = "IpAddress",
        user_agent: Text = "UserAgent",
        tracking_consent: Bool = "TrackingConsent",
        /// At most 255 characters.
        note: Text = "Note",
        disposition_code: Text = "DispositionCode",
        // Partner sub-ids, only meaningful with `media_id`/`media_partner_id`.
        sub_id1: Text = "SubId1",
        sub_id2: Text = "SubId2",
        sub_id3: Text = "SubId3",
        shared_id: Text = "SharedId",
        // Call tracking.
        phone_number: Text = "PhoneNumber",
        /// ISO 3166-1 alpha-2 country of the number called.
        country_code: Text = "CountryCode",
        // Mobile app and device.
        device_mfr: Text = "DeviceMfr",
        device_model: Text = "DeviceModel",
        property_id: Id = "PropertyId",
        app_package: Text = "AppPackage",
        app_install_ref: Text = "AppInstallRef",
        app_ver: Text = "AppVer",
        // Location (accommodation).
        location_id: Text = "LocationId",
        location_name: Text = "LocationName",
        location_type: Text = "LocationType",
    }
    tail {
        /// Line items, numbered from 1 on the wire (`ItemSku1`, `ItemSku2`, ...).
        pub items: Vec<Item>,
        /// `Text1..50`, `Numeric1..10`, `Date1..10`, `Money1..3`.
        pub custom: Custom,
        /// Parameters impact.com adds after this release, by wire name. Names are checked and
        /// may not shadow a modelled parameter.
        pub extra: BTreeMap<String, String>,
    }
}

typed_fields! {
    /// One line item of a conversion.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Item, builder ItemBuilder {
        /// Required for every item.
        sku: Text = "Sku",
        name: Text = "Name",
        category: Text = "Category",
        sub_category: Text = "SubCategory",
        brand: Text = "Brand",
        mpn: Text = "Mpn",
        /// Units of this line; a positive integer. Required.
        quantity: Count = "Quantity",
        /// Unit price; give `price` or `sub_total`, never both.
        price: Money = "Price",
        /// Line total (price x quantity); give `price` or `sub_total`, never both.
        sub_total: Money = "SubTotal",
        /// Discount on each unit.
        discount: Money = "Discount",
        /// Percentage, 0 to 100.
        discount_rate: Rate = "DiscountRate",
        /// Discount on the whole line.
        total_discount: Money = "TotalDiscount",
        promo_code: Text = "PromoCode",
        delivery_type: Text = "DeliveryType",
    }
    tail {
        /// `ItemText{i}_1..50`, `ItemNumeric{i}_1..10`, `ItemDate{i}_1..10`, `ItemMoney{i}_1..3`.
        pub custom: Custom,
    }
}

/// Builds a [`Conversion`] field by field; every setter is named after the field.
#[derive(Debug, Clone, Default)]
pub struct ConversionBuilder(Conversion);

/// Builds an [`Item`].
#[derive(Debug, Clone, Default)]
pub struct ItemBuilder(Item);

/// Setters for the numbered custom fields, shared by both builders.
macro_rules! custom_setters {
    () => {
        /// Custom text field `Text{n}` (n = 1..50; `ItemText{i}_{n}` on an item).
        pub fn text(mut self, n: u8, value: impl Into<String>) -> Self {
            self.0.custom.text.insert(n, value.into());
            self
        }

        /// Custom numeric field `Numeric{n}` (n = 1..10).
        pub fn numeric(mut self, n: u8, value: impl Into<Decimal>) -> Self {
            self.0.custom.numeric.insert(n, value.into());
            self
        }

        /// Custom date field `Date{n}` (n = 1..10), RFC 3339 with an offset.
        pub fn date(mut self, n: u8, value: impl Into<String>) -> Self {
            self.0.custom.date.insert(n, value.into());
            self
        }

        /// Custom money field `Money{n}` (n = 1..3).
        pub fn money(mut self, n: u8, value: impl Into<Decimal>) -> Self {
            self.0.custom.money.insert(n, value.into());
            self
        }
    };
}

impl ConversionBuilder {
    custom_setters!();

    pub fn item(mut self, item: Item) -> Self {
        self.0.items.push(item);
        self
    }

    /// A parameter this release does not model yet, by its wire name.
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.extra.insert(name.into(), value.into());
        self
    }

    pub fn build(self) -> Conversion {
        self.0
    }
}

impl ItemBuilder {
    custom_setters!();

    pub fn build(self) -> Item {
        self.0
    }
}

impl Conversion {
    pub fn builder() -> ConversionBuilder {
        ConversionBuilder::default()
    }

    /// Reads the JSON shape described in the module docs. Unknown, misspelled, repeated or
    /// mistyped keys are reported together (with the validation problems found alongside
    /// them) as one `validation` error.
    pub fn from_json(value: &serde_json::Value) -> Result<Conversion> {
        crate::keys::conversion_from_json(&crate::keys::Json::from(value))
    }

    /// Like [`Conversion::from_json`], from JSON text; a key written twice in the text is an
    /// error too.
    pub fn from_json_str(text: &str) -> Result<Conversion> {
        crate::keys::conversion_from_json(&crate::keys::Json::parse(text)?)
    }

    /// The canonical JSON form (snake_case keys, money as exact strings).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Whether any money parameter is set, on the order or an item (then `CurrencyCode` is
    /// required).
    pub(crate) fn has_money(&self) -> bool {
        let mut any = false;
        self.for_each_slot(|spec, slot| {
            any |= spec.kind.is_money() && matches!(slot, SlotRef::Dec(Some(_)));
        });
        any || !self.custom.money.is_empty()
            || self.items.iter().any(|item| {
                let mut any = !item.custom.money.is_empty();
                item.for_each_slot(|spec, slot| {
                    any |= spec.kind.is_money() && matches!(slot, SlotRef::Dec(Some(_)));
                });
                any
            })
    }
}

impl Item {
    pub fn builder() -> ItemBuilder {
        ItemBuilder::default()
    }

    /// The line's subtotal: `sub_total`, else `price x quantity`.
    pub fn line_total(&self) -> Option<Decimal> {
        self.sub_total.or_else(|| {
            let price = self.price?;
            price.checked_mul(Decimal::from(self.quantity?))
        })
    }
}

fn serialize_slots<M: serde::ser::SerializeMap>(
    map: &mut M,
    visit: impl FnOnce(&mut dyn FnMut(&'static FieldSpec, SlotRef<'_>)),
) -> std::result::Result<(), M::Error> {
    let mut result = Ok(());
    visit(&mut |spec, slot| {
        if result.is_err() {
            return;
        }
        result = match slot {
            SlotRef::Int(Some(v)) => map.serialize_entry(spec.snake, v),
            SlotRef::Str(Some(v)) => map.serialize_entry(spec.snake, v),
            SlotRef::Dec(Some(v)) => map.serialize_entry(spec.snake, &v.to_string()),
            SlotRef::Bool(Some(v)) => map.serialize_entry(spec.snake, v),
            _ => Ok(()),
        };
    });
    result
}

fn serialize_custom<M: serde::ser::SerializeMap>(
    map: &mut M,
    custom: &Custom,
) -> std::result::Result<(), M::Error> {
    for (n, v) in &custom.text {
        map.serialize_entry(&format!("text{n}"), v)?;
    }
    for (n, v) in &custom.numeric {
        map.serialize_entry(&format!("numeric{n}"), &v.to_string())?;
    }
    for (n, v) in &custom.date {
        map.serialize_entry(&format!("date{n}"), v)?;
    }
    for (n, v) in &custom.money {
        map.serialize_entry(&format!("money{n}"), &v.to_string())?;
    }
    Ok(())
}

impl Serialize for Conversion {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        serialize_slots(&mut map, |f| self.for_each_slot(f))?;
        if !self.items.is_empty() {
            map.serialize_entry("items", &self.items)?;
        }
        serialize_custom(&mut map, &self.custom)?;
        if !self.extra.is_empty() {
            map.serialize_entry("extra", &self.extra)?;
        }
        map.end()
    }
}

impl Serialize for Item {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        serialize_slots(&mut map, |f| self.for_each_slot(f))?;
        serialize_custom(&mut map, &self.custom)?;
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for Conversion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let json = crate::keys::Json::deserialize(d)?;
        crate::keys::conversion_from_json(&json).map_err(serde::de::Error::custom)
    }
}
