//! Sync Agents and checkSerial: paging, merging shared serials, summary, resume, incremental syncs,
//! staleness and time-dependent rules, with snapshots and answers validated against their schemas.
#![cfg(not(target_arch = "wasm32"))] // native: schema validation uses the jsonschema crate

mod support;

use std::cell::RefCell;
use std::collections::BTreeMap;

use sentinelone_connector::capability::{self, Capability};
use sentinelone_connector::connection::ConnectionProperties;
use sentinelone_connector::error::ConnectorError;
use sentinelone_connector::options::CallOptions;
use sentinelone_connector::sync::{self, Progress, SerialEntry, Snapshot, SnapshotHead};
use sentinelone_connector::transport::{HttpResponse, TransportError};
use serde_json::{json, Value};
use support::*;

const NOW_MS: f64 = 1_715_797_800_000.0; // 2024-05-15T18:30:00Z
const NOW_ISO: &str = "2024-05-15T18:30:00.000Z";

fn agent(id: &str, serial: Value, changes: Value) -> Value {
    let mut a = json!({
        "id": id, "serialNumber": serial, "osType": "windows", "agentVersion": "23.4.2.14",
        "isActive": true, "isDecommissioned": false, "isUninstalled": false, "isPendingUninstall": false,
        "infected": false, "activeThreats": 0, "threatRebootRequired": false, "operationalState": "na",
        "lastActiveDate": "2024-05-15T18:25:00.000000Z", "networkStatus": "connected"
    });
    for (k, v) in changes.as_object().unwrap() {
        a[k] = v.clone();
    }
    a
}

fn fleet() -> Vec<Vec<Value>> {
    vec![
        vec![
            agent("1", json!("HEALTHY01"), json!({})),
            agent(
                "2",
                json!("INFECTED1"),
                json!({ "infected": true, "activeThreats": 2 }),
            ),
            agent("3", json!(null), json!({})),
        ],
        vec![
            agent("4", json!("To be filled by O.E.M."), json!({})),
            agent(
                "5",
                json!("REINSTALL"),
                json!({ "isDecommissioned": true, "isActive": false, "lastActiveDate": "2024-04-01T00:00:00Z" }),
            ),
            agent(
                "6",
                json!("STALE0001"),
                json!({ "lastActiveDate": "2024-05-15T16:00:00Z" }),
            ),
        ],
        vec![
            agent("7", json!("REINSTALL"), json!({})),
            agent("8", json!(" HEALTHY02 "), json!({})),
        ],
    ]
}

fn page_url(cursor: Option<&str>) -> String {
    match cursor {
        None => format!("{BASE}/web/api/v2.1/agents?limit=1000"),
        Some(c) => format!("{BASE}/web/api/v2.1/agents?limit=1000&cursor={c}"),
    }
}

fn pages(fleet: &[Vec<Value>], from: usize) -> Vec<Exchange> {
    (from..fleet.len())
        .map(|i| Exchange {
            url: page_url((i > 0).then(|| format!("c{i}")).as_deref()),
            answer: ok(page(
                &fleet[i],
                8,
                (i + 1 < fleet.len())
                    .then(|| format!("c{}", i + 1))
                    .as_deref(),
            )),
        })
        .collect()
}

/// The fleet's first page, then `second` where the second page should be.
fn first_page_then(second: Result<HttpResponse, TransportError>) -> Vec<Exchange> {
    let mut script = pages(&fleet(), 0);
    script.truncate(1);
    script.push(Exchange {
        url: page_url(Some("c1")),
        answer: second,
    });
    script
}

/// The partial snapshot of a sync that read the fleet's first page and failed on the second (503), as
/// JSON a host would store.
fn partial_after_first_page() -> Value {
    let failure = run_sync(
        &FakeTransport::new(first_page_then(status(503, ""))),
        json!({}),
        1,
    )
    .0
    .unwrap_err();
    json_of(&*failure.partial)
}

/// An incremental sync's one page after a previous sync at `NOW_ISO`: agents updated since 18:25,
/// the previous syncedAt (this host's clock) less 5 minutes of clock-skew allowance (updatedAt is
/// the console's clock).
fn incremental_page(agents: &[Value]) -> FakeTransport {
    FakeTransport::new(vec![Exchange {
        url: format!(
            "{}&updatedAt__gt=2024-05-15T18%3A25%3A00.000Z",
            page_url(None)
        ),
        answer: ok(page(agents, agents.len() as u64, None)),
    }])
}

fn run_sync(
    transport: &FakeTransport,
    input: Value,
    max_attempts: u32,
) -> (Result<Snapshot, sync::SyncFailure>, Vec<Progress>) {
    let progress = RefCell::new(Vec::new());
    let connection =
        ConnectionProperties::from_json(tree(&connection_json())).expect("a connection object");
    let options = CallOptions {
        now_ms: Some(NOW_MS),
        max_attempts,
        ..CallOptions::default()
    };
    let result = pollster::block_on(capability::sync_agents(
        transport,
        &FakeRuntime::default(),
        &connection,
        &tree(&input),
        options,
        &|p| progress.borrow_mut().push(p),
    ));
    if let Ok(snapshot) = &result {
        let json = json_of(snapshot);
        assert_valid("syncAgents.output.schema.json", &json);
        assert_no_secret(&json.to_string());
    }
    (result, progress.into_inner())
}

fn check(snapshot: &Snapshot, serial: &str, now_ms: f64, max_age: f64) -> Value {
    let head = SnapshotHead::from_json(&tree(&json_of(snapshot))).unwrap();
    let entry: Option<&SerialEntry> = snapshot.serials.get(serial.trim());
    let out =
        sync::check_serial(&head, entry, Some(&tree(&json!(serial))), now_ms, max_age).unwrap();
    let mut json = json_of(&out);
    json["rawResponse"] = Value::Null;
    assert_valid("evaluateDeviceTrust.output.schema.json", &json);
    // As the schema says: besides the snapshot check, only failed rules (a snapshot keeps no more).
    for check in json["checks"].as_array().unwrap() {
        assert!(
            check["rule"] == "snapshot" || check["passed"] == false,
            "{check}"
        );
    }
    json
}

/// The message of a checkSerial answer's first reason.
fn first_message(out: &Value) -> &str {
    out["reasons"][0]["message"].as_str().unwrap_or_default()
}

