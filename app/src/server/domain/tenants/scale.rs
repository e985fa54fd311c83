//! `server seed --tenant <id> --size S|M|L` (SPEC section 7): a new `iot` tenant filled with
//! realistically shaped data, for measuring the console at scale. L is 100,000 users, 10,000
//! user groups, 5,000 roles, 500,000 assignments and 10,000 device groups up to 10 deep; M is a
//! tenth of that and S a hundredth. The same tenant id and size always give the same data.

use std::collections::HashMap;

use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};

use super::{create_in, NewTenant};
use crate::{
    model::{AppError, AppResult, TenantId},
    server::{
        auth::password,
        db::{bulk, bulk::Value, Db},
        templates::Templates,
        unix_now,
    },
};

pub const TEMPLATE: &str = "iot";
pub const ADMIN: &str = "admin";
pub const PASSWORD: &str = "Castellan-demo-1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    S,
    M,
    L,
}

impl std::str::FromStr for Size {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text.to_ascii_uppercase().as_str() {
            "S" => Ok(Size::S),
            "M" => Ok(Size::M),
            "L" => Ok(Size::L),
            _ => Err(format!("size must be S, M or L, not '{text}'")),
        }
    }
}

/// How many of each a size holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub users: usize,
    pub groups: usize,
    pub roles: usize,
    pub assignments: usize,
    pub device_groups: usize,
    /// Members of the one large group (`All Field Staff`).
    pub large_group: usize,
    /// Holders of the one widely held role (`Fleet Operator`).
    pub wide_role_holders: usize,
    /// Devices in the one large device group (`Central Warehouse`).
    pub warehouse_devices: usize,
}

impl Size {
    pub fn shape(self) -> Shape {
        let divisor = match self {
            Size::L => 1,
            Size::M => 10,
            Size::S => 100,
        };
        Shape {
            users: 100_000 / divisor,
            groups: 10_000 / divisor,
            roles: 5_000 / divisor,
            assignments: 500_000 / divisor,
            device_groups: 10_000 / divisor,
            large_group: 10_000 / divisor,
            wide_role_holders: 50_000 / divisor,
            warehouse_devices: 10_000 / divisor,
        }
    }
}

/// What was written, for the operator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub users: u64,
    pub groups: u64,
    pub memberships: u64,
    pub roles: u64,
    pub assignments: u64,
    pub device_groups: u64,
    pub devices: u64,
}

const DEPTH: usize = 10;
const SPACES: [&str; 3] = ["EMEA", "Americas", "APAC"];
const FIRST: [&str; 40] = [
    "anna", "ben", "chloe", "david", "elena", "felix", "grace", "hugo", "ines", "jonas", "kira",
    "liam", "maya", "noah", "olga", "paul", "quinn", "rosa", "sam", "tara", "umar", "vera", "will",
    "xenia", "yusuf", "zoe", "amir", "bea", "carlos", "dana", "emil", "fatima", "georg", "hana",
    "ivan", "julia", "kai", "lena", "marco", "nina",
];
const LAST: [&str; 40] = [
    "schmidt",
    "nguyen",
    "garcia",
    "muller",
    "rossi",
    "kowalski",
    "tanaka",
    "silva",
    "novak",
    "jensen",
    "dubois",
    "kim",
    "haddad",
    "okafor",
    "larsen",
    "ivanova",
    "costa",
    "meyer",
    "sato",
    "olsen",
    "fischer",
    "moreau",
    "petrov",
    "lopez",
    "weber",
    "yilmaz",
    "bauer",
    "horvat",
    "santos",
    "berg",
    "wagner",
    "lindqvist",
    "popescu",
    "brennan",
    "koch",
    "ferrari",
    "hansen",
    "murphy",
    "andersen",
    "richter",
];
const TEAMS: [&str; 12] = [
    "Operations",
    "Field Service",
    "Maintenance",
    "Quality",
    "Logistics",
    "Engineering",
    "Support",
    "Security",
    "Analytics",
    "Installations",
    "Procurement",
    "Compliance",
];
const CITIES: [&str; 16] = [
    "Berlin", "Lyon", "Osaka", "Porto", "Austin", "Leeds", "Gdansk", "Turin", "Bergen", "Seoul",
    "Lagos", "Quito", "Perth", "Brno", "Cork", "Graz",
];

