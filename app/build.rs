//! `sqlx::migrate!` reads `migrations/` when the crate compiles, and on stable Rust cargo does not
//! know that: a new migration alone would not rebuild the crate, and the server would run
//! without it. This tells cargo to rebuild when a migration is added or changed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
