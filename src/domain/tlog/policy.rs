//! C2SP tlog-policy: which logs and witnesses are known and which cosignatures make a checkpoint
//! trustworthy (the quorum, possibly of nested k-of-n groups). The registry reads the witnesses
//! it submits to from such a file and publishes its own policy at `/log/policy`.

use super::note::{Verifier, TYPE_COSIGNATURE, TYPE_ED25519};

/// A log of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyLog {
    pub key: Verifier,
    pub url: Option<String>,
}

/// A witness of the policy, named for the quorum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWitness {
    pub name: String,
    pub key: Verifier,
    pub url: Option<String>,
}

/// A member of a group or the quorum: a witness or an earlier group, by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Member {
    Witness(usize),
    Group(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    name: String,
    /// How many members must have witnessed.
    threshold: usize,
    /// As written: `all`, `any` or the number.
    threshold_text: String,
    members: Vec<Member>,
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub logs: Vec<PolicyLog>,
    pub witnesses: Vec<PolicyWitness>,
    groups: Vec<Group>,
    /// None: `quorum none`.
    quorum: Option<Member>,
}

/// Why a policy file is refused, with its line number (from 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy line {line}: {message}")]
pub struct PolicyError {
    pub line: usize,
    pub message: String,
}

impl Policy {
    /// A policy that asks for no cosignature (`quorum none`), with the given logs.
    pub fn without_witnesses(logs: Vec<PolicyLog>) -> Policy {
        Policy {
            logs,
            witnesses: Vec::new(),
            groups: Vec::new(),
            quorum: None,
        }
    }

