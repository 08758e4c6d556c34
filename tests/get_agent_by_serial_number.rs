//! Get Agent by Serial Number end to end through `invoke`, with a fake transport that asserts
//! every outgoing request and a schema check of every output.
#![cfg(not(target_arch = "wasm32"))] // native: schema validation uses the jsonschema crate

mod support;

use sentinelone_connector::output::RawFacts;
use serde_json::{json, Value};
use support::*;

fn agent(id: &str, serial: Value, extra: Value) -> Value {
    let mut a = json!({
        "id": id,
        "uuid": format!("uuid-{id}"),
        "computerName": format!("HOST-{id}"),
        "serialNumber": serial,
        "osType": "macos",
        "osName": "macOS",
        "agentVersion": "23.4.2.14",
        "isActive": true,
        "isDecommissioned": false,
        "lastActiveDate": "2024-05-15T18:23:11.000000Z",
        "siteId": "225494730938493804",
        "accountId": "225494730938493915",
        "groupId": "225494730938494000",
        "networkStatus": "connected"
    });
    if let (Value::Object(a), Value::Object(extra)) = (&mut a, extra) {
        a.extend(extra);
    }
    a
}

#[test]
fn sends_one_get_with_the_documented_query_and_auth_header() {
    let body = page(&[agent("1", json!("C02XK1ABJG5J"), json!({}))], 1, None);
    let transport = FakeTransport::new(vec![Exchange {
        url: format!("{BASE}/web/api/v2.1/agents?serialNumber__contains=C02XK1ABJG5J&limit=1000"),
        answer: ok(body),
    }]);
    run(&transport, json!({ "serialNumber": "C02XK1ABJG5J" })).unwrap();
    transport.assert_all_used();
    assert_eq!(transport.sent.borrow().len(), 1);
}

#[test]
fn hostile_serials_reach_the_api_as_one_percent_encoded_value() {
    for (serial, encoded) in [
        ("AB&limit=1", "AB%26limit%3D1"),
        ("C02 X+Y#1", "C02%20X%2BY%231"),
        ("SN,WITH,COMMA", "SN%2CWITH%2CCOMMA"),
        ("VM5vodACsc+k/", "VM5vodACsc%2Bk%2F"),
        ("A?b=c;d", "A%3Fb%3Dc%3Bd"),
        ("Ünïcødé-42", "%C3%9Cn%C3%AFc%C3%B8d%C3%A9-42"),
        ("%2541", "%252541"),
    ] {
        let body = page(&[agent("7", json!(serial), json!({}))], 1, None);
        let lookup = lookup_one(encoded, serial, &body);
        assert!(lookup.output.agent_found, "{serial}");
        assert_eq!(lookup.output.serial_number.as_deref(), Some(serial));
    }
}

#[test]
fn keeps_only_the_exact_serial_among_substring_matches() {
    let body = page(
        &[
            agent("1", json!("C02XK1ABJG5JX"), json!({})),
            agent("2", json!("XC02XK1ABJG5J"), json!({})),
            agent("3", json!("c02xk1abjg5j"), json!({})),
            agent(
                "4",
                json!("C02XK1ABJG5J"),
                json!({ "computerName": "JDOE-MBP-2023" }),
            ),
        ],
        4,
        None,
    );
    let lookup = lookup_one("C02XK1ABJG5J", "  C02XK1ABJG5J\t", &body);
    let out = &lookup.output;
    assert!(out.agent_found);
    assert_eq!(out.agent_id.as_deref(), Some("4"));
    assert_eq!(out.computer_name.as_deref(), Some("JDOE-MBP-2023"));
    assert_eq!(out.total_items, 4);
    assert_eq!(out.match_count, 1);
    assert_eq!(out.status_code, Some(200));
}

#[test]
fn a_serial_padded_by_the_bios_still_matches_exactly() {
    let body = page(&[agent("9", json!("  PADDED42  "), json!({}))], 1, None);
    let lookup = lookup_one("PADDED42", "PADDED42", &body);
    assert_eq!(lookup.output.serial_number.as_deref(), Some("PADDED42"));
}

