//! The budget the syncs running at once in one instance share: its own test binary (its own process),
//! since the budget is module-wide and the other sync tests run in parallel threads.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};

use sentinelone_connector::capability;
use sentinelone_connector::connection::ConnectionProperties;
use sentinelone_connector::options::CallOptions;
use sentinelone_connector::runtime::Runtime;
use sentinelone_connector::sync::{self, SerialEntry, Snapshot, SyncFailure};
use sentinelone_connector::transport::{HttpResponse, TransportError};
use support::*;

const NOW_MS: f64 = 1_715_797_800_000.0; // 2024-05-15T18:30:00Z

/// A clock that stands still and timers that never fire: a call waiting on its console stays waiting.
struct Still;

impl Runtime for Still {
    fn now_ms(&self) -> f64 {
        NOW_MS
    }
    async fn sleep(&self, _ms: u64) {
        std::future::pending::<()>().await;
    }
    fn random(&self) -> f64 {
        0.5
    }
}

type SyncResult = Result<Snapshot, SyncFailure>;

/// An incremental sync from a complete snapshot of `serials`, its one page answered by `answer`.
fn incremental_sync(
    serials: BTreeMap<String, SerialEntry>,
    transport: &FakeTransport,
) -> Pin<Box<dyn Future<Output = SyncResult> + '_>> {
    let input = incremental_input(serials);
    let connection =
        ConnectionProperties::from_json(tree(&connection_json())).expect("a connection object");
    let options = CallOptions {
        now_ms: Some(NOW_MS),
        ..CallOptions::default()
    };
    Box::pin(async move {
        capability::sync_agents_read(transport, &Still, &connection, input, options, &|_| {}).await
    })
}

/// A transport whose one incremental page is `answer`.
fn one_page(answer: Result<HttpResponse, TransportError>) -> FakeTransport {
    FakeTransport::new(vec![Exchange {
        url: format!(
            "{BASE}/web/api/v2.1/agents?limit=1000&updatedAt__gt=2024-05-15T18%3A25%3A00.000Z"
        ),
        answer,
    }])
}

/// Polls `call` once: whether it is still waiting.
fn waits(call: &mut Pin<Box<dyn Future<Output = SyncResult> + '_>>) -> bool {
    call.as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
        .is_pending()
}

#[test]
fn syncs_running_at_once_share_one_budget_and_give_their_share_back_when_they_end() {
    let share = (sync::MAX_LIVE_SNAPSHOT_BYTES >> 20) * 2 / 5; // two fit, a third does not
    let (first_console, second_console) = (one_page(hang()), one_page(hang()));
    let mut first = incremental_sync(fat_serial(share), &first_console);
    let mut second = incremental_sync(fat_serial(share), &second_console);
    assert!(
        waits(&mut first) && waits(&mut second),
        "both wait on their consoles"
    );

    let third_console = one_page(ok(page(&[], 0, None)));
    let refused = pollster::block_on(incremental_sync(fat_serial(share), &third_console));
    let error = refused.unwrap_err().error;
    assert_eq!(error.code(), "RESPONSE_TOO_LARGE");
    assert!(
        error
            .to_string()
            .contains("the syncs running at once in this instance"),
        "{error}"
    );
    assert!(
        third_console.sent.borrow().is_empty(),
        "refused before any request"
    );

    // An abandoned call gives its share back: the third sync fits now, and asks for its page.
    drop(first);
    let third_console = one_page(hang());
    let mut third = incremental_sync(fat_serial(share), &third_console);
    assert!(waits(&mut third) && waits(&mut second));
    assert_eq!(third_console.sent.borrow().len(), 1);
}
