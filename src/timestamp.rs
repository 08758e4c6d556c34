//! ISO-8601 timestamps as SentinelOne writes them, read into UTC microseconds since the epoch.

/// Parses `2023-03-17T10:27:24.654796Z`, `2022-08-10T08:01:58.651000` (no zone means UTC), `…20Z`,
/// and explicit offsets such as `+02:00`, into microseconds since 1970-01-01T00:00:00Z.
pub fn parse_micros(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    };
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }

    let mut i = 19;
    let mut micros = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 6 {
                micros = micros * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let digits = i - start;
        if digits == 0 {
            return None;
        }
        for _ in digits..6 {
            micros *= 10;
        }
    }
    let offset_seconds = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let (oh, om) = match b.len() - i {
                6 if b[i + 3] == b':' => (num(i + 1, 2)?, num(i + 4, 2)?),
                5 => (num(i + 1, 2)?, num(i + 3, 2)?),
                3 => (num(i + 1, 2)?, 0),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let s = oh * 3600 + om * 60;
            if *sign == b'+' {
                s
            } else {
                -s
            }
        }
        _ => return None,
    };

    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(seconds * 1_000_000 + micros)
}

/// Parses an HTTP-date in the IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`) into milliseconds
/// since the epoch, as `Retry-After` may carry it.
pub fn parse_http_date_ms(text: &str) -> Option<i64> {
    let mut parts = text.split_ascii_whitespace();
    let (_weekday, day, month, year, time, zone) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if parts.next().is_some() || !(zone == "GMT" || zone == "UTC") {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? + 1;
    if day.len() > 2 || year.len() != 4 || time.len() != 8 {
        return None;
    }
    let iso = format!("{year}-{month:02}-{day:0>2}T{time}Z");
    parse_micros(&iso).map(|micros| micros / 1000)
}

/// Formats milliseconds since the epoch as ISO-8601 UTC with milliseconds, e.g. `2024-05-15T18:23:11.000Z`.
pub fn format_iso_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

// Howard Hinnant's civil_from_days, the inverse of days_from_civil.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Writes a non-negative amount with one decimal (`5.0`, `125.3`) without core's float formatting,
/// which would add about 15 KB of tables to the `.wasm`.
pub fn one_decimal(x: f64) -> String {
    let tenths = (x.max(0.0) * 10.0).round() as u64;
    format!("{}.{}", tenths / 10, tenths % 10)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form_consoles_write() {
        let base = parse_micros("2023-03-17T10:27:24Z").unwrap();
        assert_eq!(base, 1_679_048_844_000_000);
        assert_eq!(
            parse_micros("2023-03-17T10:27:24.654796Z"),
            Some(base + 654_796)
        );
        assert_eq!(
            parse_micros("2023-03-17T10:27:24.654796"),
            Some(base + 654_796)
        );
        assert_eq!(parse_micros("2023-03-17T10:27:24.6Z"), Some(base + 600_000));
        assert_eq!(
            parse_micros("2023-03-17T10:27:24.123456789Z"),
            Some(base + 123_456)
        );
        assert_eq!(parse_micros("2023-03-17 10:27:24"), Some(base));
        assert_eq!(parse_micros("2023-03-17T12:27:24+02:00"), Some(base));
        assert_eq!(parse_micros("2023-03-17T09:27:24-0100"), Some(base));
        assert_eq!(parse_micros("2023-03-17T12:27:24+02"), Some(base));
        assert_eq!(parse_micros("2023-03-18T10:26:24+23:59"), Some(base));
        assert_eq!(parse_micros("2023-03-17T04:57:24-05:30"), Some(base));
        assert_eq!(parse_micros("1970-01-01T00:00:00Z"), Some(0));
        // Every field at its largest: the last second of a year, and a leap second (read as the
        // next one: consoles never write one, but it is a timestamp).
        assert_eq!(
            parse_micros("2023-12-31T23:59:59Z"),
            Some(1_704_067_199_000_000)
        );
        assert_eq!(
            parse_micros("2016-12-31T23:59:60Z"),
            Some(1_483_228_800_000_000)
        );
        assert_eq!(
            parse_micros("2023-04-30t00:00:00Z"),
            Some(1_682_812_800_000_000)
        );
        assert_eq!(
            parse_micros("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000_000)
        );
    }

    #[test]
    fn formats_and_reads_back() {
        assert_eq!(format_iso_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_iso_ms(1_709_164_800_123), "2024-02-29T00:00:00.123Z");
        // Centuries and eras, where the calendar's rarer terms count.
        for (ms, iso) in [
            (-2_203_891_200_000, "1900-03-01T00:00:00.000Z"),
            (946_684_799_999, "1999-12-31T23:59:59.999Z"),
            (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
            (4_107_542_400_000, "2100-03-01T00:00:00.000Z"),
            (13_574_563_200_000, "2400-02-29T00:00:00.000Z"),
            (-11_670_998_400_000, "1600-02-29T00:00:00.000Z"),
            (-11_644_473_600_000, "1601-01-01T00:00:00.000Z"),
        ] {
            assert_eq!(format_iso_ms(ms), iso);
            assert_eq!(parse_micros(iso), Some(ms * 1000), "{iso}");
        }
        for ms in [
            0i64,
            951_782_400_000,
            1_679_048_844_654,
            4_102_444_800_000,
            -86_400_000,
        ] {
            assert_eq!(parse_micros(&format_iso_ms(ms)), Some(ms * 1000), "{ms}");
        }
    }

    #[test]
    fn one_decimal_rounds() {
        assert_eq!(one_decimal(5.0), "5.0");
        assert_eq!(one_decimal(125.26), "125.3");
        assert_eq!(one_decimal(0.04), "0.0");
        assert_eq!(one_decimal(-3.0), "0.0");
    }

    #[test]
    fn reads_http_dates() {
        assert_eq!(
            parse_http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777_000)
        );
        assert_eq!(
            parse_http_date_ms("Thu, 1 Jan 1970 00:00:10 GMT"),
            Some(10_000)
        );
        for bad in [
            "",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
        ] {
            assert_eq!(parse_http_date_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_timestamp() {
        for bad in [
            "",
            "yesterday",
            "2023-03-17",
            "2023-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2023-03-17T24:00:00Z",
            "2023-03-17T10:60:00Z",
            "2023-03-17T10:27:61Z",
            "2023-04-31T00:00:00Z",
            // Century years are leap years only every fourth century.
            "1900-02-29T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2023-03-00T00:00:00Z",
            // One separator wrong, the others right.
            "2023/03-17T10:27:24Z",
            "2023-03/17T10:27:24Z",
            "2023-03-17X10:27:24Z",
            "2023-03-17T10-27:24Z",
            "2023-03-17T10:27-24Z",
            "2023-03-17T10:27:24.Z",
            "2023-03-17T10:27:24ZZ",
            "2023-03-17T10:27:24+2",
            "2023-03-17T10:27:24+02-00",
            "2023-03-17T10:27:24+24:00",
            "2023-03-17T10:27:24+00:60",
            "2023-03-17T10:27:24+0060",
            "2023-03-17T10:27:24+2400",
            "2023-03-17T10:27:24 junk",
            "２０２３-03-17T10:27:24Z",
        ] {
            assert_eq!(parse_micros(bad), None, "{bad}");
        }
    }
}