#[test]
fn not_found_has_null_agent_fields_and_still_reports_total_items() {
    let body = page(
        &[
            agent("1", json!("C02XK1ABJG5JX"), json!({})),
            agent("2", json!(null), json!({})),
        ],
        2,
        None,
    );
    let lookup = lookup_one("C02XK1ABJG5J", "C02XK1ABJG5J", &body);
    let json = lookup_json(&lookup);
    assert_eq!(json["agentFound"], json!(false));
    assert_eq!(json["totalItems"], json!(2));
    assert_eq!(json["matchCount"], json!(0));
    for field in [
        "agentId",
        "computerName",
        "uuid",
        "serialNumber",
        "osType",
        "osName",
        "agentVersion",
        "isActive",
        "isDecommissioned",
        "lastActiveDate",
        "siteId",
        "accountId",
        "groupId",
        "networkStatus",
    ] {
        assert_eq!(json[field], Value::Null, "{field}");
    }
    assert_eq!(json["rawResponse"]["pagination"]["totalItems"], json!(2));

    let empty = lookup_one("NOPE1234", "NOPE1234", &page(&[], 0, None));
    assert!(!empty.output.agent_found);
    assert_eq!(empty.output.total_items, 0);
}

#[test]
fn duplicates_prefer_not_decommissioned_then_most_recent_then_lowest_id() {
    // A reinstall: the old agent is decommissioned though more recently active than the new one.
    let body = page(
        &[
            agent(
                "100",
                json!("5Q4Q7Y1"),
                json!({ "isDecommissioned": true, "lastActiveDate": "2024-06-01T00:00:00Z" }),
            ),
            agent(
                "200",
                json!("5Q4Q7Y1"),
                json!({ "isDecommissioned": false, "lastActiveDate": "2024-05-01T00:00:00Z" }),
            ),
        ],
        2,
        None,
    );
    let lookup = lookup_one("5Q4Q7Y1", "5Q4Q7Y1", &body);
    assert_eq!(lookup.output.agent_id.as_deref(), Some("200"));
    assert_eq!(lookup.output.match_count, 2);

    // Two live clones: the most recent wins, whatever the zone notation and order.
    let body = page(
        &[
            agent(
                "301",
                json!("87GBNY1"),
                json!({ "lastActiveDate": "2024-05-15T18:00:00.000000Z" }),
            ),
            agent(
                "302",
                json!("87GBNY1"),
                json!({ "lastActiveDate": "2024-05-15T19:30:00.000000" }),
            ),
            agent(
                "303",
                json!("87GBNY1"),
                json!({ "lastActiveDate": "2024-05-15T20:00:00+02:00" }),
            ),
            agent(
                "304",
                json!("87GBNY1"),
                json!({ "lastActiveDate": "not a date" }),
            ),
        ],
        4,
        None,
    );
    let lookup = lookup_one("87GBNY1", "87GBNY1", &body);
    assert_eq!(lookup.output.agent_id.as_deref(), Some("302"));
    assert_eq!(lookup.output.match_count, 4);

    // String booleans count: "False" is not decommissioned, "True" is.
    let body = page(
        &[
            agent(
                "401",
                json!("77NDZ12"),
                json!({ "isDecommissioned": "False", "lastActiveDate": "2023-01-01T00:00:00Z" }),
            ),
            agent(
                "402",
                json!("77NDZ12"),
                json!({ "isDecommissioned": "True", "lastActiveDate": "2024-01-01T00:00:00Z" }),
            ),
        ],
        2,
        None,
    );
    assert_eq!(
        lookup_one("77NDZ12", "77NDZ12", &body)
            .output
            .agent_id
            .as_deref(),
        Some("401")
    );

    // A full tie is broken by the lowest id, so the answer does not depend on response order.
    let tied = |first: &str, second: &str| {
        page(
            &[
                agent(first, json!("TIE0001"), json!({})),
                agent(second, json!("TIE0001"), json!({})),
            ],
            2,
            None,
        )
    };
    for body in [tied("900", "1000"), tied("1000", "900")] {
        assert_eq!(
            lookup_one("TIE0001", "TIE0001", &body)
                .output
                .agent_id
                .as_deref(),
            Some("900")
        );
    }
}

