//! The audit log and access-denied requests as the browser sees them (SPEC rule 12), and the
//! side-by-side comparison behind `Show changes`.

use serde::{Deserialize, Serialize};

/// The audit log page's filters, as typed. Dates are `YYYY-MM-DD` (the `date` inputs), read as
/// whole UTC days: `to` includes its day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// A username, matched exactly (case-insensitive).
    pub actor: String,
    /// An action, or its start (`user.` for every change to users).
    pub action: String,
    /// Any part of the target.
    pub target: String,
    pub from: String,
    pub to: String,
}

/// The filter as the query of `/audit/export.csv` (`actor=…&action=…`, percent-encoded).
pub fn export_query(filter: &AuditFilter) -> String {
    [
        ("actor", &filter.actor),
        ("action", &filter.action),
        ("target", &filter.target),
        ("from", &filter.from),
        ("to", &filter.to),
    ]
    .iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| format!("{k}={}", percent_encode(v.trim())))
    .collect::<Vec<_>>()
    .join("&")
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One audit event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// `2026-12-03 06:10:00 UTC`.
    pub when: String,
    /// The actor's username; empty for the system (an SSO sign-in's mapping, say).
    pub actor: String,
    pub action: String,
    pub target: String,
    pub address: String,
    pub before: String,
    pub after: String,
}

impl AuditEntry {
    pub fn has_changes(&self) -> bool {
        !self.before.is_empty() || !self.after.is_empty()
    }
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditEntry>,
    pub page: i64,
    /// Whether an older page exists (counting a large log for every page would cost more than
    /// the page itself).
    pub has_more: bool,
    /// The actions the tenant's log holds, for the `Action` choices.
    pub actions: Vec<String>,
}

/// One refused request (SPEC rule 12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeniedEntry {
    pub when: String,
    pub user: String,
    pub attempted: String,
    pub target: String,
    pub missing: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeniedPage {
    pub rows: Vec<DeniedEntry>,
    pub page: i64,
    pub has_more: bool,
    /// Whether the reader sees the whole tenant's requests (else only their own).
    pub whole_tenant: bool,
}

/// Rows of one audit page and of one access-denied page.
pub const AUDIT_PAGE_SIZE: i64 = 50;

/// How a line of `Show changes` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    Same,
    Removed,
    Added,
}

/// One row of the side-by-side comparison: the line before, the line after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    pub before: Option<String>,
    pub after: Option<String>,
    pub mark: Mark,
}

/// Lines longer than this many are compared as two blocks (the comparison is quadratic).
const MAX_LINES: usize = 400;

/// `before` and `after` (JSON, or plain text) side by side, line by line, aligned on what they
/// share, each line that differs marked `Removed` (only before) or `Added` (only after).
pub fn changes(before: &str, after: &str) -> Vec<ChangeRow> {
    let (a, b) = (lines(before), lines(after));
    if a.len() > MAX_LINES || b.len() > MAX_LINES {
        return a
            .into_iter()
            .map(|l| (Some(l), None, Mark::Removed))
            .chain(b.into_iter().map(|l| (None, Some(l), Mark::Added)))
            .map(|(before, after, mark)| ChangeRow {
                before,
                after,
                mark,
            })
            .collect();
    }
    // Longest common subsequence, then walk it.
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut rows = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            rows.push(row(Some(&a[i]), Some(&b[j]), Mark::Same));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || common[i + 1][j] >= common[i][j + 1]) {
            rows.push(row(Some(&a[i]), None, Mark::Removed));
            i += 1;
        } else {
            rows.push(row(None, Some(&b[j]), Mark::Added));
            j += 1;
        }
    }
    rows
}

fn row(before: Option<&String>, after: Option<&String>, mark: Mark) -> ChangeRow {
    ChangeRow {
        before: before.cloned(),
        after: after.cloned(),
        mark,
    }
}

/// A record as lines: JSON flattened to `path: value` (one line per list element), else its
/// text lines.
fn lines(text: &str) -> Vec<String> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => {
            let mut out = Vec::new();
            flatten("", &value, &mut out);
            out
        }
        Err(_) => text.lines().map(str::to_owned).collect(),
    }
}

fn flatten(path: &str, value: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    let line = |v: String| {
        if path.is_empty() {
            v
        } else {
            format!("{path}: {v}")
        }
    };
    match value {
        Value::Object(map) => {
            if map.is_empty() {
                out.push(line("{}".into()));
            }
            for (key, v) in map {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                flatten(&inner, v, out);
            }
        }
        Value::Array(items) => {
            if items.is_empty() {
                out.push(line("(none)".into()));
            }
            for v in items {
                flatten(path, v, out);
            }
        }
        Value::String(s) => out.push(line(s.clone())),
        other => out.push(line(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(rows: &[ChangeRow]) -> Vec<(Option<&str>, Option<&str>, Mark)> {
        rows.iter()
            .map(|r| (r.before.as_deref(), r.after.as_deref(), r.mark))
            .collect()
    }

    #[test]
    fn a_role_added_and_one_removed_are_marked_and_the_rest_aligned() {
        let rows = changes(
            r#"{"roles":["Global Reader","admins"]}"#,
            r#"{"roles":["Global Reader","Inventory Manager"]}"#,
        );
        assert_eq!(
            marks(&rows),
            vec![
                (
                    Some("roles: Global Reader"),
                    Some("roles: Global Reader"),
                    Mark::Same
                ),
                (Some("roles: admins"), None, Mark::Removed),
                (None, Some("roles: Inventory Manager"), Mark::Added),
            ]
        );
    }

    #[test]
    fn nested_objects_flatten_to_dotted_paths_and_an_empty_side_shows_nothing() {
        let rows = changes("", r#"{"name":"EMEA","limits":{"max":3}}"#);
        assert_eq!(
            marks(&rows),
            vec![
                (None, Some("limits.max: 3"), Mark::Added),
                (None, Some("name: EMEA"), Mark::Added),
            ]
        );
    }

    #[test]
    fn the_export_query_carries_only_the_filters_set_encoded() {
        let filter = AuditFilter {
            actor: "partner.erin".into(),
            target: "user a&b=c ü".into(),
            ..AuditFilter::default()
        };
        assert_eq!(
            export_query(&filter),
            "actor=partner.erin&target=user%20a%26b%3Dc%20%C3%BC"
        );
    }

    #[test]
    fn plain_text_is_compared_by_line() {
        let rows = changes("a\nb", "a\nc");
        assert_eq!(rows.iter().filter(|r| r.mark == Mark::Same).count(), 1);
        assert_eq!(rows.len(), 3);
    }
}
