//! Proposals signed with real SSH keys: Headroom and OpenSSH's `ssh-keygen -Y` verify each
//! other's signatures, and the attacks the design lists fail.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use headroom::approval::policy::{ChangeKind, parse_policy};
use headroom::approval::proposal::{Change, NAMESPACE, Proposal, parse_proposal};
use headroom::approval::signers::parse_signers;
use headroom::model::time::Timestamp;
use headroom::model::workspace::SIGNERS_FILE;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{Person, person};

fn private_key(p: &Person) -> ssh_key::PrivateKey {
    ssh_key::PrivateKey::read_openssh_file(&p.key_file).unwrap()
}

fn proposal() -> Proposal {
    Proposal {
        id: "raise-auth".into(),
        title: "Raise the auth budget to 32 ms".into(),
        author: "alice@example.com".into(),
        created: Some(Timestamp::parse("2026-11-25T10:00:00Z").unwrap()),
        base: "sha256:00".into(),
        changes: vec![Change { budget: "services.auth".into(), field: "limit".into(), old: 30.0, new: 32.0 }],
        rationale: "TLS upgrade".into(),
        evidence_runs: vec!["ci-1157".into()],
        evidence_findings: vec!["services.auth@ci-1157".into()],
        impact: "7 ms headroom left".into(),
        files: Vec::new(),
        signatures: Vec::new(),
    }
}

fn now() -> Timestamp {
    Timestamp::parse("2026-11-25T12:00:00Z").unwrap()
}

#[test]
fn a_signature_made_by_ssh_keygen_verifies_in_headroom_and_the_reverse() {
    let dir = tempfile::tempdir().unwrap();
    let (bob, carol) = (person(dir.path(), "bob"), person(dir.path(), "carol"));
    let signers_text = format!("{} {}\n{} {}\n", bob.principal, bob.public, carol.principal, carol.public);
    let signers = parse_signers(SIGNERS_FILE, &signers_text).unwrap();
    let mut p = proposal();

    // OpenSSH signs the canonical bytes; Headroom verifies.
    let payload = dir.path().join("payload");
    std::fs::write(&payload, p.canonical()).unwrap();
    let out = Command::new("ssh-keygen").args(["-Y", "sign", "-n", NAMESPACE, "-f"]).arg(&bob.key_file).arg(&payload).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let armored = std::fs::read_to_string(payload.with_extension("sig")).unwrap();
    p.add_signature(&bob.principal, &armored).unwrap();

    // Headroom signs; OpenSSH verifies against the same allowed_signers file.
    p.sign(&carol.principal, &private_key(&carol)).unwrap();
    let carol_sig = dir.path().join("carol.sig");
    std::fs::write(&carol_sig, &p.signatures[1].armored).unwrap();
    let allowed = dir.path().join(SIGNERS_FILE);
    std::fs::write(&allowed, &signers_text).unwrap();
    let mut verify = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(&allowed)
        .args(["-I", &carol.principal, "-n", NAMESPACE, "-s"])
        .arg(&carol_sig)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut verify.stdin.take().unwrap(), &p.canonical()).unwrap();
    let out = verify.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "ssh-keygen rejects Headroom's signature: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    assert_eq!(p.valid_signers(&signers, now()), [bob.principal.clone(), carol.principal.clone()]);
    // Written and read back, the signatures still hold.
    let again = parse_proposal("proposals/raise-auth.yaml", &p.to_yaml()).unwrap();
    assert_eq!(again, p);
    assert_eq!(again.valid_signers(&signers, now()).len(), 2);
}

