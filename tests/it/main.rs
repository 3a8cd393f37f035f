//! End-to-end tests: run the real `escrow` binary as a user does.
#![allow(
    clippy::case_sensitive_file_extension_comparisons,
    clippy::cast_possible_truncation
)]

mod acceptance;
mod accuracy;
mod archive_stream;
mod archive_tar;
mod archive_zip;
mod archives;
mod browser;
mod build;
mod check_sample;
mod codes;
mod common;
mod deadlines;
mod differential;
mod doc_content;
mod docgen;
mod doctext_isolation;
mod documents;
mod docx;
mod git;
mod hostile_ingest;
mod ingest_checks;
mod inventory;
mod json_docs;
mod layers;
mod library_sources;
mod manifest_check;
mod manifest_errors;
mod manifest_init;
mod manifest_messages;
mod obligations;
mod pipes;
mod policy;
mod portable_names;
mod readme_example;
mod report_pages_status;
mod report_pages_vault;
mod review;
mod roundtrip;
mod s3_backend;
mod sarif;
mod scan;
mod scan_compiled;
mod scan_credentials;
mod scan_evasion;
mod scan_frontend;
mod scene;
mod seaweed;
mod sql_encodings;
mod terminal;
mod transcripts;
mod uncovered;
mod vault;
mod vault_backends;
mod vault_compat;
