//! Every parser of user input on the same bytes: the first byte picks the parser, the rest is
//! the file. None may panic; a rejection must name the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let named = |errors: Vec<headroom::model::error::LoadError>, file: &str| assert!(errors.iter().all(|e| e.file == file));
    match which % 8 {
        0 => {
            let _ = headroom::model::budget::parse_budget_file("b.yaml", text).map_err(|e| named(e, "b.yaml"));
        }
        1 => {
            let _ = headroom::model::history::parse_history_any("h.jsonl", text).map_err(|e| named(e, "h.jsonl"));
        }
        2 => {
            let _ = headroom::model::history::parse_history_any("h.csv", text).map_err(|e| named(e, "h.csv"));
        }
        3 => {
            let _ = headroom::model::workspace::parse_config("headroom.yaml", text).map_err(|e| named(e, "headroom.yaml"));
        }
        4 => {
            let _ = headroom::model::triage::parse_triage("triage.yaml", text).map_err(|e| named(e, "triage.yaml"));
        }
        5 => {
            let _ = headroom::approval::policy::parse_policy("approval.yaml", text).map_err(|e| named(e, "approval.yaml"));
        }
        6 => {
            let _ = headroom::approval::signers::parse_signers("allowed_signers", text).map_err(|e| named(e, "allowed_signers"));
        }
        _ => {
            let _ = headroom::approval::proposal::parse_proposal("p.yaml", text).map_err(|e| named(e, "p.yaml"));
        }
    }
});