#[test]
fn forged_foreign_expired_moved_and_outdated_signatures_all_fail() {
    let dir = tempfile::tempdir().unwrap();
    let (bob, carol, mallory) = (person(dir.path(), "bob"), person(dir.path(), "carol"), person(dir.path(), "mallory"));
    let signers = parse_signers(
        SIGNERS_FILE,
        &format!("{} {}\n{} valid-before=\"20260101\" {}\n", bob.principal, bob.public, carol.principal, carol.public),
    )
    .unwrap();
    let check = |p: &Proposal| p.check_signatures(&signers, now()).into_iter().map(|c| c.outcome).collect::<Vec<_>>();

    // A key that allowed_signers does not list, under a listed name.
    let mut p = proposal();
    p.sign(&bob.principal, &private_key(&mallory)).unwrap();
    assert!(check(&p)[0].as_ref().unwrap_err().to_string().contains("does not list"), "{:?}", check(&p));

    // Someone not in allowed_signers at all.
    let mut p = proposal();
    p.sign(&mallory.principal, &private_key(&mallory)).unwrap();
    assert!(check(&p)[0].as_ref().unwrap_err().to_string().contains("not in allowed_signers"));

    // A key past its valid-before.
    let mut p = proposal();
    p.sign(&carol.principal, &private_key(&carol)).unwrap();
    assert!(check(&p)[0].as_ref().unwrap_err().to_string().contains("not valid at"));

    // A corrupted signature.
    let mut p = proposal();
    p.sign(&bob.principal, &private_key(&bob)).unwrap();
    let mut bytes = p.signatures[0].armored.clone().into_bytes();
    let middle = bytes.len() / 2;
    bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
    p.signatures[0].armored = String::from_utf8(bytes).unwrap();
    assert!(check(&p)[0].is_err());

    // A signature for another proposal, moved onto this one.
    let mut other = proposal();
    other.id = "another".into();
    other.sign(&bob.principal, &private_key(&bob)).unwrap();
    let mut p = proposal();
    p.signatures = other.signatures.clone();
    assert!(check(&p)[0].as_ref().unwrap_err().to_string().contains("does not match this proposal"));

    // A signature by the right key in another namespace (a git commit signature, say).
    let payload = dir.path().join("payload");
    std::fs::write(&payload, proposal().canonical()).unwrap();
    let out = Command::new("ssh-keygen").args(["-Y", "sign", "-n", "git", "-f"]).arg(&bob.key_file).arg(&payload).output().unwrap();
    assert!(out.status.success());
    let mut p = proposal();
    p.add_signature(&bob.principal, &std::fs::read_to_string(payload.with_extension("sig")).unwrap()).unwrap();
    assert!(check(&p)[0].as_ref().unwrap_err().to_string().contains("namespace `git`"));

    // The proposal edited after it was signed.
    let mut p = proposal();
    p.sign(&bob.principal, &private_key(&bob)).unwrap();
    p.changes[0].new = 60.0;
    assert!(check(&p)[0].as_ref().unwrap_err().to_string().contains("does not match this proposal"));
}

#[test]
fn the_author_cannot_approve_their_own_loosening() {
    let dir = tempfile::tempdir().unwrap();
    let (alice, carol, dave) = (person(dir.path(), "alice"), person(dir.path(), "carol"), person(dir.path(), "dave"));
    let lines: Vec<String> = [&alice, &carol, &dave].iter().map(|p| format!("{} {}", p.principal, p.public)).collect();
    let signers = parse_signers(SIGNERS_FILE, &lines.join("\n")).unwrap();
    let policy = parse_policy(
        "approval.yaml",
        "roles:\n  technical: [alice@example.com]\n  business: [carol@example.com]\n  stakeholder: [dave@example.com]\n",
    )
    .unwrap();
    let mut p = proposal();
    for who in [&alice, &carol, &dave] {
        p.sign(&who.principal, &private_key(who)).unwrap();
    }
    let signed = p.valid_signers(&signers, now());
    assert_eq!(signed.len(), 3);
    let decision = policy.decide(ChangeKind::Loosen, &p.author, &signed);
    assert_eq!(decision.missing, [("technical".to_owned(), 1)], "alice wrote it: her signature does not count");
}

