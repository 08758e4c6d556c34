//! Evaluate Device Trust: every default rule failing alone, every option, ambiguity, placeholders,
//! time injection and fail-closed reading, through `invoke` with outputs validated against the schema.
#![cfg(not(target_arch = "wasm32"))] // native: schema validation uses the jsonschema crate

mod support;

use sentinelone_connector::capability::{Capability, CapabilityOutput};
use sentinelone_connector::options::CallOptions;
use sentinelone_connector::output::RawFacts;
use sentinelone_connector::trust::{RuleId, TrustRules};
use serde_json::{json, Value};
use support::*;

/// 2024-05-15T18:30:00Z: the time every evaluation here is judged at.
const NOW_MS: f64 = 1_715_797_800_000.0;
const NOW_ISO: &str = "2024-05-15T18:30:00.000Z";

fn healthy(id: &str, serial: &str) -> Value {
    json!({
        "id": id, "uuid": format!("uuid-{id}"), "computerName": "JDOE-MBP-2023", "serialNumber": serial,
        "osType": "macos", "osName": "macOS", "agentVersion": "23.4.2.14",
        "isActive": true, "isDecommissioned": false, "isUninstalled": false, "isPendingUninstall": false,
        "infected": false, "activeThreats": 0, "threatRebootRequired": false, "operationalState": "na",
        "lastActiveDate": "2024-05-15T18:25:00.000000Z", "networkStatus": "connected",
        "siteId": "225494730938493804", "accountId": "225494730938493915", "groupId": "225494730938494000"
    })
}

fn with(mut agent: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        if v == &json!("<absent>") {
            agent.as_object_mut().unwrap().remove(k);
        } else {
            agent[k] = v.clone();
        }
    }
    agent
}

fn evaluate_agents(serial: &str, agents: Vec<Value>, rules: Value) -> Value {
    let body = page(&agents, agents.len() as u64, None);
    let encoded: String = serial
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let transport = FakeTransport::new(vec![Exchange {
        url: agents_url(&encoded),
        answer: ok(body),
    }]);
    let options = CallOptions {
        now_ms: Some(NOW_MS),
        ..CallOptions::default()
    };
    let mut input = json!({ "serialNumber": serial });
    if !rules.is_null() {
        input["rules"] = rules;
    }
    let out = invoke_json(
        &transport,
        &FakeRuntime::default(),
        Capability::EvaluateDeviceTrust,
        connection_json(),
        input,
        options,
    )
    .expect("evaluation");
    transport.assert_all_used();
    out
}

