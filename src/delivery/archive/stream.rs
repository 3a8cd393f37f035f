//! Reading an archive as a stream: each file's bytes are hashed, scanned (the inspector) and
//! stored (the content sink) as they are read, and only the files something reads again later
//! are written to the staging folder (see [`Keep`]). Small files go whole to a pool of workers,
//! bounded by [`IN_FLIGHT`] bytes; larger ones are read through on the reading thread.

use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Condvar, Mutex};

use super::super::inventory::{ContentSink, Inspector};

/// Files up to this size are read whole and handed to a worker; larger ones are streamed on
/// the reading thread (the vault's own limit for whole objects, `BIG_OBJECT`, is the same).
pub(crate) const WHOLE: u64 = 4 * 1024 * 1024;
/// The file bytes handed to workers and not yet done: reading waits above this, which bounds
/// the memory a stream takes whatever the archive holds.
const IN_FLIGHT: u64 = 64 * 1024 * 1024;

/// Which files of a streamed archive are written into the staging folder, for whatever reads
/// them after ingest (the database and dependency checks, a build). Paths are relative to the
/// delivery's root (after rooting at its one top folder).
pub trait Keep: Send + Sync {
    /// Whether the file at `path` must be on disk after ingest.
    fn keep(&self, path: &[u8]) -> bool;
}

/// What a streamed archive's files go to.
#[derive(Clone, Copy)]
pub(crate) struct Consumers<'s> {
    pub(crate) inspector: Option<&'s dyn Inspector>,
    pub(crate) sink: Option<&'s dyn ContentSink>,
    /// `None`: every entry is written (a build needs the whole tree).
    pub(crate) keep: Option<&'s dyn Keep>,
}

/// A file handed to a worker: its entry's index, the path the inspector sees, its bytes.
pub(crate) struct Job {
    pub(crate) index: usize,
    pub(crate) path: Vec<u8>,
    pub(crate) data: Vec<u8>,
}

/// What the workers share with the reading thread.
pub(crate) struct Pool<'s> {
    pub(crate) consumers: Consumers<'s>,
    jobs: Mutex<Receiver<Job>>,
    in_flight: Mutex<u64>,
    freed: Condvar,
    /// Each file's index and SHA-256, as workers finish them.
    pub(crate) done: Mutex<Vec<(usize, [u8; 32])>>,
    /// The first error a sink gave (the vault could not be written).
    pub(crate) error: Mutex<Option<std::io::Error>>,
}

impl<'s> Pool<'s> {
    /// A pool for `consumers` and the sending end of its queue.
    pub(crate) fn new(consumers: Consumers<'s>) -> (Pool<'s>, SyncSender<Job>) {
        let (tx, rx) = std::sync::mpsc::sync_channel(256);
        (
            Pool {
                consumers,
                jobs: Mutex::new(rx),
                in_flight: Mutex::new(0),
                freed: Condvar::new(),
                done: Mutex::new(Vec::new()),
                error: Mutex::new(None),
            },
            tx,
        )
    }

    /// Wait until `len` more bytes may be handed over, then count them.
    pub(crate) fn reserve(&self, len: u64) {
        let mut n = self
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *n > 0 && *n + len > IN_FLIGHT {
            n = self
                .freed
                .wait(n)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *n += len;
    }

    /// Whether a sink failed; the error is kept for the reading thread.
    pub(crate) fn failed(&self) -> bool {
        self.error.lock().map_or(true, |e| e.is_some())
    }

    /// A worker: take jobs until the queue is closed.
    pub(crate) fn work(&self) {
        loop {
            let job = {
                let rx = self
                    .jobs
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                rx.recv()
            };
            let Ok(job) = job else { return };
            let len = job.data.len() as u64;
            let sha = crate::hash::sha256(&job.data);
            if let Some(i) = self.consumers.inspector
                && let Some(mut s) = i.start(&job.path, len)
            {
                s.update(&job.data);
                s.finish();
            }
            if let Some(sink) = self.consumers.sink
                && len <= sink.max_size()
                && let Err(e) = sink.content(&sha, &job.data)
            {
                let mut slot = self
                    .error
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                slot.get_or_insert(e);
            }
            self.done
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((job.index, sha));
            drop(job);
            let mut n = self
                .in_flight
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *n -= len;
            self.freed.notify_all();
        }
    }
}

/// Where the delivery's root is while the archive is read: its top-level folder is known only
/// at the end, so the first entry's folder is taken as the root until an entry contradicts it
/// (the stream then restarts, with the root known).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Rooting {
    /// No entry but the system's own files seen yet.
    #[default]
    Unset,
    /// Everything so far is in this top-level folder.
    In(Vec<u8>),
    /// The content is not in one top-level folder.
    Flat,
}

