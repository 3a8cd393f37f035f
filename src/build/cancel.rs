//! A cancellation token: the CLI's Ctrl-C handler sets it, a running build checks it, stops
//! every process it started, removes its copy and returns [`super::BuildError::Interrupted`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A shared flag that asks a running build to stop. Clones share one state: the CLI keeps one
/// clone for its signal handler and passes another down in [`super::Options`].
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    state: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    /// A build listens: from its copy to its clean-up.
    listening: AtomicBool,
    /// Cancellation was asked for while a build listened.
    cancelled: AtomicBool,
}

impl Cancel {
    /// A token nobody has cancelled.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Ask the running build to stop. `true` when a build listens and this is the first request
    /// (the build stops and cleans up); `false` when no build runs or it was asked before: the
    /// caller (a Ctrl-C handler) should then end the process itself.
    pub fn cancel(&self) -> bool {
        self.state.listening.load(Ordering::SeqCst)
            && !self.state.cancelled.swap(true, Ordering::SeqCst)
    }

    /// Whether a build was asked to stop.
    pub fn is_cancelled(&self) -> bool {
        self.state.cancelled.load(Ordering::SeqCst)
    }

    /// Mark a build as listening until the guard is dropped.
    pub(crate) fn listen(&self) -> Listening<'_> {
        self.state.listening.store(true, Ordering::SeqCst);
        Listening(self)
    }
}

/// Keeps a token listening for its lifetime (see [`Cancel::listen`]).
pub(crate) struct Listening<'a>(&'a Cancel);

impl Drop for Listening<'_> {
    fn drop(&mut self) {
        self.0.state.listening.store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancels_only_a_listening_build_and_only_once() {
        let token = Cancel::new();
        assert!(!token.cancel(), "nothing listens yet");
        assert!(!token.is_cancelled());
        let copy = token.clone();
        {
            let _guard = token.listen();
            assert!(copy.cancel(), "the first request reaches the build");
            assert!(token.is_cancelled());
            assert!(!copy.cancel(), "a second Ctrl-C ends the process");
        }
        assert!(!copy.cancel(), "the build has finished listening");
        assert!(token.is_cancelled());
    }
}
