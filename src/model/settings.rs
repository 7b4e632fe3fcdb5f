//! The gate's settings as types, each parsed once at the boundary with its range and one error
//! text: [`Percent`] (a regression threshold), [`Significance`] (a false-alarm rate) and
//! [`BaselineRuns`], read by clap (`headroom check --threshold 5%`), by `headroom.yaml`'s
//! `check:` block ([`check_field`]) and bounded the same way by the app's sliders. And the
//! settings they make: [`CheckSettings`], a budget's own [`BudgetCheck`], [`MissingData`].

use super::history::History;
use super::yaml::{Node, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

/// A setting's value that is out of its range or not of its kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected}{}", .found.as_ref().map_or_else(String::new, |f| format!(", found `{f}`")))]
pub struct SettingError {
    /// What the setting takes, in words (`a percentage such as `5%``).
    pub expected: &'static str,
    /// The text given, where there was one to show.
    pub found: Option<String>,
}

impl SettingError {
    fn new(expected: &'static str, found: Option<&str>) -> Self {
        Self { expected, found: found.map(str::to_owned) }
    }
}

/// A relative change, as a fraction (0.05 = 5 %): finite and not negative.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Percent(f64);

impl Percent {
    /// What a percentage looks like.
    pub const EXPECTED: &'static str = "a percentage such as `5%`";
    /// The range the app's regression-threshold slider offers, in percent.
    pub const SLIDER_PERCENT: RangeInclusive<f64> = 0.5..=25.0;

    /// A fraction (0.05 for 5 %), as `headroom.yaml` writes a number.
    pub fn from_fraction(fraction: f64) -> Result<Self, SettingError> {
        if fraction.is_finite() && fraction >= 0.0 { Ok(Self(fraction)) } else { Err(SettingError::new(Self::EXPECTED, None)) }
    }

    /// The fraction (0.05 for 5 %).
    #[must_use]
    pub fn fraction(self) -> f64 {
        self.0
    }
}

/// `5%` or `5` (both 5 %), as a flag or a text gives it.
impl FromStr for Percent {
    type Err = SettingError;
    fn from_str(text: &str) -> Result<Self, SettingError> {
        let number = text.trim().strip_suffix('%').unwrap_or(text.trim());
        match number.trim().parse::<f64>() {
            Ok(p) => Self::from_fraction(p / 100.0).map_err(|_| SettingError::new(Self::EXPECTED, Some(text))),
            Err(_) => Err(SettingError::new(Self::EXPECTED, Some(text))),
        }
    }
}

/// The largest p-value that counts: strictly between 0 and 1.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Significance(f64);

impl Significance {
    /// What a significance looks like.
    pub const EXPECTED: &'static str = "a p-value between 0 and 1, such as 0.001";
    /// The range the app's significance slider offers (drawn logarithmic).
    pub const SLIDER: RangeInclusive<f64> = 0.000_01..=0.2;

    /// A p-value, checked.
    pub fn new(p: f64) -> Result<Self, SettingError> {
        if p > 0.0 && p < 1.0 { Ok(Self(p)) } else { Err(SettingError::new(Self::EXPECTED, None)) }
    }

    /// The p-value.
    #[must_use]
    pub fn value(self) -> f64 {
        self.0
    }
}

impl FromStr for Significance {
    type Err = SettingError;
    fn from_str(text: &str) -> Result<Self, SettingError> {
        text.trim().parse::<f64>().ok().and_then(|p| Self::new(p).ok()).ok_or_else(|| SettingError::new(Self::EXPECTED, Some(text)))
    }
}

/// How many runs of the baseline branch make the baseline: a whole number from 1 to a million.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BaselineRuns(usize);

impl BaselineRuns {
    /// What a number of runs looks like.
    pub const EXPECTED: &'static str = "a whole number of runs, at least 1";
    /// The most runs a baseline may take.
    pub const MAX: usize = 1_000_000;
    /// The range the app's baseline-runs slider offers.
    pub const SLIDER: RangeInclusive<usize> = 3..=60;

    /// A count, checked.
    pub fn new(runs: usize) -> Result<Self, SettingError> {
        if (1..=Self::MAX).contains(&runs) { Ok(Self(runs)) } else { Err(SettingError::new(Self::EXPECTED, None)) }
    }

    /// A number as `headroom.yaml` holds it (a float that must be whole).
    pub fn from_number(n: f64) -> Result<Self, SettingError> {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // whole, and within 1..=MAX, checked first
        if n.fract() == 0.0 && n >= 1.0 && n <= Self::MAX as f64 {
            Self::new(n as usize)
        } else {
            Err(SettingError::new(Self::EXPECTED, None))
        }
    }

    /// The count.
    #[must_use]
    pub fn get(self) -> usize {
        self.0
    }
}

impl FromStr for BaselineRuns {
    type Err = SettingError;
    fn from_str(text: &str) -> Result<Self, SettingError> {
        text.trim().parse::<usize>().ok().and_then(|n| Self::new(n).ok()).ok_or_else(|| SettingError::new(Self::EXPECTED, Some(text)))
    }
}

/// What `check` does when a budget has no data to check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingData {
    /// The check fails (the default: a gate must never pass silently).
    Fail,
    /// The check warns.
    Warn,
}