/// Whether `rel` (a normalised entry name) is a file the packing system added at the top, set
/// aside when finding the delivery's top folder: macOS `__MACOSX/…`, `._NAME` and `.DS_Store`,
/// Windows `Thumbs.db` and `desktop.ini`.
pub(crate) fn is_os_metadata(rel: &[u8]) -> bool {
    let first = rel.split(|&b| b == b'/').next().unwrap_or_default();
    if first == b"__MACOSX" {
        return true;
    }
    if rel.contains(&b'/') {
        return false;
    }
    first.starts_with(b"._")
        || first == b".DS_Store"
        || first.eq_ignore_ascii_case(b"Thumbs.db")
        || first.eq_ignore_ascii_case(b"desktop.ini")
}

/// The top-level folder a tree of `names` (normalised, with whether each is a folder) sits in,
/// the system's own files aside; `None` when there is none.
pub(crate) fn top_folder<'n>(names: impl Iterator<Item = (&'n [u8], bool)>) -> Option<Vec<u8>> {
    let mut top: Option<&[u8]> = None;
    for (rel, is_dir) in names {
        if is_os_metadata(rel) {
            continue;
        }
        let (first, deeper) = match rel.iter().position(|&b| b == b'/') {
            Some(i) => (&rel[..i], true),
            None => (rel, false),
        };
        if !deeper && !is_dir {
            return None;
        }
        match top {
            None => top = Some(first),
            Some(t) if t == first => {}
            Some(_) => return None,
        }
    }
    top.map(<[u8]>::to_vec)
}

impl Rooting {
    /// The path of `rel` below the root as it stands, updating it; `Err(())` when `rel`
    /// contradicts it (restart), `Ok(None)` for a system file at the top while the root is a
    /// folder (set aside: neither scanned nor stored).
    pub(crate) fn place(&mut self, rel: &[u8], is_dir: bool) -> Result<Option<Vec<u8>>, ()> {
        let meta = is_os_metadata(rel);
        if meta && *self != Rooting::Flat {
            return Ok(None);
        }
        let (first, deeper) = match rel.iter().position(|&b| b == b'/') {
            Some(i) => (&rel[..i], true),
            None => (rel, false),
        };
        match self {
            Rooting::Flat => Ok(Some(rel.to_vec())),
            Rooting::Unset => {
                if deeper || is_dir {
                    *self = Rooting::In(first.to_vec());
                    Ok(Some(
                        rel.get(first.len() + 1..).unwrap_or_default().to_vec(),
                    ))
                } else {
                    *self = Rooting::Flat;
                    Ok(Some(rel.to_vec()))
                }
            }
            Rooting::In(top) => {
                if first != top.as_slice() || (!deeper && !is_dir) {
                    return Err(());
                }
                Ok(Some(rel.get(top.len() + 1..).unwrap_or_default().to_vec()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooting_follows_the_first_folder_and_sets_system_files_aside() {
        let mut r = Rooting::Unset;
        assert_eq!(r.place(b"__MACOSX/his/._a", false), Ok(None));
        assert_eq!(r.place(b"his/a.java", false), Ok(Some(b"a.java".to_vec())));
        assert_eq!(r.place(b".DS_Store", false), Ok(None));
        assert_eq!(r.place(b"his", true), Ok(Some(Vec::new())));
        assert_eq!(r.place(b"other/b", false), Err(()));
        let mut flat = Rooting::Unset;
        assert_eq!(flat.place(b"README", false), Ok(Some(b"README".to_vec())));
        assert_eq!(
            flat.place(b".DS_Store", false),
            Ok(Some(b".DS_Store".to_vec()))
        );
    }

    #[test]
    fn top_folder_ignores_system_files() {
        let names: Vec<(&[u8], bool)> = vec![
            (b"his", true),
            (b"his/a", false),
            (b"__MACOSX/his/._a", false),
            (b"._his", false),
            (b"Thumbs.db", false),
        ];
        assert_eq!(top_folder(names.into_iter()), Some(b"his".to_vec()));
        let flat: Vec<(&[u8], bool)> = vec![(b"his/a", false), (b"b", false)];
        assert_eq!(top_folder(flat.into_iter()), None);
    }
}
