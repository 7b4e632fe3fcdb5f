//! The process exit codes of `headroom`, one enum: the gate's verdict (`Report::exit_code`)
//! and the CLI's errors (`cli::error::CliError::exit_code`) both end in one of these, decided by
//! matching types, never by a message's text. The numbers are the README's contract with CI.

use std::fmt;

/// What a `headroom` command tells its caller by its exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExitCode {
    /// 0: all within budget; the command did what was asked.
    Pass,
    /// 1: a budget exceeded or a regression; a signature that would not count; a proposal that
    /// cannot be applied; a ledger that does not verify; a triage someone else changed meanwhile.
    Fail,
    /// 2: invalid input: bad budget, history or settings files, bad arguments, a workspace that
    /// cannot be read or written.
    Invalid,
    /// 3: the gate is inconclusive: nothing failed, but a run is beyond its noise unconfirmed
    /// (rerun the benchmark on the same commit).
    Inconclusive,
}

impl ExitCode {
    /// The number the process exits with.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            ExitCode::Pass => 0,
            ExitCode::Fail => 1,
            ExitCode::Invalid => 2,
            ExitCode::Inconclusive => 3,
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code.code())
    }
}

impl From<ExitCode> for i32 {
    fn from(code: ExitCode) -> Self {
        i32::from(code.code())
    }
}

/// Compares with a plain number, as tests and the README state the codes.
impl PartialEq<i32> for ExitCode {
    fn eq(&self, other: &i32) -> bool {
        i32::from(*self) == *other
    }
}

impl fmt::Display for ExitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// The JSON report's `exit_code` is the number.
impl serde::Serialize for ExitCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.code())
    }
}