fn failed(out: &Value) -> Vec<String> {
    out["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_multi_page_sync_builds_a_snapshot_and_a_summary_with_one_request_per_page() {
    let transport = FakeTransport::new(pages(&fleet(), 0));
    let (result, progress) = run_sync(&transport, json!({}), 3);
    let snapshot = result.unwrap();
    transport.assert_all_used();
    assert!(snapshot.complete);
    assert_eq!(snapshot.synced_at, NOW_ISO);
    let serials: Vec<&str> = snapshot.serials.keys().map(String::as_str).collect();
    assert_eq!(
        serials,
        [
            "HEALTHY01",
            "HEALTHY02",
            "INFECTED1",
            "REINSTALL",
            "STALE0001"
        ]
    );
    let reinstall = &snapshot.serials["REINSTALL"];
    assert_eq!(
        (reinstall.agents, reinstall.agent_id.as_deref()),
        (2, Some("7")),
        "the live agent is preferred"
    );
    assert_eq!(reinstall.other_agent_ids[..], ["5"]);
    assert_eq!(
        json_of(&snapshot)["serials"]["HEALTHY01"].get("otherAgentIds"),
        None,
        "written only for a shared serial"
    );
    let s = &snapshot.summary;
    assert_eq!((s.agents_seen, s.serials, s.trusted), (8, 5, 2));
    assert_eq!(
        (s.null_serials, s.placeholder_serials, s.duplicated_serials),
        (1, 1, 1)
    );
    assert_eq!(
        (s.pages, s.requests),
        (3, 3),
        "no requests beyond the pages"
    );
    assert_eq!(s.not_trusted_by_reason.get("infected"), Some(&1));
    assert_eq!(s.not_trusted_by_reason.get("uniqueSerial"), Some(&1));
    assert_eq!(s.not_trusted_by_reason.get("lastActive"), Some(&1));
    let pages_seen: Vec<(u32, u64)> = progress.iter().map(|p| (p.page, p.agents_seen)).collect();
    assert_eq!(pages_seen, [(1, 3), (2, 6), (3, 8)]);
}

#[test]
fn check_serial_answers_like_evaluate_device_trust() {
    let transport = FakeTransport::new(pages(&fleet(), 0));
    let snapshot = run_sync(&transport, json!({}), 3).0.unwrap();
    for (serial, expected) in [
        ("HEALTHY01", vec![]),
        (" HEALTHY02 ", vec![]),
        ("INFECTED1", vec!["infected", "activeThreats"]),
        ("REINSTALL", vec!["uniqueSerial"]),
        ("STALE0001", vec!["lastActive"]),
        ("NOT-THERE-1", vec!["agentFound"]),
        ("To be filled by O.E.M.", vec!["placeholderSerial"]),
    ] {
        let out = check(&snapshot, serial, NOW_MS, 60.0);
        assert_eq!(failed(&out), expected, "{serial}");
        assert_eq!(out["trusted"], json!(expected.is_empty()), "{serial}");
    }
    // Evaluate Device Trust on the same agents agrees, serial by serial.
    for (serial, agents) in [
        ("INFECTED1", vec![fleet()[0][1].clone()]),
        (
            "REINSTALL",
            vec![fleet()[1][1].clone(), fleet()[2][0].clone()],
        ),
    ] {
        let t = FakeTransport::new(vec![Exchange {
            url: agents_url(serial),
            answer: ok(page(&agents, agents.len() as u64, None)),
        }]);
        let direct = invoke_json(
            &t,
            &FakeRuntime::default(),
            Capability::EvaluateDeviceTrust,
            connection_json(),
            json!({ "serialNumber": serial }),
            CallOptions {
                now_ms: Some(NOW_MS),
                ..CallOptions::default()
            },
        )
        .unwrap();
        assert_eq!(
            failed(&direct),
            failed(&check(&snapshot, serial, NOW_MS, 60.0)),
            "{serial}"
        );
    }
}

#[test]
fn a_sync_judges_every_rule_on_each_agents_own_fields() {
    // Allow-lists and a minimum version that this fleet meets except where an agent says otherwise: a
    // sync that judged without the agent's OS type, version or network status would fail them all.
    let rules = json!({
        "allowedOsTypes": ["windows", "linux"],
        "minAgentVersion": "23.4",
        "allowedNetworkStatuses": ["connected"],
    });
    let agents = vec![
        agent("1", json!("MEETSALL1"), json!({})),
        agent("2", json!("LINUXBOX1"), json!({ "osType": "linux" })),
        agent("3", json!("MACBOOK01"), json!({ "osType": "macos" })),
        agent(
            "4",
            json!("OLDAGENT1"),
            json!({ "agentVersion": "22.3.1.5" }),
        ),
        agent(
            "5",
            json!("OFFLINE01"),
            json!({ "networkStatus": "disconnected" }),
        ),
        agent(
            "6",
            json!("NOFIELDS1"),
            json!({ "osType": null, "agentVersion": null, "networkStatus": null }),
        ),
    ];
    let transport = FakeTransport::new(vec![Exchange {
        url: page_url(None),
        answer: ok(page(&agents, agents.len() as u64, None)),
    }]);
    let snapshot = run_sync(&transport, json!({ "rules": rules }), 3)
        .0
        .unwrap();
    for (serial, expected) in [
        ("MEETSALL1", vec![]),
        ("LINUXBOX1", vec![]),
        ("MACBOOK01", vec!["osType"]),
        ("OLDAGENT1", vec!["agentVersion"]),
        ("OFFLINE01", vec!["networkStatus"]),
        ("NOFIELDS1", vec!["networkStatus", "osType", "agentVersion"]),
    ] {
        let from_snapshot = check(&snapshot, serial, NOW_MS, 60.0);
        assert_eq!(failed(&from_snapshot), expected, "{serial}");
        // And as Evaluate Device Trust judges the same agent, with the same rules.
        let one = vec![agents
            .iter()
            .find(|a| a["serialNumber"] == serial)
            .unwrap()
            .clone()];
        let t = FakeTransport::new(vec![Exchange {
            url: agents_url(serial),
            answer: ok(page(&one, 1, None)),
        }]);
        let direct = invoke_json(
            &t,
            &FakeRuntime::default(),
            Capability::EvaluateDeviceTrust,
            connection_json(),
            json!({ "serialNumber": serial, "rules": rules }),
            CallOptions {
                now_ms: Some(NOW_MS),
                ..CallOptions::default()
            },
        )
        .unwrap();
        assert_eq!(failed(&direct), failed(&from_snapshot), "{serial}");
    }
}

#[test]
fn time_dependent_rules_are_judged_at_check_time_and_stale_snapshots_fail_closed() {
    let transport = FakeTransport::new(pages(&fleet(), 0));
    let snapshot = run_sync(&transport, json!({}), 3).0.unwrap();
    // 50 minutes later HEALTHY01 last reported 55 minutes ago: still fine; the snapshot is 50 minutes old.
    assert_eq!(
        failed(&check(
            &snapshot,
            "HEALTHY01",
            NOW_MS + 50.0 * 60_000.0,
            60.0
        )),
        Vec::<String>::new()
    );
    // The snapshot check says how old a fresh one is too.
    let out = check(&snapshot, "HEALTHY01", NOW_MS + 50.0 * 60_000.0, 60.0);
    assert_eq!(
        out["checks"][0]["message"],
        json!("the snapshot is 50.0 minutes old")
    );
    // An incomplete one says so, however fresh.
    let mut incomplete = snapshot.clone();
    incomplete.complete = false;
    let out = check(&incomplete, "HEALTHY01", NOW_MS, 60.0);
    assert_eq!(failed(&out), ["snapshot"]);
    assert_eq!(
        first_message(&out),
        "incomplete snapshot: the sync did not finish"
    );
    // 70 minutes later: the snapshot is stale, whatever the device.
    let out = check(&snapshot, "HEALTHY01", NOW_MS + 70.0 * 60_000.0, 60.0);
    assert_eq!(failed(&out), ["snapshot"]);
    assert!(first_message(&out).starts_with("stale snapshot"));
    // With a longer allowance, lastActive is what fails at check time.
    assert_eq!(
        failed(&check(
            &snapshot,
            "HEALTHY01",
            NOW_MS + 70.0 * 60_000.0,
            120.0
        )),
        ["lastActive"]
    );
    // A snapshot from the future never goes stale unless refused: beyond the clock-skew allowance
    // (5 minutes) it is, within it it is not.
    let out = check(&snapshot, "HEALTHY01", NOW_MS - 10.0 * 60_000.0, 60.0);
    assert_eq!(failed(&out), ["snapshot"]);
    assert!(first_message(&out).contains("10.0 minutes in the future"));
    // Exactly the allowance ahead is still skew.
    for minutes_ahead in [2.0, 5.0] {
        assert_eq!(
            failed(&check(
                &snapshot,
                "HEALTHY01",
                NOW_MS - minutes_ahead * 60_000.0,
                60.0
            )),
            Vec::<String>::new(),
            "{minutes_ahead} minutes ahead"
        );
    }
    assert_eq!(
        failed(&check(
            &snapshot,
            "HEALTHY01",
            NOW_MS - 5.1 * 60_000.0,
            60.0
        )),
        ["snapshot"]
    );
}

#[test]
fn a_failed_sync_can_resume_from_its_cursor_and_ends_where_a_full_sync_ends() {
    let full = run_sync(&FakeTransport::new(pages(&fleet(), 0)), json!({}), 3)
        .0
        .unwrap();

    let script = first_page_then(status(503, ""));
    let transport = FakeTransport::new(script);
    let failure = run_sync(&transport, json!({}), 1).0.unwrap_err();
    transport.assert_all_used();
    assert_eq!(failure.error.code(), "UPSTREAM_UNAVAILABLE");
    let partial = *failure.partial;
    assert!(!partial.complete);
    assert_eq!(partial.resume_cursor.as_deref(), Some("c1"));
    assert_eq!(partial.summary.agents_seen, 3, "how far it got");
    let head = SnapshotHead::from_json(&tree(&json_of(&partial))).unwrap();
    let answer = sync::check_serial(
        &head,
        partial.serials.get("HEALTHY01"),
        Some(&tree(&json!("HEALTHY01"))),
        NOW_MS,
        60.0,
    )
    .unwrap();
    assert!(!answer.trusted, "an incomplete snapshot trusts nothing");

    let transport = FakeTransport::new(pages(&fleet(), 1));
    let resumed = run_sync(&transport, json!({ "resumeFrom": json_of(&partial) }), 3)
        .0
        .unwrap();
    transport.assert_all_used();
    assert_eq!(resumed.serials, full.serials);
    assert_eq!(resumed.summary.agents_seen, full.summary.agents_seen);
    assert_eq!(resumed.summary.pages, 3);
    assert_eq!(resumed.summary.requests, 4, "the failed request counts too");
}

#[test]
fn an_incremental_sync_reads_only_changes_since_the_previous_snapshot() {
    let previous = run_sync(&FakeTransport::new(pages(&fleet(), 0)), json!({}), 3)
        .0
        .unwrap();
    let delta = vec![
        agent(
            "2",
            json!("INFECTED1"),
            json!({ "infected": false, "activeThreats": 0 }),
        ),
        agent("9", json!("NEWDEVICE"), json!({})),
    ];
    let transport = incremental_page(&delta);
    let next = run_sync(&transport, json!({ "previous": json_of(&previous) }), 3)
        .0
        .unwrap();
    transport.assert_all_used();
    assert_eq!(
        failed(&check(&next, "INFECTED1", NOW_MS, 60.0)),
        Vec::<String>::new(),
        "the cleaned device is trusted now"
    );
    assert_eq!(
        next.serials["INFECTED1"].agents, 1,
        "the same agent again is not a duplicate"
    );
    assert!(next.serials.contains_key("NEWDEVICE"));
    assert!(
        next.serials.contains_key("HEALTHY01"),
        "unchanged verdicts carry over"
    );
}

/// A serial's agent count, preferred agent and other agents.
fn sharing<'s>(snapshot: &'s Snapshot, serial: &str) -> (u32, Option<&'s str>, Vec<&'s str>) {
    let entry = &snapshot.serials[serial];
    let others = entry.other_agent_ids.iter().map(String::as_str).collect();
    (entry.agents, entry.agent_id.as_deref(), others)
}