#[test]
fn parses_leniently_as_real_consoles_answer() {
    let body = json!({
        "data": [{
            "id": 1550901640146865256u64,
            "serialNumber": "MXL1234ABC",
            "isActive": "True",
            "isDecommissioned": "False",
            "osType": "chromeos",
            "networkStatus": "quarantined_by_policy",
            "agentVersion": 23.4,
            "lastActiveDate": "2024-05-15T18:23:11.654796",
            "siteId": 225494730938493804u64,
            "unknownFutureField": { "nested": [1, 2, { "deep": true }] }
        }],
        "pagination": { "totalItems": "1", "nextCursor": null },
        "errors": null
    })
    .to_string();
    let out = lookup_one("MXL1234ABC", "MXL1234ABC", &body).output;
    assert_eq!(out.is_active, Some(true));
    assert_eq!(out.is_decommissioned, Some(false));
    assert_eq!(out.os_type.as_deref(), Some("chromeos"));
    assert_eq!(out.network_status.as_deref(), Some("quarantined_by_policy"));
    assert_eq!(out.agent_id.as_deref(), Some("1550901640146865256"));
    assert_eq!(out.site_id.as_deref(), Some("225494730938493804"));
    assert_eq!(out.agent_version.as_deref(), Some("23.4"));
    assert_eq!(
        out.last_active_date.as_deref(),
        Some("2024-05-15T18:23:11.654796")
    );
    assert_eq!(out.total_items, 1);
    // Missing fields are null, not guessed.
    assert_eq!(out.uuid, None);
    assert_eq!(out.group_id, None);
}

#[test]
fn numeric_serials_match_their_text() {
    let body = page(&[agent("5", json!(20231107), json!({}))], 1, None);
    assert!(lookup_one("20231107", "20231107", &body).output.agent_found);
}

#[test]
fn the_sumo_logic_sample_agent_maps_field_for_field() {
    let body = include_str!("fixtures/sumo-agent-page.json");
    let lookup = lookup_one("FS6V1B3", "FS6V1B3", body);
    let json = lookup_json(&lookup);
    let expected = json!({
        "statusCode": 200, "agentFound": true, "agentId": "148347195130",
        "computerName": "FDLV0W3", "uuid": "be20d732fc87bd479e0a", "serialNumber": "FS6V1B3",
        "osType": "windows", "osName": "Windows 10 Pro", "agentVersion": "22.3.2.23",
        "isActive": true, "isDecommissioned": false,
        "lastActiveDate": "2023-03-17T10:27:24.654796Z", "siteId": "1138463255859336",
        "accountId": "113841926404", "groupId": "126008949569", "networkStatus": "connected",
        "totalItems": 1, "matchCount": 1
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&json[key], value, "{key}");
    }
    // rawResponse is the body, unmodified.
    let raw: Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["rawResponse"], raw);
    assert_eq!(lookup.raw_response, body);
}

