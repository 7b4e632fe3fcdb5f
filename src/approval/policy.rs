//! What each kind of change needs: the workspace's `approval.yaml`.
//!
//! ```yaml
//! roles:
//!   technical: [alice@example.com, bob@example.com]
//!   business: [carol@example.com]
//!   stakeholder: [dave@example.com]
//! require:                      # these are the defaults
//!   loosen: {technical: 1, business: 1, stakeholder: 1}
//!   tighten: {technical: 1}
//!   governance: {technical: 2, business: 1, stakeholder: 1}   # the policy or the signers file
//! ```
//!
//! A person counts once, for one role, however many roles they hold; the author of a proposal
//! never counts.

use crate::model::error::LoadError;
use crate::model::fields::{self, FieldReader, expected, get, join};
use crate::model::workspace::POLICY_FILE;
use crate::model::yaml::Value;
use std::collections::BTreeMap;

/// What a proposal does, for the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// Makes a budget stricter (a lower limit for lower-is-better metrics).
    Tighten,
    /// Makes a budget more lenient.
    Loosen,
    /// Changes the policy or the signers file.
    Governance,
}

impl ChangeKind {
    /// Its name in the policy file.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Tighten => "tighten",
            ChangeKind::Loosen => "loosen",
            ChangeKind::Governance => "governance",
        }
    }

    /// The kind as a noun with its article, for sentences: "a loosening", "a governance change".
    #[must_use]
    pub fn with_article(self) -> &'static str {
        match self {
            ChangeKind::Tighten => "a tightening",
            ChangeKind::Loosen => "a loosening",
            ChangeKind::Governance => "a governance change",
        }
    }
}

/// The roles and what each kind of change needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Role → the principals who hold it.
    pub roles: BTreeMap<String, Vec<String>>,
    /// Kind of change → role → how many distinct people of that role must sign.
    pub require: BTreeMap<ChangeKind, BTreeMap<String, usize>>,
}

impl Default for Policy {
    fn default() -> Self {
        let needs = |list: &[(&str, usize)]| list.iter().map(|(r, n)| ((*r).to_owned(), *n)).collect::<BTreeMap<_, _>>();
        let mut require = BTreeMap::new();
        require.insert(ChangeKind::Loosen, needs(&[("technical", 1), ("business", 1), ("stakeholder", 1)]));
        require.insert(ChangeKind::Tighten, needs(&[("technical", 1)]));
        require.insert(ChangeKind::Governance, needs(&[("technical", 2), ("business", 1), ("stakeholder", 1)]));
        Policy { roles: BTreeMap::new(), require }
    }
}

/// Whether signatures meet the policy, and what is missing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decision {
    /// Each person counted, with the role they were counted for.
    pub counted: Vec<(String, String)>,
    /// Each role still short, and by how many people.
    pub missing: Vec<(String, usize)>,
}

impl Decision {
    /// Whether nothing is missing.
    #[must_use]
    pub fn met(&self) -> bool {
        self.missing.is_empty()
    }
}

impl Policy {
    /// The roles `principal` holds.
    #[must_use]
    pub fn roles_of(&self, principal: &str) -> Vec<&str> {
        self.roles.iter().filter(|(_, people)| people.iter().any(|p| p == principal)).map(|(r, _)| r.as_str()).collect()
    }

    /// Decides whether the people in `signed` (each with a valid signature) approve a change of
    /// `kind` proposed by `author`. Each person fills one seat of one role; the author fills none.
    #[must_use]
    pub fn decide(&self, kind: ChangeKind, author: &str, signed: &[String]) -> Decision {
        self.decide_all(&[kind], author, signed)
    }

    /// [`Policy::decide`] for a change that is of several kinds at once (a governance change that
    /// also loosens a budget): each role needs as many people as the most demanding kind asks.
    #[must_use]
    pub fn decide_all(&self, kinds: &[ChangeKind], author: &str, signed: &[String]) -> Decision {
        let mut needed: BTreeMap<String, usize> = BTreeMap::new();
        for kind in kinds {
            for (role, n) in self.require.get(kind).into_iter().flatten() {
                let seats = needed.entry(role.clone()).or_default();
                *seats = (*seats).max(*n);
            }
        }
        let mut seats: Vec<String> = needed.iter().flat_map(|(role, n)| std::iter::repeat_n(role.clone(), *n)).collect();
        seats.sort();
        let mut people: Vec<&String> = signed.iter().filter(|p| p.as_str() != author).collect();
        people.sort();
        people.dedup();
        // A bipartite matching of people to seats (augmenting paths; both sides are small).
        let mut seat_of: Vec<Option<usize>> = vec![None; seats.len()];
        let roles: Vec<Vec<&str>> = people.iter().map(|p| self.roles_of(p)).collect();
        for person in 0..people.len() {
            let mut seen = vec![false; seats.len()];
            augment(person, &seats, &roles, &mut seat_of, &mut seen);
        }
        let mut decision = Decision::default();
        for (seat, holder) in seat_of.iter().enumerate() {
            if let Some(person) = holder {
                decision.counted.push((people[*person].clone(), seats[seat].clone()));
            }
        }
        for (role, n) in &needed {
            let filled = decision.counted.iter().filter(|(_, r)| r == role).count();
            if filled < *n {
                decision.missing.push((role.clone(), n - filled));
            }
        }
        decision
    }
}