#[test]
fn incremental_syncs_count_each_agent_of_a_shared_serial_once() {
    let full = run_sync(&FakeTransport::new(pages(&fleet(), 0)), json!({}), 3)
        .0
        .unwrap();
    let decommissioned = json!({ "isDecommissioned": true, "isActive": false, "lastActiveDate": "2024-04-01T00:00:00Z" });
    // Both agents of REINSTALL changed (the old one again decommissioned, the live one active).
    let transport = incremental_page(&[
        agent("5", json!("REINSTALL"), decommissioned.clone()),
        agent("7", json!("REINSTALL"), json!({})),
    ]);
    let once = run_sync(&transport, json!({ "previous": json_of(&full) }), 3)
        .0
        .unwrap();
    let twice = run_sync(
        &incremental_page(&[agent("5", json!("REINSTALL"), decommissioned.clone())]),
        json!({ "previous": json_of(&once) }),
        3,
    )
    .0
    .unwrap();
    for snapshot in [&once, &twice] {
        assert_eq!(
            sharing(snapshot, "REINSTALL"),
            (2, Some("7"), vec!["5"]),
            "two agents, however often they are read"
        );
        assert_eq!(check(snapshot, "REINSTALL", NOW_MS, 60.0)["matchCount"], 2);
        assert_eq!(snapshot.summary.duplicated_serials, 1);
    }
    // The live agent is decommissioned and the old one comes back: they trade places, still two.
    let swapped = run_sync(
        &incremental_page(&[
            agent("7", json!("REINSTALL"), decommissioned.clone()),
            agent("5", json!("REINSTALL"), json!({})),
        ]),
        json!({ "previous": json_of(&twice) }),
        3,
    )
    .0
    .unwrap();
    assert_eq!(sharing(&swapped, "REINSTALL"), (2, Some("5"), vec!["7"]));
    // A third agent with the serial is one more.
    let third = run_sync(
        &incremental_page(&[agent("10", json!("REINSTALL"), decommissioned)]),
        json!({ "previous": json_of(&swapped) }),
        3,
    )
    .0
    .unwrap();
    assert_eq!(
        sharing(&third, "REINSTALL"),
        (3, Some("5"), vec!["7", "10"])
    );
}