#[test]
fn follows_the_cursor_only_while_more_substring_matches_exist() {
    let first = page(
        &[agent("1", json!("PAGE0001X"), json!({}))],
        3,
        Some("b2Zmc2V0OjE="),
    );
    let second = page(
        &[agent("2", json!("PAGE0001"), json!({}))],
        3,
        Some("b2Zmc2V0OjI="),
    );
    let third = page(&[agent("3", json!("XPAGE0001"), json!({}))], 3, None);
    let transport = FakeTransport::new(vec![
        Exchange {
            url: agents_url("PAGE0001"),
            answer: ok(first),
        },
        Exchange {
            url: format!("{}&cursor=b2Zmc2V0OjE%3D", agents_url("PAGE0001")),
            answer: ok(second.clone()),
        },
        Exchange {
            url: format!("{}&cursor=b2Zmc2V0OjI%3D", agents_url("PAGE0001")),
            answer: ok(third),
        },
    ]);
    let lookup = run(&transport, json!({ "serialNumber": "PAGE0001" })).unwrap();
    transport.assert_all_used();
    assert_eq!(lookup.output.agent_id.as_deref(), Some("2"));
    assert_eq!(lookup.output.total_items, 3);
    // rawResponse is the page that held the chosen agent.
    assert_eq!(lookup.raw_response, second);

    // A cursor with everything already read is not followed: one request.
    let body = page(
        &[agent("1", json!("ONEPAGE1"), json!({}))],
        1,
        Some("c3RhbGU="),
    );
    lookup_one("ONEPAGE1", "ONEPAGE1", &body);
}

#[test]
fn paging_stops_at_the_page_cap_with_a_coded_error() {
    let pages: Vec<Exchange> = (0..10)
        .map(|i| Exchange {
            url: if i == 0 {
                agents_url("COMMON")
            } else {
                format!("{}&cursor=c{i}", agents_url("COMMON"))
            },
            answer: ok(page(
                &[agent(&i.to_string(), json!("XCOMMONX"), json!({}))],
                50_000,
                Some(&format!("c{}", i + 1)),
            )),
        })
        .collect();
    let transport = FakeTransport::new(pages);
    let err = run(&transport, json!({ "serialNumber": "COMMON" })).unwrap_err();
    transport.assert_all_used();
    assert_eq!(err.code(), "RESPONSE_TOO_LARGE");
    assert!(err.to_string().contains("10 pages"), "{err}");
}

#[test]
fn a_console_repeating_its_cursor_or_sending_empty_pages_does_not_loop() {
    let first = page(&[agent("1", json!("LOOP0001"), json!({}))], 5, Some("same"));
    let again = page(
        &[agent("2", json!("LOOP0001X"), json!({}))],
        5,
        Some("same"),
    );
    let transport = FakeTransport::new(vec![
        Exchange {
            url: agents_url("LOOP0001"),
            answer: ok(first),
        },
        Exchange {
            url: format!("{}&cursor=same", agents_url("LOOP0001")),
            answer: ok(again),
        },
    ]);
    let lookup = run(&transport, json!({ "serialNumber": "LOOP0001" })).unwrap();
    transport.assert_all_used();
    assert!(lookup.output.agent_found);

    let empty = page(&[], 5, Some("next"));
    lookup_one("EMPTY001", "EMPTY001", &empty);
}

#[test]
fn upstream_statuses_become_coded_errors_with_the_sentinelone_entry() {
    let envelope = r#"{"errors":[{"code":4010010,"detail":null,"title":"Authentication Failed"}]}"#;
    for (code, expected, retryable) in [
        (401, "UNAUTHORIZED", false),
        (403, "FORBIDDEN", false),
        (429, "RATE_LIMITED", true),
        (500, "UPSTREAM_UNAVAILABLE", true),
        (502, "UPSTREAM_UNAVAILABLE", true),
        (400, "UPSTREAM_ERROR", false),
        (404, "UPSTREAM_ERROR", false),
    ] {
        let transport = FakeTransport::new(vec![Exchange {
            url: agents_url("C02XK1ABJG5J"),
            answer: status(code, envelope),
        }]);
        let err = run_once(&transport, json!({ "serialNumber": "C02XK1ABJG5J" })).unwrap_err();
        assert_eq!(err.code(), expected, "{code}");
        assert_eq!(err.retryable(), retryable, "{code}");
        assert_eq!(err.status(), Some(code));
        let upstream = err.upstream().unwrap();
        assert_eq!(upstream.code, Some(4010010));
        assert_eq!(upstream.title.as_deref(), Some("Authentication Failed"));
    }
    // A proxy's HTML error page still maps by status.
    let transport = FakeTransport::new(vec![Exchange {
        url: agents_url("C02XK1ABJG5J"),
        answer: status(
            503,
            "<html><body>503 Service Temporarily Unavailable</body></html>",
        ),
    }]);
    let err = run_once(&transport, json!({ "serialNumber": "C02XK1ABJG5J" })).unwrap_err();
    assert_eq!(err.code(), "UPSTREAM_UNAVAILABLE");
    assert_eq!(err.upstream().unwrap().code, None);
}

