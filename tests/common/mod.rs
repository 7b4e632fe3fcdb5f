//! Helpers shared by the tests that run `headroom` processes, real `git merge`s and the app.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // a test that cannot unwrap has failed; not every test uses every helper

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Someone with an SSH key.
pub struct Person {
    pub principal: String,
    pub key_file: PathBuf,
    pub public: String,
}

/// A new ed25519 key for `name`, made by the real `ssh-keygen`.
pub fn person(dir: &Path, name: &str) -> Person {
    let key_file = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key_file)
        .status()
        .expect("ssh-keygen (openssh-client) is installed");
    assert!(status.success());
    let public = std::fs::read_to_string(key_file.with_extension("pub")).unwrap().trim().to_owned();
    Person { principal: format!("{name}@example.com"), key_file, public }
}

/// Runs `headroom` and returns its exit code and output (stdout then stderr).
pub fn headroom(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_headroom")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Starts `headroom` without waiting for it.
pub fn spawn(args: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_headroom")).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

/// Waits for every process; returns the exit code and output of each, in order.
pub fn wait_all(children: Vec<Child>) -> Vec<(i32, String)> {
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            (out.status.code().unwrap_or(-1), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
        })
        .collect()
}

/// A workspace in `dir/budgets` with a budget, four people (alice, bob, carol, dave) in
/// `allowed_signers`, a policy where bob is technical, carol business and dave stakeholder (alice
/// technical too), and its ledger started.
pub fn team_workspace(dir: &Path) -> (PathBuf, Vec<Person>) {
    let ws = dir.join("budgets");
    std::fs::create_dir_all(&ws).unwrap();
    let people: Vec<Person> = ["alice", "bob", "carol", "dave"].iter().map(|n| person(dir, n)).collect();
    std::fs::write(
        ws.join("services.yaml"),
        "# Services\nbudgets:\n  auth:\n    unit: ms\n    limit: 30\n  search:\n    unit: ms\n    limit: 80\n",
    )
    .unwrap();
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

/// `headroom propose` of a loosening of `budget` to `value` by alice, as proposal `id`, signed by
/// her as its author.
pub fn propose(ws: &Path, id: &str, budget: &str, value: f64) {
    let (code, out) = headroom(&[
        "propose",
        "--workspace",
        ws.to_str().unwrap(),
        "--id",
        id,
        "--title",
        &format!("Raise {budget}"),
        "--author",
        "alice@example.com",
        "--set",
        &format!("{budget}={value}"),
        "--rationale",
        "a real change",
    ]);
    assert_eq!(code, 0, "{out}");
    // The author proves the proposal is hers with her own signature (she never counts as an approver).
    let key = ws.parent().unwrap().join("alice");
    let (code, out) =
        headroom(&["sign", id, "--workspace", ws.to_str().unwrap(), "--principal", "alice@example.com", "--key", key.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
}

/// The arguments of `headroom sign ID` by `p` with their key.
pub fn sign_args(ws: &Path, id: &str, p: &Person) -> Vec<String> {
    ["sign", id, "--workspace", ws.to_str().unwrap(), "--principal", &p.principal, "--key", p.key_file.to_str().unwrap()]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

/// A Bencher Metric Format file with one latency, for `headroom import --from bmf`.
pub fn bmf_file(dir: &Path, value_ns: f64) -> PathBuf {
    let path = dir.join(format!("bmf-{value_ns}.json"));
    std::fs::write(&path, format!(r#"{{"services.auth": {{"latency": {{"value": {value_ns}}}}}}}"#)).unwrap();
    path
}

/// The arguments of `headroom import` of `file` as run `id` in `ci` on `main`.
pub fn import_args(ws: &Path, file: &Path, id: &str) -> Vec<String> {
    ["import", "--from", "bmf", file.to_str().unwrap(), "--into", ws.to_str().unwrap(), "--run-id", id, "--env", "ci", "--branch", "main"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

/// Copies the folder `from` into `to`, recursively (a scratch copy of a workspace).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() { copy_dir(&path, &target) } else { std::fs::copy(&path, &target).map(|_| ()).unwrap() }
    }
}