fn failed_rules(out: &Value) -> Vec<String> {
    out["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_healthy_agent_is_trusted_with_every_rule_checked_in_order() {
    let out = evaluate_agents(
        "C02XK1ABJG5J",
        vec![healthy("1", "C02XK1ABJG5J")],
        Value::Null,
    );
    assert_eq!(out["trusted"], json!(true));
    assert_eq!(out["reasons"], json!([]));
    assert_eq!(out["evaluatedAt"], json!(NOW_ISO));
    assert_eq!(out["agentFound"], json!(true));
    assert_eq!(out["agentId"], json!("1"));
    assert_eq!(out["statusCode"], json!(200));
    let rules: Vec<&str> = out["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    let all: Vec<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(rules, all);
    assert!(out["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["passed"] == json!(true)));
    let last_active = &out["checks"][6];
    assert_eq!(last_active["actual"]["minutesAgo"], json!(5.0));
}

#[test]
fn every_default_rule_fails_alone() {
    for (changes, rule) in [
        (json!({ "isDecommissioned": true }), "decommissioned"),
        (json!({ "isUninstalled": true }), "uninstalled"),
        (json!({ "isPendingUninstall": "True" }), "uninstalled"),
        (json!({ "isActive": false }), "isActive"),
        (
            json!({ "lastActiveDate": "2024-05-15T17:29:00.000000Z" }),
            "lastActive",
        ),
        (json!({ "infected": true }), "infected"),
        (json!({ "activeThreats": 1 }), "activeThreats"),
        (json!({ "activeThreats": "3" }), "activeThreats"),
        (json!({ "threatRebootRequired": true }), "threatReboot"),
        (
            json!({ "operationalState": "auto_fully_disabled" }),
            "operationalState",
        ),
        (
            json!({ "operationalState": "disabled_error" }),
            "operationalState",
        ),
    ] {
        let out = evaluate_agents(
            "C02XK1ABJG5J",
            vec![with(healthy("1", "C02XK1ABJG5J"), changes.clone())],
            Value::Null,
        );
        assert_eq!(out["trusted"], json!(false), "{changes}");
        assert_eq!(failed_rules(&out), [rule], "{changes}");
        let id = RuleId::ALL
            .into_iter()
            .find(|r| r.as_str() == rule)
            .unwrap();
        assert_eq!(
            out["reasons"][0]["remediation"],
            json!(id.default_remediation())
        );
        assert!(!out["reasons"][0]["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn every_rule_has_its_own_remediation_for_the_help_desk() {
    let texts: Vec<&str> = RuleId::ALL
        .iter()
        .map(|rule| rule.default_remediation())
        .collect();
    for (rule, text) in RuleId::ALL.iter().zip(&texts) {
        // A sentence the user or the help desk can act on.
        assert!(text.len() > 40, "{}: {text:?}", rule.as_str());
        assert!(
            text.starts_with(|c: char| c.is_ascii_uppercase()),
            "{text:?}"
        );
        assert!(text.ends_with('.'), "{text:?}");
    }
    let mut distinct = texts.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), texts.len(), "two rules share a remediation");
    assert!(RuleId::AgentFound
        .default_remediation()
        .contains("Install the SentinelOne agent"));
}

#[test]
fn missing_or_unreadable_fields_fail_closed() {
    for (changes, rule) in [
        (json!({ "isDecommissioned": "<absent>" }), "decommissioned"),
        (json!({ "infected": "<absent>" }), "infected"),
        (json!({ "infected": "maybe" }), "infected"),
        (json!({ "activeThreats": "many" }), "activeThreats"),
        (json!({ "activeThreats": null }), "activeThreats"),
        (json!({ "lastActiveDate": "<absent>" }), "lastActive"),
        (json!({ "lastActiveDate": "yesterday" }), "lastActive"),
        (json!({ "isActive": "<absent>" }), "isActive"),
        (
            json!({ "threatRebootRequired": "<absent>" }),
            "threatReboot",
        ),
        (
            json!({ "operationalState": "<absent>" }),
            "operationalState",
        ),
        (
            json!({ "isUninstalled": "<absent>", "isPendingUninstall": "<absent>" }),
            "uninstalled",
        ),
    ] {
        let out = evaluate_agents(
            "C02XK1ABJG5J",
            vec![with(healthy("1", "C02XK1ABJG5J"), changes.clone())],
            Value::Null,
        );
        assert_eq!(failed_rules(&out), [rule], "{changes}");
    }
}

#[test]
fn no_exact_match_is_not_trusted_and_stops_there() {
    let out = evaluate_agents(
        "C02XK1ABJG5J",
        vec![healthy("1", "C02XK1ABJG5JX")],
        Value::Null,
    );
    assert_eq!(out["trusted"], json!(false));
    assert_eq!(failed_rules(&out), ["agentFound"]);
    assert_eq!(
        out["checks"].as_array().unwrap().len(),
        2,
        "placeholderSerial and agentFound only"
    );
    assert_eq!(out["totalItems"], json!(1));
    assert!(out["reasons"][0]["message"]
        .as_str()
        .unwrap()
        .contains("1 agents' serials contain it"));
}

#[test]
fn an_ambiguous_serial_is_not_trusted_unless_allowed() {
    let agents = vec![
        healthy("1", "87GBNY1"),
        with(
            healthy("2", "87GBNY1"),
            json!({ "lastActiveDate": "2024-05-15T18:29:00Z" }),
        ),
    ];
    let out = evaluate_agents("87GBNY1", agents.clone(), Value::Null);
    assert_eq!(failed_rules(&out), ["uniqueSerial"]);
    assert!(out["reasons"][0]["message"]
        .as_str()
        .unwrap()
        .contains("ambiguous serial"));
    assert_eq!(out["matchCount"], json!(2));

    let out = evaluate_agents("87GBNY1", agents, json!({ "allowAmbiguous": true }));
    assert_eq!(out["trusted"], json!(true));
    assert_eq!(out["agentId"], json!("2"), "the preferred agent is judged");
}

#[test]
fn a_reinstall_judges_the_live_agent_but_is_still_ambiguous_by_default() {
    let agents = vec![
        with(
            healthy("1", "5Q4Q7Y1"),
            json!({ "isDecommissioned": true, "isActive": false, "lastActiveDate": "2024-04-01T00:00:00Z" }),
        ),
        healthy("2", "5Q4Q7Y1"),
    ];
    let out = evaluate_agents("5Q4Q7Y1", agents.clone(), Value::Null);
    assert_eq!(failed_rules(&out), ["uniqueSerial"]);
    let out = evaluate_agents("5Q4Q7Y1", agents, json!({ "allowAmbiguous": true }));
    assert_eq!(out["trusted"], json!(true));
    assert_eq!(out["agentId"], json!("2"));
}

#[test]
fn a_placeholder_serial_is_not_trusted_and_not_looked_up() {
    for serial in [
        "To be filled by O.E.M.",
        "Default string",
        "0123456789",
        "000000000000",
    ] {
        let transport = FakeTransport::new(vec![]);
        let out = invoke_json(
            &transport,
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
        assert!(transport.sent.borrow().is_empty(), "{serial}");
        assert_eq!(out["trusted"], json!(false));
        assert_eq!(failed_rules(&out), ["placeholderSerial"]);
        assert_eq!(out["statusCode"], Value::Null);
        assert_eq!(out["rawResponse"], Value::Null);
        assert_eq!(out["agentFound"], json!(false));
    }
}

#[test]
fn every_rule_option_changes_the_verdict() {
    let serial = "C02XK1ABJG5J";
    let agent = |changes: Value| vec![with(healthy("1", serial), changes)];
    let check = |changes: Value, rules: Value, expected: &[&str]| {
        let out = evaluate_agents(serial, agent(changes.clone()), rules.clone());
        assert_eq!(failed_rules(&out), expected, "{changes} {rules}");
    };
    let two_hours_ago = json!({ "lastActiveDate": "2024-05-15T16:30:00Z" });
    check(two_hours_ago.clone(), Value::Null, &["lastActive"]);
    check(
        two_hours_ago.clone(),
        json!({ "maxInactiveMinutes": 180 }),
        &[],
    );
    check(
        json!({ "lastActiveDate": "2024-05-15T18:20:00Z" }),
        json!({ "maxInactiveMinutes": 5 }),
        &["lastActive"],
    );

    check(json!({ "networkStatus": "disconnected" }), Value::Null, &[]);
    check(
        json!({ "networkStatus": "disconnected" }),
        json!({ "allowedNetworkStatuses": ["connected"] }),
        &["networkStatus"],
    );
    check(
        json!({ "networkStatus": "<absent>" }),
        json!({ "allowedNetworkStatuses": ["connected"] }),
        &["networkStatus"],
    );

    check(
        json!({ "activeThreats": 2, "infected": false }),
        json!({ "maxActiveThreats": 2 }),
        &[],
    );
    check(
        json!({ "activeThreats": 3 }),
        json!({ "maxActiveThreats": 2 }),
        &["activeThreats"],
    );

    check(
        json!({ "operationalState": "partially_disabled" }),
        json!({ "allowedOperationalStates": ["na", "partially_disabled"] }),
        &[],
    );

    check(json!({ "osType": "linux" }), Value::Null, &[]);
    check(
        json!({ "osType": "linux" }),
        json!({ "allowedOsTypes": ["macos", "windows"] }),
        &["osType"],
    );
    check(
        json!({ "osType": "windows" }),
        json!({ "allowedOsTypes": ["macos", "windows"] }),
        &[],
    );

    check(
        json!({ "agentVersion": "23.9.0.0" }),
        json!({ "minAgentVersion": "23.10.1.1" }),
        &["agentVersion"],
    );
    check(
        json!({ "agentVersion": "23.10.1.1" }),
        json!({ "minAgentVersion": "23.10.1.1" }),
        &[],
    );
    check(
        json!({ "agentVersion": "24.1" }),
        json!({ "minAgentVersion": "23.10.1.1" }),
        &[],
    );
    check(
        json!({ "agentVersion": "23.10" }),
        json!({ "minAgentVersion": "23.10.0.0" }),
        &[],
    );
    check(
        json!({ "agentVersion": "beta" }),
        json!({ "minAgentVersion": "1" }),
        &["agentVersion"],
    );

    let out = evaluate_agents(
        serial,
        agent(json!({ "infected": true })),
        json!({ "remediation": { "infected": "Call the SOC on 555-0100." } }),
    );
    assert_eq!(
        out["reasons"][0]["remediation"],
        json!("Call the SOC on 555-0100.")
    );
}

/// The check of `rule` in an evaluation's `checks`.
fn check_of<'a>(out: &'a Value, rule: &str) -> &'a Value {
    out["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == json!(rule))
        .unwrap_or_else(|| panic!("no {rule} check in {out}"))
}

#[test]
fn a_report_from_the_future_fails_beyond_the_clock_skew_allowance() {
    let serial = "C02XK1ABJG5J";
    let at = |date: &str| {
        let agent = with(healthy("1", serial), json!({ "lastActiveDate": date }));
        evaluate_agents(serial, vec![agent], Value::Null)
    };
    // Ten minutes ahead of the evaluation (18:30Z): a wrong clock, not proof of recent contact.
    let out = at("2024-05-15T18:40:00Z");
    assert_eq!(failed_rules(&out), ["lastActive"]);
    assert_eq!(out["reasons"][0]["actual"]["minutesAgo"], json!(-10.0));
    assert_eq!(
        out["reasons"][0]["message"],
        json!("lastActiveDate is 10.0 minutes in the future: the console's or this host's clock is wrong")
    );
    // Up to five minutes ahead is clock skew: contact just now.
    for date in ["2024-05-15T18:31:00Z", "2024-05-15T18:35:00Z"] {
        let out = at(date);
        assert_eq!(out["trusted"], json!(true), "{date}");
        assert_eq!(
            check_of(&out, "lastActive")["actual"]["minutesAgo"],
            json!(0.0),
            "{date}"
        );
    }
    assert_eq!(failed_rules(&at("2024-05-15T18:35:01Z")), ["lastActive"]);
}

#[test]
fn either_uninstall_flag_alone_fails_and_says_so() {
    let serial = "C02XK1ABJG5J";
    let said = "the agent is uninstalled or pending uninstall";
    let unsaid = "the console did not say whether the agent is uninstalled or pending uninstall";
    for (changes, actual, message) in [
        (
            json!({ "isUninstalled": true, "isPendingUninstall": "<absent>" }),
            json!(true),
            said,
        ),
        (
            json!({ "isUninstalled": "<absent>", "isPendingUninstall": true }),
            json!(true),
            said,
        ),
        // One false and the other unknown proves nothing: fail closed, saying what is missing.
        (
            json!({ "isUninstalled": false, "isPendingUninstall": "<absent>" }),
            Value::Null,
            unsaid,
        ),
    ] {
        let out = evaluate_agents(
            serial,
            vec![with(healthy("1", serial), changes.clone())],
            Value::Null,
        );
        assert_eq!(failed_rules(&out), ["uninstalled"], "{changes}");
        assert_eq!(out["reasons"][0]["actual"], actual, "{changes}");
        assert_eq!(out["reasons"][0]["message"], json!(message), "{changes}");
    }
}

#[test]
fn a_check_says_why_it_passed_or_failed() {
    let serial = "C02XK1ABJG5J";
    let rules = json!({
        "allowedOperationalStates": ["na", "partially_disabled"],
        "minAgentVersion": "23.10.1.1"
    });
    let judged = |changes: Value| {
        evaluate_agents(
            serial,
            vec![with(healthy("1", serial), changes)],
            rules.clone(),
        )
    };
    let passing =
        judged(json!({ "operationalState": "partially_disabled", "agentVersion": "23.10.1.1" }));
    assert_eq!(passing["trusted"], json!(true));
    assert_eq!(
        check_of(&passing, "operationalState")["message"],
        json!(r#"operational state "partially_disabled" is allowed"#)
    );
    assert_eq!(
        check_of(&passing, "agentVersion")["message"],
        json!("agent version 23.10.1.1 is at least 23.10.1.1")
    );
    let failing =
        judged(json!({ "operationalState": "disabled_error", "agentVersion": "23.9.0.0" }));
    assert_eq!(failed_rules(&failing), ["operationalState", "agentVersion"]);
    assert_eq!(
        failing["reasons"][0]["message"],
        json!(r#"operational state "disabled_error" is not one of ["na","partially_disabled"]"#)
    );
    assert_eq!(
        failing["reasons"][1]["message"],
        json!("agent version 23.9.0.0 is older than 23.10.1.1")
    );
    assert_eq!(
        failing["reasons"][1]["expected"],
        json!({ "min": "23.10.1.1" })
    );
}

#[test]
fn several_failures_are_all_reported() {
    let out = evaluate_agents(
        "PC0X7R2K",
        vec![with(
            healthy("1", "PC0X7R2K"),
            json!({ "infected": true, "activeThreats": "3", "threatRebootRequired": true }),
        )],
        Value::Null,
    );
    assert_eq!(
        failed_rules(&out),
        ["infected", "activeThreats", "threatReboot"]
    );
    assert_eq!(out["reasons"][1]["actual"], json!(3));
    assert_eq!(out["reasons"][1]["expected"], json!({ "max": 0 }));
}

#[test]
fn time_comes_from_options_and_zoneless_timestamps_are_utc() {
    // No zone: read as UTC, so 18:25 is 5 minutes before 18:30Z whatever the host's zone.
    let agent = with(
        healthy("1", "C02XK1ABJG5J"),
        json!({ "lastActiveDate": "2024-05-15T18:25:00.123456" }),
    );
    let out = evaluate_agents(
        "C02XK1ABJG5J",
        vec![agent.clone()],
        json!({ "maxInactiveMinutes": 5 }),
    );
    assert_eq!(out["trusted"], json!(true));
    let out = evaluate_agents(
        "C02XK1ABJG5J",
        vec![agent],
        json!({ "maxInactiveMinutes": 4 }),
    );
    assert_eq!(failed_rules(&out), ["lastActive"]);

    // Without options.now the runtime's clock judges.
    let body = page(&[healthy("1", "C02XK1ABJG5J")], 1, None);
    let transport = FakeTransport::new(vec![Exchange {
        url: agents_url("C02XK1ABJG5J"),
        answer: ok(body),
    }]);
    let runtime = FakeRuntime {
        now: std::cell::Cell::new(NOW_MS + 3_600_000.0),
        ..FakeRuntime::default()
    };
    let out = invoke_json(
        &transport,
        &runtime,
        Capability::EvaluateDeviceTrust,
        connection_json(),
        json!({ "serialNumber": "C02XK1ABJG5J" }),
        CallOptions::default(),
    )
    .unwrap();
    assert_eq!(failed_rules(&out), ["lastActive"]);
    assert_eq!(out["evaluatedAt"], json!("2024-05-15T19:30:00.000Z"));
}

#[test]
fn rules_are_validated_strictly() {
    for (rules, why) in [
        (json!("strict"), "rules must be an object"),
        (json!({ "maxInactiveMinute": 5 }), "is not a rule"),
        (json!({ "maxInactiveMinutes": -1 }), "maxInactiveMinutes"),
        (json!({ "maxInactiveMinutes": "60" }), "maxInactiveMinutes"),
        (json!({ "maxActiveThreats": 1.5 }), "maxActiveThreats"),
        (json!({ "allowedOsTypes": "macos" }), "allowedOsTypes"),
        (json!({ "allowedOsTypes": [1] }), "allowedOsTypes"),
        (json!({ "minAgentVersion": "v23" }), "minAgentVersion"),
        (
            json!({ "minAgentVersion": "1.2.3.4.5.6.7.8.9" }),
            "minAgentVersion must be dotted numbers",
        ),
        (json!({ "allowAmbiguous": "yes" }), "allowAmbiguous"),
        (
            json!({ "remediation": { "notARule": "x" } }),
            "unknown rule id",
        ),
        (
            json!({ "remediation": { "infected": 5 } }),
            "remediation.infected",
        ),
        // Values SentinelOne never reports, which would fail every agent closed.
        (
            json!({ "allowedOsTypes": ["macos", "Windows"] }),
            r#"allowedOsTypes has "Windows": SentinelOne reports these values in lower case, without spaces"#,
        ),
        (
            json!({ "allowedNetworkStatuses": [" connected"] }),
            r#"allowedNetworkStatuses has " connected":"#,
        ),
        (
            json!({ "allowedOperationalStates": ["NA"] }),
            r#"allowedOperationalStates has "NA":"#,
        ),
        (
            json!({ "allowedOsTypes": [""] }),
            r#"allowedOsTypes has "":"#,
        ),
    ] {
        let err = TrustRules::from_json(Some(&tree(&rules))).unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT");
        assert!(err.to_string().contains(why), "{rules}: {err}");
    }
    assert_eq!(
        TrustRules::from_json(Some(&tree(&json!({})))).unwrap(),
        TrustRules::default()
    );
    // null is the default of every rule that has "any" as its default.
    for key in [
        "allowedOsTypes",
        "allowedNetworkStatuses",
        "minAgentVersion",
    ] {
        assert_eq!(
            TrustRules::from_json(Some(&tree(&json!({ key: null })))).unwrap(),
            TrustRules::default(),
            "{key}"
        );
    }
    // Eight parts at the most: as many as any agent version has, with room to spare.
    let eight = json!({ "minAgentVersion": "1.2.3.4.5.6.7.8" });
    assert!(TrustRules::from_json(Some(&tree(&eight))).is_ok());
    // Values the console may add later pass through, in its lower case.
    let open = json!({ "allowedOsTypes": ["chromeos", "windows_legacy"], "allowedOperationalStates": ["na", "db_corruption"] });
    assert!(TrustRules::from_json(Some(&tree(&open))).is_ok());
}

#[test]
fn upstream_failures_still_reject_with_their_codes() {
    let transport = FakeTransport::new(vec![Exchange {
        url: agents_url("C02XK1ABJG5J"),
        answer: status(
            401,
            r#"{"errors":[{"code":4010010,"title":"Authentication Failed"}]}"#,
        ),
    }]);
    let err = invoke_json(
        &transport,
        &FakeRuntime::default(),
        Capability::EvaluateDeviceTrust,
        connection_json(),
        json!({ "serialNumber": "C02XK1ABJG5J" }),
        CallOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "UNAUTHORIZED");
}

#[test]
fn scope_filters_reach_every_query() {
    let body = page(&[healthy("1", "C02XK1ABJG5J")], 1, None);
    let transport = FakeTransport::new(vec![Exchange {
        url: format!(
            "{}&siteIds=225494730938493804%2C1&accountIds=9",
            agents_url("C02XK1ABJG5J")
        ),
        answer: ok(body),
    }]);
    let mut connection = connection_json();
    connection["siteIds"] = json!(["225494730938493804", "1"]);
    connection["accountIds"] = json!("9");
    let out = invoke_json(
        &transport,
        &FakeRuntime::default(),
        Capability::EvaluateDeviceTrust,
        connection,
        json!({ "serialNumber": "C02XK1ABJG5J" }),
        CallOptions {
            now_ms: Some(NOW_MS),
            ..CallOptions::default()
        },
    )
    .unwrap();
    assert_eq!(out["trusted"], json!(true));
    transport.assert_all_used();
}

#[test]
fn rules_that_quote_the_token_never_echo_it() {
    // Rules are the host's, but the token stays out of outputs whatever the input holds.
    let rules = json!({
        "allowedOsTypes": ["windows", format!("x-{TOKEN}-y")],
        "allowedNetworkStatuses": [TOKEN],
        "remediation": { "osType": format!("call the help desk, not {TOKEN}"), "networkStatus": TOKEN },
    });
    // invoke_json fails the test if the token appears anywhere in the output.
    let out = evaluate_agents("ECHO0002", vec![healthy("1", "ECHO0002")], rules);
    assert_eq!(out["trusted"], json!(false));
    assert_eq!(failed_rules(&out), ["networkStatus", "osType"]);
    assert_eq!(
        out["reasons"][1]["remediation"],
        json!("call the help desk, not [REDACTED]")
    );
    assert_eq!(
        out["reasons"][1]["expected"],
        json!(["windows", "x-[REDACTED]-y"])
    );
    assert_eq!(out["reasons"][0]["remediation"], json!("[REDACTED]"));
    assert_eq!(out["reasons"][0]["expected"], json!(["[REDACTED]"]));
}

#[test]
fn a_console_echoing_the_token_into_judged_fields_never_leaks_it() {
    // Every field a check quotes in its message or `actual`: each one gets the token in turn.
    for field in [
        "computerName",
        "osType",
        "agentVersion",
        "lastActiveDate",
        "networkStatus",
        "operationalState",
    ] {
        let agent = with(
            healthy("1", "ECHO0001"),
            json!({ field: format!("x {TOKEN} y") }),
        );
        let rules = json!({ "allowedOsTypes": ["macos"], "minAgentVersion": "23.1",
                            "allowedNetworkStatuses": ["connected"] });
        // invoke_json fails the test if the token appears anywhere in the output.
        let out = evaluate_agents("ECHO0001", vec![agent], rules);
        assert_eq!(out["trusted"], json!(field == "computerName"), "{field}");
        // Redacted in the verdict itself, not only in the raw response.
        let mut verdict = out.clone();
        verdict["rawResponse"] = Value::Null;
        assert!(verdict.to_string().contains("[REDACTED]"), "{field}");
    }
}

#[test]
fn the_token_in_one_place_of_a_verdict_alone_is_still_scrubbed() {
    // A verdict is searched for the token before it is rebuilt redacted: each place is found on its
    // own, not only alongside another that quotes the same text.
    let redacted = |out: &Value, pointer: &str| {
        let text = out.pointer(pointer).unwrap().to_string();
        assert!(text.contains("[REDACTED]"), "{pointer}: {text}");
    };
    // Lookup fields no check reads.
    for field in ["uuid", "osName", "siteId", "accountId", "groupId"] {
        let agent = with(
            healthy("1", "ECHO0003"),
            json!({ field: format!("x {TOKEN} y") }),
        );
        // invoke_json fails the test if the token appears anywhere in the output.
        let out = evaluate_agents("ECHO0003", vec![agent], Value::Null);
        assert_eq!(out["trusted"], json!(true), "{field}");
        redacted(&out, &format!("/{field}"));
    }
    // A passing check's expected value, and nothing else.
    let rules = json!({ "allowedOsTypes": ["macos", format!("x-{TOKEN}-y")] });
    let out = evaluate_agents("ECHO0003", vec![healthy("1", "ECHO0003")], rules);
    assert_eq!(out["trusted"], json!(true));
    let os_check = out["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == json!("osType"))
        .unwrap();
    assert_eq!(os_check["expected"], json!(["macos", "x-[REDACTED]-y"]));
    // A failing check's remediation, and nothing else.
    let rules = json!({ "allowedOsTypes": ["windows"],
                        "remediation": { "osType": format!("not {TOKEN}") } });
    let out = evaluate_agents("ECHO0003", vec![healthy("1", "ECHO0003")], rules);
    assert_eq!(failed_rules(&out), ["osType"]);
    assert_eq!(out["reasons"][0]["remediation"], json!("not [REDACTED]"));
}

#[test]
fn a_raw_response_says_whether_it_is_the_body_as_received() {
    // The driver hands back its own copy of a body only when the core says the text is that body:
    // never once redaction rewrote it.
    let facts = |agent: Value| {
        let transport = FakeTransport::new(vec![Exchange {
            url: agents_url("ECHO0001"),
            answer: ok(page(&[agent], 1, None)),
        }]);
        let output = invoke_output(
            &transport,
            &FakeRuntime::default(),
            Capability::EvaluateDeviceTrust,
            &connection_json(),
            &json!({ "serialNumber": "ECHO0001" }),
            CallOptions::default(),
        );
        match output {
            Ok(CapabilityOutput::Trust {
                raw_response: Some(raw),
                raw_facts,
                ..
            }) => (raw, raw_facts),
            other => panic!("{other:?}"),
        }
    };
    let (raw, plain) = facts(healthy("1", "ECHO0001"));
    assert!(!raw.contains("[REDACTED]"));
    assert_eq!(
        plain,
        RawFacts {
            escape_free: true,
            as_received: true
        }
    );
    let (raw, echoed) = facts(with(
        healthy("1", "ECHO0001"),
        json!({ "note": format!("x {TOKEN} \t") }),
    ));
    assert!(raw.contains("[REDACTED]"));
    assert_eq!(
        echoed,
        RawFacts {
            escape_free: false,
            as_received: false
        }
    );
}
