//! Units, statistics and directions: the small vocabulary of a budget, parsed once at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a unit measures; only units of one dimension convert into each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    /// Durations.
    Time,
    /// Sizes in bytes.
    Size,
    /// Fractions (percent).
    Fraction,
    /// Events per second.
    Rate,
    /// Plain counts, or a unit of the user's own.
    Other,
}

/// A unit that is empty: every other name is a unit ([`Unit::Custom`] where Headroom does not know it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a unit must not be empty")]
pub struct EmptyUnit;

/// A statistic Headroom does not compute (the text as written).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown statistic `{0}`: expected mean, median, p50, p90, p95, p99 (any pNN), min, max or last")]
pub struct UnknownStatistic(pub String);

/// A direction that is neither lower nor higher is better (the text, trimmed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown direction `{0}`: expected lower_is_better or higher_is_better")]
pub struct UnknownDirection(pub String);

/// A unit of measurement. Sizes are decimal (`KB` = 1000 bytes) and binary (`KiB` = 1024 bytes)
/// as written, the way Lighthouse and bundle analysers write them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Unit {
    /// Nanoseconds.
    Nanoseconds,
    /// Microseconds.
    Microseconds,
    /// Milliseconds.
    Milliseconds,
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Bytes.
    Bytes,
    /// 1000 bytes.
    Kilobytes,
    /// 1000² bytes.
    Megabytes,
    /// 1000³ bytes.
    Gigabytes,
    /// 1024 bytes.
    Kibibytes,
    /// 1024² bytes.
    Mebibytes,
    /// 1024³ bytes.
    Gibibytes,
    /// Percent (0.1 % is written 0.1).
    Percent,
    /// Events per second (requests, operations, frames).
    PerSecond(String),
    /// A plain count.
    Count,
    /// Any other unit: kept as written, converts only to itself.
    Custom(String),
}

impl Unit {
    /// Parses a unit as people write it (`ms`, `s`, `KB`, `MiB`, `%`, `fps`, `req/s`).
    /// Unknown units are kept as [`Unit::Custom`]; only an empty name is refused.
    pub fn parse(text: &str) -> Result<Unit, EmptyUnit> {
        let t = text.trim();
        let unit = match t {
            "" => return Err(EmptyUnit),
            "ns" | "nanoseconds" => Unit::Nanoseconds,
            "us" | "µs" | "μs" | "microseconds" => Unit::Microseconds,
            "ms" | "milliseconds" => Unit::Milliseconds,
            "s" | "sec" | "seconds" => Unit::Seconds,
            "min" | "minutes" => Unit::Minutes,
            "B" | "b" | "bytes" => Unit::Bytes,
            "KB" | "kB" | "kb" => Unit::Kilobytes,
            "MB" | "mb" => Unit::Megabytes,
            "GB" | "gb" => Unit::Gigabytes,
            "KiB" | "kib" => Unit::Kibibytes,
            "MiB" | "mib" => Unit::Mebibytes,
            "GiB" | "gib" => Unit::Gibibytes,
            "%" | "percent" | "pct" => Unit::Percent,
            "count" => Unit::Count,
            "fps" | "rps" | "ops/s" | "req/s" | "/s" | "qps" => Unit::PerSecond(t.to_owned()),
            other => Unit::Custom(other.to_owned()),
        };
        Ok(unit)
    }

    /// The unit a name ends with, after its last `_`: `memory_mb` is (`memory`, MB),
    /// `peak_memory_bytes` is (`peak_memory`, B), `latency_ms` is (`latency`, ms). The suffixes are
    /// the ADR 030 form's (`max_latency_ms`) and pytest-benchmark users' `extra_info` keys'; a name
    /// without one is `None`.
    #[must_use]
    pub fn split_suffix(name: &str) -> Option<(&str, Unit)> {
        let (stem, suffix) = name.rsplit_once('_')?;
        let unit = match suffix {
            "ns" => Unit::Nanoseconds,
            "us" => Unit::Microseconds,
            "ms" => Unit::Milliseconds,
            "s" | "seconds" => Unit::Seconds,
            "b" | "bytes" | "byte" => Unit::Bytes,
            "kb" => Unit::Kilobytes,
            "mb" => Unit::Megabytes,
            "gb" => Unit::Gigabytes,
            "kib" => Unit::Kibibytes,
            "mib" => Unit::Mebibytes,
            "gib" => Unit::Gibibytes,
            "pct" | "percent" => Unit::Percent,
            "rps" | "fps" | "qps" => Unit::PerSecond(suffix.to_owned()),
            "count" => Unit::Count,
            _ => return None,
        };
        (!stem.is_empty()).then_some((stem, unit))
    }

    /// The unit's symbol, as Headroom prints it.
    #[must_use]
    pub fn symbol(&self) -> &str {
        match self {
            Unit::Nanoseconds => "ns",
            Unit::Microseconds => "µs",
            Unit::Milliseconds => "ms",
            Unit::Seconds => "s",
            Unit::Minutes => "min",
            Unit::Bytes => "B",
            Unit::Kilobytes => "KB",
            Unit::Megabytes => "MB",
            Unit::Gigabytes => "GB",
            Unit::Kibibytes => "KiB",
            Unit::Mebibytes => "MiB",
            Unit::Gibibytes => "GiB",
            Unit::Percent => "%",
            Unit::Count => "count",
            Unit::PerSecond(s) | Unit::Custom(s) => s,
        }
    }