/// Creates tenant `slug` and fills it to `size`, all in one transaction: a failure leaves nothing.
/// Refuses a tenant id that exists.
pub async fn seed(db: &Db, templates: &Templates, slug: &str, size: Size) -> AppResult<Written> {
    let new = NewTenant {
        slug,
        name: &format!("Scale test {slug} ({size:?})"),
        template: TEMPLATE,
        admin_username: ADMIN,
        admin_password: PASSWORD,
    };
    super::validate(&new, templates)?;
    let hash = password::hash_blocking(PASSWORD.to_owned()).await?;
    let shape = size.shape();
    let mut rng = StdRng::seed_from_u64(
        slug.bytes()
            .fold(shape.users as u64, |h, b| h.wrapping_mul(31) ^ u64::from(b)),
    );
    let mut tx = db.pool.begin().await?;
    let (tenant, _) = create_in(&mut tx, templates, &new, &hash).await?;
    let now = unix_now();
    let mut fill = Fill {
        conn: &mut tx,
        tenant,
        now,
        shape,
        written: Written::default(),
    };
    let people = fill.users(&mut rng, &hash).await?;
    let users: Vec<i64> = people.iter().map(|(id, _)| *id).collect();
    let spaces = fill.spaces().await?;
    let roles = fill.roles(&mut rng, templates).await?;
    let groups = fill.groups(&mut rng, &people).await?;
    let tree = fill.device_tree(&mut rng).await?;
    fill.assignments(&mut rng, &users, &groups, &roles, &spaces, &tree)
        .await?;
    let written = fill.written;
    // The guard's journal of what was touched: the first guarded write reads the whole new
    // tenant anyway, so the seed's million rows need not stay there.
    crate::server::db::tenant_facts::clear_journal(&mut tx, tenant).await?;
    tx.commit().await?;
    // The planner's statistics: without them, after a bulk load, PostgreSQL guesses row counts
    // and may walk a 100,000-row index for a search that matches a thousand rows. VACUUM also
    // marks the pages all-visible, so that index-only scans need not visit the rows (what
    // autovacuum would do a little later). Outside the transaction: VACUUM cannot run inside one.
    let statistics = match db.backend {
        crate::server::db::Backend::Sqlite => "ANALYZE",
        crate::server::db::Backend::Postgres => "VACUUM (ANALYZE)",
    };
    sqlx::raw_sql(statistics).execute(&db.pool).await?;
    Ok(written)
}

/// The custom roles, by kind.
struct Roles {
    /// Cross-space roles; the first is `Fleet Operator`, held widely.
    cross: Vec<i64>,
    space_bound: Vec<i64>,
}

struct Fill<'c> {
    conn: &'c mut sqlx::AnyConnection,
    tenant: TenantId,
    now: i64,
    shape: Shape,
    written: Written,
}

