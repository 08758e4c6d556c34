//! The SentinelOne API's JSON as it arrives: every field optional, every scalar read leniently.

use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::error::UpstreamDetail;
use crate::loose::{self, Loose};

/// How deeply a response may nest; SentinelOne's agent pages nest about five levels.
pub const MAX_DEPTH: usize = 64;

/// Parses one page of agents, which must be a JSON object whose `data` is an array of objects,
/// nested at most [`MAX_DEPTH`] levels.
pub fn parse_agents_page(body: &str) -> Result<AgentsPage<'_>, String> {
    if nesting_exceeds(body.as_bytes(), MAX_DEPTH) {
        return Err(format!("the body nests deeper than {MAX_DEPTH} levels"));
    }
    serde_json::from_str::<Object<AgentsPage<'_>>>(body)
        .map(|o| o.0)
        .map_err(|e| e.to_string())
}

/// Whether JSON text nests arrays and objects deeper than `limit` (strings are skipped).
// serde_json skips values it does not read without a depth limit; a host walking rawResponse
// recursively would not be so lucky, so absurd nesting is refused up front.
pub fn nesting_exceeds(json: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in json {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// A value that must be a JSON object: derived structs would otherwise also accept an array.
#[derive(Debug, Default)]
pub struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }
        deserializer
            .deserialize_map(ObjectVisitor(PhantomData))
            .map(Object)
    }
}

/// One page of `GET /web/api/v2.1/agents`; strings borrow from the body where they can.
#[derive(Deserialize, Debug)]
pub struct AgentsPage<'a> {
    /// The agents on this page; required, since a page without it is not the documented response.
    #[serde(borrow)]
    pub data: Vec<Object<Agent<'a>>>,
    /// Totals and the cursor of the next page.
    #[serde(borrow, default)]
    pub pagination: Option<Object<Pagination<'a>>>,
}

/// `pagination` of a list response.
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Pagination<'a> {
    /// How many items match the query across all pages.
    #[serde(borrow, default)]
    pub total_items: Option<Loose<'a>>,
    /// The cursor of the next page; null on the last page.
    #[serde(borrow, default)]
    pub next_cursor: Option<Loose<'a>>,
}

/// An agent as the API describes it; only the fields the connector reads are kept.
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // the names are the API's own
pub struct Agent<'a> {
    #[serde(borrow, default)]
    pub id: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub uuid: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub computer_name: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub serial_number: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub os_type: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub os_name: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub agent_version: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub is_active: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub is_decommissioned: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub last_active_date: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub site_id: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub account_id: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub group_id: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub network_status: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub infected: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub active_threats: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub threat_reboot_required: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub operational_state: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub is_uninstalled: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub is_pending_uninstall: Option<Loose<'a>>,
}

impl Agent<'_> {
    /// The agent's serial with surrounding whitespace trimmed, when it has one as a string or number.
    pub fn serial(&self) -> Option<std::borrow::Cow<'_, str>> {
        self.serial_number
            .as_ref()
            .and_then(Loose::to_text)
            .map(|s| match s {
                std::borrow::Cow::Borrowed(b) => std::borrow::Cow::Borrowed(b.trim()),
                std::borrow::Cow::Owned(o) => std::borrow::Cow::Owned(o.trim().to_owned()),
            })
    }
}

/// The error envelope `{"errors":[{"code","title","detail"}]}`.
#[derive(Deserialize, Debug)]
pub struct ErrorEnvelope<'a> {
    /// The error entries; the first one is reported.
    #[serde(borrow, default)]
    pub errors: Option<Vec<Object<ErrorEntry<'a>>>>,
}

/// One entry of `errors`.
#[derive(Deserialize, Debug)]
#[allow(missing_docs)]
pub struct ErrorEntry<'a> {
    #[serde(borrow, default)]
    pub code: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub title: Option<Loose<'a>>,
    #[serde(borrow, default)]
    pub detail: Option<Loose<'a>>,
    // Some clients and proxies say `message` where SentinelOne says `title`.
    #[serde(borrow, default)]
    pub message: Option<Loose<'a>>,
}

