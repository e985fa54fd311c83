#![recursion_limit = "512"]
use std::{io::BufRead, process::ExitCode, sync::Arc};

use clap::Parser;
use tracing_subscriber::EnvFilter;

use app::server::{auth::SessionPolicy, db::Db, domain, templates::Templates, AppState};
use server::config::{Cli, Command, RunConfig};

/// Fewest runtime workers, whatever the core count. `#[tokio::main]` starts one per core, and on
/// one worker a server-rendered page's stream can stall after its headers (leptos-rs/leptos#4647;
/// the HTTP tests caught it once on tokio's single-threaded runtime). Extra workers on a small
/// machine cost only their stacks.
const MIN_WORKERS: usize = 4;

fn main() -> ExitCode {
    let workers = std::thread::available_parallelism()
        .map_or(MIN_WORKERS, usize::from)
        .max(MIN_WORKERS);
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let cli = Cli::parse();
    if let Err(message) = init_logging(&cli.run) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        None => serve(cli.run).await,
        Some(Command::CreateTenant {
            tenant,
            name,
            template,
            admin,
        }) => create_tenant(&cli.run, &tenant, &name, &template, &admin).await,
        Some(Command::CreatePartner {
            name,
            admin,
            serves,
        }) => create_partner(&cli.run, &name, &admin, &serves).await,
        Some(Command::Seed { tenant, size }) => seed(&cli.run, &tenant, size).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &RunConfig) -> Result<(), String> {
    let filter = EnvFilter::try_new(&config.log)
        .map_err(|e| format!("invalid CASTELLAN_LOG '{}': {e}", config.log))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
    Ok(())
}

async fn serve(config: RunConfig) -> Result<(), String> {
    let templates = Templates::load().map_err(|e| e.to_string())?;
    let db = Db::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let filled = domain::tenants::backfill_inventory_roles(&db, &templates)
        .await
        .map_err(|e| format!("cannot add the default inventory roles: {e}"))?;
    if filled > 0 {
        tracing::info!(tenants = filled, "default inventory roles added");
    }
    if config.demo {
        let created = domain::demo::seed(&db, &templates)
            .await
            .map_err(|e| format!("demo seed failed: {e}"))?;
        for tenant in created {
            tracing::info!(tenant, "demo tenant created");
        }
        domain::demo::ensure_partner(&db)
            .await
            .map_err(|e| format!("demo partner failed: {e}"))?;
        if domain::demo::configure_sso(&db, &config.demo_oidc_issuer)
            .await
            .map_err(|e| format!("demo single sign-on failed: {e}"))?
        {
            tracing::info!(
                issuer = config.demo_oidc_issuer,
                "acme signs in with the demo OpenID provider"
            );
        }
    }
    let started = std::time::Instant::now();
    let warmed = db
        .index
        .warm_all(&db.pool, &templates)
        .await
        .map_err(|e| format!("cannot build the permission index: {e}"))?;
    tracing::info!(
        tenants = warmed,
        ms = started.elapsed().as_millis() as u64,
        "permission index built"
    );
    let state = AppState {
        db,
        sessions: SessionPolicy {
            idle_secs: config.session_idle_minutes * 60,
            absolute_secs: config.session_max_hours * 3600,
            force_secure_cookie: config.secure_cookies,
        },
        templates: Arc::new(templates),
        leptos_options: server::leptos_options(&config.site_root, config.site_addr),
        network: app::server::network::Network {
            trusted_proxies: config.trusted_proxies.0.clone(),
            public_origin: config.public_url.clone(),
        },
    };
    let listener = tokio::net::TcpListener::bind(config.site_addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.site_addr))?;
    println!("Castellan is listening on http://{}", config.site_addr);
    // Each tenant's first guarded write would read the whole tenant: read it now, meanwhile.
    let (warming, templates) = (state.db.clone(), state.templates.clone());
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match app::server::domain::guard::Guard::warm_all(&warming, &templates).await {
            Ok(tenants) => tracing::info!(
                tenants,
                ms = started.elapsed().as_millis() as u64,
                "guard state read"
            ),
            Err(error) => tracing::warn!(%error, "guard state not read ahead"),
        }
    });
    if config.demo {
        println!(
            "Demo sign-in: tenant acme, user admin, password {}",
            domain::demo::DEMO_PASSWORD
        );
        let others: Vec<String> = domain::demo::DEMO_TENANTS
            .iter()
            .skip(1)
            .map(|(slug, _, template, _)| format!("{slug} ({template})"))
            .collect();
        println!(
            "Also tenants {}: the same user and password.",
            others.join(", ")
        );
        println!(
            "Partner portal: /partner, user {}, password {}",
            domain::demo::DEMO_PARTNER_ADMIN,
            domain::demo::DEMO_PASSWORD
        );
    }
    server::serve::serve(
        listener,
        server::router(state),
        server::HEADER_READ_TIMEOUT,
        shutdown_signal(),
    )
    .await;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, let in-flight requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}

async fn seed(
    config: &RunConfig,
    tenant: &str,
    size: domain::tenants::scale::Size,
) -> Result<(), String> {
    let templates = Templates::load().map_err(|e| e.to_string())?;
    let db = Db::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let written = domain::tenants::scale::seed(&db, &templates, tenant, size)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "Seeded tenant {tenant} ({size:?}) in {:.1} s: {} users, {} groups ({} memberships), \
         {} roles, {} assignments, {} device groups, {} devices. Sign in as {} / {}.",
        started.elapsed().as_secs_f64(),
        written.users,
        written.groups,
        written.memberships,
        written.roles,
        written.assignments,
        written.device_groups,
        written.devices,
        domain::tenants::scale::ADMIN,
        domain::tenants::scale::PASSWORD,
    );
    Ok(())
}

async fn create_partner(
    config: &RunConfig,
    name: &str,
    admin: &str,
    serves: &[String],
) -> Result<(), String> {
    let password = admin_password(admin)?;
    let db = Db::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    domain::tenants::create_partner(&db, name, admin, &password, serves)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "Created partner {name} with administrator {admin}, serving {}.",
        if serves.is_empty() {
            "no tenant yet".to_owned()
        } else {
            serves.join(", ")
        }
    );
    Ok(())
}

/// The administrator's password: CASTELLAN_ADMIN_PASSWORD, else a line from stdin.
fn admin_password(admin: &str) -> Result<String, String> {
    match std::env::var("CASTELLAN_ADMIN_PASSWORD") {
        Ok(password) => Ok(password),
        Err(_) => {
            eprint!("Password for {admin}: ");
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            Ok(line.trim_end_matches(['\r', '\n']).to_owned())
        }
    }
}

async fn create_tenant(
    config: &RunConfig,
    tenant: &str,
    name: &str,
    template: &str,
    admin: &str,
) -> Result<(), String> {
    let password = admin_password(admin)?;
    let templates = Templates::load().map_err(|e| e.to_string())?;
    let db = Db::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let new = domain::tenants::NewTenant {
        slug: tenant,
        name,
        template,
        admin_username: admin,
        admin_password: &password,
    };
    domain::tenants::create(&db, &templates, &new)
        .await
        .map_err(|e| e.to_string())?;
    println!("Created tenant {tenant} ({template}) with administrator {admin}.");
    Ok(())
}
