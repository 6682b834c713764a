//! Time as the API shows it: RFC 3339 UTC strings, from Unix milliseconds.

/// Milliseconds since the Unix epoch.
pub type UnixMillis = i64;

/// Formats Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn rfc3339(ms: UnixMillis) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` into Unix milliseconds.
pub fn parse_rfc3339(s: &str) -> Option<UnixMillis> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 {
        return None;
    }
    // 60 is a leap second; anything later is not a time.
    if sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = s.get(start..i)?;
        if frac.is_empty() {
            return None;
        }
        let padded = format!("{:0<3}", &frac[..frac.len().min(3)]);
        millis = padded.parse().ok()?;
    }
    let offset_secs = match s.get(i..)? {
        "Z" | "z" => 0,
        tz if tz.len() == 6
            && matches!(tz.as_bytes()[0], b'+' | b'-')
            && tz.as_bytes()[3] == b':' =>
        {
            let oh: i64 = tz.get(1..3)?.parse().ok()?;
            let om: i64 = tz.get(4..6)?.parse().ok()?;
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            sign * (oh * 3600 + om * 60)
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_secs;
    Some(secs * 1000 + millis)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil calendar algorithms.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_000_000_123), "2026-11-18T11:06:40.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn the_calendar_holds_across_centuries_and_four_hundred_year_eras() {
        // Checked against Python's datetime: century and era boundaries, where the civil
        // calendar's correction terms first matter.
        for (day, ms) in [
            ("2100-02-28", 4_107_456_000_000),
            ("2100-03-01", 4_107_542_400_000),
            ("2399-12-31", 13_569_379_200_000),
            ("2400-02-29", 13_574_563_200_000),
            ("2400-03-01", 13_574_649_600_000),
            ("1999-12-31", 946_598_400_000),
            ("1900-03-01", -2_203_891_200_000),
            ("1600-03-01", -11_670_912_000_000),
        ] {
            let text = format!("{day}T00:00:00.000Z");
            assert_eq!(rfc3339(ms), text);
            assert_eq!(parse_rfc3339(&text), Some(ms), "{day}");
        }
    }

    #[test]
    fn parses_what_it_formats_and_offsets() {
        for ms in [0, 1_795_000_000_123, 951_782_400_000, 4_102_444_799_999] {
            assert_eq!(parse_rfc3339(&rfc3339(ms)), Some(ms));
        }
        assert_eq!(
            parse_rfc3339("2026-11-17T08:06:40+01:00"),
            Some(1_794_899_200_000)
        );
        assert_eq!(
            parse_rfc3339("2026-11-17T07:06:40Z"),
            Some(1_794_899_200_000)
        );
        assert_eq!(parse_rfc3339("2026-13-17T07:06:40Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("2026-11-17T07:06:40"), None);
    }

    #[test]
    fn offsets_behind_and_ahead_of_utc_with_minutes_and_fractions() {
        let utc = parse_rfc3339("2026-11-17T07:06:40Z");
        assert_eq!(parse_rfc3339("2026-11-17T02:06:40-05:00"), utc);
        assert_eq!(parse_rfc3339("2026-11-17T12:36:40+05:30"), utc);
        assert_eq!(parse_rfc3339("2026-11-17T01:36:40-05:30"), utc);
        assert_eq!(
            parse_rfc3339("2026-11-17T07:06:40.5Z"),
            utc.map(|t| t + 500)
        );
        assert_eq!(
            parse_rfc3339("2026-11-17T07:06:40.123456Z"),
            utc.map(|t| t + 123)
        );
        for bad in [
            "2026-11-17T07:06:40.123",
            "2026-11-17T07:06:40.Z",
            "2026-11-17T08:06:40+0100",
            "2026-11-17T08:06:40*01:00",
            "2026-11-17T08:06:40+01-00",
            "2026-11-17T08:06:40+01:00:00",
            "2026-11-17T08:06:40+0a:00",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn each_separator_is_where_rfc_3339_puts_it() {
        assert!(
            parse_rfc3339("2026-11-17 07:06:40Z").is_some(),
            "a space may stand for T"
        );
        assert!(parse_rfc3339("2026-11-17t07:06:40Z").is_some());
        for bad in [
            "2026/11-17T07:06:40Z",
            "2026-11/17T07:06:40Z",
            "2026-11-17X07:06:40Z",
            "2026-11-17T07-06:40Z",
            "2026-11-17T07:06-40Z",
            "2026-11-17T07:06Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn impossible_dates_are_refused_not_rolled_over() {
        for bad in [
            "2026-02-29T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2026-01-00T00:00:00Z",
            "2026-01-32T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:60:00Z",
            "2026-01-01T00:00:61Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        for good in [
            "2028-02-29T00:00:00Z",
            "2000-02-29T00:00:00Z",
            "2026-12-31T23:59:59Z",
            "2026-04-30T00:00:00Z",
            // A leap second (RFC 3339 allows 60).
            "2016-12-31T23:59:60Z",
        ] {
            assert!(parse_rfc3339(good).is_some(), "{good}");
        }
    }
}
