//! Bounded fuzzing on stable Rust: each target mutates its committed seed corpus
//! (`app/fuzz-corpus/`) for `CASTELLAN_FUZZ_SECS` seconds (default 10) and feeds the results to
//! code that faces input from outside. A target fails on a panic, or on an answer its property
//! forbids, and prints the input so that it can join the corpus and become a test.
//!
//! - `templates`: template files as an operator or a partner might write them;
//! - `request_bodies`: server-function inputs as any client may send them, decoded and validated;
//! - `search_and_paging`: the users and groups lists' search text and page, against a database.

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    path::PathBuf,
    time::{Duration, Instant},
};

use rand::{rngs::StdRng, Rng, SeedableRng};

fn budget() -> Duration {
    let secs = std::env::var("CASTELLAN_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    Duration::from_secs(secs)
}

fn corpus(dir: &str) -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz-corpus")
        .join(dir);
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "{} has no seeds", root.display());
    seeds
}

/// One random change: flip, delete, duplicate or insert bytes, or splice in part of another seed.
fn mutate(rng: &mut StdRng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        let len = out.len().max(1);
        let at = rng.gen_range(0..len).min(out.len());
        match rng.gen_range(0..6) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.gen_range(0..8);
            }
            1 => {
                let end = (at + rng.gen_range(0..16)).min(out.len());
                out.drain(at..end);
            }
            2 => {
                let end = (at + rng.gen_range(0..64)).min(out.len());
                let piece = out[at..end].to_vec();
                out.splice(at..at, piece);
            }
            3 => {
                const TOKENS: [&[u8]; 12] = [
                    b"\"",
                    b"]",
                    b"[",
                    b"{",
                    b"}",
                    b",",
                    b"=",
                    b"\n",
                    b"-1",
                    b"9223372036854775807",
                    "\u{202e}".as_bytes(),
                    b"\\u0000",
                ];
                let token = TOKENS[rng.gen_range(0..TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
            4 if !other.is_empty() => {
                let start = rng.gen_range(0..other.len());
                let end = (start + rng.gen_range(1..128)).min(other.len());
                out.splice(at..at, other[start..end].iter().copied());
            }
            _ => out.insert(at, rng.gen()),
        }
    }
    out
}

/// Runs `check` on the seeds and then on mutants until the budget is spent; a panic fails the
/// test with the input that caused it. Returns how many inputs were tried.
fn run(seeds: &[(String, Vec<u8>)], seed: u64, mut check: impl FnMut(&[u8])) -> usize {
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let mut tried = 0;
    let mut attempt = |input: &[u8]| {
        if catch_unwind(AssertUnwindSafe(|| check(input))).is_err() {
            panic!(
                "fuzz input failed; add it to the corpus:\n{}",
                String::from_utf8_lossy(input).escape_debug()
            );
        }
    };
    for (_, input) in seeds {
        attempt(input);
        tried += 1;
    }
    while started.elapsed() < budget() {
        let a = &seeds[rng.gen_range(0..seeds.len())].1;
        let b = &seeds[rng.gen_range(0..seeds.len())].1;
        let input = mutate(&mut rng, a, b);
        attempt(&input);
        tried += 1;
    }
    tried
}

#[test]
fn templates() {
    use crate::server::templates::parse;
    let mut seeds = corpus("templates");
    for name in ["iot", "mdm", "migration", "analytics"] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("templates")
            .join(format!("{name}.toml"));
        seeds.push((name.into(), std::fs::read(path).unwrap()));
    }
    let tried = run(&seeds, 1, |input| {
        let text = String::from_utf8_lossy(input);
        match parse("fuzz.toml", &text) {
            Ok(template) => {
                // What the loader accepts is consistent: every role grants known cells.
                for role in &template.roles {
                    assert!(template.catalogue.unknown_grant(&role.grants).is_none());
                }
            }
            Err(error) => assert!(error.line >= 1, "errors point at a line"),
        }
    });
    eprintln!("templates: {tried} inputs");
}

