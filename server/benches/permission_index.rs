//! Issue 5: the permission index on dataset L, and casbin-rs answering the same questions on the
//! same model in the same run. `cargo bench -p server --features bench-casbin --bench
//! permission_index`. Environment: `CASBIN_SECONDS` (default 120) bounds the time spent asking
//! casbin, `CASBIN_QUESTIONS` (default 10000) the number of questions asked.

#[path = "permission_index/casbin_side.rs"]
mod casbin_side;
#[path = "permission_index/dataset.rs"]
mod dataset;

use std::{
    alloc::{GlobalAlloc, Layout, System},
    hint::black_box,
    sync::atomic::{AtomicUsize, Ordering::Relaxed},
    time::{Duration, Instant},
};

use app::server::{
    index::{Epoch, PermissionIndex},
    templates::Templates,
};
use dataset::{Dataset, Question};

/// System's allocator, counting bytes so that the index's own memory can be read off.
struct Counting;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static FREED: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        FREED.fetch_add(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        FREED.fetch_add(layout.size(), Relaxed);
        ALLOCATED.fetch_add(new_size, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes held now (allocated minus freed since the start).
fn live() -> isize {
    ALLOCATED.load(Relaxed) as isize - FREED.load(Relaxed) as isize
}

const QUESTIONS: usize = 200_000;
const BATCH: usize = 16;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The value at quantile `q` of sorted nanoseconds.
fn at(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn mib(bytes: isize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn ask(index: &PermissionIndex, q: &Question) -> bool {
    index.allows(q.user, q.group, q.category, q.fragment_type, q.want)
}

fn main() {
    let templates = Templates::load().expect("the built-in templates load");
    let catalogue = &templates
        .get("iot")
        .expect("the iot template exists")
        .catalogue;
    let started = Instant::now();
    let data = dataset::generate(catalogue);
    println!("dataset generated in {}", ms(started.elapsed()));

    let mut builds = Vec::new();
    let mut memory = 0;
    let mut index = PermissionIndex::default();
    for _ in 0..3 {
        drop(std::mem::take(&mut index));
        let before = live();
        let started = Instant::now();
        index = PermissionIndex::build(catalogue, &data.snapshot, Epoch::default());
        builds.push(started.elapsed());
        memory = live() - before;
    }
    builds.sort();
    dataset::print_composition(&data);

    let questions = dataset::questions(&data, QUESTIONS, 7);
    let answers: Vec<bool> = questions.iter().map(|q| ask(&index, q)).collect();
    let allowed = answers.iter().filter(|a| **a).count();

    let timer = sorted(
        (0..QUESTIONS)
            .map(|_| {
                let t = Instant::now();
                black_box(t.elapsed().as_nanos() as f64)
            })
            .collect(),
    );
    let single = sorted(
        questions
            .iter()
            .map(|q| {
                let t = Instant::now();
                black_box(ask(&index, black_box(q)));
                t.elapsed().as_nanos() as f64
            })
            .collect(),
    );
    let batched = sorted(
        questions
            .chunks_exact(BATCH)
            .map(|chunk| {
                let t = Instant::now();
                for q in chunk {
                    black_box(ask(&index, black_box(q)));
                }
                t.elapsed().as_nanos() as f64 / BATCH as f64
            })
            .collect(),
    );
    let started = Instant::now();
    for q in &questions {
        black_box(ask(&index, black_box(q)));
    }
    let loop_time = started.elapsed();
    let per_check = loop_time.as_nanos() as f64 / QUESTIONS as f64;

    println!("\n## Permission index");
    println!("| measure | value |\n| --- | ---: |");
    println!(
        "| build (median of 3: {}) | {} |",
        builds.iter().map(|b| ms(*b)).collect::<Vec<_>>().join(", "),
        ms(builds[1])
    );
    println!(
        "| memory of the built index (allocated minus freed) | {} |",
        mib(memory)
    );
    println!("| questions / allowed | {QUESTIONS} / {allowed} |");
    println!(
        "| timer overhead (empty Instant pair) p50 | {:.0} ns |",
        at(&timer, 0.5)
    );
    println!(
        "| check, each timed alone: p50 / p99 / p99.9 / max | {:.0} / {:.0} / {:.0} / {:.0} ns |",
        at(&single, 0.5),
        at(&single, 0.99),
        at(&single, 0.999),
        at(&single, 1.0)
    );
    println!(
        "| check, batches of {BATCH} / {BATCH}: p50 / p99 / p99.9 | {:.0} / {:.0} / {:.0} ns |",
        at(&batched, 0.5),
        at(&batched, 0.99),
        at(&batched, 0.999)
    );
    println!(
        "| throughput (one thread, untimed loop) | {:.2} M checks/s ({per_check:.0} ns each) |",
        1e3 / per_check
    );

    let (mismatches, speed_up) = casbin_run(catalogue, &data, &index, &questions, &answers);
    let p99 = at(&single, 0.99);
    println!("\n## Targets");
    println!("| target | measured | met |\n| --- | --- | --- |");
    println!(
        "| build <= 2 s | {} | {} |",
        ms(builds[1]),
        builds[1] <= Duration::from_secs(2)
    );
    println!(
        "| p99 <= 1 us (each timed alone) | {p99:.0} ns | {} |",
        p99 <= 1000.0
    );
    println!(
        "| >= 20x faster than casbin-rs (p50) | {speed_up:.0}x | {} |",
        speed_up >= 20.0
    );
    if mismatches > 0 {
        eprintln!("casbin and the index disagree: see the mismatches above");
        std::process::exit(1);
    }
}

/// Builds casbin on the same data, asks it a sample of the questions until the time bound, and
/// compares every answer with the index's. Returns the count of differing answers and the
/// index's speed-up at p50.
fn casbin_run(
    catalogue: &app::model::catalogue::Catalogue,
    data: &Dataset,
    index: &PermissionIndex,
    questions: &[Question],
    answers: &[bool],
) -> (usize, f64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let budget = Duration::from_secs(env_or("CASBIN_SECONDS", 120));
    let limit = env_or("CASBIN_QUESTIONS", 10_000) as usize;

    let before = live();
    let started = Instant::now();
    let policies = casbin_side::policies(catalogue, &data);
    let expanded = started.elapsed();
    let counts = (policies.p.len(), policies.g.len(), policies.g2.len());
    let started = Instant::now();
    let enforcer = runtime
        .block_on(casbin_side::enforcer(policies, dataset::MAX_DEPTH))
        .expect("casbin builds the enforcer");
    let loaded = started.elapsed();
    let memory = live() - before;

    let mut times = Vec::new();
    let mut index_times = Vec::new();
    let mut mismatches = Vec::new();
    let mut allowed = 0;
    let started = Instant::now();
    for (q, expected) in questions.iter().zip(answers).take(limit) {
        if started.elapsed() > budget {
            break;
        }
        let (sub, obj) = casbin_side::names(q);
        let t = Instant::now();
        let got = casbin_side::ask(&enforcer, q, &sub, &obj).expect("casbin answers");
        times.push(t.elapsed().as_nanos() as f64);
        let t = Instant::now();
        black_box(ask(index, black_box(q)));
        index_times.push(t.elapsed().as_nanos() as f64);
        allowed += usize::from(got);
        if got != *expected {
            mismatches.push((q, got, *expected));
        }
    }
    let asked = times.len();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (casbin_mean, index_mean) = (mean(&times), mean(&index_times));
    let (times, index_times) = (sorted(times), sorted(index_times));

    println!("\n## casbin-rs on the same model");
    println!("| measure | value |\n| --- | ---: |");
    println!(
        "| policies p / g / g2 | {} / {} / {} |",
        counts.0, counts.1, counts.2
    );
    println!(
        "| build: expand rules / load into enforcer (role links, max level {}) | {} / {} |",
        dataset::MAX_DEPTH + 2,
        ms(expanded),
        ms(loaded)
    );
    println!(
        "| memory (rules and enforcer, allocated minus freed) | {} |",
        mib(memory)
    );
    println!("| questions asked (first of the index's, bound {} s or {limit}) / allowed | {asked} / {allowed} |", budget.as_secs());
    println!(
        "| check p50 / p99 / max | {} / {} / {} |",
        ms(Duration::from_nanos(at(&times, 0.5) as u64)),
        ms(Duration::from_nanos(at(&times, 0.99) as u64)),
        ms(Duration::from_nanos(at(&times, 1.0) as u64))
    );
    println!(
        "| index on the same questions p50 / mean | {:.0} / {:.0} ns |",
        at(&index_times, 0.5),
        index_mean
    );
    let speed_up = at(&times, 0.5) / at(&index_times, 0.5);
    println!(
        "| speed-up of the index: p50 / mean | {speed_up:.0}x / {:.0}x |",
        casbin_mean / index_mean
    );
    println!(
        "| answers that differ from the index's | {} |",
        mismatches.len()
    );
    for (q, got, expected) in mismatches.iter().take(20) {
        println!("mismatch: {q:?}: casbin {got}, index {expected}");
    }
    (mismatches.len(), speed_up)
}