#[test]
fn an_agent_read_under_another_serial_leaves_the_entry_of_its_old_one() {
    let full = run_sync(&FakeTransport::new(pages(&fleet(), 0)), json!({}), 3)
        .0
        .unwrap();
    assert_eq!(check(&full, "HEALTHY01", NOW_MS, 60.0)["trusted"], true);
    let incremental = |agents: &[Value], previous: &Snapshot| {
        run_sync(
            &incremental_page(agents),
            json!({ "previous": json_of(previous) }),
            3,
        )
        .0
        .unwrap()
    };
    // HEALTHY01's only agent now reports another serial (a replaced mainboard): no agent has
    // HEALTHY01 any more, so it is not trusted, as a full sync would say.
    let moved = incremental(&[agent("1", json!("NEWBOARD1"), json!({}))], &full);
    assert!(!moved.serials.contains_key("HEALTHY01"));
    assert_eq!(
        failed(&check(&moved, "HEALTHY01", NOW_MS, 60.0)),
        ["agentFound"]
    );
    assert_eq!(check(&moved, "NEWBOARD1", NOW_MS, 60.0)["trusted"], true);
    assert_eq!(moved.summary.serials, full.summary.serials);
    // One that loses its serial (null, or a firmware placeholder) leaves it too.
    for serial in [json!(null), json!("Default string")] {
        let lost = incremental(&[agent("2", serial.clone(), json!({}))], &full);
        assert!(!lost.serials.contains_key("INFECTED1"), "{serial}");
    }
    // REINSTALL has two agents, 7 preferred and 5 another. When 5 moves, 7 stays, alone.
    let other_moved = incremental(&[agent("5", json!("NEWBOARD2"), json!({}))], &full);
    assert_eq!(sharing(&other_moved, "REINSTALL"), (1, Some("7"), vec![]));
    assert_eq!(
        other_moved.serials["REINSTALL"].last_active_date,
        full.serials["REINSTALL"].last_active_date
    );
    // When 7 moves, 5 is what has the serial, but nothing read says how it stands: its entry fails
    // closed (no date: lastActive) until a sync reads it; a full sync's would judge it.
    let preferred_moved = incremental(&[agent("7", json!("NEWBOARD3"), json!({}))], &full);
    assert_eq!(
        sharing(&preferred_moved, "REINSTALL"),
        (1, Some("5"), vec![])
    );
    let answer = check(&preferred_moved, "REINSTALL", NOW_MS, 60.0);
    assert_eq!(answer["trusted"], false);
    assert_eq!(failed(&answer), ["lastActive"]);
    // ... and once read, it is judged as any agent.
    let read_again = incremental(
        &[agent("5", json!("REINSTALL"), json!({}))],
        &preferred_moved,
    );
    assert_eq!(
        check(&read_again, "REINSTALL", NOW_MS, 60.0)["trusted"],
        true
    );
    assert_eq!(sharing(&read_again, "REINSTALL"), (1, Some("5"), vec![]));
    // Read in the same sync as 7 moves, before or after it, 5 is judged there and then, though 7
    // (more recent) outranked it when it was read.
    let reread = agent(
        "5",
        json!("REINSTALL"),
        json!({ "lastActiveDate": "2024-05-15T18:00:00Z" }),
    );
    let gone = agent("7", json!("NEWBOARD3"), json!({}));
    for agents in [[reread.clone(), gone.clone()], [gone, reread]] {
        let both = incremental(&agents, &full);
        assert_eq!(sharing(&both, "REINSTALL"), (1, Some("5"), vec![]));
        let answer = check(&both, "REINSTALL", NOW_MS, 60.0);
        assert_eq!(answer["trusted"], true, "{answer}");
        assert_eq!(
            both.serials["REINSTALL"].last_active_date.as_deref(),
            Some("2024-05-15T18:00:00Z")
        );
    }
    // ... and judged as it now stands: infected, it is not trusted.
    let infected = agent(
        "5",
        json!("REINSTALL"),
        json!({ "infected": true, "lastActiveDate": "2024-05-15T18:00:00Z" }),
    );
    let both = incremental(
        &[infected, agent("7", json!("NEWBOARD3"), json!({}))],
        &full,
    );
    assert_eq!(
        failed(&check(&both, "REINSTALL", NOW_MS, 60.0)),
        ["infected"]
    );
    // With two left, the one read is not taken for the serial's verdict: the other, unread, may be
    // the one a full sync prefers, and `allowAmbiguous` would trust whichever is judged.
    let shared = vec![vec![
        agent("7", json!("CLONED"), json!({})),
        agent(
            "5",
            json!("CLONED"),
            json!({ "lastActiveDate": "2024-05-15T18:10:00Z" }),
        ),
        agent(
            "9",
            json!("CLONED"),
            json!({ "infected": true, "lastActiveDate": "2024-05-15T18:20:00Z" }),
        ),
    ]];
    let rules = json!({ "rules": { "allowAmbiguous": true } });
    let ambiguous = run_sync(&FakeTransport::new(pages(&shared, 0)), rules, 3)
        .0
        .unwrap();
    let read = agent(
        "5",
        json!("CLONED"),
        json!({ "lastActiveDate": "2024-05-15T18:10:00Z" }),
    );
    let both = incremental(
        &[read, agent("7", json!("NEWBOARD4"), json!({}))],
        &ambiguous,
    );
    assert_eq!(sharing(&both, "CLONED").0, 2);
    assert_eq!(both.serials["CLONED"].last_active_date, None);
    assert_eq!(check(&both, "CLONED", NOW_MS, 60.0)["trusted"], false);
    // 5, read newer, outranks 7 and sets it aside with its stored verdict; read again under another
    // serial (it changed while the sync paged), 5 leaves, and 7 is judged as stored.
    let newer = agent(
        "5",
        json!("REINSTALL"),
        json!({ "lastActiveDate": "2024-05-15T18:28:00Z" }),
    );
    let twice = incremental(&[newer, agent("5", json!("NEWBOARD5"), json!({}))], &full);
    assert_eq!(sharing(&twice, "REINSTALL"), (1, Some("7"), vec![]));
    assert_eq!(
        twice.serials["REINSTALL"].last_active_date,
        full.serials["REINSTALL"].last_active_date
    );
    assert_eq!(check(&twice, "REINSTALL", NOW_MS, 60.0)["trusted"], true);
    assert_eq!(sharing(&twice, "NEWBOARD5"), (1, Some("5"), vec![]));
    // The last serial an agent is read under on a page counts, the one it had included.
    let back = incremental(
        &[
            agent("1", json!("NEWBOARD6"), json!({})),
            agent("1", json!("HEALTHY01"), json!({})),
        ],
        &full,
    );
    assert!(!back.serials.contains_key("NEWBOARD6"));
    assert_eq!(sharing(&back, "HEALTHY01"), (1, Some("1"), vec![]));
    // So it does on a snapshot of no serial yet.
    let none = vec![vec![agent("3", json!(null), json!({}))]];
    let none = run_sync(&FakeTransport::new(pages(&none, 0)), json!({}), 3)
        .0
        .unwrap();
    assert!(none.serials.is_empty());
    let twice = [
        agent("1", json!("NEWBOARD7"), json!({})),
        agent("1", json!("NEWBOARD8"), json!({})),
    ];
    let first = incremental(&twice, &none);
    assert_eq!(first.serials.keys().collect::<Vec<_>>(), ["NEWBOARD8"]);
    // An agent read again under the serial it had stays where it is.
    let same = incremental(&[agent("1", json!("HEALTHY01"), json!({}))], &full);
    assert_eq!(same.serials, full.serials);
    // A stored entry of no agent (the schema's minimum is one) is not written back.
    let mut stored = json_of(&full);
    stored["serials"]["HEALTHY02"]["agents"] = json!(0);
    let next = run_sync(&incremental_page(&[]), json!({ "previous": stored }), 3)
        .0
        .unwrap();
    assert!(!next.serials.contains_key("HEALTHY02"));
    assert_eq!(next.summary.serials, full.summary.serials - 1);
}

