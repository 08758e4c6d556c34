//! The declared contract in schema/ and the code cannot drift apart.
#![cfg(not(target_arch = "wasm32"))] // native: schema validation uses the jsonschema crate

mod support;

use sentinelone_connector::capability::Capability;
use sentinelone_connector::error::ConnectorError;
use sentinelone_connector::json_writer::to_json_string;
use sentinelone_connector::output::AgentLookup;
use sentinelone_connector::schema::{MANIFEST_JSON, MANIFEST_MAIN_JSON, MANIFEST_PARTS_JSON};
use serde_json::{json, Value};

fn manifest() -> Value {
    serde_json::from_str(MANIFEST_JSON).expect("embedded manifest is JSON")
}

#[test]
fn the_embedded_manifest_resolves_every_schema_and_lists_every_capability() {
    let m = manifest();
    assert_eq!(m["version"], json!(env!("CARGO_PKG_VERSION")));
    assert_eq!(m["id"], json!("sentinelOneConnector"));
    assert!(
        !MANIFEST_JSON.contains("\"$ref\""),
        "unresolved $ref in the manifest"
    );
    let names: Vec<&str> = m["capabilities"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut code: Vec<&str> = Capability::ALL.iter().map(|c| c.name()).collect();
    code.sort_unstable();
    assert_eq!(names, code, "JSON object keys come sorted");
    for name in names {
        let cap = &m["capabilities"][name];
        assert!(
            cap["title"].is_string() && cap["description"].is_string(),
            "{name}"
        );
        for which in ["inputSchema", "outputSchema"] {
            assert_eq!(
                cap[which]["$schema"],
                json!("https://json-schema.org/draft/2020-12/schema"),
                "{name}.{which}"
            );
            jsonschema::draft202012::new(&cap[which]).expect("schema compiles");
        }
    }
    let token = &m["connectionProperties"]["properties"]["apiToken"];
    assert_eq!(token["writeOnly"], json!(true));
    assert_eq!(token["hashedVisibility"], json!(true));
    assert_eq!(
        m["connectionProperties"]["required"],
        json!(["baseUrl", "apiToken"])
    );
}

#[test]
fn the_output_schema_lists_exactly_the_fields_the_code_produces() {
    let m = manifest();
    let schema = &m["capabilities"]["getAgentBySerialNumber"]["outputSchema"];
    let mut declared: Vec<String> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let mut produced: Vec<String> =
        serde_json::from_str::<Value>(&to_json_string(&AgentLookup::default()))
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .chain(["rawResponse".to_owned()])
            .collect();
    declared.sort();
    produced.sort();
    assert_eq!(declared, produced);
    let mut required: Vec<String> = serde_json::from_value(schema["required"].clone()).unwrap();
    required.sort();
    assert_eq!(required, produced);
}

#[test]
fn the_error_schema_lists_every_code() {
    let m = manifest();
    let codes = &m["errorSchema"]["properties"]["code"]["enum"];
    let samples = ConnectorError::one_of_each();
    let from_code: Vec<Value> = samples.iter().map(|e| json!(e.code())).collect();
    assert_eq!(codes, &json!(from_code));
    // An error as it crosses to JS validates against the error schema.
    let e = &samples[2];
    support::assert_valid(
        "error.schema.json",
        &json!({
            "name": "SentinelOneConnectorError", "code": e.code(), "message": e.to_string(),
            "retryable": e.retryable(), "status": e.status(), "retryAfterMs": null,
            "upstreamCode": null, "upstreamTitle": null, "upstreamDetail": null
        }),
    );
}

#[test]
fn the_ping_documented_output_example_validates() {
    // The PingOne DaVinci connector's documented example, plus matchCount: same field names, same types.
    let example = json!({
        "statusCode": 200, "agentFound": true, "agentId": "agent-1a2b3c4d",
        "computerName": "JDOE-MBP-2023", "uuid": "ff819e70af13be381993075eb0ce5f2f6de05be2",
        "serialNumber": "C02XK1ABJG5J", "osType": "macos", "osName": "macOS Sonoma 14.5",
        "agentVersion": "23.4.2.14", "isActive": true, "isDecommissioned": false,
        "lastActiveDate": "2024-05-15T18:23:11.000000Z", "siteId": "site-9f8e7d6c",
        "accountId": "acct-5b4a3c2d", "groupId": "group-7e6f5d4c", "networkStatus": "connected",
        "totalItems": 1, "matchCount": 1,
        "rawResponse": { "pagination": { "totalItems": 1, "nextCursor": null }, "data": [] }
    });
    support::assert_valid("getAgentBySerialNumber.output.schema.json", &example);
    let mut not_found_with_id = example.clone();
    not_found_with_id["agentFound"] = json!(false);
    let validator = jsonschema::draft202012::new(
        &manifest()["capabilities"]["getAgentBySerialNumber"]["outputSchema"],
    )
    .unwrap();
    assert!(
        !validator.is_valid(&not_found_with_id),
        "agent fields must be null when not found"
    );
}

/// What `driver.js`'s `expandJson` does, in Rust: each placeholder `"\u0000N"` becomes part N, expanded.
fn expand(value: &Value, parts: &[Value]) -> Value {
    match value {
        Value::String(text) if text.starts_with('\u{0}') => {
            let index: usize = text[1..].parse().expect("placeholder index");
            expand(&parts[index], parts)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| expand(v, parts)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), expand(v, parts)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn the_embedded_manifest_expands_to_the_resolved_one_and_stores_repeats_once() {
    let main: Value = serde_json::from_str(MANIFEST_MAIN_JSON).unwrap();
    let parts: Vec<Value> = serde_json::from_str(MANIFEST_PARTS_JSON).unwrap();
    assert_eq!(expand(&main, &parts), manifest());
    assert!(
        !parts.is_empty(),
        "the trust rules schema alone occurs three times"
    );
    assert!(MANIFEST_MAIN_JSON.len() + MANIFEST_PARTS_JSON.len() < MANIFEST_JSON.len() * 4 / 5);
    // No schema text starts with NUL, so a placeholder can only be one.
    assert!(!MANIFEST_JSON.contains("\\u0000"));
}

/// The manifest's schema at `key`, compiled.
fn validator(key: &str) -> jsonschema::Validator {
    jsonschema::draft202012::new(&manifest()[key]).expect("schema compiles")
}

/// Whether the connector accepts `connection` (JSON) as its connection properties.
fn code_accepts_connection(connection: &Value) -> bool {
    use sentinelone_connector::connection::{Connection, ConnectionProperties};
    ConnectionProperties::from_json(support::tree(connection))
        .is_some_and(|properties| Connection::from_properties(&properties).is_ok())
}

/// Asserts that the schema accepts `instance` exactly when the code does.
fn assert_agree(validator: &jsonschema::Validator, instance: &Value, accepted: bool) {
    let declared = validator.is_valid(instance);
    assert_eq!(
        declared, accepted,
        "{instance}: schema {declared}, code {accepted}"
    );
}

/// A token both the schema and the code accept.
const TOKEN16: &str = "0123456789abcdef";

#[test]
fn the_connection_schema_accepts_exactly_the_tokens_the_code_accepts() {
    let validator = validator("connectionProperties");
    let tokens = [
        "e".to_owned(),
        "token".to_owned(),
        TOKEN16[..15].to_owned(),
        TOKEN16.to_owned(),
        format!("{TOKEN16}\n"),
        format!("  {TOKEN16}\t"),
        format!("ApiToken {TOKEN16}"),
        format!("{TOKEN16} {TOKEN16}"),
        format!("{TOKEN16}é"),
        format!("{TOKEN16}\u{7f}"),
        format!("eyJ{}", "a1B2.c3_D4-".repeat(30)),
        format!("{TOKEN16}\""),
        format!("\\{TOKEN16}"),
        format!("{TOKEN16}!#[]~"),
        format!("{TOKEN16}["),
        format!("]{TOKEN16}"),
        format!("{TOKEN16}!#AZ^_`az{{|}}~"),
        "1234567890123456".to_owned(),
        "  1234567890123456\n".to_owned(),
        "1e10,-2.5E+3:[{}]".to_owned(),
        "true,false,null,1".to_owned(),
        "1234567890123456x".to_owned(),
        "x1234567890123456".to_owned(),
        "1234567890123456é".to_owned(),
        String::new(),
        " \n".to_owned(),
    ];
    for token in tokens {
        let connection = json!({ "baseUrl": support::BASE, "apiToken": token });
        assert_agree(
            &validator,
            &connection,
            code_accepts_connection(&connection),
        );
    }
}

#[test]
fn the_connection_schema_accepts_every_base_url_the_code_accepts() {
    let validator = validator("connectionProperties");
    let connection = |url: &str| json!({ "baseUrl": url, "apiToken": TOKEN16 });
    // The schema cannot say all the code checks (http only for loopback hosts, host syntax), so it
    // may accept more; it must never refuse what the connector accepts (a pasted trailing newline).
    for url in [
        "https://usea1-partners.sentinelone.net",
        "https://usea1-partners.sentinelone.net/",
        "HTTPS://Usea1-Partners.SentinelOne.net/web/api/v2.1/",
        "  https://usea1-partners.sentinelone.net\n",
        "https://usea1-partners.sentinelone.net:8443/console",
        "https://[::1]",
        "http://localhost:4010",
        "http://127.0.0.1:4010/",
    ] {
        assert!(
            code_accepts_connection(&connection(url)),
            "{url:?} is accepted by the code"
        );
        assert_agree(&validator, &connection(url), true);
    }
    for url in [
        "usea1-partners.sentinelone.net",
        "https://user:pw@usea1-partners.sentinelone.net",
        "https://usea1-partners.sentinelone.net?x=1",
        "https://usea1-partners.sentinelone.net#top",
        "https://usea1 partners.sentinelone.net",
        "ftp://usea1-partners.sentinelone.net",
        "",
    ] {
        assert!(
            !code_accepts_connection(&connection(url)),
            "{url:?} is refused by the code"
        );
        assert_agree(&validator, &connection(url), false);
    }
}

#[test]
fn the_trust_rules_schema_accepts_exactly_the_allow_list_values_the_code_accepts() {
    let validator = validator("trustRulesSchema");
    for key in [
        "allowedOsTypes",
        "allowedNetworkStatuses",
        "allowedOperationalStates",
    ] {
        for value in [
            "windows",
            "db_corruption",
            "chromeos",
            "Windows",
            "NA",
            " macos",
            "mac os",
            "na\t",
            "",
        ] {
            let rules = json!({ key: [value] });
            let accepted =
                sentinelone_connector::trust::TrustRules::from_json(Some(&support::tree(&rules)))
                    .is_ok();
            assert_agree(&validator, &rules, accepted);
        }
    }
}

#[test]
fn the_connection_schema_accepts_exactly_the_scope_id_lists_the_code_accepts() {
    let validator = validator("connectionProperties");
    for ids in [
        json!(["225494730938493804"]),
        json!([" 225494730938493804 ", "site_2"]),
        json!(["a-b"]),
        json!([""]),
        json!(["a b"]),
        json!(["a,b"]),
        json!(["é"]),
    ] {
        for key in ["siteIds", "accountIds"] {
            let connection = json!({ "baseUrl": support::BASE, "apiToken": TOKEN16, key: ids });
            assert_agree(
                &validator,
                &connection,
                code_accepts_connection(&connection),
            );
        }
    }
}

#[test]
fn the_input_schemas_accept_exactly_the_serial_numbers_the_code_accepts() {
    use sentinelone_connector::serial;
    let long = "A".repeat(128);
    let serials = [
        "C02XK1ABJG5J".to_owned(),
        "  C02XK1ABJG5J\n".to_owned(),
        "VMware-56 4d fa 72".to_owned(),
        "AB".to_owned(),
        "A".to_owned(),
        " A ".to_owned(),
        "\tA\u{3000}".to_owned(),
        long.clone(),
        format!("{long} "),
        format!("\u{a0}\u{2028}{long}\r\n"),
        format!("{long}B"),
        "C02\nX".to_owned(),
        "C02\tX".to_owned(),
        "C02\u{7f}X".to_owned(),
        "C02\u{9f}X".to_owned(),
        "\u{85}AB\u{85}".to_owned(),
        "A\u{85}B".to_owned(),
        "A\u{a0}B".to_owned(),
        "\u{feff}A".to_owned(),
        "\u{feff}AB".to_owned(),
        "序列号".to_owned(),
        "😀😀".to_owned(),
        String::new(),
        " \u{2003} ".to_owned(),
        "To be filled by O.E.M.".to_owned(),
        " 000000 ".to_owned(),
    ];
    let m = manifest();
    for capability in ["getAgentBySerialNumber", "evaluateDeviceTrust"] {
        let validator = jsonschema::draft202012::new(&m["capabilities"][capability]["inputSchema"])
            .expect("schema compiles");
        for value in &serials {
            let tree = support::tree(&json!(value));
            let valid = serial::validate(Some(&tree));
            // Get Agent refuses placeholders, which a pattern does not list: the description says so.
            let placeholder = valid.as_ref().is_ok_and(|s| serial::is_placeholder(s));
            let input = json!({ "serialNumber": value });
            if placeholder && capability == "getAgentBySerialNumber" {
                assert!(validator.is_valid(&input), "{value:?}");
                continue;
            }
            assert_agree(&validator, &input, valid.is_ok());
        }
        for value in [json!(null), json!(12345678), json!(["C02XK1ABJG5J"])] {
            assert_agree(&validator, &json!({ "serialNumber": value }), false);
        }
    }
}

#[test]
fn the_readme_error_table_has_one_row_per_code_in_the_schema_order() {
    let readme = include_str!("../README.md");
    let rows: Vec<&str> = readme
        .lines()
        .filter_map(|line| line.strip_prefix("| `")?.split_once("` |"))
        .map(|(code, _)| code)
        .filter(|code| code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        .collect();
    let codes: Vec<&str> = ConnectorError::one_of_each()
        .iter()
        .map(ConnectorError::code)
        .collect();
    assert_eq!(
        rows, codes,
        "README's error table names every code once, as the error schema lists them"
    );
}
