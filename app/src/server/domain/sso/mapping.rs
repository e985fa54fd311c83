//! Access mapping: which rules an ID token's claims satisfy, and what those rules grant together
//! (SPEC section 4). Pure: the sign-in applies the result through the guard.

use std::collections::BTreeSet;

use regex::Regex;
use serde_json::Value;

use crate::model::{
    sso::{Condition, MappedInventory, MappedRole, MappingRule, Operator},
    RoleId,
};

/// The longest pattern a `matches` condition may have, and the size its compiled form may take:
/// an administrator's pattern runs at every sign-in.
const MAX_PATTERN: usize = 500;
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// The claim at `path`: a top-level claim of that exact name (names such as
/// `https://example.com/groups` contain dots), else the dotted path into nested objects
/// (`realm_access.roles`).
pub fn claim_at<'a>(claims: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(value) = claims.get(path) {
        return Some(value);
    }
    path.split('.')
        .try_fold(claims, |value, key| value.get(key))
}

/// A scalar claim as text; objects, arrays and null have none.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A pattern compiled to match whole texts, or why it cannot be used.
pub fn pattern(value: &str) -> Result<Regex, String> {
    if value.len() > MAX_PATTERN {
        return Err(format!("A pattern has at most {MAX_PATTERN} characters."));
    }
    regex::RegexBuilder::new(&format!("^(?:{value})$"))
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| format!("'{value}' is not a valid pattern: {e}"))
}

/// Whether `claims` satisfy `condition`. A missing claim satisfies nothing; an invalid pattern
/// (refused when the rule is saved) matches nothing.
pub fn holds(condition: &Condition, claims: &Value) -> bool {
    let Some(claim) = claim_at(claims, condition.claim.trim()) else {
        return false;
    };
    let wanted = condition.value.as_str();
    let scalars: Vec<String> = match claim {
        Value::Array(items) => items.iter().filter_map(text).collect(),
        other => text(other).into_iter().collect(),
    };
    match condition.operator {
        Operator::Equals => scalars.iter().any(|s| s == wanted),
        Operator::Contains => match claim {
            Value::Array(_) => scalars.iter().any(|s| s == wanted),
            _ => scalars.iter().any(|s| s.contains(wanted)),
        },
        Operator::Matches => match pattern(wanted) {
            Ok(re) => scalars.iter().any(|s| re.is_match(s)),
            Err(_) => false,
        },
    }
}

/// Whether every condition of `rule` holds. A rule without conditions never applies (an empty
/// rule granting roles to everyone is more likely a mistake than a wish).
pub fn applies(rule: &MappingRule, claims: &Value) -> bool {
    !rule.conditions.is_empty() && rule.conditions.iter().all(|c| holds(c, claims))
}

/// What the rules that apply grant together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Granted {
    /// The numbers (from 1) of the rules that apply.
    pub rules: Vec<usize>,
    pub roles: BTreeSet<MappedRole>,
    pub inventory: BTreeSet<MappedInventory>,
    pub applications: BTreeSet<String>,
}

pub fn granted(rules: &[MappingRule], claims: &Value) -> Granted {
    let mut out = Granted::default();
    for (i, rule) in rules.iter().enumerate() {
        if applies(rule, claims) {
            out.rules.push(i + 1);
            out.roles.extend(rule.roles.iter().copied());
            out.inventory.extend(rule.inventory.iter().copied());
            out.applications.extend(rule.applications.iter().cloned());
        }
    }
    out
}

/// What some rule names: what the mapping manages in `Only the listed roles` mode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listed {
    pub roles: BTreeSet<RoleId>,
    pub inventory: BTreeSet<MappedInventory>,
    pub applications: BTreeSet<String>,
}

pub fn listed(rules: &[MappingRule]) -> Listed {
    Listed {
        roles: rules
            .iter()
            .flat_map(|r| r.roles.iter().map(|m| m.role))
            .collect(),
        inventory: rules
            .iter()
            .flat_map(|r| r.inventory.iter().copied())
            .collect(),
        applications: rules
            .iter()
            .flat_map(|r| r.applications.iter().cloned())
            .collect(),
    }
}

