//! Per-call options: the whole-call deadline and how many attempts a request may take.

use crate::error::ConnectorError;

/// The default deadline of a whole call, retries included: long enough for a slow console and two
/// retries, short enough for a sign-in flow.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;
/// The longest deadline a call may ask for.
pub const MAX_TIMEOUT_MS: u64 = 300_000;
/// The default number of attempts per request (one try and two retries).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// The most attempts per request a call may ask for.
pub const MAX_ATTEMPTS_LIMIT: u32 = 10;

/// Validated per-call options.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CallOptions {
    /// The deadline of the whole call, retries included, in milliseconds.
    pub timeout_ms: u64,
    /// How many times one request may be tried (1 = no retries).
    pub max_attempts: u32,
    /// The time rules are judged at, in ms since the epoch; `None` means the host clock.
    pub now_ms: Option<f64>,
}

impl Default for CallOptions {
    fn default() -> Self {
        Self {
            timeout_ms: DEFAULT_TIMEOUT_MS,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            now_ms: None,
        }
    }
}

impl CallOptions {
    /// Validates `timeoutMs` and `maxAttempts` as a host passed them (absent means the default).
    pub fn new(timeout_ms: Option<f64>, max_attempts: Option<f64>) -> Result<Self, ConnectorError> {
        let whole = |value: f64, name: &str, min: u64, max: u64| {
            if value.fract() == 0.0 && (min as f64..=max as f64).contains(&value) {
                Ok(value)
            } else {
                Err(ConnectorError::InvalidInput(format!(
                    "options.{name} must be a whole number from {min} to {max}"
                )))
            }
        };
        let mut options = Self::default();
        if let Some(t) = timeout_ms {
            options.timeout_ms = whole(t, "timeoutMs", 1, MAX_TIMEOUT_MS)? as u64;
        }
        if let Some(a) = max_attempts {
            options.max_attempts =
                whole(a, "maxAttempts", 1, u64::from(MAX_ATTEMPTS_LIMIT))? as u32;
        }
        Ok(options)
    }

    /// Sets the time rules are judged at; it must be a finite number of ms since the epoch.
    pub fn with_now(mut self, now_ms: Option<f64>) -> Result<Self, ConnectorError> {
        if let Some(now) = now_ms {
            if !now.is_finite() || now.abs() > 8.64e15 {
                return Err(ConnectorError::InvalidInput(
                    "options.now must be a time in ms since the epoch or an ISO-8601 string".into(),
                ));
            }
        }
        self.now_ms = now_ms;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(
            CallOptions::new(None, None).unwrap(),
            CallOptions::default()
        );
        let o = CallOptions::new(Some(2500.0), Some(1.0)).unwrap();
        assert_eq!((o.timeout_ms, o.max_attempts), (2500, 1));
        for (t, a) in [
            (Some(0.0), None),
            (Some(-5.0), None),
            (Some(1.5), None),
            (Some(f64::NAN), None),
            (Some(f64::INFINITY), None),
            (Some(300_001.0), None),
            (None, Some(0.0)),
            (None, Some(11.0)),
            (None, Some(2.5)),
        ] {
            let err = CallOptions::new(t, a).unwrap_err();
            assert_eq!(err.code(), "INVALID_INPUT", "{t:?} {a:?}");
        }
    }

    #[test]
    fn now_is_any_finite_time_a_date_can_hold() {
        // ECMAScript dates reach 8.64e15 ms either side of the epoch.
        for now in [None, Some(0.0), Some(-1.5), Some(8.64e15), Some(-8.64e15)] {
            let options = CallOptions::default().with_now(now).unwrap();
            assert_eq!(options.now_ms, now);
        }
        for now in [8.64e15 + 1.0, -8.64e15 - 1.0, f64::NAN, f64::INFINITY] {
            let err = CallOptions::default().with_now(Some(now)).unwrap_err();
            assert_eq!(err.code(), "INVALID_INPUT", "{now}");
        }
    }
}
