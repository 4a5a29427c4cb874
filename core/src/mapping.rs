//! STUB
use crate::{Conversion, Issue};
#[derive(Debug, Clone)]
pub struct Prepared {
    pub body: String,
    pub order_id: String,
    pub event_key: String,
    pub warnings: Vec<Issue>,
}
pub fn prepare(c: &Conversion) -> crate::Result<Prepared> {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &c.raw {
        s.append_pair(k, &v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()));
    }
    let get = |k: &str| c.raw.get(k).map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())).unwrap_or_default();
    Ok(Prepared { body: s.finish(), order_id: get("OrderId"), event_key: get("EventTypeId"), warnings: vec![] })
}
pub fn encode(c: &Conversion) -> crate::Result<String> {
    prepare(c).map(|p| p.body)
}