/// Why a rule cannot be saved as written, or None.
pub fn problem(number: usize, rule: &MappingRule) -> Option<String> {
    if rule.conditions.is_empty() {
        return Some(format!("Rule {number} needs at least one condition."));
    }
    for condition in &rule.conditions {
        if condition.claim.trim().is_empty() {
            return Some(format!("Rule {number}: every condition needs a claim."));
        }
        if condition.claim.len() > 200 || condition.value.len() > MAX_PATTERN {
            return Some(format!("Rule {number}: a claim or value is too long."));
        }
        if condition.operator == Operator::Matches {
            if let Err(e) = pattern(&condition.value) {
                return Some(format!("Rule {number}: {e}"));
            }
        }
    }
    if rule.roles.is_empty() && rule.inventory.is_empty() && rule.applications.is_empty() {
        return Some(format!(
            "Rule {number} grants nothing: choose a role or an application."
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DeviceGroupId, InventoryRoleId, SpaceId};
    use serde_json::json;

    fn when(claim: &str, operator: Operator, value: &str) -> Condition {
        Condition {
            claim: claim.into(),
            operator,
            value: value.into(),
        }
    }

    fn claims() -> Value {
        json!({
            "sub": "dave-0001",
            "preferred_username": "sso.dave",
            "email": "dave@ops.example.com",
            "groups": ["operators", "night-shift"],
            "level": 3,
            "admin": false,
            "realm_access": { "roles": ["plant-operator"] },
            "https://example.com/dept": "Plant North"
        })
    }

    #[test]
    fn equals_compares_scalars_and_array_elements_whole() {
        let c = claims();
        assert!(holds(
            &when("preferred_username", Operator::Equals, "sso.dave"),
            &c
        ));
        assert!(!holds(
            &when("preferred_username", Operator::Equals, "sso"),
            &c
        ));
        assert!(holds(&when("groups", Operator::Equals, "operators"), &c));
        assert!(!holds(&when("groups", Operator::Equals, "operator"), &c));
        assert!(holds(&when("level", Operator::Equals, "3"), &c));
        assert!(holds(&when("admin", Operator::Equals, "false"), &c));
    }

    #[test]
    fn contains_is_an_element_of_an_array_and_a_substring_of_a_string() {
        let c = claims();
        assert!(holds(
            &when("groups", Operator::Contains, "night-shift"),
            &c
        ));
        assert!(
            !holds(&when("groups", Operator::Contains, "night"), &c),
            "an array contains whole elements only"
        );
        assert!(holds(&when("email", Operator::Contains, "@ops."), &c));
        assert!(!holds(&when("email", Operator::Contains, "@sales."), &c));
    }

    #[test]
    fn matches_is_a_whole_text_pattern_on_the_claim_or_any_element() {
        let c = claims();
        assert!(holds(
            &when("email", Operator::Matches, r".*@ops\.example\.com"),
            &c
        ));
        assert!(
            !holds(&when("email", Operator::Matches, "ops"), &c),
            "the pattern matches the whole text, not a part"
        );
        assert!(holds(&when("groups", Operator::Matches, "night-.*"), &c));
        assert!(!holds(&when("groups", Operator::Matches, "day-.*"), &c));
        assert!(
            !holds(&when("email", Operator::Matches, "(unclosed"), &c),
            "an invalid pattern matches nothing"
        );
    }

    #[test]
    fn missing_claims_objects_and_nested_paths() {
        let c = claims();
        for op in Operator::ALL {
            assert!(!holds(&when("department", *op, "x"), &c), "{op}: missing");
            assert!(
                !holds(&when("realm_access", *op, ".*"), &c),
                "{op}: an object"
            );
        }
        assert!(holds(
            &when("realm_access.roles", Operator::Contains, "plant-operator"),
            &c
        ));
        assert!(holds(
            &when("https://example.com/dept", Operator::Equals, "Plant North"),
            &c
        ));
        assert!(!holds(&when("sub", Operator::Equals, ""), &c));
    }

    #[test]
    fn every_condition_of_a_rule_must_hold_and_matching_rules_add_up() {
        let reader = MappedRole {
            role: RoleId(1),
            space: None,
        };
        let emea = MappedRole {
            role: RoleId(2),
            space: Some(SpaceId(7)),
        };
        let north = MappedInventory {
            role: InventoryRoleId(3),
            group: DeviceGroupId(4),
        };
        let rules = vec![
            MappingRule {
                conditions: vec![when("groups", Operator::Contains, "operators")],
                roles: vec![reader],
                inventory: vec![north],
                applications: vec![],
            },
            MappingRule {
                conditions: vec![
                    when("groups", Operator::Contains, "operators"),
                    when("email", Operator::Matches, ".*@sales\\..*"),
                ],
                roles: vec![emea],
                inventory: vec![],
                applications: vec![],
            },
            MappingRule {
                conditions: vec![when("groups", Operator::Equals, "night-shift")],
                roles: vec![reader],
                inventory: vec![],
                applications: vec![],
            },
            MappingRule {
                conditions: vec![],
                roles: vec![emea],
                inventory: vec![],
                applications: vec![],
            },
        ];
        let got = granted(&rules, &claims());
        assert_eq!(
            got.rules,
            vec![1, 3],
            "rule 2 fails one condition; rule 4 has none"
        );
        assert_eq!(got.roles, [reader].into());
        assert_eq!(got.inventory, [north].into());
        assert_eq!(
            granted(&rules, &json!({"groups": ["auditors"]})),
            Granted::default()
        );
        assert_eq!(listed(&rules).roles, [RoleId(1), RoleId(2)].into());
        assert!(problem(4, &rules[3]).is_some());
        assert!(problem(1, &rules[0]).is_none());
        let bad = MappingRule {
            conditions: vec![when("email", Operator::Matches, "(")],
            roles: vec![reader],
            inventory: vec![],
            applications: vec![],
        };
        assert!(problem(1, &bad).unwrap().contains("not a valid pattern"));
    }
}
