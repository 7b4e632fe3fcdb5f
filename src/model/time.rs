//! Timestamps: RFC 3339 in and out, UTC milliseconds inside. Small enough not to need a crate.

use std::fmt;

/// Text that is not a time [`Timestamp::parse`] reads (the text as written).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("expected a time such as `2026-05-01T10:00:00Z` or a date `2026-05-01`, found `{0}`")]
pub struct NotATime(pub String);

/// A moment in UTC, in milliseconds since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Parses `2026-05-01T10:00:00Z`, `2026-05-01T12:00:00.250+02:00`, `2026-05-01 10:00:00`
    /// (UTC), or a plain date `2026-05-01` (midnight UTC).
    pub fn parse(text: &str) -> Result<Timestamp, NotATime> {
        let t = text.trim();
        let bad = || NotATime(text.to_owned());
        let bytes = t.as_bytes();
        // Byte positions below are character positions only in ASCII.
        if !t.is_ascii() || bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(bad());
        }
        let year: i64 = t[0..4].parse().map_err(|_| bad())?;
        let month: u32 = t[5..7].parse().map_err(|_| bad())?;
        let day: u32 = t[8..10].parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(bad());
        }
        let mut millis = days_from_civil(year, month, day) * 86_400_000;
        let rest = &t[10..];
        if rest.is_empty() {
            return Ok(Timestamp(millis));
        }
        let rest = rest.strip_prefix(['T', 't', ' ']).ok_or_else(bad)?;
        if rest.len() < 8 || rest.as_bytes()[2] != b':' || rest.as_bytes()[5] != b':' {
            return Err(bad());
        }
        let hour: i64 = rest[0..2].parse().map_err(|_| bad())?;
        let minute: i64 = rest[3..5].parse().map_err(|_| bad())?;
        let second: i64 = rest[6..8].parse().map_err(|_| bad())?;
        if hour > 23 || minute > 59 || second > 60 {
            return Err(bad());
        }
        millis += ((hour * 60 + minute) * 60 + second.min(59)) * 1000;
        let mut rest = &rest[8..];
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.find(|c: char| !c.is_ascii_digit()).unwrap_or(fraction.len());
            if digits == 0 {
                return Err(bad());
            }
            let ms_digits = &fraction[..digits.min(3)];
            let ms: i64 = ms_digits.parse().map_err(|_| bad())?;
            millis += ms * 10_i64.pow(3 - ms_digits.len() as u32);
            rest = &fraction[digits..];
        }
        let offset_minutes = match rest {
            "" | "Z" | "z" => 0,
            _ => {
                let sign = match rest.as_bytes()[0] {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return Err(bad()),
                };
                let hm = &rest[1..];
                if hm.len() != 5 || hm.as_bytes()[2] != b':' {
                    return Err(bad());
                }
                let h: i64 = hm[0..2].parse().map_err(|_| bad())?;
                let m: i64 = hm[3..5].parse().map_err(|_| bad())?;
                sign * (h * 60 + m)
            }
        };
        Ok(Timestamp(millis - offset_minutes * 60_000))
    }

    /// Now, by the system clock.
    #[must_use]
    pub fn now() -> Timestamp {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Timestamp(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
    }

    /// Seconds since 1970 as f64, for plots.
    #[must_use]
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// The date part, `2026-05-01`.
    #[must_use]
    pub fn date(self) -> String {
        let (y, m, d) = civil_from_days(self.0.div_euclid(86_400_000));
        format!("{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms_of_day = self.0.rem_euclid(86_400_000);
        let (h, m, s, ms) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60, ms_of_day / 1000 % 60, ms_of_day % 1000);
        write!(f, "{}T{h:02}:{m:02}:{s:02}", self.date())?;
        if ms != 0 {
            write!(f, ".{ms:03}")?;
        }
        f.write_str("Z")
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_with_a_non_ascii_character_is_an_error_not_a_panic() {
        assert!(Timestamp::parse("2026-05-0é1T10:00:00Z").is_err());
        assert!(Timestamp::parse("2026-05-01T1é:00:00Z").is_err());
    }

    #[test]
    fn rfc3339_times_round_trip() {
        for text in ["1970-01-01T00:00:00Z", "2026-05-01T10:00:00Z", "2024-02-29T23:59:59.250Z", "1969-12-31T23:00:00Z"] {
            assert_eq!(Timestamp::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn offsets_and_dates_are_understood() {
        assert_eq!(Timestamp::parse("2026-05-01T12:00:00+02:00").unwrap(), Timestamp::parse("2026-05-01T10:00:00Z").unwrap());
        assert_eq!(Timestamp::parse("2026-05-01").unwrap().to_string(), "2026-05-01T00:00:00Z");
        assert_eq!(Timestamp::parse("1970-01-02").unwrap(), Timestamp(86_400_000));
    }

    #[test]
    fn impossible_times_are_refused() {
        for text in ["2026-02-30", "2026-13-01", "yesterday", "2026-05-01T25:00:00Z", "2026-05-01T10:00:00+0200", ""] {
            assert!(Timestamp::parse(text).is_err(), "{text}");
        }
    }
}