impl MissingData {
    /// What it takes.
    pub const EXPECTED: &'static str = "`fail` or `warn`";

    /// The word `headroom.yaml` and `--missing` use.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            MissingData::Fail => "fail",
            MissingData::Warn => "warn",
        }
    }
}

impl FromStr for MissingData {
    type Err = SettingError;
    fn from_str(text: &str) -> Result<Self, SettingError> {
        match text {
            "fail" => Ok(MissingData::Fail),
            "warn" => Ok(MissingData::Warn),
            _ => Err(SettingError::new(Self::EXPECTED, Some(text))),
        }
    }
}

impl fmt::Display for MissingData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Settings of `headroom check` that a workspace may set.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckSettings {
    /// A change worse than this fraction of the baseline is a regression (0.05 = 5 %).
    pub regression_threshold: f64,
    /// How many earlier runs of the baseline branch make the baseline.
    pub baseline_runs: usize,
    /// What a budget with no data does.
    pub missing_data: MissingData,
    /// The false-alarm rate of the regression test: a regression is flagged only where its
    /// p-value, adjusted over all budgets of the check (Benjamini–Hochberg), is at most this.
    pub significance: f64,
    /// Settings of single budgets, by budget id, over the settings above (`check.budgets` in
    /// `headroom.yaml`): a noisy metric may need a wider threshold than the rest.
    pub budgets: BTreeMap<String, BudgetCheck>,
}

/// The settings one budget sets for itself; `None` takes the workspace's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BudgetCheck {
    /// See [`CheckSettings::regression_threshold`].
    pub regression_threshold: Option<f64>,
    /// See [`CheckSettings::baseline_runs`].
    pub baseline_runs: Option<usize>,
    /// See [`CheckSettings::significance`].
    pub significance: Option<f64>,
    /// See [`CheckSettings::missing_data`].
    pub missing_data: Option<MissingData>,
}

impl BudgetCheck {
    /// Whether it sets nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == BudgetCheck::default()
    }
}

impl CheckSettings {
    /// The settings that apply to the budget `id`: its own where it has them, else these.
    #[must_use]
    pub fn for_budget(&self, id: &str) -> CheckSettings {
        let own = self.budgets.get(id);
        CheckSettings {
            regression_threshold: own.and_then(|o| o.regression_threshold).unwrap_or(self.regression_threshold),
            baseline_runs: own.and_then(|o| o.baseline_runs).unwrap_or(self.baseline_runs),
            significance: own.and_then(|o| o.significance).unwrap_or(self.significance),
            missing_data: own.and_then(|o| o.missing_data).unwrap_or(self.missing_data),
            budgets: BTreeMap::new(),
        }
    }
}

impl Default for CheckSettings {
    fn default() -> Self {
        // 5 %: the reference budget's "alert if regression >5%".
        // 0.1 %: the reference design's "fewer than 0.1 % false positives".
        Self {
            regression_threshold: 0.05,
            baseline_runs: 20,
            missing_data: MissingData::Fail,
            significance: 0.001,
            budgets: BTreeMap::new(),
        }
    }
}

/// A gate setting that a command line gave over the workspace's own (`headroom check --threshold`
/// over `headroom.yaml`'s `check.regression_threshold`): the file is the signed contract, the
/// command line is not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingOverride {
    /// The setting's name in `headroom.yaml`'s `check:` block (`regression_threshold`).
    pub setting: &'static str,
    /// The command-line option that sets it (`--threshold`).
    pub option: &'static str,
    /// The workspace's value, as the file writes it (`5%`); the default where the file sets none.
    pub signed: String,
    /// The value given on the command line, written the same way.
    pub given: String,
    /// Whether the given value lets more through, judged as a proposal's effect judges a setting: a
    /// higher threshold, a smaller significance, `warn` for missing data, and another number of
    /// baseline runs (either way it moves the baseline).
    pub looser: bool,
}

