//! Every parser of user input, fed thousands of mutations of valid files (bytes flipped, inserted,
//! deleted, lines duplicated or cut, YAML and JSON punctuation sprinkled in): none may panic, and
//! every rejection must name the file. Seeded, so a failure reproduces; the seed and the input are
//! printed when one does.

use headroom::approval::policy::parse_policy;
use headroom::approval::proposal::parse_proposal;
use headroom::approval::signers::parse_signers;
use headroom::engine::synthetic::Rng;
use headroom::model::budget::parse_budget_file;
use headroom::model::config::parse_config;
use headroom::model::error::LoadError;
use headroom::model::history_files::parse_history_any;
use headroom::model::triage::parse_triage;

/// Rounds per seed file; `HEADROOM_MUTATION_ROUNDS` runs more (a long hunt, not for CI).
fn rounds() -> usize {
    std::env::var("HEADROOM_MUTATION_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(1500)
}

const PUNCTUATION: &[&str] = &[
    ":", "- ", "{", "}", "[", "]", ",", "\"", "'", "#", "\n", "  ", "%", "&a", "*a", "!!str ", "|", ">", "@", "=", "\t", "é", "\u{feff}",
    "1e308", "-0", "NaN", "null",
];

fn mutate(rng: &mut Rng, seed: &str) -> String {
    let mut text: Vec<char> = seed.chars().collect();
    for _ in 0..rng.below(1, 6) {
        let at = if text.is_empty() { 0 } else { rng.below(0, text.len()) };
        match rng.below(0, 6) {
            0 if !text.is_empty() => {
                text.remove(at);
            }
            1 => {
                let piece = PUNCTUATION[rng.below(0, PUNCTUATION.len())];
                for (i, c) in piece.chars().enumerate() {
                    text.insert((at + i).min(text.len()), c);
                }
            }
            2 if !text.is_empty() => text[at] = char::from_u32(u32::try_from(rng.below(32, 127)).unwrap_or(32)).unwrap_or(' '),
            3 => text.truncate(at),
            4 if !text.is_empty() => {
                let end = rng.below(at, text.len());
                let slice: Vec<char> = text[at..end].to_vec();
                for (i, c) in slice.into_iter().enumerate() {
                    text.insert((end + i).min(text.len()), c);
                }
            }
            _ if text.len() > 1 => {
                let last = text.len() - 1;
                let other = rng.below(0, text.len()).min(last);
                text.swap(at.min(last), other);
            }
            _ => {}
        }
    }
    text.into_iter().collect()
}

fn never_panics<T>(name: &str, seed: &str, parse: impl Fn(&str) -> Result<T, Vec<LoadError>> + std::panic::RefUnwindSafe) {
    let seed_value = std::env::var("HEADROOM_MUTATION_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_u64);
    let mut rng = Rng::new(seed_value ^ name.len() as u64);
    for round in 0..rounds() {
        let input = mutate(&mut rng, seed);
        let outcome = std::panic::catch_unwind(|| parse(&input));
        match outcome {
            Err(payload) => panic!("{name} panicked in round {round} ({:?}) on:\n{input:?}", payload.downcast_ref::<String>()),
            Ok(Err(errors)) => {
                assert!(!errors.is_empty(), "{name}: a rejection without an error, round {round}: {input:?}");
                assert!(errors.iter().all(|e| e.file == name), "{name}: an error that does not name the file: {errors:?}");
            }
            Ok(Ok(_)) => {}
        }
    }
}

#[test]
fn budget_files_never_panic() {
    never_panics("services.yaml", include_str!("../budgets/services.yaml"), |t| parse_budget_file("services.yaml", t));
    never_panics("caps.yaml", include_str!("../budgets/capability_budgets.yaml"), |t| parse_budget_file("caps.yaml", t));
}

#[test]
fn history_files_never_panic() {
    let jsonl: String = include_str!("../budgets/history/ci.jsonl").lines().take(3).collect::<Vec<_>>().join("\n");
    never_panics("h.jsonl", &jsonl, |t| parse_history_any("h.jsonl", t));
    never_panics("h.csv", "time,api (ms),db (ms)\n2026-05-01T10:00:00Z,12.5,3\n2026-05-02T10:00:00Z,,NA\n", |t| {
        parse_history_any("h.csv", t)
    });
}

#[test]
fn settings_triage_policy_signers_and_proposals_never_panic() {
    never_panics("headroom.yaml", include_str!("../budgets/headroom.yaml"), |t| parse_config("headroom.yaml", t));
    never_panics(
        "triage.yaml",
        "last_review: 2026-11-18\nfindings:\n  \"a@r1\": {state: fixed, owner: maria, note: \"x\", updated: 2026-11-20}\n",
        |t| parse_triage("triage.yaml", t),
    );
    never_panics("approval.yaml", include_str!("../budgets/approval.yaml"), |t| parse_policy("approval.yaml", t));
    never_panics("allowed_signers", include_str!("../budgets/allowed_signers"), |t| parse_signers("allowed_signers", t));
    let proposal = "id: raise\ntitle: t\nauthor: a@example.com\ncreated: 2026-11-25T10:00:00Z\nbase: sha256:00\nchanges:\n  - {budget: services.auth, field: limit, old: 30, new: 32}\nrationale: r\nevidence: {runs: [ci-1], findings: [\"m@ci-1\"]}\nimpact: i\nsignatures:\n  - principal: a@example.com\n    signature: |\n      -----BEGIN SSH SIGNATURE-----\n      U1NIU0lHAAAAAQ==\n      -----END SSH SIGNATURE-----\n";
    never_panics("proposals/raise.yaml", proposal, |t| parse_proposal("proposals/raise.yaml", t));
}
