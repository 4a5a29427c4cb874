//! STUB: replaced by the real model shortly.
use serde::{Deserialize, Serialize};
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Conversion {
    pub raw: serde_json::Map<String, serde_json::Value>,
}
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Item {}
impl Conversion {
    pub fn from_json(v: &serde_json::Value) -> crate::Result<Conversion> {
        Ok(Conversion { raw: v.as_object().cloned().unwrap_or_default() })
    }
}
