//! indicatif progress bars for the library's `Progress` trait.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use escrow::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Deliveries smaller than this are usually done before a bar would be worth drawing: their bar
/// is drawn only once the phase has lasted [`SHOW_AFTER`].
const MIN_FILES: u64 = 2_000;
const MIN_BYTES: u64 = 64 * 1024 * 1024;
/// A phase that lasts longer than this shows its bar, however small its totals (a small
/// archive of many tiny files can take a minute).
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A bar on stderr, drawn only when enabled and the phase is large or long.
pub struct Bar {
    enabled: bool,
    /// The current phase's bar (hashing, unpacking, storing, …), and when it started if it is
    /// not drawn yet.
    bar: Mutex<Option<(ProgressBar, Option<Instant>)>>,
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
        if !self.enabled {
            return;
        }
        let unknown = files == 0 && bytes == 0;
        let small = !unknown && files < MIN_FILES && bytes < MIN_BYTES;
        let bar = if unknown {
            // The total is not known (a clone): a spinner with the bytes so far.
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg:>9} {bytes} {binary_bytes_per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        } else {
            let bar = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::hidden());
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
        let pending = if small {
            Some(Instant::now())
        } else {
            show(&bar);
            None
        };
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some((bar, pending));
        }
    }

    fn advance(&self, _files: u64, bytes: u64) {
        if let Ok(mut slot) = self.bar.lock()
            && let Some((bar, pending)) = slot.as_mut()
        {
            bar.inc(bytes);
            if pending.is_some_and(|t| t.elapsed() >= SHOW_AFTER) {
                show(bar);
                *pending = None;
            }
        }
    }

    fn notice(&self, message: &str) {
        match self.bar.lock().ok().as_deref().and_then(Option::as_ref) {
            Some((bar, None)) => bar.suspend(|| eprintln!("note: {message}")),
            _ => eprintln!("note: {message}"),
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock()
            && let Some((bar, _)) = slot.take()
        {
            bar.finish_and_clear();
        }
    }
}

/// Draw `bar` on stderr from now on.
fn show(bar: &ProgressBar) {
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.enable_steady_tick(Duration::from_millis(200));
}