#[test]
fn bad_sync_inputs_are_coded() {
    for input in [
        json!({ "osTypes": "windows" }),
        json!({ "updatedSince": "yesterday" }),
        json!({ "rules": { "maxInactiveMinute": 5 } }),
        json!({ "resumeFrom": { "version": 1, "complete": true } }),
        json!({ "previous": { "version": 2 } }),
        json!("everything"),
    ] {
        let transport = FakeTransport::new(vec![]);
        let failure = run_sync(&transport, input.clone(), 3).0.unwrap_err();
        assert_eq!(failure.error.code(), "INVALID_INPUT", "{input}");
    }
}

#[test]
fn a_resumed_or_incremental_sync_judges_with_the_rules_its_snapshot_was_made_with() {
    let macos_only = json!({ "allowedOsTypes": ["macos"] });
    let script = first_page_then(status(503, ""));
    let failure = run_sync(
        &FakeTransport::new(script),
        json!({ "rules": macos_only }),
        1,
    )
    .0
    .unwrap_err();
    let partial = json_of(&*failure.partial);

    // Resumed without repeating the rules: the later pages are judged by the snapshot's rules.
    let transport = FakeTransport::new(pages(&fleet(), 1));
    let resumed = run_sync(&transport, json!({ "resumeFrom": partial }), 3)
        .0
        .unwrap();
    assert_eq!(
        failed(&check(&resumed, "HEALTHY02", NOW_MS, 60.0)),
        ["osType"],
        "a page read after the resume is judged by the snapshot's rules"
    );
    assert_eq!(
        failed(&check(&resumed, "HEALTHY01", NOW_MS, 60.0)),
        ["osType"]
    );

    // An incremental sync without rules keeps the previous snapshot's.
    let delta = vec![agent("9", json!("NEWDEVICE"), json!({}))];
    let transport = incremental_page(&delta);
    let next = run_sync(&transport, json!({ "previous": json_of(&resumed) }), 3)
        .0
        .unwrap();
    assert_eq!(failed(&check(&next, "NEWDEVICE", NOW_MS, 60.0)), ["osType"]);

    // Rules that would judge stored facts differently need a full sync; remediation texts, the
    // inactivity limit and ambiguity are applied at check time and may change.
    // Rules given without the stored OS list allow every OS: that judges differently too.
    let stored = [("resumeFrom", &partial), ("previous", &json_of(&resumed))];
    let other_rules = [
        json!({ "allowedOsTypes": ["windows"] }),
        json!({ "maxInactiveMinutes": 5 }),
        json!({ "allowedOsTypes": ["macos", "windows"] }),
    ];
    for ((key, snapshot), rules) in stored
        .iter()
        .flat_map(|s| other_rules.iter().map(move |r| (s, r)))
    {
        let transport = FakeTransport::new(vec![]);
        let input = json!({ *key: snapshot, "rules": rules });
        let failure = run_sync(&transport, input, 3).0.unwrap_err();
        assert_eq!(failure.error.code(), "INVALID_INPUT", "{key} {rules}");
        assert!(
            failure.error.to_string().contains("full sync"),
            "{}",
            failure.error
        );
        assert!(transport.sent.borrow().is_empty());
    }
    let transport = incremental_page(&[]);
    let relaxed = json!({ "allowedOsTypes": ["macos"], "maxInactiveMinutes": 5, "allowAmbiguous": true,
        "remediation": { "osType": "Use your Mac." } });
    let next = run_sync(
        &transport,
        json!({ "previous": json_of(&resumed), "rules": relaxed }),
        3,
    )
    .0
    .unwrap();
    let out = check(&next, "HEALTHY02", NOW_MS, 60.0);
    assert_eq!(out["reasons"][0]["remediation"], json!("Use your Mac."));
}

#[test]
fn a_snapshot_never_carries_the_token_from_rules_or_a_stored_snapshot() {
    // run_sync fails the test if the token appears anywhere in a snapshot it returns.
    // (An allow-list quoting the token is covered by device_trust.rs: redacted, "[REDACTED]" is no value
    // SentinelOne writes, so a stored snapshot holding it could not be read back as `previous`.)
    let rules = json!({ "remediation": { "osType": format!("not {TOKEN}") }, "allowedOsTypes": ["windows", "macos"] });
    let snapshot = run_sync(
        &FakeTransport::new(pages(&fleet(), 0)),
        json!({ "rules": rules }),
        3,
    )
    .0
    .unwrap();
    assert_eq!(
        json_of(&snapshot)["rules"]["remediation"]["osType"],
        json!("not [REDACTED]")
    );
    // A stored snapshot that holds the token (in any text) hands it to no output either.
    let mut stored = json_of(&snapshot);
    stored["serials"]["HEALTHY01"]["lastActiveDate"] = json!(format!("{TOKEN}"));
    stored["summary"]["notTrustedByReason"][TOKEN] = json!(1);
    let transport = incremental_page(&[]);
    let next = run_sync(&transport, json!({ "previous": stored }), 3)
        .0
        .unwrap();
    assert_eq!(
        next.serials["HEALTHY01"].last_active_date.as_deref(),
        Some("[REDACTED]")
    );

    // Nor does the id of another agent with the same serial, from the console or a stored snapshot.
    let echoed = format!("9{TOKEN}");
    let twins = [
        agent("1", json!("TWIN0001"), json!({})),
        agent(&echoed, json!("TWIN0001"), json!({})),
    ];
    let shared = run_sync(
        &FakeTransport::new(vec![Exchange {
            url: page_url(None),
            answer: ok(page(&twins, 2, None)),
        }]),
        json!({}),
        3,
    )
    .0
    .unwrap();
    assert_eq!(
        &*shared.serials["TWIN0001"].other_agent_ids,
        ["9[REDACTED]"]
    );
    let mut stored = json_of(&snapshot);
    stored["serials"]["HEALTHY01"]["otherAgentIds"] = json!([echoed]);
    stored["serials"]["HEALTHY01"]["agents"] = json!(2);
    let next = run_sync(&incremental_page(&[]), json!({ "previous": stored }), 3)
        .0
        .unwrap();
    assert_eq!(&*next.serials["HEALTHY01"].other_agent_ids, ["9[REDACTED]"]);

    // Nor does a filter quoting it, the only place it is in (the request is the host's own input).
    let filtered = run_sync(
        &FakeTransport::new(vec![Exchange {
            url: format!("{}&osTypes=windows%2C{TOKEN}", page_url(None)),
            answer: ok(page(&fleet()[0], 3, None)),
        }]),
        json!({ "osTypes": ["windows", TOKEN] }),
        3,
    )
    .0
    .unwrap();
    assert_eq!(
        filtered.filters.get("osTypes").map(String::as_str),
        Some("windows,[REDACTED]")
    );
}

