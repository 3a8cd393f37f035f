//! `[[database]]`: database scripts are there and create tables.
//! Codes: `database-missing`, `database-no-tables`.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use rayon::prelude::*;

use super::config::Requirement;
use super::sql::{self, SqlStats};
use super::{KindResult, globs};
use crate::delivery::{DeliveryError, Entry};
use crate::finding::Finding;

pub(crate) fn check(
    req: &Requirement,
    files: &[&Entry],
    min_tables: u64,
    delivery: &crate::delivery::Delivery,
) -> Result<KindResult, DeliveryError> {
    if files.is_empty() {
        return Ok(KindResult {
            evidence: "no files".to_owned(),
            evidence_zh: "无文件".to_owned(),
            source_files: None,
            tables: Some(0),
            findings: vec![Finding::of(
                crate::checks::codes::CheckCode::DatabaseMissing,
                format!(
                    "database scripts {:?}: no delivered file matches {}",
                    req.name,
                    globs(req)
                ),
                format!(
                    "数据库脚本「{}」：交付物中没有与 {} 匹配的文件",
                    req.name,
                    globs(req)
                ),
            )],
            ..KindResult::default()
        });
    }
    let scanned: Vec<(SqlStats, String)> = files
        .par_iter()
        .map(|e| {
            let path = delivery.root.join(OsStr::from_bytes(&e.path));
            // Through the delivery's handle: no link followed on any component, no FIFO.
            delivery
                .open_file(&e.path)
                .and_then(|mut f| sql::scan(&mut f))
                .map_err(|source| DeliveryError::Unreadable { path, source })
        })
        .collect::<Result<_, _>>()?;
    let tables: u64 = scanned.iter().map(|(s, _)| s.tables).sum();
    let encodings: BTreeSet<&str> = scanned.iter().map(|(_, enc)| enc.as_str()).collect();
    let encodings = encodings.into_iter().collect::<Vec<_>>().join(", ");
    let names: Vec<String> = scanned
        .iter()
        .flat_map(|(s, _)| s.names.iter().cloned())
        .take(8)
        .collect();
    let mut findings = Vec::new();
    if tables < min_tables {
        findings.push(
            Finding::of(
                crate::checks::codes::CheckCode::DatabaseNoTables,
                format!(
                    "database scripts {:?}: {} scripts create {tables} tables, at least {min_tables} required",
                    req.name,
                    files.len()
                ),
                format!(
                    "数据库脚本「{}」：{} 个脚本共 {tables} 条建表语句，要求至少 {min_tables} 条",
                    req.name,
                    files.len()
                ),
            )
            .evidence(
                files
                    .iter()
                    .zip(&scanned)
                    .take(10)
                    .map(|(e, (s, enc))| format!("{}: {} tables, {enc}", e.display_path(), s.tables))
                    .collect(),
            ),
        );
    }
    let more = if tables > names.len() as u64 {
        ", …"
    } else {
        ""
    };
    let list = if names.is_empty() {
        String::new()
    } else {
        format!(": {}{more}", names.join(", "))
    };
    Ok(KindResult {
        evidence: format!(
            "{} scripts, {tables} tables ({encodings}){list}",
            files.len()
        ),
        evidence_zh: format!("{} 个脚本，{tables} 张表（{encodings}）{list}", files.len()),
        source_files: None,
        tables: Some(tables),
        findings,
        table_names: scanned.into_iter().flat_map(|(s, _)| s.names).collect(),
        ..KindResult::default()
    })
}