/// Kuhn's augmenting path from `person`: takes a free seat of one of their roles, or moves the
/// holder of such a seat to another seat of theirs.
fn augment(person: usize, seats: &[String], roles: &[Vec<&str>], seat_of: &mut [Option<usize>], seen: &mut [bool]) -> bool {
    for seat in 0..seats.len() {
        if seen[seat] || !roles[person].contains(&seats[seat].as_str()) {
            continue;
        }
        seen[seat] = true;
        if seat_of[seat].is_none_or(|holder| augment(holder, seats, roles, seat_of, seen)) {
            seat_of[seat] = Some(person);
            return true;
        }
    }
    false
}

const POLICY_FIELDS: &[&str] = &["roles", "require"];
const KINDS: &[&str] = &["loosen", "tighten", "governance"];

/// Parses `approval.yaml`; kinds it does not mention keep their defaults.
pub fn parse_policy(file: &str, text: &str) -> Result<Policy, Vec<LoadError>> {
    let root = fields::document(file, text)?;
    let mut policy = Policy::default();
    if root.value == Value::Null {
        return Ok(policy);
    }
    let mut r = FieldReader::new(file);
    let Some(entries) = r.map(&root, "", "a mapping with `roles` and `require`") else { return Err(r.into_errors()) };
    r.unknown_keys(entries, POLICY_FIELDS, "", POLICY_FILE);
    if let Some(roles) = get(entries, "roles").and_then(|n| r.map(n, "roles", "a mapping")) {
        for (role, people) in roles {
            let field = format!("roles.{}", role.name);
            let Some(list) = r.seq(people, &field, "a list of principals") else { continue };
            let names = list.iter().filter_map(|p| r.text_as(p, &field, "a principal")).collect();
            policy.roles.insert(role.name.clone(), names);
        }
    }
    if let Some(kinds) = get(entries, "require").and_then(|n| r.map(n, "require", "a mapping")) {
        r.unknown_keys(kinds, KINDS, "require", "`require:` (a kind of change)");
        for (kind, needs) in kinds {
            let Some(k) = [ChangeKind::Loosen, ChangeKind::Tighten, ChangeKind::Governance].into_iter().find(|k| k.as_str() == kind.name)
            else {
                continue;
            };
            let field = format!("require.{}", kind.name);
            let Some(needs) = r.map(needs, &field, "a mapping of roles to counts") else { continue };
            let mut required = BTreeMap::new();
            for (role, count) in needs {
                match &count.value {
                    Value::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n < 100.0 => {
                        required.insert(role.name.clone(), *n as usize);
                    }
                    other => r.error(count.pos, &join(&field, &role.name), expected("a whole number of people", other)),
                }
            }
            policy.require.insert(k, required);
        }
    }
    for (kind, needs) in &policy.require {
        for role in needs.keys() {
            if !policy.roles.contains_key(role) {
                let pos = get(entries, "require").map_or(root.pos, |n| n.pos);
                r.error(pos, &format!("require.{}.{role}", kind.as_str()), format!("no role `{role}` under `roles`"));
            }
        }
    }
    r.finish(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        parse_policy(
            POLICY_FILE,
            "roles:\n  technical: [alice, bob, erin]\n  business: [carol, erin]\n  stakeholder: [dave]\nrequire:\n  tighten: {technical: 1}\n",
        )
        .unwrap()
    }

    #[test]
    fn loosening_a_budget_needs_three_roles_and_the_author_does_not_count() {
        let p = policy();
        let people = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(p.decide(ChangeKind::Loosen, "zed", &people(&["alice", "carol", "dave"])).met());
        let own = p.decide(ChangeKind::Loosen, "alice", &people(&["alice", "carol", "dave"]));
        assert_eq!(own.missing, [("technical".to_owned(), 1)]);
        assert!(p.decide(ChangeKind::Tighten, "zed", &people(&["bob"])).met());
        assert!(!p.decide(ChangeKind::Tighten, "zed", &people(&["carol"])).met());
    }

    #[test]
    fn a_person_with_two_roles_fills_one_seat_placed_where_it_is_needed() {
        let p = policy();
        let people = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        // erin is technical and business: with alice as technical, erin must count as business.
        assert!(p.decide(ChangeKind::Loosen, "zed", &people(&["erin", "alice", "dave"])).met());
        // erin alone cannot fill both seats.
        let d = p.decide(ChangeKind::Loosen, "zed", &people(&["erin", "dave", "erin"]));
        assert!(!d.met(), "{d:?}");
        // Governance needs two technical people.
        assert!(!p.decide(ChangeKind::Governance, "zed", &people(&["alice", "carol", "dave"])).met());
        assert!(p.decide(ChangeKind::Governance, "zed", &people(&["alice", "bob", "carol", "dave"])).met());
    }

    #[test]
    fn a_requirement_of_an_unknown_role_is_an_error() {
        let e = parse_policy(POLICY_FILE, "roles:\n  technical: [alice]\nrequire:\n  tighten: {tecnical: 1}\n").unwrap_err();
        assert!(e.iter().any(|e| e.message.contains("no role `tecnical`")), "{e:?}");
    }
}
