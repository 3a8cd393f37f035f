//! What the delivered code holds that a document must name: the tables the database scripts
//! create, the dependencies the dependency files declare, the HTTP endpoints the code serves
//! and the build tools the build files need. Gathered once per check, and only what some
//! `[[document]]`'s `covers` asks for.

use std::collections::{BTreeSet, HashSet};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;

use rayon::prelude::*;

use super::buildtools::{self, BuildTool};
use super::config::Covers;
use super::depfiles::{self, Declared};
use super::endpoints::{self, Endpoint};
use crate::delivery::{Delivery, DeliveryError, Entry, EntryKind};

/// The most bytes of a source file read for endpoints (4 MiB): a controller is far smaller,
/// a larger file is generated or minified code.
pub const MAX_SOURCE_BYTES: u64 = 4 << 20;

/// The code's side of the cross-checks; `None` for what no document covers.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// Table names (schema-qualified where the script qualifies them), each once (letter case
    /// ignored), in script order.
    pub tables: Option<Vec<String>>,
    /// Declared dependencies, one per name.
    pub dependencies: Option<Vec<Declared>>,
    /// HTTP endpoints, in path order of their files.
    pub endpoints: Option<Vec<Endpoint>>,
    /// Build tools needed.
    pub build_tools: Option<Vec<BuildTool>>,
}

/// Whether the file at `path` is a dependency file the dependencies cross-check reads:
/// pom.xml, packages.config, .csproj/.vbproj/.fsproj, Directory.Packages.props, package.json,
/// requirements*.txt, go.mod.
pub fn is_dependency_file(path: &[u8]) -> bool {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    matches!(
        name.as_str(),
        "pom.xml" | "packages.config" | "directory.packages.props" | "package.json" | "go.mod"
    ) || [".csproj", ".vbproj", ".fsproj"]
        .iter()
        .any(|x| name.ends_with(x))
        || name.starts_with("requirements")
            && std::path::Path::new(&name)
                .extension()
                .is_some_and(|e| e == "txt")
}

/// Whether a file at `path` is read by the cross-checks in `covers` (so a streamed archive
/// keeps it).
pub fn reads(covers: &BTreeSet<Covers>, path: &[u8]) -> bool {
    covers.contains(&Covers::Dependencies) && is_dependency_file(path)
        || covers.contains(&Covers::Endpoints) && endpoints::is_candidate(path)
        || covers.contains(&Covers::BuildTools) && buildtools::is_build_file(path)
}

impl Facts {
    /// Gather what `covers` needs from `delivery`: `tables` are the names the `[[database]]`
    /// checks found; files under third-party folders (`third_party`) are left out.
    pub(crate) fn gather(
        covers: &BTreeSet<Covers>,
        tables: Vec<String>,
        delivery: &Delivery,
        third_party: &(dyn Fn(&[u8]) -> bool + Sync),
    ) -> Result<Facts, DeliveryError> {
        let mut facts = Facts::default();
        if covers.contains(&Covers::Tables) {
            let mut seen = HashSet::new();
            facts.tables = Some(
                tables
                    .into_iter()
                    .filter(|t| seen.insert(t.to_lowercase()))
                    .collect(),
            );
        }
        let files = |want: &dyn Fn(&[u8]) -> bool| -> Vec<&Entry> {
            delivery
                .inventory
                .entries
                .iter()
                .filter(|e| e.kind == EntryKind::File && want(&e.path) && !third_party(&e.path))
                .collect()
        };
        if covers.contains(&Covers::Dependencies) {
            let read = read_all(
                delivery,
                &files(&is_dependency_file),
                super::DEPENDENCY_MAX_BYTES,
            )?;
            facts.dependencies = Some(depfiles::declared(&read));
        }
        if covers.contains(&Covers::BuildTools) {
            let read = read_all(
                delivery,
                &files(&buildtools::is_build_file),
                super::DEPENDENCY_MAX_BYTES,
            )?;
            facts.build_tools = Some(buildtools::needed(&read));
        }
        if covers.contains(&Covers::Endpoints) {
            let candidates = files(&endpoints::is_candidate);
            let found: Vec<Vec<Endpoint>> = candidates
                .par_iter()
                .map(|e| {
                    let bytes = read_capped(delivery, e, MAX_SOURCE_BYTES)?;
                    let (text, _) = crate::text::decode(&bytes);
                    Ok(endpoints::find(&e.display_path(), &text))
                })
                .collect::<Result<_, DeliveryError>>()?;
            facts.endpoints = Some(found.into_iter().flatten().collect());
        }
        Ok(facts)
    }
}

/// The files `entries` no larger than `max` bytes, read through the delivery's handle:
/// (readable path, bytes) pairs.
fn read_all(
    delivery: &Delivery,
    entries: &[&Entry],
    max: u64,
) -> Result<Vec<(String, Vec<u8>)>, DeliveryError> {
    entries
        .par_iter()
        .filter(|e| e.size <= max)
        .map(|e| Ok((e.display_path(), read_capped(delivery, e, max)?)))
        .collect()
}

/// At most `max` bytes of `e`, through the delivery's handle (no link followed).
fn read_capped(delivery: &Delivery, e: &Entry, max: u64) -> Result<Vec<u8>, DeliveryError> {
    let mut bytes = Vec::new();
    delivery
        .open_file(&e.path)
        .and_then(|f| f.take(max).read_to_end(&mut bytes))
        .map_err(|source| DeliveryError::Unreadable {
            path: delivery.root.join(std::ffi::OsStr::from_bytes(&e.path)),
            source,
        })?;
    Ok(bytes)
}