fn headroom(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_headroom")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// A workspace with a budget, four people with roles and erin (who may sign and propose but holds
/// no role), the default policy, its ledger started.
fn team_workspace(dir: &Path) -> (PathBuf, Vec<Person>) {
    let ws = dir.join("budgets");
    std::fs::create_dir_all(&ws).unwrap();
    let people: Vec<Person> = ["alice", "bob", "carol", "dave", "erin"].iter().map(|n| person(dir, n)).collect();
    std::fs::write(ws.join("services.yaml"), "# Services\nbudgets:\n  auth:\n    unit: ms\n    limit: 30   # agreed in Q3\n").unwrap();
    std::fs::write(
        ws.join("approval.yaml"),
        "roles:\n  technical: [alice@example.com, bob@example.com]\n  business: [carol@example.com]\n  stakeholder: [dave@example.com]\n",
    )
    .unwrap();
    let signers: Vec<String> = people.iter().map(|p| format!("{} {}", p.principal, p.public)).collect();
    std::fs::write(ws.join("allowed_signers"), signers.join("\n") + "\n").unwrap();
    let (code, out) = headroom(&["ledger", "start", ws.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    (ws, people)
}

#[test]
fn a_loosening_is_proposed_signed_by_three_roles_applied_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 0, "{out}");

    let (code, out) = headroom(&[
        "propose",
        "--workspace",
        w,
        "--id",
        "raise-auth",
        "--title",
        "Raise auth to 32 ms",
        "--author",
        "alice@example.com",
        "--set",
        "auth=32",
        "--rationale",
        "TLS upgrade",
        "--evidence-run",
        "ci-1157",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("loosen") && out.contains("needs 1 more technical sign-off"), "{out}");

    // The author signs too, but does not count.
    for p in &people[..2] {
        let (code, out) =
            headroom(&["sign", "raise-auth", "--workspace", w, "--principal", &p.principal, "--key", p.key_file.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}");
    }
    let (code, out) = headroom(&["apply", "raise-auth", "--workspace", w]);
    assert_eq!(code, 1, "not approved yet: {out}");
    assert!(out.contains("needs 1 more business sign-off"), "{out}");

    // carol signs with ssh-keygen over the canonical bytes (as with a key in an agent).
    let (_, canonical) = headroom(&["proposals", w, "--canonical", "raise-auth"]);
    let payload = dir.path().join("payload");
    std::fs::write(&payload, canonical.as_bytes()).unwrap();
    let signed =
        Command::new("ssh-keygen").args(["-Y", "sign", "-n", NAMESPACE, "-f"]).arg(&people[2].key_file).arg(&payload).output().unwrap();
    assert!(signed.status.success());
    let sig = payload.with_extension("sig");
    let (code, out) =
        headroom(&["sign", "raise-auth", "--workspace", w, "--principal", &people[2].principal, "--signature", sig.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = headroom(&[
        "sign",
        "raise-auth",
        "--workspace",
        w,
        "--principal",
        &people[3].principal,
        "--key",
        people[3].key_file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("approved"), "{out}");

    let (code, out) = headroom(&["apply", "raise-auth", "--workspace", w]);
    assert_eq!(code, 0, "{out}");
    // Only the value changed: the comment and layout stay.
    assert_eq!(
        std::fs::read_to_string(ws.join("services.yaml")).unwrap(),
        "# Services\nbudgets:\n  auth:\n    unit: ms\n    limit: 32   # agreed in Q3\n"
    );
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("`raise-auth` loosen, signed by")
            && out.contains("bob@example.com (technical)")
            && !out.contains("alice@example.com ("),
        "{out}"
    );
    let (_, out) = headroom(&["proposals", w]);
    assert!(out.contains("APPLIED   raise-auth"), "{out}");

    // Replaying it fails: it is applied, and its base is gone.
    let (code, out) = headroom(&["apply", "raise-auth", "--workspace", w]);
    assert_eq!(code, 1);
    assert!(out.contains("already applied"), "{out}");
}

#[test]
fn hand_edits_and_ledger_tampering_are_caught_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team_workspace(dir.path());
    let w = ws.to_str().unwrap();
    // A tightening needs one technical sign-off.
    let (code, out) = headroom(&[
        "propose",
        "--workspace",
        w,
        "--id",
        "tighten",
        "--title",
        "t",
        "--author",
        "carol@example.com",
        "--set",
        "auth=28",
        "--rationale",
        "r",
    ]);
    assert_eq!(code, 0, "{out}");
    for who in [&people[2], &people[1]] {
        let (code, out) =
            headroom(&["sign", "tighten", "--workspace", w, "--principal", &who.principal, "--key", who.key_file.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}");
    }
    let (code, out) = headroom(&["apply", "tighten", "--workspace", w]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(headroom(&["verify", w]).0, 0);

    // A budget edited by hand after apply.
    let budget = ws.join("services.yaml");
    let good = std::fs::read_to_string(&budget).unwrap();
    std::fs::write(&budget, good.replace("limit: 28", "limit: 40")).unwrap();
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 1);
    assert!(out.contains("services.yaml was changed outside a proposal"), "{out}");
    // It names the line that differs, as it is and as the ledger agreed it.
    let (number, agreed) = good.lines().enumerate().find(|(_, l)| l.contains("limit: 28")).unwrap();
    let edited = agreed.replace("limit: 28", "limit: 40");
    let named = format!("(line {} is `{}`, the ledger's result has `{}`)", number + 1, edited.trim(), agreed.trim());
    assert!(out.contains(&named), "{named} in {out}");
    // ... and apply refuses to build on it.
    std::fs::write(&budget, &good).unwrap();

    let ledger = ws.join("ledger/ledger.jsonl");
    let lines: Vec<String> = std::fs::read_to_string(&ledger).unwrap().lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2);
    // An entry altered.
    let altered = lines[1].replacen("carol@example.com", "mallory@example.com", 1);
    std::fs::write(&ledger, format!("{}\n{altered}\n", lines[0])).unwrap();
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 1);
    assert!(out.contains("the entry was altered"), "{out}");
    // An entry removed: the files no longer match the chain's result.
    std::fs::write(&ledger, format!("{}\n", lines[0])).unwrap();
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 1);
    assert!(out.contains("changed outside a proposal"), "{out}");
    // Entries reordered.
    std::fs::write(&ledger, format!("{}\n{}\n", lines[1], lines[0])).unwrap();
    assert_eq!(headroom(&["verify", w]).0, 1);
    std::fs::write(&ledger, format!("{}\n{}\n", lines[0], lines[1])).unwrap();
    assert_eq!(headroom(&["verify", w]).0, 0);
    // An entry backdated (to a time a key was still valid), with its hash recomputed to match.
    let mut entry: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    entry.as_object_mut().unwrap().remove("hash");
    entry["at"] = serde_json::Value::String("2020-01-01T00:00:00Z".into());
    let hash = headroom::approval::files_hash(&[(String::new(), entry.to_string())]);
    entry["hash"] = serde_json::Value::String(hash);
    std::fs::write(&ledger, format!("{}\n{entry}\n", lines[0])).unwrap();
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 1);
    assert!(out.contains("before the previous entry's"), "{out}");
    std::fs::write(&ledger, format!("{}\n{}\n", lines[0], lines[1])).unwrap();

    // A stale proposal (made for the budgets before `tighten`) cannot be applied.
    let stale = headroom::approval::ledger::read_proposal(&ws, "tighten").unwrap().0;
    let mut replay = stale.clone();
    replay.id = "replay".into();
    replay.signatures.clear();
    std::fs::write(ws.join("proposals/replay.yaml"), replay.to_yaml()).unwrap();
    let (code, out) =
        headroom(&["sign", "replay", "--workspace", w, "--principal", &people[0].principal, "--key", people[0].key_file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = headroom(&["apply", "replay", "--workspace", w]);
    assert_eq!(code, 1);
    assert!(out.contains("stale"), "{out}");
}

#[test]
fn changing_the_signers_is_governance_and_new_budgets_come_by_proposal_too() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, people) = team_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let frank = person(dir.path(), "frank");
    let mut signers = std::fs::read_to_string(ws.join("allowed_signers")).unwrap();
    signers.push_str(&format!("{} {}\n", frank.principal, frank.public));
    let new_signers = dir.path().join("new_signers");
    std::fs::write(&new_signers, &signers).unwrap();
    let spec = format!("allowed_signers={}", new_signers.display());
    let (code, out) = headroom(&[
        "propose",
        "--workspace",
        w,
        "--id",
        "add-frank",
        "--title",
        "Frank joins",
        "--author",
        "erin@example.com",
        "--file",
        &spec,
        "--rationale",
        "new SRE",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(governance)") && out.contains("needs 2 more technical sign-offs"), "{out}");
    let sign = |who: &Person| {
        headroom(&["sign", "add-frank", "--workspace", w, "--principal", &who.principal, "--key", who.key_file.to_str().unwrap()])
    };
    // erin proposes it, and proves it with her signature (she never counts as an approver).
    assert_eq!(sign(&people[4]).0, 0);
    // A loosening's three roles are not enough for governance: it needs two technical people.
    for who in [&people[0], &people[2], &people[3]] {
        let (code, out) = sign(who);
        assert_eq!(code, 0, "{out}");
    }
    let (code, out) = headroom(&["apply", "add-frank", "--workspace", w]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("needs 1 more technical sign-off"), "{out}");
    assert_eq!(sign(&people[1]).0, 0);
    let (code, out) = headroom(&["apply", "add-frank", "--workspace", w]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(std::fs::read_to_string(ws.join("allowed_signers")).unwrap(), signers);

    // New budgets arrive as a new file, by proposal (judged by its effect: new budgets only add
    // limits, so it is a tightening).
    let draft = dir.path().join("search.yaml");
    std::fs::write(&draft, "search:\n  max_latency_ms: 80\n").unwrap();
    let spec = format!("search.yaml={}", draft.display());
    let (code, out) = headroom(&[
        "propose",
        "--workspace",
        w,
        "--id",
        "search",
        "--title",
        "Search budgets",
        "--author",
        "erin@example.com",
        "--file",
        &spec,
        "--rationale",
        "new service",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(tighten)") && out.contains("stricter: `search.latency` is added"), "{out}");
    for who in [&people[4], &people[0], &people[2], &people[3]] {
        let (code, out) =
            headroom(&["sign", "search", "--workspace", w, "--principal", &who.principal, "--key", who.key_file.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}");
    }
    let (code, out) = headroom(&["apply", "search", "--workspace", w]);
    assert_eq!(code, 0, "{out}");
    assert!(ws.join("search.yaml").exists());
    let (code, out) = headroom(&["verify", w]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("`add-frank` governance") && out.contains("`search` tighten"), "{out}");

    // A file outside the contract cannot be smuggled in.
    let (code, out) = headroom(&[
        "propose",
        "--workspace",
        w,
        "--id",
        "sneak",
        "--title",
        "t",
        "--author",
        "erin@example.com",
        "--file",
        &format!("triage.yaml={}", draft.display()),
        "--rationale",
        "r",
    ]);
    assert_eq!(code, 2);
    assert!(out.contains("not a file a proposal may change"), "{out}");
}

#[test]
fn a_key_held_by_a_running_ssh_agent_signs_and_ssh_keygen_verifies_it() {
    let dir = tempfile::tempdir().unwrap();
    let bob = person(dir.path(), "bob");
    let socket = dir.path().join("agent.sock");
    let mut agent =
        Command::new("ssh-agent").arg("-D").arg("-a").arg(&socket).stdout(std::process::Stdio::null()).spawn().expect("ssh-agent runs");
    for _ in 0..100 {
        if socket.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let added = Command::new("ssh-add").arg(&bob.key_file).env("SSH_AUTH_SOCK", &socket).output().unwrap();
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));

    let mut p = proposal();
    let public = ssh_key::PublicKey::from_openssh(&bob.public).unwrap();
    let armored = headroom::approval::agent::sign_with_agent(&socket, &public, &p.canonical());
    let _ = agent.kill();
    let _ = agent.wait();
    p.add_signature(&bob.principal, &armored.unwrap()).unwrap();
    let signers_text = format!("{} {}\n", bob.principal, bob.public);
    let signers = parse_signers(SIGNERS_FILE, &signers_text).unwrap();
    assert_eq!(p.valid_signers(&signers, now()), std::slice::from_ref(&bob.principal));

    let (allowed, sig) = (dir.path().join(SIGNERS_FILE), dir.path().join("bob.sig"));
    std::fs::write(&allowed, &signers_text).unwrap();
    std::fs::write(&sig, &p.signatures[0].armored).unwrap();
    let mut verify = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(&allowed)
        .args(["-I", &bob.principal, "-n", NAMESPACE, "-s"])
        .arg(&sig)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut verify.stdin.take().unwrap(), &p.canonical()).unwrap();
    assert!(verify.wait_with_output().unwrap().status.success());
}