    /// What this unit measures.
    #[must_use]
    pub fn dimension(&self) -> Dimension {
        match self {
            Unit::Nanoseconds | Unit::Microseconds | Unit::Milliseconds | Unit::Seconds | Unit::Minutes => Dimension::Time,
            Unit::Bytes | Unit::Kilobytes | Unit::Megabytes | Unit::Gigabytes | Unit::Kibibytes | Unit::Mebibytes | Unit::Gibibytes => {
                Dimension::Size
            }
            Unit::Percent => Dimension::Fraction,
            Unit::PerSecond(_) => Dimension::Rate,
            Unit::Count | Unit::Custom(_) => Dimension::Other,
        }
    }

    /// The factor to this dimension's base (seconds, bytes, percent, per second).
    fn factor(&self) -> f64 {
        match self {
            Unit::Nanoseconds => 1e-9,
            Unit::Microseconds => 1e-6,
            Unit::Milliseconds => 1e-3,
            Unit::Minutes => 60.0,
            Unit::Kilobytes => 1e3,
            Unit::Megabytes => 1e6,
            Unit::Gigabytes => 1e9,
            Unit::Kibibytes => 1024.0,
            Unit::Mebibytes => 1024.0 * 1024.0,
            Unit::Gibibytes => 1024.0 * 1024.0 * 1024.0,
            Unit::Seconds | Unit::Bytes | Unit::Percent | Unit::PerSecond(_) | Unit::Count | Unit::Custom(_) => 1.0,
        }
    }

    /// Converts `value` from this unit to `to`; `None` where the units measure different things.
    #[must_use]
    pub fn convert(&self, value: f64, to: &Unit) -> Option<f64> {
        if self == to {
            return Some(value);
        }
        match (self.dimension(), to.dimension()) {
            (Dimension::Other, _) | (_, Dimension::Other) => None,
            (a, b) if a == b => Some(value * self.factor() / to.factor()),
            _ => None,
        }
    }
}

impl TryFrom<String> for Unit {
    type Error = EmptyUnit;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Unit::parse(&s)
    }
}

impl From<Unit> for String {
    fn from(u: Unit) -> String {
        u.symbol().to_owned()
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// Which statistic of a run's samples a budget limits.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Statistic {
    /// Arithmetic mean.
    Mean,
    /// A percentile, 0 to 100 (`p50` is the median).
    Percentile(f64),
    /// The smallest sample.
    Min,
    /// The largest sample.
    Max,
    /// The last sample (a gauge's current value).
    Last,
}

impl Statistic {
    /// Parses `mean`, `median`, `p50`, `p95`, `p99`, `p99.9`, `min`, `max`, `last`.
    pub fn parse(text: &str) -> Result<Statistic, UnknownStatistic> {
        let t = text.trim().to_ascii_lowercase();
        match t.as_str() {
            "mean" | "avg" | "average" => Ok(Statistic::Mean),
            "median" => Ok(Statistic::Percentile(50.0)),
            "min" => Ok(Statistic::Min),
            "max" => Ok(Statistic::Max),
            "last" => Ok(Statistic::Last),
            _ => {
                let number = t.strip_prefix('p').and_then(|n| n.parse::<f64>().ok());
                match number {
                    Some(p) if (0.0..=100.0).contains(&p) => Ok(Statistic::Percentile(p)),
                    _ => Err(UnknownStatistic(text.to_owned())),
                }
            }
        }
    }

    /// Computes this statistic of `samples` (finite values only; NaN samples are skipped).
    /// `None` for no samples. Percentiles interpolate linearly between closest ranks
    /// (the "type 7" definition of R and NumPy).
    #[must_use]
    pub fn of(&self, samples: &[f64]) -> Option<f64> {
        let finite: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
        if finite.is_empty() {
            return None;
        }
        match *self {
            Statistic::Mean => Some(finite.iter().sum::<f64>() / finite.len() as f64),
            Statistic::Min => finite.iter().copied().min_by(f64::total_cmp),
            Statistic::Max => finite.iter().copied().max_by(f64::total_cmp),
            Statistic::Last => finite.last().copied(),
            Statistic::Percentile(p) => {
                let mut sorted = finite;
                sorted.sort_by(f64::total_cmp);
                let rank = p / 100.0 * (sorted.len() - 1) as f64;
                let low = rank.floor() as usize;
                let high = rank.ceil() as usize;
                Some(sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64))
            }
        }
    }
}

impl TryFrom<String> for Statistic {
    type Error = UnknownStatistic;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Statistic::parse(&s)
    }
}

impl From<Statistic> for String {
    fn from(s: Statistic) -> String {
        s.to_string()
    }
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statistic::Mean => f.write_str("mean"),
            Statistic::Percentile(p) => write!(f, "p{}", super::yaml::format_number(*p)),
            Statistic::Min => f.write_str("min"),
            Statistic::Max => f.write_str("max"),
            Statistic::Last => f.write_str("last"),
        }
    }
}

