//! How the library reports progress without printing: the CLI implements this trait with
//! indicatif bars; tests and quiet runs use `NoProgress`.

/// Progress of a long phase (hashing the inventory). Implementations must be cheap and
/// thread-safe: `advance` is called from worker threads.
pub trait Progress: Sync {
    /// A phase starts, with its total work when known.
    fn begin(&self, _phase: &str, _files: u64, _bytes: u64) {}
    /// Some work was done.
    fn advance(&self, _files: u64, _bytes: u64) {}
    /// The phase is over.
    fn finish(&self) {}
    /// Something the operator should know that is not a finding (staging left by a killed run
    /// was removed, …).
    fn notice(&self, _message: &str) {}
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {}
