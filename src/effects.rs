//! A capability call run step by step by its host: whatever the call waits on (a request to send, a
//! timer) is listed as an effect, the host performs it and reports back, and the call is polled again.
//!
//! This keeps the wasm module synchronous and free of JS promises: the host's driver loop is the
//! executor, and the core stays the same async code that native tests drive with fakes.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::runtime::Runtime;
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};

/// Something a call waits on, for its host to perform.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send this request and report the response with [`Effects::fetched`] or [`Effects::failed`].
    Fetch {
        /// The effect's id, unique within the call.
        id: u32,
        /// The request to send.
        request: HttpRequest,
    },
    /// Wait this many milliseconds and report it with [`Effects::fired`].
    Sleep {
        /// The effect's id, unique within the call.
        id: u32,
        /// How long to wait.
        ms: u64,
    },
}

enum Completion {
    Fetched(Result<HttpResponse, TransportError>),
    Fired,
}

/// The effects of one call: those to start, those to cancel, and completions not yet read.
#[derive(Default)]
pub struct Effects {
    next_id: u32,
    started: Vec<Effect>,
    cancelled: Vec<u32>,
    waiting: Vec<u32>,
    completed: Vec<(u32, Completion)>,
    received: Vec<Received>,
}

/// Where a response body handed to the call lives, to recognise it when it comes back unchanged.
struct Received {
    id: u32,
    address: usize,
    len: usize,
}

impl Effects {
    fn start(&mut self, effect: impl FnOnce(u32) -> Effect) -> u32 {
        self.next_id += 1;
        let id = self.next_id;
        self.waiting.push(id);
        self.started.push(effect(id));
        id
    }

    /// The effects started since the last call, to perform now.
    pub fn take_started(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.started)
    }

    /// The effects nobody waits on any more (a timer beaten by its response), to cancel now.
    pub fn take_cancelled(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.cancelled)
    }

    /// Reports the response to fetch `id`.
    pub fn fetched(&mut self, id: u32, response: HttpResponse) {
        if !response.body.is_empty() {
            self.received.push(Received {
                id,
                address: response.body.as_ptr() as usize,
                len: response.body.len(),
            });
        }
        self.complete(id, Completion::Fetched(Ok(response)));
    }

    /// Reports that fetch `id` obtained no response.
    pub fn failed(&mut self, id: u32, error: TransportError) {
        self.complete(id, Completion::Fetched(Err(error)));
    }

    /// Reports that timer `id` fired.
    pub fn fired(&mut self, id: u32) {
        self.complete(id, Completion::Fired);
    }

    fn complete(&mut self, id: u32, completion: Completion) {
        // A completion for an effect nobody waits on (cancelled, or never started) is dropped.
        if let Some(position) = self.waiting.iter().position(|&w| w == id) {
            self.waiting.swap_remove(position);
            self.completed.push((id, completion));
        }
    }

    fn stop_waiting(&mut self, id: u32) {
        self.waiting.retain(|&w| w != id);
        self.completed.retain(|(done, _)| *done != id);
        self.cancelled.push(id);
    }

    /// The fetch whose response body `text` is, given that `text` is a body as received (the core
    /// moved it to the output, unchanged: [`crate::output::RawFacts::as_received`]), so a host can
    /// reuse its own copy.
    ///
    /// Bodies are moved, never copied, so such a text still lives at the address it was received
    /// at, and no other body lived there since, while it was alive: it is the latest body received
    /// at its address. (Address and length alone would not do: a redacted text of a later page can
    /// be allocated where an earlier page of the same length was freed, and that page must not be
    /// handed back.)
    pub fn body_source(&self, text: &str) -> Option<u32> {
        let address = text.as_ptr() as usize;
        let latest = self.received.iter().rev().find(|r| r.address == address)?;
        (latest.len == text.len()).then_some(latest.id)
    }
}

/// Waits for the completion of one effect; cancels it when dropped before that.
struct Completed {
    id: u32,
    effects: Rc<RefCell<Effects>>,
    settled: bool,
}

impl Future for Completed {
    type Output = Completion;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Completion> {
        let id = self.id;
        let taken = {
            let Ok(mut effects) = self.effects.try_borrow_mut() else {
                return Poll::Pending;
            };
            let position = effects.completed.iter().position(|(done, _)| *done == id);
            position.map(|p| effects.completed.swap_remove(p).1)
        };
        match taken {
            Some(completion) => {
                self.settled = true;
                Poll::Ready(completion)
            }
            None => Poll::Pending,
        }
    }
}

