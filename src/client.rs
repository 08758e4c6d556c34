//! Sending one request within the call's deadline: status classification, retries with capped
//! exponential backoff and jitter, and `Retry-After` honoured only when it fits the budget.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

use crate::error::ConnectorError;
use crate::options::CallOptions;
use crate::response;
use crate::runtime::Runtime;
use crate::transport::{HttpRequest, HttpResponse, Transport};

/// The first retry waits about this long; each next one twice as long.
pub const BACKOFF_BASE_MS: u64 = 250;
/// No computed backoff waits longer than this.
pub const BACKOFF_CAP_MS: u64 = 4_000;

/// Sends requests for one capability call, all within one deadline.
pub struct Client<'a, T, R> {
    transport: &'a T,
    runtime: &'a R,
    deadline_ms: f64,
    options: CallOptions,
    requests: std::cell::Cell<u32>,
}

impl<'a, T: Transport, R: Runtime> Client<'a, T, R> {
    /// Starts the call's clock now.
    pub fn new(transport: &'a T, runtime: &'a R, options: CallOptions) -> Self {
        Self {
            transport,
            runtime,
            deadline_ms: runtime.now_ms() + options.timeout_ms as f64,
            options,
            requests: std::cell::Cell::new(0),
        }
    }

    /// How many requests went out so far, retries included.
    pub fn requests_sent(&self) -> u32 {
        self.requests.get()
    }

    /// The host runtime, for capabilities that read the clock.
    pub fn runtime(&self) -> &R {
        self.runtime
    }

    fn remaining_ms(&self) -> f64 {
        self.deadline_ms - self.runtime.now_ms()
    }

    fn timeout(&self) -> ConnectorError {
        ConnectorError::Timeout {
            timeout_ms: self.options.timeout_ms,
        }
    }

    /// Sends `request` until it gets a 2xx response, a non-retryable error, or runs out of attempts or time.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, ConnectorError> {
        let mut attempt = 1;
        loop {
            let error = match self.attempt(request).await {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            if matches!(error, ConnectorError::Timeout { .. })
                || !error.retryable()
                || attempt >= self.options.max_attempts
            {
                return Err(error);
            }
            let wait_ms = error
                .retry_after_ms()
                .unwrap_or_else(|| self.backoff_ms(attempt));
            // Waiting past the deadline only to time out helps nobody: fail now, saying when to retry.
            if wait_ms as f64 >= self.remaining_ms() {
                return Err(error);
            }
            self.runtime.sleep(wait_ms).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, request: &HttpRequest) -> Result<HttpResponse, ConnectorError> {
        let remaining = self.remaining_ms();
        if remaining <= 0.0 {
            return Err(self.timeout());
        }
        self.requests.set(self.requests.get() + 1);
        let mut send = pin!(self.transport.send(request.clone()));
        let mut timer = pin!(self.runtime.sleep(remaining.ceil() as u64));
        // Whichever finishes first wins; a late answer from the transport is simply never read.
        let settled = poll_fn(|cx| {
            if let Poll::Ready(result) = send.as_mut().poll(cx) {
                return Poll::Ready(Some(result));
            }
            if timer.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            Poll::Pending
        })
        .await;
        let response = settled
            .ok_or_else(|| self.timeout())?
            .map_err(response::transport_failure)?;
        response::check(&response, self.runtime.now_ms())?;
        Ok(response)
    }

    fn backoff_ms(&self, attempt: u32) -> u64 {
        let exponential = BACKOFF_BASE_MS.saturating_mul(1 << (attempt - 1).min(16));
        let capped = exponential.min(BACKOFF_CAP_MS) as f64;
        // "Equal jitter": at least half the step, so retries spread out but never hammer.
        let jitter = 0.5 + 0.5 * self.runtime.random().clamp(0.0, 1.0);
        (capped * jitter) as u64
    }
}
