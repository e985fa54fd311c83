use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

/// Castellan: who may do what, per tenant.
#[derive(Debug, Parser)]
#[command(name = "server", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub run: RunConfig,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct RunConfig {
    /// Database: sqlite://<file> (created if missing) or postgres://…
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://castellan.db",
        global = true
    )]
    pub database_url: String,
    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,
    /// Folder with the built site (pkg/, assets).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Seed the demo tenants that are missing (1 or true).
    #[arg(long, env = "CASTELLAN_DEMO", default_value = "0", value_parser = parse_flag)]
    pub demo: bool,
    /// In demo mode, the OpenID provider `acme` trusts (`scripts/oidc-dev.sh`).
    #[arg(
        long,
        env = "CASTELLAN_DEMO_OIDC_ISSUER",
        default_value = "http://127.0.0.1:3900"
    )]
    pub demo_oidc_issuer: String,
    /// Log filter, e.g. info or castellan=debug,tower_http=info.
    #[arg(long, env = "CASTELLAN_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Log format: text or json.
    #[arg(long, env = "CASTELLAN_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], global = true)]
    pub log_format: String,
    /// Minutes a session may stay unused.
    #[arg(long, env = "CASTELLAN_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..))]
    pub session_idle_minutes: i64,
    /// Hours a session may live at most.
    #[arg(long, env = "CASTELLAN_SESSION_MAX_HOURS", default_value_t = 12, value_parser = clap::value_parser!(i64).range(1..))]
    pub session_max_hours: i64,
    /// Always mark the session cookie Secure (also done per request behind X-Forwarded-Proto: https).
    #[arg(long, env = "CASTELLAN_SECURE_COOKIES", default_value = "0", value_parser = parse_flag)]
    pub secure_cookies: bool,
    /// Addresses of the reverse proxies in front of the server, comma-separated: only from them
    /// are X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host believed.
    #[arg(long, env = "CASTELLAN_TRUSTED_PROXIES", default_value = "", value_parser = parse_addresses)]
    pub trusted_proxies: Addresses,
    /// The site's public origin (e.g. https://castellan.example.com), when it differs from Host.
    #[arg(long, env = "CASTELLAN_PUBLIC_URL", value_parser = parse_origin)]
    pub public_url: Option<String>,
}

/// A list of IP addresses (a newtype, so that clap takes the whole list as one value).
#[derive(Debug, Clone, Default)]
pub struct Addresses(pub Vec<std::net::IpAddr>);

fn parse_addresses(value: &str) -> Result<Addresses, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| a.parse().map_err(|_| format!("'{a}' is not an IP address")))
        .collect::<Result<Vec<_>, _>>()
        .map(Addresses)
}

fn parse_origin(value: &str) -> Result<String, String> {
    let value = value.trim().trim_end_matches('/');
    match value.split_once("://") {
        Some(("http" | "https", host)) if !host.is_empty() && !host.contains('/') => {
            Ok(value.to_owned())
        }
        _ => Err(format!(
            "expected an origin like https://castellan.example.com, got '{value}'"
        )),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a tenant and its first administrator (password from CASTELLAN_ADMIN_PASSWORD or stdin).
    CreateTenant {
        /// Tenant id used at sign-in (lowercase letters, digits, dashes).
        #[arg(long)]
        tenant: String,
        /// Display name of the tenant.
        #[arg(long)]
        name: String,
        /// Template: iot, mdm, migration or analytics.
        #[arg(long, default_value = "iot")]
        template: String,
        /// Username of the first administrator.
        #[arg(long, default_value = "admin")]
        admin: String,
    },
    /// Create a partner organisation and its first administrator, who signs in at `/partner`
    /// (password from CASTELLAN_ADMIN_PASSWORD or stdin), serving the tenants named.
    CreatePartner {
        /// Name of the partner organisation.
        #[arg(long)]
        name: String,
        /// Username of its first administrator.
        #[arg(long)]
        admin: String,
        /// Tenant ids the partner serves, comma-separated.
        #[arg(long, value_delimiter = ',')]
        serves: Vec<String>,
    },
    /// Create a tenant (template iot, admin / Castellan-demo-1) filled with scale-test data:
    /// L is 100,000 users, 10,000 groups, 5,000 roles, 500,000 assignments and 10,000 device
    /// groups; M a tenth of that, S a hundredth. Refuses a tenant id that exists.
    Seed {
        /// Tenant id of the new tenant.
        #[arg(long)]
        tenant: String,
        /// S, M or L.
        #[arg(long, default_value = "S")]
        size: app::server::domain::tenants::scale::Size,
    },
}

fn parse_flag(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        other => Err(format!("expected 1 or 0, got '{other}'")),
    }
}