/// One of the gate's settings that two [`CheckSettings`] set differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingChange {
    /// `regression_threshold`.
    Threshold,
    /// `significance`.
    Significance,
    /// `missing_data`.
    MissingData,
    /// `baseline_runs`.
    BaselineRuns,
}

impl CheckSettings {
    /// The gate's settings that `new` sets differently from these (the settings of one scope: the
    /// workspace's, or one budget's), each with whether the change lets more through: a higher
    /// threshold, a smaller significance, `missing_data: warn`, and another number of baseline
    /// runs (a baseline of other runs may hide a regression either way). The one rule that a
    /// proposal's effect and a command line's override are judged by.
    #[must_use]
    pub fn changes_to(&self, new: &CheckSettings) -> Vec<(SettingChange, bool)> {
        let mut out = Vec::new();
        if self.regression_threshold.total_cmp(&new.regression_threshold).is_ne() {
            out.push((SettingChange::Threshold, new.regression_threshold > self.regression_threshold));
        }
        if self.significance.total_cmp(&new.significance).is_ne() {
            out.push((SettingChange::Significance, new.significance < self.significance));
        }
        if self.missing_data != new.missing_data {
            out.push((SettingChange::MissingData, new.missing_data == MissingData::Warn));
        }
        if self.baseline_runs != new.baseline_runs {
            out.push((SettingChange::BaselineRuns, true));
        }
        out
    }

    /// Where `given` differs from these settings (the workspace's own, not the budgets' own
    /// settings, which a command line does not set), looser or stricter, in the order of the
    /// command's options.
    #[must_use]
    pub fn overridden_by(&self, given: &CheckSettings) -> Vec<SettingOverride> {
        use super::yaml::format_number;
        // Rounded to a billionth of a percent: 0.05 × 100 is 5.000000000000001 in floating point.
        let percent = |f: f64| format!("{}%", format_number((f * 100.0 * 1e9).round() / 1e9));
        let mut changes = self.changes_to(given);
        let order = [SettingChange::Threshold, SettingChange::BaselineRuns, SettingChange::Significance, SettingChange::MissingData];
        changes.sort_by_key(|(c, _)| order.iter().position(|o| o == c));
        changes
            .into_iter()
            .map(|(change, looser)| {
                let (setting, option, signed, given) = match change {
                    SettingChange::Threshold => {
                        ("regression_threshold", "--threshold", percent(self.regression_threshold), percent(given.regression_threshold))
                    }
                    SettingChange::BaselineRuns => {
                        ("baseline_runs", "--baseline-runs", self.baseline_runs.to_string(), given.baseline_runs.to_string())
                    }
                    SettingChange::Significance => {
                        ("significance", "--significance", format_number(self.significance), format_number(given.significance))
                    }
                    SettingChange::MissingData => {
                        ("missing_data", "--missing", self.missing_data.as_str().to_owned(), given.missing_data.as_str().to_owned())
                    }
                };
                SettingOverride { setting, option, signed, given, looser }
            })
            // A value the file writes as the command line does is no override.
            .filter(|o| o.signed != o.given)
            .collect()
    }
}

/// One setting of the check, parsed.
pub(super) enum CheckField {
    Threshold(Percent),
    BaselineRuns(BaselineRuns),
    Significance(Significance),
    Missing(MissingData),
}

/// The fields of `headroom.yaml`'s `check:`.
pub(super) const CHECK_FIELDS: &[&str] = &["regression_threshold", "baseline_runs", "missing_data", "significance", "budgets"];

/// Parses one `check:` setting (of the workspace or of one budget); `None` where `name` is no
/// setting of the check. A percentage is a number (a fraction: `0.05`) or a text with its `%`
/// sign (`5%`).
pub(super) fn check_field(name: &str, v: &Node) -> Option<Result<CheckField, SettingError>> {
    Some(match (name, &v.value) {
        ("regression_threshold", Value::String(s)) if s.trim().ends_with('%') => s.parse().map(CheckField::Threshold),
        ("regression_threshold", Value::String(s)) => Err(SettingError::new(Percent::EXPECTED, Some(s))),
        ("regression_threshold", Value::Number(n)) => Percent::from_fraction(*n).map(CheckField::Threshold),
        ("baseline_runs", Value::Number(n)) => BaselineRuns::from_number(*n).map(CheckField::BaselineRuns),
        ("significance", Value::Number(n)) => Significance::new(*n).map(CheckField::Significance),
        ("missing_data", Value::String(s)) => {
            s.parse().map(CheckField::Missing).map_err(|_| SettingError::new(MissingData::EXPECTED, None))
        }
        ("regression_threshold", _) => Err(SettingError::new(Percent::EXPECTED, None)),
        ("baseline_runs", _) => Err(SettingError::new(BaselineRuns::EXPECTED, None)),
        ("significance", _) => Err(SettingError::new(Significance::EXPECTED, None)),
        ("missing_data", _) => Err(SettingError::new(MissingData::EXPECTED, None)),
        _ => return None,
    })
}

