//! STUB
pub fn allocate_discount() {}
