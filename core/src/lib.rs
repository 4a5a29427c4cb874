//! impact.com server-side conversion tracking, done once and right.
//!
//! - [`model`]: the typed [`Conversion`] and its one JSON shape.
//! - [`validate`]: every rule impact.com documents, all problems reported at once.
//! - [`mapping`]: conversion -> ordered form pairs -> `x-www-form-urlencoded` body.
//! - [`discount`]: preview of how impact.com spreads `OrderDiscount` over items.
//! - [`clickid`]: `irclickid` capture into a first-party cookie, consent, cross-domain hand-off.
//! - [`client`]: the retrying async client (bindings own the tokio runtime).

pub mod actions;
pub mod clickid;
pub mod client;
pub mod config;
pub mod currency;
pub mod discount;
pub mod error;
pub mod events;
pub mod json_api;
pub mod mapping;
pub mod model;
pub mod money;
pub mod process;
pub mod retry;
pub mod validate;

mod keys;

pub use client::{Client, Receipt, SubmissionStatus};
pub use config::ClientConfig;
pub use discount::allocate_discount;
pub use error::{Error, ErrorCode, Result};
pub use mapping::{encode, prepare, Prepared};
pub use model::{Conversion, Item};
pub use validate::{validate, Issue, IssueCode, Report};

/// The crate version, sent in the User-Agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
