//! The same tenant as a casbin-rs RBAC model, for the comparison: users, user groups and global
//! roles are linked through `g`; devices, device groups and parents through `g2` (casbin-rs keeps
//! both in one role manager, so every name carries a prefix: `u`, `ug`, `r`, `d`, `dg`). A
//! policy is one inventory row of one assignment, or one inventory bit of a global role on `*`;
//! the matcher spells out Full access, All and `*` types as the index does.

use std::{collections::HashMap, sync::Arc};

use app::{
    model::{
        catalogue::{Catalogue, Grants},
        inventory_access::{bit, global_bits, Want, CHECKED},
    },
    server::index::Snapshot,
};
use casbin::{Adapter, CoreApi, DefaultModel, DefaultRoleManager, Enforcer, MemoryAdapter};

use crate::dataset::{Dataset, Question, Target};

/// The cheap string tests come first so that casbin only walks the role graph when they pass.
pub const MODEL: &str = r#"
[request_definition]
r = sub, obj, cat, lvl, typ

[policy_definition]
p = sub, obj, cat, lvl, typ

[role_definition]
g = _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = (p.typ == "*" || p.typ == r.typ) && (p.cat == r.cat || p.cat == "Full access") && (p.lvl == r.lvl || p.lvl == "All") && g(r.sub, p.sub) && (p.obj == "*" || g2(r.obj, p.obj))
"#;

pub struct Policies {
    pub p: Vec<Vec<String>>,
    pub g: Vec<Vec<String>>,
    pub g2: Vec<Vec<String>>,
}

fn rule(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| p.to_string()).collect()
}

/// Expands the snapshot into casbin rules. Space-bound global role assignments give no
/// inventory permission (SPEC rule 2 is about tenant-wide roles), so they have no link here.
pub fn policies(catalogue: &Catalogue, data: &Dataset) -> Policies {
    let s: &Snapshot = &data.snapshot;
    let mut p: Vec<Vec<String>> = Vec::new();
    let mut grants: HashMap<i64, Grants> = HashMap::new();
    for (role, t, l) in &s.role_grants {
        grants
            .entry(*role)
            .or_default()
            .entry(t.clone())
            .or_default()
            .insert(l.clone());
    }
    for (role, g) in &grants {
        let bits = global_bits(&catalogue.effective(g));
        for (c, category) in CHECKED.iter().enumerate() {
            for want in Want::BOTH {
                if bits & bit(c, want) != 0 {
                    p.push(rule(&[
                        &format!("r{role}"),
                        "*",
                        category,
                        want.label(),
                        "*",
                    ]));
                }
            }
        }
    }
    let mut rows: HashMap<i64, Vec<_>> = HashMap::new();
    for (role, row) in &s.tree.inventory_rows {
        rows.entry(*role).or_default().push(row);
    }
    for (user, role, group) in &s.tree.user_inventory {
        for row in rows.get(role).into_iter().flatten() {
            p.push(rule(&[
                &format!("u{user}"),
                &format!("dg{group}"),
                &row.category,
                &row.level,
                &row.fragment_type,
            ]));
        }
    }
    let mut g: Vec<Vec<String>> = Vec::new();
    for (group, user) in &s.members {
        g.push(rule(&[&format!("u{user}"), &format!("ug{group}")]));
    }
    for (user, role, _) in s.user_roles.iter().filter(|(_, _, space)| *space == 0) {
        g.push(rule(&[&format!("u{user}"), &format!("r{role}")]));
    }
    for (group, role, _) in s.group_roles.iter().filter(|(_, _, space)| *space == 0) {
        g.push(rule(&[&format!("ug{group}"), &format!("r{role}")]));
    }
    // Every device group gets a link (roots to `top`): casbin-rs scans all its nodes for a name
    // it has no node for, which would make checks on childless root groups needlessly slow.
    let mut g2: Vec<Vec<String>> = s
        .tree
        .device_groups
        .iter()
        .map(|(group, parent)| match parent {
            0 => rule(&[&format!("dg{group}"), "top"]),
            _ => rule(&[&format!("dg{group}"), &format!("dg{parent}")]),
        })
        .collect();
    g2.extend(
        data.devices
            .iter()
            .map(|(device, group)| rule(&[&format!("d{device}"), &format!("dg{group}")])),
    );
    // Sorted and without duplicates: casbin refuses a batch holding a rule twice, and a fixed
    // order keeps its first-match scan the same from run to run.
    for rules in [&mut p, &mut g] {
        rules.sort();
        rules.dedup();
    }
    Policies { p, g, g2 }
}

/// A ready enforcer. The role manager's depth limit (10 by default) must cover the longest link
/// chain: a device, then up to `max_depth` groups.
pub async fn enforcer(policies: Policies, max_depth: u32) -> casbin::Result<Enforcer> {
    let mut adapter = MemoryAdapter::default();
    adapter.add_policies("p", "p", policies.p).await?;
    adapter.add_policies("g", "g", policies.g).await?;
    adapter.add_policies("g", "g2", policies.g2).await?;
    let model = DefaultModel::from_str(MODEL).await?;
    let mut e = Enforcer::new_raw(model, adapter).await?;
    let levels = max_depth as usize + 2;
    e.set_role_manager(Arc::new(parking_lot::RwLock::new(DefaultRoleManager::new(
        levels,
    ))))?;
    e.load_policy().await?;
    Ok(e)
}

/// The request's subject and object as casbin names (built before the clock starts).
pub fn names(q: &Question) -> (String, String) {
    let obj = match q.target {
        Target::Group(g) => format!("dg{}", g.0),
        Target::Device(d) => format!("d{}", d.0),
    };
    (format!("u{}", q.user.0), obj)
}

pub fn ask(e: &Enforcer, q: &Question, sub: &str, obj: &str) -> casbin::Result<bool> {
    e.enforce((
        sub,
        obj,
        CHECKED[q.category],
        q.want.label(),
        q.fragment_type,
    ))
}
