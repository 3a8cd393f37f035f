//! [`Files`] over a real delivery (folder, archive or git), read as `escrow check` reads it.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::{FileInfo, Files, found};
use crate::delivery::{self, Delivery, DeliveryError, EntryKind, Ingest, names};
use crate::progress::Progress;

/// The files of a streamed archive the drafter reads again (the only ones written to disk):
/// build files the module detection reads (`modules::reads`), database scripts, dependency
/// files.
#[derive(Debug, Clone, Copy, Default)]
pub struct DraftKeep;

/// A path as the drafter sees it: UTF-8 as is, else decoded as GBK where it is valid GBK (as
/// the checks match it), else lossily.
pub fn shown(path: &[u8]) -> String {
    match std::str::from_utf8(path) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            names::gbk_decoded(path).unwrap_or_else(|| String::from_utf8_lossy(path).into_owned())
        }
    }
}

/// Whether the drafter reads the file at `path` (shown form).
pub fn reads(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    super::modules::reads(path)
        || found::is_script(path)
        || found::dependency_pattern(name).is_some()
}

impl delivery::archive::stream::Keep for DraftKeep {
    fn keep(&self, path: &[u8]) -> bool {
        reads(&shown(path))
    }
}

/// A delivery opened for drafting: its regular files, listed with their shown paths, read
/// through the delivery's root handle (no link followed).
#[derive(Debug)]
pub struct DeliveryFiles {
    delivery: Delivery,
    list: Vec<FileInfo>,
    /// For each entry of `list`, the index of its inventory entry.
    index: Vec<usize>,
}

impl DeliveryFiles {
    /// Open the delivery at `path` as `escrow check` does (`delivery::open_with`), keeping of an
    /// archive only the files the drafter reads ([`DraftKeep`]); `ingest`'s limits and git ref
    /// apply, its `keep` and `inspector` are replaced.
    ///
    /// # Errors
    /// [`DeliveryError`] when the delivery cannot be read (missing, unreadable, a damaged
    /// archive, a limit exceeded, …).
    pub fn open(
        path: &Path,
        progress: &dyn Progress,
        ingest: &Ingest,
    ) -> Result<DeliveryFiles, DeliveryError> {
        let ingest = Ingest {
            keep: Some(Arc::new(DraftKeep)),
            inspector: None,
            with_history: false,
            ..ingest.clone()
        };
        let delivery = delivery::open_with(path, progress, None, &ingest)?;
        let mut rows: Vec<(FileInfo, usize)> = delivery
            .inventory
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == EntryKind::File)
            .map(|(i, e)| {
                (
                    FileInfo {
                        path: shown(&e.path),
                        size: e.size,
                    },
                    i,
                )
            })
            .collect();
        rows.sort_by(|a, b| a.0.path.cmp(&b.0.path));
        let (list, index) = rows.into_iter().unzip();
        Ok(DeliveryFiles {
            delivery,
            list,
            index,
        })
    }

    /// The delivery opened.
    pub fn delivery(&self) -> &Delivery {
        &self.delivery
    }

    fn open_file(&self, path: &str) -> Option<std::fs::File> {
        let at = self
            .list
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()?;
        let entry = &self.delivery.inventory.entries[self.index[at]];
        self.delivery.open_file(&entry.path).ok()
    }
}

impl Files for DeliveryFiles {
    fn list(&self) -> &[FileInfo] {
        &self.list
    }

    fn read(&self, path: &str, max: u64) -> Option<Vec<u8>> {
        let f = self.open_file(path)?;
        let mut bytes = Vec::new();
        f.take(max.saturating_add(1)).read_to_end(&mut bytes).ok()?;
        (bytes.len() as u64 <= max).then_some(bytes)
    }

    fn reader(&self, path: &str) -> Option<Box<dyn Read + '_>> {
        self.open_file(path)
            .map(|f| Box::new(std::io::BufReader::new(f)) as Box<dyn Read>)
    }
}