#[test]
fn a_continued_sync_reads_the_same_agents_as_the_sync_it_continues() {
    let windows_only = run_sync(
        &FakeTransport::new(vec![Exchange {
            url: format!("{}&osTypes=windows%2Clinux", page_url(None)),
            answer: ok(page(&fleet()[0], 3, None)),
        }]),
        json!({ "osTypes": ["windows", "linux"] }),
        3,
    )
    .0
    .unwrap();
    // Incremental without osTypes: the previous sync's are kept.
    let since = "updatedAt__gt=2024-05-15T18%3A25%3A00.000Z";
    let transport = FakeTransport::new(vec![Exchange {
        url: format!("{}&osTypes=windows%2Clinux&{since}", page_url(None)),
        answer: ok(page(&[], 0, None)),
    }]);
    let previous = json_of(&windows_only);
    assert!(
        run_sync(&transport, json!({ "previous": previous }), 3)
            .0
            .unwrap()
            .complete
    );
    transport.assert_all_used();
    // The same list in another order is the same filter.
    let transport = FakeTransport::new(vec![Exchange {
        url: format!("{}&osTypes=linux%2Cwindows&{since}", page_url(None)),
        answer: ok(page(&[], 0, None)),
    }]);
    let input = json!({ "previous": previous, "osTypes": ["linux", "windows"] });
    assert!(run_sync(&transport, input, 3).0.unwrap().complete);

    let full = json_of(
        &run_sync(&FakeTransport::new(pages(&fleet(), 0)), json!({}), 3)
            .0
            .unwrap(),
    );
    let script = first_page_then(status(503, ""));
    let failure = run_sync(&FakeTransport::new(script), json!({}), 1)
        .0
        .unwrap_err();
    let partial = json_of(&*failure.partial);
    for (input, why) in [
        (
            json!({ "previous": previous, "osTypes": ["windows"] }),
            "osTypes must be previous's",
        ),
        (
            json!({ "previous": previous, "osTypes": ["linux", "macos"] }),
            "osTypes must be previous's",
        ),
        (
            json!({ "previous": full, "osTypes": ["windows"] }),
            "osTypes must be previous's",
        ),
        (
            json!({ "previous": full, "updatedSince": "2024-05-01T00:00:00Z" }),
            "updatedSince cannot be combined",
        ),
        (
            json!({ "resumeFrom": partial, "osTypes": ["macos"] }),
            "leave osTypes and updatedSince out",
        ),
    ] {
        let transport = FakeTransport::new(vec![]);
        let failure = run_sync(&transport, input, 3).0.unwrap_err();
        assert_eq!(failure.error.code(), "INVALID_INPUT");
        assert!(failure.error.to_string().contains(why), "{}", failure.error);
        assert!(transport.sent.borrow().is_empty());
    }
}

#[test]
fn a_stored_snapshot_cannot_add_query_parameters_or_move_the_incremental_window() {
    let script = first_page_then(status(503, ""));
    let failure = run_sync(&FakeTransport::new(script), json!({}), 1)
        .0
        .unwrap_err();
    let partial = json_of(&*failure.partial);
    let complete = json_of(
        &run_sync(&FakeTransport::new(pages(&fleet(), 0)), json!({}), 3)
            .0
            .unwrap(),
    );
    let edited = |snapshot: &Value, pointer: &str, value: Value| {
        let mut copy = snapshot.clone();
        *copy.pointer_mut(pointer).expect(pointer) = value;
        copy
    };
    for (input, why) in [
        (
            json!({ "resumeFrom": edited(&partial, "/filters", json!({ "limit": "1" })) }),
            "\"limit\", which is not a filter",
        ),
        (
            json!({ "resumeFrom": edited(&partial, "/filters", json!({ "siteIds": "other" })) }),
            "\"siteIds\", which is not a filter",
        ),
        (
            json!({ "resumeFrom": edited(&partial, "/filters", json!({ "updatedAt__gt": "soon" })) }),
            "updatedAt__gt is not a value",
        ),
        (
            json!({ "resumeFrom": edited(&partial, "/filters", json!({ "osTypes": "" })) }),
            "osTypes is not a value",
        ),
        (
            json!({ "previous": edited(&complete, "/syncedAt", json!("2024-05-15&limit=1")) }),
            "previous.syncedAt must be",
        ),
        // A partial snapshot marked complete, or one with no cursor to resume at.
        (
            json!({ "resumeFrom": edited(&partial, "/complete", json!(true)) }),
            "resumeFrom must be an incomplete snapshot with a resumeCursor",
        ),
        (
            json!({ "resumeFrom": edited(&partial, "/resumeCursor", Value::Null) }),
            "resumeFrom must be an incomplete snapshot with a resumeCursor",
        ),
    ] {
        let transport = FakeTransport::new(vec![]);
        let failure = run_sync(&transport, input, 3).0.unwrap_err();
        assert_eq!(failure.error.code(), "INVALID_INPUT");
        assert!(failure.error.to_string().contains(why), "{}", failure.error);
        assert!(transport.sent.borrow().is_empty(), "no request for {why}");
    }
    // The filters the connector writes itself still resume.
    let filtered = edited(
        &partial,
        "/filters",
        json!({ "osTypes": "windows", "updatedAt__gt": "2024-05-01T00:00:00Z" }),
    );
    let transport = FakeTransport::new(vec![Exchange {
        url: format!("{BASE}/web/api/v2.1/agents?limit=1000&osTypes=windows&updatedAt__gt=2024-05-01T00%3A00%3A00Z&cursor=c1"),
        answer: ok(page(&[], 0, None)),
    }]);
    assert!(
        run_sync(&transport, json!({ "resumeFrom": filtered }), 3)
            .0
            .unwrap()
            .complete
    );
    transport.assert_all_used();
}

#[test]
fn filters_and_scope_reach_every_page() {
    let transport = FakeTransport::new(vec![Exchange {
        url: format!("{BASE}/web/api/v2.1/agents?limit=1000&osTypes=macos%2Cwindows&updatedAt__gt=2024-05-01T00%3A00%3A00Z&siteIds=11"),
        answer: ok(page(&[], 0, None)),
    }]);
    let connection: ConnectionProperties = ConnectionProperties::from_json(tree(
        &json!({ "baseUrl": BASE, "apiToken": TOKEN, "siteIds": ["11"] }),
    ))
    .unwrap();
    let result = pollster::block_on(capability::sync_agents(
        &transport,
        &FakeRuntime::default(),
        &connection,
        &tree(&json!({ "osTypes": ["macos", "windows"], "updatedSince": "2024-05-01T00:00:00Z" })),
        CallOptions::default(),
        &|_| {},
    ));
    assert!(result.unwrap().complete);
    transport.assert_all_used();
}

#[test]
fn pages_are_paced_at_most_25_requests_per_second() {
    let transport = FakeTransport::new(pages(&fleet(), 0));
    let runtime = FakeRuntime::default();
    let connection =
        ConnectionProperties::from_json(tree(&connection_json())).expect("a connection object");
    let snapshot = pollster::block_on(capability::sync_agents(
        &transport,
        &runtime,
        &connection,
        &tree(&json!({})),
        CallOptions::default(),
        &|_| {},
    ))
    .unwrap();
    assert_eq!(
        *runtime.sleeps.borrow(),
        vec![40, 40],
        "three pages, two gaps of 40 ms"
    );
    // The summary's duration is the sync's time on the host's clock: those two gaps here.
    assert_eq!(snapshot.summary.duration_ms, 80);
    assert_eq!(snapshot.summary.requests, 3);
}

