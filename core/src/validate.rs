//! STUB
use serde::Serialize;
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode { Required }
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue { pub code: IssueCode, pub path: String, pub field: Option<String>, pub message: String }
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report { pub errors: Vec<Issue>, pub warnings: Vec<Issue> }
pub fn validate(_c: &crate::Conversion) -> Report { Report::default() }