impl Drop for Completed {
    fn drop(&mut self) {
        if !self.settled {
            if let Ok(mut effects) = self.effects.try_borrow_mut() {
                effects.stop_waiting(self.id);
            }
        }
    }
}

/// A [`Transport`] whose requests are effects for the host to send.
pub struct EffectTransport(pub Rc<RefCell<Effects>>);

impl Transport for EffectTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let id = self
            .0
            .borrow_mut()
            .start(|id| Effect::Fetch { id, request });
        let completed = Completed {
            id,
            effects: Rc::clone(&self.0),
            settled: false,
        };
        match completed.await {
            Completion::Fetched(result) => result,
            Completion::Fired => Err(TransportError::Contract(
                "the host reported a timer for a request".into(),
            )),
        }
    }
}

/// A [`Runtime`] whose timers are effects; the clock and randomness are read directly from the host.
pub struct EffectRuntime {
    /// The call's effects, shared with its transport.
    pub effects: Rc<RefCell<Effects>>,
    /// The host's clock, in ms since the Unix epoch.
    pub now: fn() -> f64,
    /// The host's uniform random numbers in `[0, 1)`.
    pub random: fn() -> f64,
}

impl Runtime for EffectRuntime {
    fn now_ms(&self) -> f64 {
        (self.now)()
    }

    async fn sleep(&self, ms: u64) {
        let id = self
            .effects
            .borrow_mut()
            .start(|id| Effect::Sleep { id, ms });
        Completed {
            id,
            effects: Rc::clone(&self.effects),
            settled: false,
        }
        .await;
    }

    fn random(&self) -> f64 {
        (self.random)()
    }
}

/// A running call: polled by its host after each completion until it returns its result.
pub struct Call<T> {
    future: Option<Pin<Box<dyn Future<Output = T>>>>,
    /// The call's effects, shared with the transport and runtime its future uses.
    pub effects: Rc<RefCell<Effects>>,
}

impl<T> Call<T> {
    /// Wraps the future of a call whose transport and runtime use `effects`.
    pub fn new(effects: Rc<RefCell<Effects>>, future: impl Future<Output = T> + 'static) -> Self {
        Self {
            future: Some(Box::pin(future)),
            effects,
        }
    }

    /// Runs the call as far as it goes: its result once, `None` while it waits on effects (and after).
    pub fn poll(&mut self) -> Option<T> {
        let future = self.future.as_mut()?;
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(result) => {
                self.future = None;
                Some(result)
            }
            Poll::Pending => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;
    use crate::options::CallOptions;

    fn request() -> HttpRequest {
        HttpRequest {
            method: "GET",
            url: "https://console.example/web/api/v2.1/agents".into(),
            headers: vec![],
            body: None,
        }
    }

    fn ok(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![],
            body: body.into(),
        }
    }

    type TestCall = (
        Call<Result<HttpResponse, crate::error::ConnectorError>>,
        Rc<RefCell<Effects>>,
    );

    fn call() -> TestCall {
        call_with(|| 1_000.0, || 0.0)
    }

    fn call_with(now: fn() -> f64, random: fn() -> f64) -> TestCall {
        let effects = Rc::new(RefCell::new(Effects::default()));
        let transport = EffectTransport(Rc::clone(&effects));
        let runtime = EffectRuntime {
            effects: Rc::clone(&effects),
            now,
            random,
        };
        let future = async move {
            let client = Client::new(&transport, &runtime, CallOptions::default());
            client.send(&request()).await
        };
        (Call::new(Rc::clone(&effects), future), effects)
    }

    #[test]
    fn a_request_races_the_deadline_and_the_losing_timer_is_cancelled() {
        let (mut call, effects) = call();
        assert!(call.poll().is_none());
        let started = effects.borrow_mut().take_started();
        assert_eq!(
            started,
            vec![
                Effect::Fetch {
                    id: 1,
                    request: request()
                },
                Effect::Sleep { id: 2, ms: 10_000 }
            ]
        );
        effects.borrow_mut().fetched(1, ok("{}"));
        let response = call.poll().expect("settled").expect("a 200");
        assert_eq!(response.body, "{}");
        assert_eq!(effects.borrow_mut().take_cancelled(), vec![2]);
        assert!(call.poll().is_none(), "a finished call yields nothing more");
    }