#[test]
fn a_rate_limit_mid_sync_is_waited_out_within_the_budget() {
    let mut script = pages(&fleet(), 0);
    let retry = Exchange {
        url: page_url(Some("c1")),
        answer: Ok(sentinelone_connector::transport::HttpResponse {
            status: 429,
            headers: vec![("retry-after".into(), "2".into())],
            body: String::new(),
        }),
    };
    script.insert(1, retry);
    let transport = FakeTransport::new(script);
    let runtime = FakeRuntime::default();
    let connection =
        ConnectionProperties::from_json(tree(&connection_json())).expect("a connection object");
    let snapshot = pollster::block_on(capability::sync_agents(
        &transport,
        &runtime,
        &connection,
        &tree(&json!({})),
        CallOptions {
            now_ms: Some(NOW_MS),
            timeout_ms: 60_000,
            ..CallOptions::default()
        },
        &|_| {},
    ))
    .unwrap();
    transport.assert_all_used();
    // 40 ms of pacing before the second page (the fake clock stands still), then the Retry-After; the
    // third page comes more than 40 ms after the second's first try, so no pacing.
    assert_eq!(
        *runtime.sleeps.borrow(),
        vec![40, 2_000],
        "pacing and Retry-After"
    );
    assert_eq!((snapshot.summary.pages, snapshot.summary.requests), (3, 4));
    assert!(snapshot.complete);
}

#[test]
fn a_malformed_page_mid_sync_keeps_what_was_read_and_resumes_there() {
    let full = run_sync(&FakeTransport::new(pages(&fleet(), 0)), json!({}), 3)
        .0
        .unwrap();
    let script = first_page_then(ok("<html>proxy login</html>"));
    let transport = FakeTransport::new(script);
    let failure = run_sync(&transport, json!({}), 3).0.unwrap_err();
    transport.assert_all_used();
    assert_eq!(failure.error.code(), "MALFORMED_RESPONSE");
    assert_eq!(failure.error.status(), Some(200));
    assert_eq!(failure.partial.resume_cursor.as_deref(), Some("c1"));
    assert_eq!(
        (
            failure.partial.summary.pages,
            failure.partial.summary.agents_seen
        ),
        (1, 3)
    );

    let resumed = run_sync(
        &FakeTransport::new(pages(&fleet(), 1)),
        json!({ "resumeFrom": json_of(&*failure.partial) }),
        3,
    )
    .0
    .unwrap();
    assert_eq!(resumed.serials, full.serials);
}

#[test]
fn a_cursor_that_does_not_advance_stops_with_a_resumable_partial() {
    let stuck = page(&fleet()[0], 8, Some("c0"));
    let transport = FakeTransport::new(vec![
        Exchange {
            url: page_url(None),
            answer: ok(page(&fleet()[0], 8, Some("c0"))),
        },
        Exchange {
            url: page_url(Some("c0")),
            answer: ok(stuck),
        },
    ]);
    let failure = run_sync(&transport, json!({}), 3).0.unwrap_err();
    transport.assert_all_used();
    assert_eq!(failure.error.code(), "MALFORMED_RESPONSE");
    assert_eq!(failure.partial.resume_cursor.as_deref(), Some("c0"));
    assert_eq!(
        failure.partial.summary.agents_seen, 3,
        "the repeated page is not counted twice"
    );
}

#[test]
fn a_console_that_pages_past_its_total_is_stopped_with_a_resumable_partial() {
    // Fresh cursors over the same 100 agents: without the allowance (1000 agents past the reported
    // 100) this sync would page until its deadline.
    let agents: Vec<Value> = (0..100)
        .map(|i| agent(&format!("a{i}"), json!(format!("SAME{i:03}")), json!({})))
        .collect();
    let script: Vec<Exchange> = (0..=11)
        .map(|i| Exchange {
            url: page_url((i > 0).then(|| format!("c{i}")).as_deref()),
            answer: ok(page(&agents, 100, Some(&format!("c{}", i + 1)))),
        })
        .collect();
    let transport = FakeTransport::new(script);
    let failure = run_sync(&transport, json!({}), 3).0.unwrap_err();
    transport.assert_all_used();
    assert_eq!(failure.error.code(), "MALFORMED_RESPONSE");
    assert_eq!(failure.error.status(), Some(200));
    assert!(
        failure
            .error
            .to_string()
            .contains("kept paging past the 100 agents it reported (totalItems)"),
        "{}",
        failure.error
    );
    let partial = failure.partial;
    assert_eq!(
        (partial.summary.pages, partial.summary.agents_seen),
        (11, 1100),
        "the page that ran past the allowance is not absorbed"
    );
    assert_eq!(partial.resume_cursor.as_deref(), Some("c11"));
    assert_eq!(partial.serials.len(), 100, "the same agents, read again");
}

#[test]
fn a_fleet_that_grows_during_a_sync_is_read_to_its_end() {
    // The console reported 3 agents, then 1000 more arrived: within the allowance, read to the end.
    let many: Vec<Value> = (0..1000)
        .map(|i| agent(&format!("n{i}"), json!(format!("NEW{i:05}")), json!({})))
        .collect();
    let transport = FakeTransport::new(vec![
        Exchange {
            url: page_url(None),
            answer: ok(page(&fleet()[0], 3, Some("c1"))),
        },
        Exchange {
            url: page_url(Some("c1")),
            answer: ok(page(&many, 3, Some("c2"))),
        },
        Exchange {
            url: page_url(Some("c2")),
            answer: ok(page(&fleet()[2], 3, None)),
        },
    ]);
    let snapshot = run_sync(&transport, json!({}), 3).0.unwrap();
    transport.assert_all_used();
    assert!(snapshot.complete);
    assert_eq!(snapshot.summary.agents_seen, 1005);
}

/// The URL of an incremental sync's page after a previous sync at `NOW_ISO` (see `incremental_page`).
fn incremental_url(cursor: Option<&str>) -> String {
    let url = format!(
        "{}&updatedAt__gt=2024-05-15T18%3A25%3A00.000Z",
        page_url(None)
    );
    match cursor {
        None => url,
        Some(c) => format!("{url}&cursor={c}"),
    }
}

/// An incremental sync from a complete snapshot of `serials`, answered by `script`, and the requests
/// it sent.
fn incremental_from(
    serials: BTreeMap<String, SerialEntry>,
    script: Vec<Exchange>,
) -> (Result<Snapshot, sync::SyncFailure>, usize) {
    let transport = FakeTransport::new(script);
    let connection =
        ConnectionProperties::from_json(tree(&connection_json())).expect("a connection object");
    let input = incremental_input(serials);
    let options = CallOptions {
        now_ms: Some(NOW_MS),
        ..CallOptions::default()
    };
    let result = pollster::block_on(capability::sync_agents_read(
        &transport,
        &FakeRuntime::default(),
        &connection,
        input,
        options,
        &|_| {},
    ));
    let sent = transport.sent.borrow().len();
    (result, sent)
}