#[test]
fn malformed_success_bodies_are_coded_never_a_panic() {
    let deep = format!("{{\"data\":[{}1{}]}}", "[".repeat(200), "]".repeat(200));
    for body in [
        "",
        "not json",
        "<html>Login</html>",
        "{}",
        "[]",
        "null",
        r#"{"data":null}"#,
        r#"{"data":{}}"#,
        r#"{"data":["agent"]}"#,
        r#"{"data":[{"serialNumber":"X"}]"#,
        r#"{"data":[],"pagination":"yes"}"#,
        r#"{"data":[{"id":"1","id":"2"}]}"#,
        &deep,
    ] {
        let transport = FakeTransport::new(vec![Exchange {
            url: agents_url("C02XK1ABJG5J"),
            answer: ok(body),
        }]);
        let err = run(&transport, json!({ "serialNumber": "C02XK1ABJG5J" })).unwrap_err();
        assert_eq!(err.code(), "MALFORMED_RESPONSE", "{body}");
        // It came from a response: the error says which status that response had.
        assert_eq!(err.status(), Some(200), "{body}");
        // Only an HTML page is blamed on the base URL.
        assert_eq!(
            err.to_string()
                .contains("is baseUrl the console's root URL"),
            body.trim_start().starts_with('<'),
            "{body}: {err}"
        );
    }
}

#[test]
fn transport_failures_are_network_or_shim_contract_errors() {
    use sentinelone_connector::transport::TransportError;
    for (failure, code) in [
        (
            TransportError::Network("connection reset".into()),
            "NETWORK",
        ),
        (
            TransportError::Contract("resolved with undefined".into()),
            "SHIM_CONTRACT",
        ),
        (
            TransportError::TooLarge("20 MB".into()),
            "RESPONSE_TOO_LARGE",
        ),
    ] {
        let transport = FakeTransport::new(vec![Exchange {
            url: agents_url("C02XK1ABJG5J"),
            answer: Err(failure),
        }]);
        let err = run_once(&transport, json!({ "serialNumber": "C02XK1ABJG5J" })).unwrap_err();
        assert_eq!(err.code(), code);
    }
}

