//! Deliveries: where the source comes from, staged as a read-only tree with an inventory.

pub mod inventory;
pub mod names;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use inventory::{Entry, EntryKind, Inventory};

use crate::progress::Progress;

/// Why a delivery could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("{}: no such delivery; give the folder the vendor delivered", path.display())]
    NotFound { path: PathBuf },
    #[error(
        "{}: is a file, not a folder; archives are not read yet: unpack it and pass the folder",
        path.display()
    )]
    NotADirectory { path: PathBuf },
    #[error("{}: cannot read ({source}); make the delivery readable by this user and run again", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Where a delivery came from, as recorded in reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// `dir` (archives and git repositories come later).
    pub kind: String,
    /// The path as the user gave it.
    pub path: String,
}

/// A delivery ready to check: its root on disk and its inventory.
#[derive(Debug)]
pub struct Delivery {
    pub root: PathBuf,
    pub source: Source,
    pub inventory: Inventory,
}

/// Open a delivery folder and take its inventory.
pub fn open(path: &Path, progress: &dyn Progress) -> Result<Delivery, DeliveryError> {
    open_with(path, progress, None)
}

/// `open`, handing small files' contents to `sink` as they are read (see `ContentSink`).
pub fn open_with(
    path: &Path,
    progress: &dyn Progress,
    sink: Option<&dyn inventory::ContentSink>,
) -> Result<Delivery, DeliveryError> {
    let meta = std::fs::metadata(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            DeliveryError::NotFound {
                path: path.to_owned(),
            }
        } else {
            DeliveryError::Unreadable {
                path: path.to_owned(),
                source,
            }
        }
    })?;
    if !meta.is_dir() {
        return Err(DeliveryError::NotADirectory {
            path: path.to_owned(),
        });
    }
    let inventory = inventory::build_with(path, progress, sink)?;
    Ok(Delivery {
        root: path.to_owned(),
        source: Source {
            kind: "dir".to_owned(),
            path: path.display().to_string(),
        },
        inventory,
    })
}