/// `count` serials with entries of one agent and nothing else.
fn plain_serials(count: usize) -> BTreeMap<String, SerialEntry> {
    let entry = SerialEntry {
        agents: 1,
        ..SerialEntry::default()
    };
    (0..count)
        .map(|i| (format!("S{i:07}"), entry.clone()))
        .collect()
}

/// One page with no agent changed, as the last.
fn no_changes() -> Vec<Exchange> {
    vec![Exchange {
        url: incremental_url(None),
        answer: ok(page(&[], 0, None)),
    }]
}

// The two tests below hold up to ~130 and ~250 MiB of the module-wide budget the syncs running at
// once share (512 MiB); this binary's tests run in parallel threads, so together they stay under it.
// A test that holds more belongs in its own binary, as tests/sync_budget.rs.
#[test]
fn a_snapshot_keeps_at_most_a_million_serials() {
    let (result, sent) = incremental_from(plain_serials(sync::MAX_SNAPSHOT_SERIALS), no_changes());
    assert_eq!(sent, 1);
    assert_eq!(result.unwrap().serials.len(), sync::MAX_SNAPSHOT_SERIALS);

    let (result, sent) =
        incremental_from(plain_serials(sync::MAX_SNAPSHOT_SERIALS + 1), no_changes());
    assert_eq!(sent, 0, "refused before any request");
    let error = result.unwrap_err().error;
    assert_eq!(error.code(), "RESPONSE_TOO_LARGE");
    assert!(
        error.to_string().contains(
            "more than 1000000 serials, more than one snapshot keeps: sync it in parts, \
             with accountIds or siteIds in each connection"
        ),
        "{error}"
    );
}

#[test]
fn rules_a_stored_snapshot_holds_and_the_code_refuses_are_named_as_the_snapshots() {
    // Rules stored before the allow-lists were checked ("Windows" matches no agent) are refused
    // where they are read, named by where they sit, not as the input's own `rules`.
    let bad_rules = json!({ "allowedOsTypes": ["Windows"] });
    let mut complete = json_of(
        &run_sync(&FakeTransport::new(pages(&fleet(), 0)), json!({}), 3)
            .0
            .unwrap(),
    );
    complete["rules"] = bad_rules.clone();
    let mut partial = partial_after_first_page();
    partial["rules"] = bad_rules;
    let stored_rules = "has \"Windows\": SentinelOne reports these values in lower case";
    for (input, named) in [
        (
            json!({ "previous": complete }),
            "previous.rules.allowedOsTypes",
        ),
        (
            json!({ "previous": complete, "rules": { "allowedOsTypes": ["windows"] } }),
            "previous.rules.allowedOsTypes",
        ),
        (
            json!({ "resumeFrom": partial }),
            "resumeFrom.rules.allowedOsTypes",
        ),
    ] {
        let transport = FakeTransport::new(vec![]);
        let error = run_sync(&transport, input, 3).0.unwrap_err().error;
        assert_eq!(error.code(), "INVALID_INPUT");
        assert_eq!(
            error.to_string(),
            format!("invalid input: {named} {stored_rules}, without spaces")
        );
    }

    let head = SnapshotHead::from_json(&tree(&complete)).unwrap();
    let error = sync::check_serial(&head, None, Some(&tree(&json!("HEALTHY01"))), NOW_MS, 60.0)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("invalid input: snapshot.rules.allowedOsTypes {stored_rules}, without spaces")
    );
}

#[test]
fn a_resumed_snapshot_with_counts_at_their_limits_resumes_without_overflow() {
    let mut partial = partial_after_first_page();
    for count in [
        "agentsSeen",
        "nullSerials",
        "placeholderSerials",
        "durationMs",
    ] {
        partial["summary"][count] = json!(u64::MAX);
    }
    partial["summary"]["requests"] = json!(u32::MAX);
    let transport = FakeTransport::new(pages(&fleet(), 1));
    let resumed = run_sync(&transport, json!({ "resumeFrom": partial }), 3)
        .0
        .unwrap();
    transport.assert_all_used();
    let summary = &resumed.summary;
    assert_eq!(
        (
            summary.agents_seen,
            summary.null_serials,
            summary.placeholder_serials
        ),
        (u64::MAX, u64::MAX, u64::MAX),
        "counts stop at their limit"
    );
    assert_eq!(
        (summary.requests, summary.duration_ms),
        (u32::MAX, u64::MAX)
    );
}

#[test]
fn a_snapshot_keeps_at_most_256_mib_of_agent_data() {
    let max_mib = sync::MAX_SNAPSHOT_BYTES >> 20;
    let too_large = |error: &ConnectorError| {
        assert_eq!(error.code(), "RESPONSE_TOO_LARGE");
        assert!(
            error
                .to_string()
                .contains("more than 256 MiB of agent data"),
            "{error}"
        );
    };
    // A stored snapshot that large is refused before any request.
    let (result, sent) = incremental_from(fat_serial(max_mib + 1), no_changes());
    assert_eq!(sent, 0);
    too_large(&result.unwrap_err().error);

    // Agents read now count too: 100 with 120 KB ids take a snapshot 10 MiB short of the limit
    // past it, and the sync stops before the next page. (That what absorbing agents adds is what
    // their entries hold is a unit test of src/sync.rs.)
    let fat_ids: Vec<Value> = (0..100)
        .map(|i| {
            let id = format!("{i}{}", "7".repeat(120 << 10));
            agent(&id, json!(format!("NEW{i:05}")), json!({}))
        })
        .collect();
    let script = vec![
        Exchange {
            url: incremental_url(None),
            answer: ok(page(&fat_ids, 100, Some("c1"))),
        },
        Exchange {
            url: incremental_url(Some("c1")),
            answer: ok(page(&[], 100, None)),
        },
    ];
    let (result, sent) = incremental_from(fat_serial(max_mib - 10), script);
    assert_eq!(sent, 1, "stopped before the next page");
    too_large(&result.unwrap_err().error);
}

#[test]
fn a_checked_serial_gives_its_reasons_in_rule_order() {
    // The stored failures, and the two judged at check time (uniqueSerial, lastActive), which come
    // before them in rule order though they are added after.
    let failing = json!({ "osType": "macos", "networkStatus": "disconnected" });
    let twins = [
        agent("1", json!("TWIN0002"), failing.clone()),
        agent("2", json!("TWIN0002"), failing),
    ];
    let rules = json!({ "allowedOsTypes": ["windows"], "allowedNetworkStatuses": ["connected"],
                        "maxInactiveMinutes": 60 });
    let snapshot = run_sync(
        &FakeTransport::new(vec![Exchange {
            url: page_url(None),
            answer: ok(page(&twins, 2, None)),
        }]),
        json!({ "rules": rules }),
        3,
    )
    .0
    .unwrap();
    let two_hours_later = NOW_MS + 7_200_000.0;
    let out = check(&snapshot, "TWIN0002", two_hours_later, 24.0 * 60.0);
    assert_eq!(
        failed(&out),
        ["uniqueSerial", "lastActive", "networkStatus", "osType"]
    );
    assert_eq!(out["reasons"][0]["actual"], json!(2), "two agents have it");
}