    /// Parses a policy file.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let mut policy = Policy {
            logs: Vec::new(),
            witnesses: Vec::new(),
            groups: Vec::new(),
            quorum: None,
        };
        let mut quorum_seen = false;
        // Each name may be a group member once in the whole policy.
        let mut members_used: Vec<String> = Vec::new();
        for (i, raw) in text.split('\n').enumerate() {
            let fail = |message: &str| PolicyError {
                line: i + 1,
                message: message.to_owned(),
            };
            if raw.chars().any(|c| c.is_control() && c != '\t') {
                return Err(fail(
                    "control characters (only spaces and tabs separate items)",
                ));
            }
            let words: Vec<&str> = raw.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
            match words.as_slice() {
                [] => {}
                [first, ..] if first.starts_with('#') => {}
                ["log", vkey, rest @ ..] if rest.len() <= 1 => {
                    let key = parse_key(vkey, TYPE_ED25519).map_err(|m| fail(&m))?;
                    if policy.logs.iter().any(|l| l.key.key == key.key) {
                        return Err(fail("a log is listed twice"));
                    }
                    policy.logs.push(PolicyLog {
                        key,
                        url: rest.first().map(|u| (*u).to_owned()),
                    });
                }
                ["witness", name, vkey, rest @ ..] if rest.len() <= 1 => {
                    policy.check_new_name(name).map_err(|m| fail(&m))?;
                    let key = parse_key(vkey, TYPE_COSIGNATURE).map_err(|m| fail(&m))?;
                    if policy.witnesses.iter().any(|w| w.key.key == key.key) {
                        return Err(fail("a witness is listed twice"));
                    }
                    policy.witnesses.push(PolicyWitness {
                        name: (*name).to_owned(),
                        key,
                        url: rest.first().map(|u| (*u).to_owned()),
                    });
                }
                ["group", name, threshold, members @ ..] if !members.is_empty() => {
                    policy.check_new_name(name).map_err(|m| fail(&m))?;
                    for m in members {
                        if members_used.iter().any(|u| u == m) {
                            return Err(fail(&format!("{m} is a group member more than once")));
                        }
                        members_used.push((*m).to_owned());
                    }
                    let members = members
                        .iter()
                        .map(|m| policy.member(m))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|m| fail(&m))?;
                    let n = members.len();
                    let k = match *threshold {
                        "all" => n,
                        "any" => 1,
                        k => super::canonical_decimal(k)
                            .and_then(|k| usize::try_from(k).ok())
                            .filter(|k| (1..=n).contains(k))
                            .ok_or_else(|| fail("a threshold is all, any or 1 to n"))?,
                    };
                    policy.groups.push(Group {
                        name: (*name).to_owned(),
                        threshold: k,
                        threshold_text: (*threshold).to_owned(),
                        members,
                    });
                }
                ["quorum", name] => {
                    if quorum_seen {
                        return Err(fail("more than one quorum line"));
                    }
                    quorum_seen = true;
                    policy.quorum = match *name {
                        "none" => None,
                        name => Some(policy.member(name).map_err(|m| fail(&m))?),
                    };
                }
                _ => return Err(fail("expected log, witness, group or quorum")),
            }
        }
        if !quorum_seen {
            return Err(PolicyError {
                line: text.split('\n').count(),
                message: "no quorum line".to_owned(),
            });
        }
        Ok(policy)
    }

    fn check_new_name(&self, name: &str) -> Result<(), String> {
        if name == "none" {
            return Err("`none` is reserved".to_owned());
        }
        if self.witnesses.iter().any(|w| w.name == name)
            || self.groups.iter().any(|g| g.name == name)
        {
            return Err(format!("{name} is defined twice"));
        }
        Ok(())
    }

    fn member(&self, name: &str) -> Result<Member, String> {
        if let Some(i) = self.witnesses.iter().position(|w| w.name == name) {
            return Ok(Member::Witness(i));
        }
        if let Some(i) = self.groups.iter().position(|g| g.name == name) {
            return Ok(Member::Group(i));
        }
        Err(format!("{name} is not defined on an earlier line"))
    }

    /// Whether the witnesses for which `cosigned` is true (by position in `witnesses`) make the
    /// quorum.
    pub fn satisfied(&self, cosigned: &dyn Fn(usize) -> bool) -> bool {
        match self.quorum {
            None => true,
            Some(m) => self.witnessed(m, cosigned),
        }
    }

    fn witnessed(&self, member: Member, cosigned: &dyn Fn(usize) -> bool) -> bool {
        match member {
            Member::Witness(i) => cosigned(i),
            Member::Group(g) => {
                let group = &self.groups[g];
                let count = group
                    .members
                    .iter()
                    .filter(|&&m| self.witnessed(m, cosigned))
                    .count();
                count >= group.threshold
            }
        }
    }

    /// Whether a quorum of witnesses is asked for at all.
    pub fn needs_cosignatures(&self) -> bool {
        self.quorum.is_some()
    }

    /// The policy as a file: logs, witnesses, groups and the quorum, one per line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let url = |u: &Option<String>| u.as_ref().map(|u| format!(" {u}")).unwrap_or_default();
        for log in &self.logs {
            out.push_str(&format!("log {}{}\n", log.key.vkey(), url(&log.url)));
        }
        for w in &self.witnesses {
            out.push_str(&format!(
                "witness {} {}{}\n",
                w.name,
                w.key.vkey(),
                url(&w.url)
            ));
        }
        for g in &self.groups {
            let members: Vec<&str> = g.members.iter().map(|&m| self.name_of(m)).collect();
            out.push_str(&format!(
                "group {} {} {}\n",
                g.name,
                g.threshold_text,
                members.join(" ")
            ));
        }
        let quorum = self.quorum.map_or("none", |m| self.name_of(m));
        out.push_str(&format!("quorum {quorum}\n"));
        out
    }

    fn name_of(&self, member: Member) -> &str {
        match member {
            Member::Witness(i) => &self.witnesses[i].name,
            Member::Group(g) => &self.groups[g].name,
        }
    }
}

/// A verifier key of the expected type.
fn parse_key(vkey: &str, key_type: u8) -> Result<Verifier, String> {
    let key = Verifier::parse(vkey).map_err(|e| e.to_string())?;
    if key.key_type != key_type {
        return Err(match key_type {
            TYPE_ED25519 => "a log key has type 0x01 (Ed25519 note signatures)".to_owned(),
            _ => "a witness key has type 0x04 (Ed25519 cosignatures)".to_owned(),
        });
    }
    Ok(key)
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
