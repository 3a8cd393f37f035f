//! indicatif progress bars for the library's `Progress` trait.

use std::sync::Mutex;
use std::time::Duration;

use escrow::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Deliveries smaller than this are done before a bar would be worth drawing.
const MIN_FILES: u64 = 2_000;
const MIN_BYTES: u64 = 64 * 1024 * 1024;

/// A bar on stderr, drawn only when enabled and the phase is large.
pub struct Bar {
    enabled: bool,
    /// The current phase's bar (hashing, unpacking, storing, …).
    bar: Mutex<Option<ProgressBar>>,
}

impl Bar {
    pub fn new(enabled: bool) -> Self {
        Bar {
            enabled,
            bar: Mutex::new(None),
        }
    }
}

impl Progress for Bar {
    fn begin(&self, phase: &str, files: u64, bytes: u64) {
        let unknown = files == 0 && bytes == 0;
        if !self.enabled || (!unknown && files < MIN_FILES && bytes < MIN_BYTES) {
            return;
        }
        let bar = if unknown {
            // The total is not known (a clone): a spinner with the bytes so far.
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg:>9} {bytes} {binary_bytes_per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        } else {
            let bar = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:>9} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        };
        bar.set_message(phase.to_owned());
        bar.enable_steady_tick(Duration::from_millis(200));
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn advance(&self, _files: u64, bytes: u64) {
        if let Ok(slot) = self.bar.lock()
            && let Some(bar) = slot.as_ref()
        {
            bar.inc(bytes);
        }
    }

    fn notice(&self, message: &str) {
        match self.bar.lock().ok().as_deref().and_then(Option::as_ref) {
            Some(bar) => bar.suspend(|| eprintln!("note: {message}")),
            None => eprintln!("note: {message}"),
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock()
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
        }
    }
}
