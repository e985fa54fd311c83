use rand::{rngs::StdRng, Rng, SeedableRng};

use super::*;
use crate::server::db::{tenants, Db};

async fn add(
    conn: &mut AnyConnection,
    tenant: TenantId,
    username: &str,
    name: &str,
    email: &str,
) -> UserId {
    let user = NewUser {
        username,
        display_name: name,
        email,
        password_hash: None,
        origin: Origin::Local,
        is_partner_admin: false,
    };
    insert(conn, tenant, &user, 0).await.unwrap()
}

/// Every row of a search, page by page, with the count each page gave.
async fn all_pages(
    conn: &mut AnyConnection,
    tenant: TenantId,
    query: &str,
    page_size: i64,
    count_limit: i64,
) -> (Vec<String>, Vec<(i64, bool)>) {
    let (mut names, mut counts) = (Vec::new(), Vec::new());
    for page in 0.. {
        let found = search_counting_to(
            conn,
            tenant,
            query,
            page * page_size,
            page_size,
            count_limit,
        )
        .await
        .unwrap();
        counts.push((found.total, found.more));
        let n = found.rows.len() as i64;
        names.extend(found.rows.into_iter().map(|u| u.username));
        if n < page_size {
            break;
        }
    }
    (names, counts)
}

#[tokio::test]
async fn search_pages_matches_and_treats_wildcards_literally() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let mut conn = db.pool.acquire().await.unwrap();
        let tenant = tenants::insert(&mut conn, "acme", "Acme", "iot", 0)
            .await
            .unwrap();
        let other = tenants::insert(&mut conn, "globex", "Globex", "iot", 0)
            .await
            .unwrap();
        for name in ["anna", "ann_b", "annex", "bob", "joanna"] {
            add(&mut conn, tenant, name, "", "").await;
        }
        add(&mut conn, other, "anneliese", "", "").await;
        let found = search(&mut conn, tenant, "ANN", 0, 2).await.unwrap();
        assert_eq!(
            (found.total, found.more),
            (4, false),
            "other tenants' users never match"
        );
        let names: Vec<_> = found.rows.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(names, vec!["ann_b", "anna"]);
        let found = search(&mut conn, tenant, "ann", 2, 2).await.unwrap();
        assert_eq!(
            found
                .rows
                .iter()
                .map(|u| u.username.as_str())
                .collect::<Vec<_>>(),
            vec!["annex", "joanna"]
        );
        let found = search(&mut conn, tenant, "n_b", 0, 10).await.unwrap();
        assert_eq!(
            (found.rows.len(), found.total),
            (1, 1),
            "_ is a literal underscore, not any character"
        );
        assert_eq!(
            search(&mut conn, tenant, "%", 0, 10).await.unwrap().total,
            0
        );
        assert_eq!(
            search(&mut conn, tenant, "\"ann", 0, 10)
                .await
                .unwrap()
                .total,
            0,
            "a quote is literal"
        );
    })
    .await;
}

/// The indexed search (trigram index, counting stopped at a limit, pages read from either end)
/// must find exactly what a plain scan finds: the same users, in the same order, on every page,
/// after inserts, renames and deletes, for short and long, dense and sparse, searches.
#[tokio::test]
async fn the_indexed_search_finds_exactly_what_a_scan_finds() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let mut conn = db.pool.acquire().await.unwrap();
        let tenant = tenants::insert(&mut conn, "acme", "Acme", "iot", 0)
            .await
            .unwrap();
        let other = tenants::insert(&mut conn, "globex", "Globex", "iot", 0)
            .await
            .unwrap();
        let mut rng = StdRng::seed_from_u64(13);
        let word = |rng: &mut StdRng, len: usize| -> String {
            (0..len)
                .map(|_| ['a', 'b', 'n', 'o', '.', 'X', '_', ' '][rng.gen_range(0..8)])
                .collect()
        };
        // (id, username, display name, email) as the model holds them.
        let mut model: Vec<(UserId, String, String, String)> = Vec::new();
        for i in 0..160 {
            let username = format!("{}{i}", word(&mut rng, 4).replace(' ', ""));
            let (name, email) = (word(&mut rng, 6), format!("{}@Ex.com", word(&mut rng, 3)));
            let id = add(&mut conn, tenant, &username, &name, &email).await;
            model.push((id, username, name, email));
            add(
                &mut conn,
                other,
                &format!("other{i}"),
                "anna bob",
                "ab@ex.com",
            )
            .await;
        }
        // Renames and deletes must reach the index in the same statement.
        for i in (0..160).step_by(7) {
            let name = word(&mut rng, 5);
            sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
                .bind(&name)
                .bind(model[i].0)
                .execute(&mut *conn)
                .await
                .unwrap();
            model[i].2 = name;
        }
        for i in (3..160).step_by(11).rev() {
            sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(model[i].0)
                .execute(&mut *conn)
                .await
                .unwrap();
            model.remove(i);
        }
        model.sort_by_key(|u| u.1.to_lowercase());
        let mut queries: Vec<String> = vec![
            "".into(),
            "a".into(),
            "an".into(),
            "ex.com".into(),
            "@".into(),
        ];
        for _ in 0..40 {
            let u = &model[rng.gen_range(0..model.len())];
            let field = [&u.1, &u.2, &u.3][rng.gen_range(0..3)].clone();
            let chars: Vec<char> = field.chars().collect();
            let len = rng.gen_range(1..=chars.len().min(6));
            let start = rng.gen_range(0..=chars.len() - len);
            queries.push(chars[start..start + len].iter().collect());
            let len = rng.gen_range(1..5);
            queries.push(word(&mut rng, len));
        }
        for query in &queries {
            let needle = query.trim().to_lowercase();
            let expected: Vec<String> = model
                .iter()
                .filter(|u| {
                    [&u.1, &u.2, &u.3]
                        .iter()
                        .any(|f| f.to_lowercase().contains(&needle))
                })
                .map(|u| u.1.clone())
                .collect();
            let n = expected.len() as i64;
            for (page_size, count_limit) in [(7, SEARCH_COUNT_LIMIT), (5, 12)] {
                let (names, counts) =
                    all_pages(&mut conn, tenant, query, page_size, count_limit).await;
                assert_eq!(
                    names, expected,
                    "{query:?}, pages of {page_size}, counting to {count_limit}"
                );
                let searched = !query.trim().is_empty();
                let (total, more) = if searched && n > count_limit {
                    (count_limit, true)
                } else {
                    (n, false)
                };
                assert!(
                    counts.iter().all(|c| *c == (total, more)),
                    "{query:?}: {counts:?}, expected {n}"
                );
            }
        }
    })
    .await;
}