/// The environment a command works in: the one given, else the workspace's
/// `default_environment`, else the newest run's (`check`, `replay`, `analyze` and the app agree).
#[must_use]
pub fn environment_or_default(given: Option<String>, default_environment: Option<&str>, history: &History) -> Option<String> {
    given.or_else(|| default_environment.map(str::to_owned)).or_else(|| history.runs.last().and_then(|r| r.environment.map(str::to_owned)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percentage_reads_with_or_without_its_sign_and_a_negative_one_is_refused_with_the_text_given() {
        assert_eq!("5%".parse::<Percent>().map(Percent::fraction), Ok(0.05));
        assert_eq!(" 12.5 ".parse::<Percent>().map(Percent::fraction), Ok(0.125));
        assert_eq!("-1%".parse::<Percent>().unwrap_err().to_string(), "expected a percentage such as `5%`, found `-1%`");
        assert!("NaN".parse::<Percent>().is_err());
        assert!(Percent::from_fraction(f64::INFINITY).is_err());
    }

    #[test]
    fn significance_and_baseline_runs_keep_their_ranges_whoever_reads_them() {
        assert_eq!("0.001".parse::<Significance>().map(Significance::value), Ok(0.001));
        for bad in ["0", "1", "-0.1", "x"] {
            assert_eq!(
                bad.parse::<Significance>().unwrap_err().to_string(),
                format!("expected a p-value between 0 and 1, such as 0.001, found `{bad}`")
            );
        }
        assert_eq!("20".parse::<BaselineRuns>().map(BaselineRuns::get), Ok(20));
        assert!("0".parse::<BaselineRuns>().is_err());
        assert!("1000001".parse::<BaselineRuns>().is_err());
        assert_eq!(BaselineRuns::from_number(2.5).unwrap_err().to_string(), "expected a whole number of runs, at least 1");
        assert_eq!(BaselineRuns::from_number(1e6).map(BaselineRuns::get), Ok(1_000_000));
    }

    #[test]
    fn a_command_line_setting_is_an_override_only_where_it_differs_and_looser_where_it_lets_more_through() {
        let signed = CheckSettings::default();
        assert!(signed.overridden_by(&signed.clone()).is_empty());
        let given = CheckSettings {
            regression_threshold: 1.0,
            baseline_runs: 30,
            significance: 0.01,
            missing_data: MissingData::Warn,
            budgets: BTreeMap::new(),
        };
        let words: Vec<String> = signed
            .overridden_by(&given)
            .iter()
            .map(|o| format!("{} {} {}->{} {}", o.option, o.setting, o.signed, o.given, o.looser))
            .collect();
        assert_eq!(
            words,
            [
                "--threshold regression_threshold 5%->100% true",
                "--baseline-runs baseline_runs 20->30 true",
                "--significance significance 0.001->0.01 false",
                "--missing missing_data fail->warn true",
            ]
        );
        let stricter = CheckSettings { regression_threshold: 0.03, significance: 0.01, ..CheckSettings::default() };
        assert!(signed.overridden_by(&stricter).iter().all(|o| !o.looser), "{:?}", signed.overridden_by(&stricter));
    }

    #[test]
    fn the_sliders_offer_only_values_the_parsers_accept() {
        for percent in [*Percent::SLIDER_PERCENT.start(), *Percent::SLIDER_PERCENT.end()] {
            assert!(Percent::from_fraction(percent / 100.0).is_ok());
        }
        for p in [*Significance::SLIDER.start(), *Significance::SLIDER.end()] {
            assert!(Significance::new(p).is_ok());
        }
        for n in [*BaselineRuns::SLIDER.start(), *BaselineRuns::SLIDER.end()] {
            assert!(BaselineRuns::new(n).is_ok());
        }
    }

    #[test]
    fn missing_data_reads_and_writes_the_same_words() {
        for m in [MissingData::Fail, MissingData::Warn] {
            assert_eq!(m.as_str().parse::<MissingData>(), Ok(m));
        }
        assert_eq!("skip".parse::<MissingData>().unwrap_err().to_string(), "expected `fail` or `warn`, found `skip`");
    }
}
