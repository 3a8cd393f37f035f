//! End-to-end tests: run the real `escrow` binary as a user does.
#![allow(
    clippy::case_sensitive_file_extension_comparisons,
    clippy::cast_possible_truncation
)]

mod archives;
mod build;
mod check_sample;
mod codes;
mod common;
mod deadlines;
mod git;
mod hostile_ingest;
mod inventory;
mod manifest_errors;
mod policy;
mod roundtrip;
mod scan;
mod sql_encodings;
mod terminal;
mod vault;
mod vault_compat;