/// The first SentinelOne error entry in `body`, or an empty detail when there is none or the body is not JSON.
pub fn upstream_detail(body: &str) -> UpstreamDetail {
    let Ok(Object(envelope)) = serde_json::from_str::<Object<ErrorEnvelope<'_>>>(body) else {
        return UpstreamDetail::default();
    };
    let Some(Object(first)) = envelope.errors.as_ref().and_then(|e| e.first()) else {
        return UpstreamDetail::default();
    };
    let clip = |s: String| -> String { s.chars().take(200).collect() };
    UpstreamDetail {
        code: first
            .code
            .as_ref()
            .and_then(Loose::as_u64)
            .and_then(|c| i64::try_from(c).ok()),
        title: loose::text(&first.title)
            .or_else(|| loose::text(&first.message))
            .map(clip),
        detail: loose::text(&first.detail).map(clip),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_error_envelope() {
        let d = upstream_detail(
            r#"{"errors":[{"code":4010010,"detail":null,"title":"Authentication Failed"}]}"#,
        );
        assert_eq!(d.code, Some(4010010));
        assert_eq!(d.title.as_deref(), Some("Authentication Failed"));
        assert_eq!(d.detail, None);
        let d = upstream_detail(r#"{"errors":[{"code":"5000010","message":"boom","detail":"x"}]}"#);
        assert_eq!(d.code, Some(5000010));
        assert_eq!(d.title.as_deref(), Some("boom"));
        assert_eq!(d.detail.as_deref(), Some("x"));
        for junk in [
            "<html>502</html>",
            "",
            "{}",
            r#"{"errors":[]}"#,
            r#"{"errors":"x"}"#,
        ] {
            assert_eq!(upstream_detail(junk), UpstreamDetail::default(), "{junk}");
        }
    }

    #[test]
    fn agent_serials_are_trimmed_and_may_be_numbers_or_absent() {
        let page = parse_agents_page(
            r#"{"data":[{"serialNumber":" C02 "},{"serialNumber":12345},{"serialNumber":null},{}],
                "pagination":{"totalItems":"4","nextCursor":null}}"#,
        )
        .unwrap();
        let serials: Vec<Option<String>> = page
            .data
            .iter()
            .map(|a| a.0.serial().map(|s| s.into_owned()))
            .collect();
        assert_eq!(
            serials,
            [Some("C02".into()), Some("12345".into()), None, None]
        );
        assert_eq!(
            loose::count(&page.pagination.unwrap().0.total_items),
            Some(4)
        );
    }

    #[test]
    fn nesting_is_measured_outside_strings() {
        assert!(!nesting_exceeds(br#"{"a":[{"b":[1]}]}"#, 4));
        assert!(nesting_exceeds(br#"{"a":[{"b":[[1]]}]}"#, 4));
        assert!(!nesting_exceeds(br#"{"a":"[[[[[[[[[[","b":"\"[[[["}"#, 1));
        let deep = format!(
            r#"{{"data":[{{"zzz":{}1{}}}]}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(parse_agents_page(&deep)
            .unwrap_err()
            .contains("deeper than 64"));
        let fine = format!(
            r#"{{"data":[{{"zzz":{}1{}}}]}}"#,
            "[".repeat(60),
            "]".repeat(60)
        );
        assert!(parse_agents_page(&fine).is_ok());
    }

    #[test]
    fn numbers_out_of_range_in_read_fields_are_errors() {
        let huge = r#"{"data":[{"serialNumber":"X"}],"pagination":{"totalItems":1e400}}"#;
        assert!(parse_agents_page(huge)
            .unwrap_err()
            .contains("out of range"));
    }

    #[test]
    fn a_page_without_data_or_with_wrong_types_is_an_error() {
        for body in [
            r#"{"pagination":{"totalItems":0}}"#,
            r#"{"data":{}}"#,
            r#"{"data":["agent"]}"#,
            r#"{"data":null}"#,
            r#"[]"#,
        ] {
            assert!(
                serde_json::from_str::<AgentsPage<'_>>(body).is_err(),
                "{body}"
            );
        }
    }
}