#[test]
fn request_bodies() {
    use crate::model::{
        inventory::{overridden, row_problem, InventoryRoleInput},
        roles::RoleInput,
        users::{display_name_problem, email_problem, username_problem, NewUserInput, UserUpdate},
        wizard::{change_for, unmet_requirement, Assignment, WizardRequest},
    };
    use std::collections::BTreeSet;
    let templates = crate::server::templates::Templates::load().unwrap();
    let catalogue = &templates.get("iot").unwrap().catalogue;
    let seeds = corpus("requests");
    let tried = run(&seeds, 2, |input| {
        if let Ok(request) = serde_json::from_slice::<WizardRequest>(input) {
            let plan: BTreeSet<Assignment> = request.assignments.iter().copied().collect();
            let current: BTreeSet<Assignment> = plan.iter().take(1).copied().collect();
            let (added, removed) = change_for(request.mode, &current, &plan);
            assert!(added.iter().all(|a| plan.contains(a)));
            assert!(removed.iter().all(|a| current.contains(a)));
            let requirements: Vec<_> = plan.iter().map(|(r, _)| (*r, *r)).collect();
            let _ = unmet_requirement(&requirements, &plan);
            let _ = crate::server::domain::checked_count("subjects", request.subjects.len());
        }
        if let Ok(role) = serde_json::from_slice::<RoleInput>(input) {
            let _ = catalogue.unknown_grant(&role.grants);
            let effective = catalogue.effective(&role.grants);
            for (t, levels) in &role.grants {
                // Implications only ever add: what was ticked stays granted.
                if catalogue.permission(t).is_some() {
                    for l in levels.iter().filter(|l| catalogue.levels.contains(l)) {
                        assert!(effective.get(t).is_some_and(|e| e.contains(l)), "{t} {l}");
                    }
                }
            }
            let _ = crate::server::domain::checked_description(&role.description);
        }
        if let Ok(role) = serde_json::from_slice::<InventoryRoleInput>(input) {
            for row in &role.rows {
                let _ = row_problem(row);
            }
            assert_eq!(overridden(&role.rows).len(), role.rows.len());
        }
        if let Ok(user) = serde_json::from_slice::<NewUserInput>(input) {
            if username_problem(&user.username).is_none() {
                assert!(user.username.trim().is_ascii(), "{:?}", user.username);
            }
            let _ = (
                email_problem(&user.email),
                display_name_problem(&user.display_name),
            );
        }
        if let Ok(update) = serde_json::from_slice::<UserUpdate>(input) {
            let _ = (
                email_problem(&update.email),
                display_name_problem(&update.display_name),
            );
        }
    });
    eprintln!("request bodies: {tried} inputs");
}

#[tokio::test]
async fn search_and_paging() {
    use crate::{
        model::AppError,
        server::domain::{groups, testing::fixture, user_pages},
    };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fuzz.db").display());
    let db = crate::server::db::Db::open(&url).await.unwrap();
    let f = fixture(&db, "acme").await;
    for name in ["anna", "ann_b", "bob%", "zoe"] {
        f.user(&db, name).await;
    }
    let admin = f.actor(&db, f.admin).await;
    let seeds = corpus("paging");
    let lines: Vec<(String, Vec<u8>)> = seeds
        .iter()
        .flat_map(|(name, bytes)| {
            bytes
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .map(move |l| (name.clone(), l.to_vec()))
        })
        .collect();
    // Database calls are slower than the other targets: mutate as the budget allows, in order.
    let mut rng = StdRng::seed_from_u64(3);
    let started = Instant::now();
    let mut tried = 0;
    while tried < lines.len() || started.elapsed() < budget() {
        let input = if tried < lines.len() {
            lines[tried].1.clone()
        } else {
            let a = &lines[rng.gen_range(0..lines.len())].1;
            let b = &lines[rng.gen_range(0..lines.len())].1;
            mutate(&mut rng, a, b)
        };
        tried += 1;
        let text = String::from_utf8_lossy(&input);
        let (query, page) = text.split_once('\t').unwrap_or((&text, "1"));
        let page: i64 = page.trim().parse().unwrap_or(1);
        let users = user_pages::list_page(&db, &admin, query, page, None).await;
        let mut conn = db.pool.acquire().await.unwrap();
        let groups = groups::list(&mut conn, &admin, query, page).await;
        drop(conn);
        for outcome in [
            users.map(|p| (p.page, p.total)),
            groups.map(|p| (p.page, p.total)),
        ] {
            match outcome {
                Ok((shown, total)) => assert!(shown >= 1 && total >= 0, "{text:?}"),
                Err(AppError::Validation { .. }) => {}
                Err(other) => panic!("{text:?} gave {other:?}; add it to the corpus"),
            }
        }
    }
    eprintln!("search and paging: {tried} inputs");
}
