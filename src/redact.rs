//! Keeping the API token out of every text the connector hands back.

use std::borrow::Cow;

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// `text` with every occurrence of `secret` replaced by `[REDACTED]` (borrowed when there is none).
pub fn redact<'t>(text: &'t str, secret: &str) -> Cow<'t, str> {
    if secret.is_empty() || !text.contains(secret) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.replace(secret, REDACTED))
    }
}

/// Redacts `secret` from an owned string in place, allocating only when it occurs.
pub fn redact_owned(text: String, secret: &str) -> String {
    match redact(&text, secret) {
        Cow::Borrowed(_) => text,
        Cow::Owned(clean) => clean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_every_occurrence_and_borrows_otherwise() {
        assert_eq!(
            redact("a TOKEN b TOKEN", "TOKEN"),
            "a [REDACTED] b [REDACTED]"
        );
        assert!(matches!(redact("nothing here", "TOKEN"), Cow::Borrowed(_)));
        assert!(matches!(redact("anything", ""), Cow::Borrowed(_)));
        assert_eq!(redact_owned("xTOKENx".into(), "TOKEN"), "x[REDACTED]x");
    }
}