    #[test]
    fn a_retry_waits_on_a_backoff_timer_and_sends_again() {
        let (mut call, effects) = call();
        call.poll();
        effects.borrow_mut().take_started();
        effects.borrow_mut().fetched(
            1,
            HttpResponse {
                status: 503,
                ..ok("")
            },
        );
        assert!(call.poll().is_none());
        let started = effects.borrow_mut().take_started();
        // Equal jitter with random() = 0: half the 250 ms first step.
        assert_eq!(started, vec![Effect::Sleep { id: 3, ms: 125 }]);
        assert_eq!(effects.borrow_mut().take_cancelled(), vec![2]);
        effects.borrow_mut().fired(3);
        assert!(call.poll().is_none());
        let started = effects.borrow_mut().take_started();
        assert!(
            matches!(started[0], Effect::Fetch { id: 4, .. }),
            "{started:?}"
        );
    }

    #[test]
    fn the_host_clock_and_randomness_set_the_waits() {
        let refused = |status: u16, headers: Vec<(String, String)>| HttpResponse {
            status,
            headers,
            ..ok("")
        };
        // Jitter from the host's random number: 250 ms x (0.5 + 0.5 x 0.5).
        let (mut call, effects) = call_with(|| 1_000.0, || 0.5);
        call.poll();
        effects.borrow_mut().fetched(1, refused(503, vec![]));
        call.poll();
        let started = effects.borrow_mut().take_started();
        assert_eq!(started.last(), Some(&Effect::Sleep { id: 3, ms: 187 }));
        // A Retry-After date is read against the host's clock: 1 s after the epoch, told 3 s.
        let (mut call, effects) = call_with(|| 1_000.0, || 0.0);
        call.poll();
        let told = vec![("retry-after".into(), "Thu, 01 Jan 1970 00:00:03 GMT".into())];
        effects.borrow_mut().fetched(1, refused(429, told));
        call.poll();
        let started = effects.borrow_mut().take_started();
        assert_eq!(started.last(), Some(&Effect::Sleep { id: 3, ms: 2_000 }));
    }

    #[test]
    fn completions_for_unknown_or_cancelled_effects_are_ignored() {
        let (mut call, effects) = call();
        call.poll();
        effects.borrow_mut().fired(99);
        effects.borrow_mut().fetched(1, ok("{}"));
        assert!(call.poll().is_some());
        effects.borrow_mut().fired(2);
        assert!(effects.borrow().completed.is_empty());
        assert!(effects.borrow().waiting.is_empty());
    }

    #[test]
    fn a_transport_failure_reaches_the_call() {
        let (mut call, effects) = call();
        call.poll();
        effects.borrow_mut().take_started();
        let failure = TransportError::NetworkFinal("certificate not trusted".into());
        effects.borrow_mut().failed(1, failure);
        let error = call.poll().expect("settled").expect_err("no response");
        assert_eq!(error.code(), "NETWORK");
        assert!(
            error.to_string().contains("certificate not trusted"),
            "{error}"
        );
        assert_eq!(effects.borrow_mut().take_cancelled(), vec![2]);
    }

    #[test]
    fn both_completing_before_a_poll_leaves_nothing_of_the_loser() {
        // The response and the deadline both reported before the call runs again: one wins, and the
        // other's completion is dropped with it, not kept for an id nobody waits on.
        let (mut call, effects) = call();
        call.poll();
        effects.borrow_mut().fetched(1, ok("{}"));
        effects.borrow_mut().fired(2);
        assert!(call.poll().is_some());
        assert_eq!(effects.borrow_mut().take_cancelled().len(), 1);
        assert!(effects.borrow().completed.is_empty());
        assert!(effects.borrow().waiting.is_empty());
    }

    #[test]
    fn a_deadline_firing_first_times_the_call_out() {
        let (mut call, effects) = call();
        call.poll();
        effects.borrow_mut().fired(2);
        let error = call.poll().expect("settled").expect_err("timed out");
        assert_eq!(error.code(), "TIMEOUT");
        assert_eq!(effects.borrow_mut().take_cancelled(), vec![1]);
    }

    #[test]
    fn a_body_is_recognised_only_where_it_was_received() {
        let mut effects = Effects::default();
        effects.waiting.push(7);
        let response = ok("{\"data\":[]}");
        let body_address = response.body.as_ptr();
        effects.fetched(7, response);
        let Some((_, Completion::Fetched(Ok(response)))) = effects.completed.pop() else {
            panic!("completed");
        };
        assert_eq!(response.body.as_ptr(), body_address);
        assert_eq!(effects.body_source(&response.body), Some(7));
        let copy = response.body.clone();
        assert_eq!(effects.body_source(&copy), None);
        assert_eq!(effects.body_source(&response.body[1..]), None);
    }
}
