//! What the core needs from its host besides the transport: a clock, a timer and randomness.

use std::future::Future;

/// The host's clock, timer and random source; JS hosts use `Date.now`, `setTimeout` and `Math.random`.
pub trait Runtime {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
    /// Resolves after `ms` milliseconds.
    fn sleep(&self, ms: u64) -> impl Future<Output = ()>;
    /// A uniformly distributed number in `[0, 1)`, for retry jitter.
    fn random(&self) -> f64;
}