#[test]
fn invalid_input_and_connection_fail_before_any_request() {
    let transport = FakeTransport::new(vec![]);
    for (input, why) in [
        (json!({}), "required"),
        (json!({ "serialNumber": 42 }), "must be a string"),
        (json!({ "serialNumber": "   " }), "empty"),
        (
            json!({ "serialNumber": "To be filled by O.E.M." }),
            "placeholder",
        ),
        (json!({ "serialNumber": "0" }), "at least 2"),
        (json!({ "serialNumber": "N/A" }), "placeholder"),
        (json!("C02XK1ABJG5J"), "must be an object"),
    ] {
        let err = run(&transport, input.clone()).unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT", "{input}");
        assert!(err.to_string().contains(why), "{input}: {err}");
    }
    assert!(transport.sent.borrow().is_empty());

    use sentinelone_connector::capability::Capability;
    for connection in [
        json!({}),
        json!({ "baseUrl": BASE }),
        json!({ "baseUrl": "http://console.example", "apiToken": TOKEN }),
        json!({ "baseUrl": BASE, "apiToken": format!("{TOKEN}\r\nX-Injected: 1") }),
    ] {
        let err = invoke_output(
            &transport,
            &FakeRuntime::default(),
            Capability::GetAgentBySerialNumber,
            &connection,
            &json!({ "serialNumber": "C02XK1ABJG5J" }),
            Default::default(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "INVALID_CONNECTION", "{connection}");
        assert_no_secret(&err.to_string());
    }
    assert!(transport.sent.borrow().is_empty());
}

#[test]
fn unknown_capabilities_are_coded() {
    use sentinelone_connector::capability::Capability;
    assert_eq!(
        Capability::from_name("getAgentBySerialNumber").unwrap(),
        Capability::GetAgentBySerialNumber
    );
    let err = Capability::from_name("deleteEverything").unwrap_err();
    assert_eq!(err.code(), "UNKNOWN_CAPABILITY");
    assert!(err.to_string().contains("deleteEverything"));
    // The message names every capability, so a designer need not look them up.
    let message = Capability::from_name("GetAgentBySerialNumber")
        .unwrap_err()
        .to_string();
    for capability in Capability::ALL {
        assert!(message.contains(capability.name()), "{message}");
    }
    assert!(message.contains("case-sensitive"));
    let long = "x".repeat(10_000);
    assert!(Capability::from_name(&long).unwrap_err().to_string().len() < 250);
}

#[test]
fn a_console_echoing_the_token_never_leaks_it() {
    let body = page(
        &[agent(
            "1",
            json!("ECHO0001"),
            json!({ "computerName": TOKEN, "note": format!("token {TOKEN}") }),
        )],
        1,
        None,
    );
    // run() scans every output and error for the token.
    let lookup = lookup_one("ECHO0001", "ECHO0001", &body);
    assert_eq!(lookup.output.computer_name.as_deref(), Some("[REDACTED]"));
    assert!(lookup.raw_response.contains("token [REDACTED]"));
    // ...and says its rawResponse is no longer the body received (a host must not hand back its copy).
    assert!(!lookup.raw_facts.as_received);

    // Spelled with escapes (`\u0074` for `t`), the token is in no text, but in a string JSON.parse
    // reads: such a body is read and written anew. One without is handed back as received.
    let hidden = format!("\\u{:04x}{}", TOKEN.as_bytes()[0], &TOKEN[1..]);
    let plain = page(
        &[agent("1", json!("ECHO0001"), json!({ "note": "esc" }))],
        1,
        None,
    );
    let escaped = plain.replace(r#""esc""#, &format!(r#""esc {hidden}""#));
    assert!(escaped.contains(&hidden) && !escaped.contains(TOKEN));
    let lookup = lookup_one("ECHO0001", "ECHO0001", &escaped);
    let raw: Value = serde_json::from_str(&lookup.raw_response).unwrap();
    assert_eq!(raw["data"][0]["note"], json!("esc [REDACTED]"));
    assert_eq!(
        lookup.raw_facts,
        RawFacts {
            escape_free: false,
            as_received: false
        }
    );
    // Without the token: handed back as received, known to hold escapes or not (escapes that spell
    // something else).
    let other = plain.replace(r#""esc""#, r#""esc \u0041\n""#);
    for (body, escape_free) in [(&plain, true), (&other, false)] {
        let unchanged = lookup_one("ECHO0001", "ECHO0001", body);
        assert_eq!(&unchanged.raw_response, body);
        assert_eq!(
            unchanged.raw_facts,
            RawFacts {
                escape_free,
                as_received: true
            }
        );
    }
    // Beside a number beyond f64 (JSON.parse reads Infinity; no tree can hold it) and a lone surrogate
    // (JSON.parse keeps it; no Rust string can): the escaped token is still redacted, and only the
    // strings that held it change.
    let odd = escaped.replace(
        r#""note":"#,
        &format!(r#""big":1e400,"lone":"\ud800{hidden}","other":"\ud800x","note":"#),
    );
    // (Not through `run`, which reads rawResponse with serde_json: it refuses 1e400 and lone surrogates.)
    let transport = FakeTransport::new(vec![Exchange {
        url: agents_url("ECHO0001"),
        answer: ok(odd),
    }]);
    let connection = sentinelone_connector::connection::ConnectionProperties::from_json(tree(
        &connection_json(),
    ))
    .unwrap();
    let output = pollster::block_on(sentinelone_connector::capability::invoke(
        &transport,
        &FakeRuntime::default(),
        sentinelone_connector::capability::Capability::GetAgentBySerialNumber,
        &connection,
        &tree(&json!({ "serialNumber": "ECHO0001" })),
        sentinelone_connector::options::CallOptions::default(),
    ));
    let Ok(sentinelone_connector::capability::CapabilityOutput::Lookup(lookup)) = output else {
        panic!("{output:?}");
    };
    let raw = lookup.raw_response;
    assert!(!raw.contains(&hidden), "{raw}");
    assert!(raw.contains(r#""note":"esc [REDACTED]""#), "{raw}");
    assert!(raw.contains(r#""lone":"[REDACTED]""#), "{raw}");
    assert!(
        raw.contains(r#""big":1e400,"#) && raw.contains(r#""other":"\ud800x""#),
        "{raw}"
    );

    let transport = FakeTransport::new(vec![Exchange {
        url: agents_url("ECHO0001"),
        answer: status(
            400,
            format!(
                r#"{{"errors":[{{"code":4000010,"title":"bad token {TOKEN}","detail":"{TOKEN}"}}]}}"#
            ),
        ),
    }]);
    let err = run_once(&transport, json!({ "serialNumber": "ECHO0001" })).unwrap_err();
    assert_eq!(
        err.upstream().unwrap().title.as_deref(),
        Some("bad token [REDACTED]")
    );

    let transport = FakeTransport::new(vec![Exchange {
        url: agents_url("ECHO0001"),
        answer: Err(sentinelone_connector::transport::TransportError::Network(
            format!("failed: Authorization: ApiToken {TOKEN}"),
        )),
    }]);
    run_once(&transport, json!({ "serialNumber": "ECHO0001" })).unwrap_err();
}

#[test]
fn a_console_spelling_the_token_with_an_escape_never_leaks_it_in_outputs() {
    // `\t` and the token's tail: the value is a tab and "est-api-token-…", which holds no token,
    // but written as JSON (the output crossing to JS, or a host's JSON.stringify) it is spelled again.
    assert!(TOKEN.starts_with('t'));
    let spelled = format!("\\{TOKEN}");
    let body = page(
        &[agent(
            "1",
            json!("ECHO0001"),
            json!({ "computerName": "PLACEHOLDER" }),
        )],
        1,
        None,
    )
    .replace(r#""PLACEHOLDER""#, &format!(r#""{spelled}""#));
    // run() scans every output and error, as JSON text, for the token.
    let lookup = lookup_one("ECHO0001", "ECHO0001", &body);
    assert_eq!(lookup.output.computer_name.as_deref(), Some("[REDACTED]"));
    // Written `\u0009` by the console, the tab is written `\t` again by a host that logs the parsed
    // rawResponse: the text as received spells no token, its strings would.
    let body = body.replace(&spelled, &format!("\\u0009{}", &TOKEN[1..]));
    let lookup = lookup_one("ECHO0001", "ECHO0001", &body);
    let raw: Value = serde_json::from_str(&lookup.raw_response).unwrap();
    assert_eq!(raw["data"][0]["computerName"], json!("[REDACTED]"));
    assert_no_secret(&raw.to_string());

    let transport = FakeTransport::new(vec![Exchange {
        url: agents_url("ECHO0001"),
        answer: status(
            400,
            format!(r#"{{"errors":[{{"code":4000010,"title":"bad {spelled}"}}]}}"#),
        ),
    }]);
    let err = run_once(&transport, json!({ "serialNumber": "ECHO0001" })).unwrap_err();
    assert_eq!(
        err.upstream().unwrap().title.as_deref(),
        Some("bad [REDACTED]")
    );
    assert_no_secret(&sentinelone_connector::json_writer::quoted(
        &err.to_string(),
    ));
}