/// Which way is better for a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Latency, memory, size, error rate: the limit is a maximum.
    LowerIsBetter,
    /// Frame rate, throughput: the limit is a minimum.
    HigherIsBetter,
}

impl Direction {
    /// Parses `lower_is_better` / `lower` and `higher_is_better` / `higher`.
    pub fn parse(text: &str) -> Result<Direction, UnknownDirection> {
        match text.trim() {
            "lower_is_better" | "lower" => Ok(Direction::LowerIsBetter),
            "higher_is_better" | "higher" => Ok(Direction::HigherIsBetter),
            other => Err(UnknownDirection(other.to_owned())),
        }
    }

    /// How much worse `value` is than `reference`, as a fraction of `reference` (positive = worse).
    /// `None` where the reference is zero.
    #[must_use]
    pub fn relative_worsening(self, value: f64, reference: f64) -> Option<f64> {
        if reference == 0.0 || !reference.is_finite() || !value.is_finite() {
            return None;
        }
        let change = (value - reference) / reference.abs();
        Some(match self {
            Direction::LowerIsBetter => change,
            Direction::HigherIsBetter => -change,
        })
    }

    /// Whether `value` breaks a limit that holds in this direction.
    #[must_use]
    pub fn exceeds(self, value: f64, limit: f64) -> bool {
        match self {
            Direction::LowerIsBetter => value > limit,
            Direction::HigherIsBetter => value < limit,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::LowerIsBetter => "lower_is_better",
            Direction::HigherIsBetter => "higher_is_better",
        })
    }
}

/// A signed relative change with one decimal (`+20.4%`), as every account of a change reads it
/// (the gate's findings, the reports, a triage's words); from 1e15 % on, in three significant
/// digits (`+9.99e299%`: a run of 1e300 ms against a baseline of 100 ms read all 300 digits).
#[must_use]
pub fn percent(fraction: f64) -> String {
    let value = fraction * 100.0;
    if value.abs() < 1e15 || !value.is_finite() {
        return format!("{value:+.1}%");
    }
    let text = format!("{value:+.2e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    format!("{}e{exponent}%", mantissa.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_in_one_decimal_and_huge_ones_in_three_significant_digits() {
        assert_eq!(percent(0.204), "+20.4%");
        assert_eq!(percent(-0.05), "-5.0%");
        assert_eq!(percent(1e13 - 1.0), "+999999999999900.0%");
        assert_eq!(percent(9.99e297), "+9.99e299%");
        assert_eq!(percent(-1e298), "-1e300%");
        assert_eq!(percent(f64::INFINITY), "+inf%");
    }

    #[test]
    fn units_of_one_dimension_convert() {
        let s = Unit::parse("s").unwrap();
        let ms = Unit::parse("ms").unwrap();
        assert_eq!(s.convert(2.0, &ms), Some(2000.0));
        let kb = Unit::parse("KB").unwrap();
        let mb = Unit::parse("MB").unwrap();
        assert_eq!(mb.convert(0.85, &kb), Some(850.0));
        assert_eq!(Unit::parse("KiB").unwrap().convert(1.0, &Unit::Bytes), Some(1024.0));
    }

    #[test]
    fn units_of_different_dimensions_do_not_convert() {
        let ms = Unit::parse("ms").unwrap();
        assert_eq!(ms.convert(1.0, &Unit::Megabytes), None);
        assert_eq!(Unit::parse("widgets").unwrap().convert(1.0, &Unit::Count), None);
        assert_eq!(Unit::parse("widgets").unwrap().convert(1.0, &Unit::Custom("widgets".into())), Some(1.0));
    }

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(Statistic::parse("p50").unwrap().of(&samples), Some(50.5));
        assert!((Statistic::parse("p95").unwrap().of(&samples).unwrap() - 95.05).abs() < 1e-9);
        assert_eq!(Statistic::Max.of(&samples), Some(100.0));
        assert_eq!(Statistic::Mean.of(&[f64::NAN, 2.0, 4.0]), Some(3.0));
        assert_eq!(Statistic::Mean.of(&[]), None);
    }

    #[test]
    fn statistics_are_parsed_and_printed_alike() {
        for text in ["mean", "p95", "p99.9", "min", "max", "last"] {
            assert_eq!(Statistic::parse(text).unwrap().to_string(), text);
        }
        assert!(Statistic::parse("p101").is_err());
        assert!(Statistic::parse("average-ish").is_err());
    }

    #[test]
    fn worsening_follows_the_metric_direction() {
        assert_eq!(Direction::LowerIsBetter.relative_worsening(110.0, 100.0), Some(0.1));
        assert_eq!(Direction::HigherIsBetter.relative_worsening(90.0, 100.0), Some(0.1));
        assert!(Direction::HigherIsBetter.exceeds(50.0, 60.0));
        assert!(!Direction::LowerIsBetter.exceeds(50.0, 60.0));
    }
}