impl Fill<'_> {
    fn t(&self) -> Value {
        Value::Int(self.tenant.0)
    }

    /// The users' ids and usernames, in the order written.
    async fn users(&mut self, rng: &mut StdRng, hash: &str) -> AppResult<Vec<(i64, String)>> {
        let mut rows = Vec::with_capacity(self.shape.users);
        let mut names = Vec::with_capacity(self.shape.users);
        for i in 0..self.shape.users {
            let (first, last) = (FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()]);
            let round = i / (FIRST.len() * LAST.len());
            let suffix = if round == 0 {
                String::new()
            } else {
                round.to_string()
            };
            let device = i % 50 == 49;
            let username = if device {
                format!("device_{:06}", i)
            } else if i < 20 {
                format!("power.user{:02}", i + 1)
            } else {
                format!("{first}.{last}{suffix}")
            };
            let display = if device {
                format!("Device {i:06}")
            } else {
                format!("{} {}", capital(first), capital(last))
            };
            let status = if rng.gen_ratio(3, 100) {
                "disabled"
            } else {
                "active"
            };
            rows.push(vec![
                self.t(),
                username.clone().into(),
                display.into(),
                format!("{username}@example.com").into(),
                hash.into(),
                status.into(),
                if device { "device" } else { "human" }.into(),
                self.now.into(),
            ]);
            names.push(username);
        }
        let columns = [
            "tenant_id",
            "username",
            "display_name",
            "email",
            "password_hash",
            "status",
            "kind",
            "created_at",
        ];
        self.written.users = bulk::insert(self.conn, "users", &columns, &rows).await?;
        let ids = bulk::ids_by(self.conn, "users", "username", self.tenant).await?;
        names
            .into_iter()
            .map(|n| Ok((id_of(&ids, &n)?, n)))
            .collect()
    }

    async fn spaces(&mut self) -> AppResult<Vec<i64>> {
        let rows: Vec<Vec<Value>> = SPACES
            .iter()
            .map(|name| vec![self.t(), (*name).into(), 0.into(), self.now.into()])
            .collect();
        let columns = ["tenant_id", "name", "is_default", "created_at"];
        bulk::insert(self.conn, "spaces", &columns, &rows).await?;
        let ids = bulk::ids_by(self.conn, "spaces", "name", self.tenant).await?;
        SPACES.iter().map(|n| id_of(&ids, n)).collect()
    }

    async fn roles(&mut self, rng: &mut StdRng, templates: &Templates) -> AppResult<Roles> {
        let template = templates.get(TEMPLATE).ok_or(AppError::Internal)?;
        let cells: Vec<(String, String)> = template
            .catalogue
            .modules
            .iter()
            .flat_map(|m| &m.permissions)
            .flat_map(|p| p.levels.iter().map(|l| (p.name.clone(), l.clone())))
            .collect();
        let space_bound = (self.shape.roles / 100).max(1);
        let mut names = Vec::with_capacity(self.shape.roles);
        let mut rows = Vec::with_capacity(self.shape.roles);
        for i in 0..self.shape.roles {
            let (name, scope) = if i == 0 {
                ("Fleet Operator".to_owned(), "cross-space")
            } else if i <= space_bound {
                (
                    format!("{} in space {i:04}", TEAMS[i % TEAMS.len()]),
                    "space-bound",
                )
            } else {
                let city = CITIES[(i / TEAMS.len()) % CITIES.len()];
                (
                    format!("{} {city} {i:04}", TEAMS[i % TEAMS.len()]),
                    "cross-space",
                )
            };
            rows.push(vec![
                self.t(),
                name.clone().into(),
                format!("Seeded role {i} for scale tests.").into(),
                "user".into(),
                scope.into(),
                self.now.into(),
                self.now.into(),
            ]);
            names.push((name, scope));
        }
        let columns = [
            "tenant_id",
            "name",
            "description",
            "audience",
            "scope",
            "created_at",
            "updated_at",
        ];
        self.written.roles = bulk::insert(self.conn, "roles", &columns, &rows).await?;
        let ids = bulk::ids_by(self.conn, "roles", "name", self.tenant).await?;
        let mut roles = Roles {
            cross: Vec::new(),
            space_bound: Vec::new(),
        };
        let mut grants = Vec::new();
        for (name, scope) in &names {
            let id = id_of(&ids, name)?;
            let count = rng.gen_range(2..=8);
            for (perm_type, level) in cells.choose_multiple(rng, count) {
                grants.push(vec![
                    self.t(),
                    id.into(),
                    perm_type.as_str().into(),
                    level.as_str().into(),
                ]);
            }
            match *scope {
                "space-bound" => roles.space_bound.push(id),
                _ => roles.cross.push(id),
            }
        }
        let columns = ["tenant_id", "role_id", "perm_type", "level"];
        bulk::insert(self.conn, "role_grants", &columns, &grants).await?;
        Ok(roles)
    }

    /// User groups: one of `large_group` members, the others of 2 to 20.
    async fn groups(&mut self, rng: &mut StdRng, users: &[(i64, String)]) -> AppResult<Vec<i64>> {
        let names: Vec<String> = (0..self.shape.groups)
            .map(|i| {
                if i == 0 {
                    "All Field Staff".to_owned()
                } else {
                    let city = CITIES[i % CITIES.len()];
                    format!("{city} {} {i:05}", TEAMS[(i / CITIES.len()) % TEAMS.len()])
                }
            })
            .collect();
        let rows: Vec<Vec<Value>> = names
            .iter()
            .map(|n| vec![self.t(), n.as_str().into(), self.now.into()])
            .collect();
        let columns = ["tenant_id", "name", "created_at"];
        self.written.groups = bulk::insert(self.conn, "user_groups", &columns, &rows).await?;
        let ids = bulk::ids_by(self.conn, "user_groups", "name", self.tenant).await?;
        let groups: Vec<i64> = names
            .iter()
            .map(|n| id_of(&ids, n))
            .collect::<AppResult<_>>()?;
        let mut members = Vec::new();
        for (i, group) in groups.iter().enumerate() {
            let chosen: Vec<&(i64, String)> = if i == 0 {
                users.iter().take(self.shape.large_group).collect()
            } else {
                let count = rng.gen_range(2..=20);
                users.choose_multiple(rng, count).collect()
            };
            for (user, username) in chosen {
                members.push(vec![
                    self.t(),
                    (*group).into(),
                    (*user).into(),
                    username.as_str().into(),
                ]);
            }
        }
        let columns = ["tenant_id", "group_id", "user_id", "username"];
        self.written.memberships =
            bulk::insert(self.conn, "group_members", &columns, &members).await?;
        Ok(groups)
    }

    /// Device groups up to `DEPTH` deep under a few regions, written a level at a time (children
    /// need their parent's id), and devices: `warehouse_devices` in `Central Warehouse`, three in
    /// each other group.
    async fn device_tree(&mut self, rng: &mut StdRng) -> AppResult<Vec<i64>> {
        let total = self.shape.device_groups;
        // depth[i] and parent[i] (an index into the nodes) of each node, planned first.
        let mut depth = Vec::with_capacity(total);
        let mut parent: Vec<Option<usize>> = Vec::with_capacity(total);
        let roots = (total / 500).clamp(2, 20);
        for _ in 0..roots {
            depth.push(0);
            parent.push(None);
        }
        // One chain reaches the full depth; the rest hang under random shallower nodes.
        for d in 1..DEPTH.min(total.saturating_sub(roots) + 1) {
            parent.push(Some(if d == 1 { 0 } else { depth.len() - 1 }));
            depth.push(d);
        }
        while depth.len() < total {
            let p = rng.gen_range(0..depth.len());
            if depth[p] + 1 < DEPTH {
                parent.push(Some(p));
                depth.push(depth[p] + 1);
            }
        }
        let name = |i: usize| -> String {
            match i {
                0 => "Central Warehouse".to_owned(),
                i if depth[i] == 0 => format!("Region {} {i}", CITIES[i % CITIES.len()]),
                i => format!("Site {} {i:05}", CITIES[i % CITIES.len()]),
            }
        };
        let mut ids = vec![0_i64; total];
        let columns = ["tenant_id", "parent_id", "name", "created_at"];
        for level in 0..DEPTH {
            let nodes: Vec<usize> = (0..total).filter(|&i| depth[i] == level).collect();
            let rows: Vec<Vec<Value>> = nodes
                .iter()
                .map(|&i| {
                    let parent_id = parent[i].map_or(0, |p| ids[p]);
                    vec![self.t(), parent_id.into(), name(i).into(), self.now.into()]
                })
                .collect();
            self.written.device_groups +=
                bulk::insert(self.conn, "device_groups", &columns, &rows).await?;
            let by_name = bulk::ids_by(self.conn, "device_groups", "name", self.tenant).await?;
            for i in nodes {
                ids[i] = id_of(&by_name, &name(i))?;
            }
        }
        let mut devices = Vec::new();
        for (i, group) in ids.iter().enumerate() {
            let count = if i == 0 {
                self.shape.warehouse_devices
            } else {
                3
            };
            for d in 0..count {
                devices.push(vec![
                    self.t(),
                    (*group).into(),
                    format!("sensor-{i:05}-{d:05}").into(),
                    self.now.into(),
                ]);
            }
        }
        let columns = ["tenant_id", "group_id", "name", "created_at"];
        self.written.devices = bulk::insert(self.conn, "devices", &columns, &devices).await?;
        Ok(ids)
    }

    /// `assignments` in all: the wide role, power users with 300 roles each, space-bound roles
    /// in spaces, two roles per group, inventory roles on device groups, and the rest spread over
    /// every user, skewed so that some roles are far more popular than others.
    async fn assignments(
        &mut self,
        rng: &mut StdRng,
        users: &[i64],
        groups: &[i64],
        roles: &Roles,
        spaces: &[i64],
        tree: &[i64],
    ) -> AppResult<()> {
        let shape = self.shape;
        let mut user_roles: Vec<(i64, i64, i64)> = Vec::new();
        let wide = roles.cross[0];
        for user in users.iter().skip(20).take(shape.wide_role_holders) {
            user_roles.push((*user, wide, 0));
        }
        for user in users.iter().take(20) {
            for role in roles.cross.iter().skip(1).take(300) {
                user_roles.push((*user, *role, 0));
            }
        }
        for user in users.iter().skip(20).step_by(10) {
            let role = *roles.space_bound.choose(rng).ok_or(AppError::Internal)?;
            let space = *spaces.choose(rng).ok_or(AppError::Internal)?;
            user_roles.push((*user, role, space));
        }
        let others = &roles.cross[1..];
        let mut group_roles = Vec::new();
        for group in groups {
            for role in others.choose_multiple(rng, 2) {
                group_roles.push(vec![self.t(), (*group).into(), (*role).into(), 0.into()]);
            }
        }
        let inventory_roles = bulk::ids_by(self.conn, "inventory_roles", "name", self.tenant)
            .await?
            .into_values()
            .collect::<Vec<_>>();
        let inventory_count = shape.assignments * 12 / 100;
        let mut inventory = std::collections::HashSet::new();
        while inventory.len() < inventory_count {
            let user = *users.choose(rng).ok_or(AppError::Internal)?;
            let role = *inventory_roles.choose(rng).ok_or(AppError::Internal)?;
            let group = *tree.choose(rng).ok_or(AppError::Internal)?;
            inventory.insert((user, role, group));
        }
        let fixed = user_roles.len() + group_roles.len() + inventory.len();
        let mut held: std::collections::HashSet<(i64, i64, i64)> =
            user_roles.iter().copied().collect();
        while held.len() + group_roles.len() + inventory.len() < shape.assignments.max(fixed) {
            let user = *users.choose(rng).ok_or(AppError::Internal)?;
            // Squaring a uniform number favours the first roles: a few are held by thousands.
            let u: f64 = rng.r#gen();
            let role = others[((u * u) * others.len() as f64) as usize % others.len()];
            held.insert((user, role, 0));
        }
        let rows: Vec<Vec<Value>> = held
            .into_iter()
            .map(|(u, r, s)| vec![self.t(), u.into(), r.into(), s.into()])
            .collect();
        let columns = ["tenant_id", "user_id", "role_id", "space_id"];
        let mut total = bulk::insert(self.conn, "user_roles", &columns, &rows).await?;
        let columns = ["tenant_id", "group_id", "role_id", "space_id"];
        total += bulk::insert(self.conn, "group_roles", &columns, &group_roles).await?;
        let rows: Vec<Vec<Value>> = inventory
            .into_iter()
            .map(|(u, r, g)| vec![self.t(), u.into(), r.into(), g.into()])
            .collect();
        let columns = ["tenant_id", "user_id", "role_id", "group_id"];
        total += bulk::insert(self.conn, "user_inventory_roles", &columns, &rows).await?;
        self.written.assignments = total;
        Ok(())
    }
}

fn id_of(ids: &HashMap<String, i64>, name: &str) -> AppResult<i64> {
    ids.get(name).copied().ok_or(AppError::Internal)
}

fn capital(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
