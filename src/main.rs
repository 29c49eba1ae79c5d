//! The `sqe-registry` binary: configuration → logging → database → command.

use actix_web::{web, HttpServer};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use sqe_registry::config::Config;
use sqe_registry::db::{self, Backend};
use sqe_registry::demo::{self, DemoOptions};
use sqe_registry::web::{build_app, AppState, Clock};

/// SQE Registry: the public register of SQE service-quality certificates.
///
/// Configuration comes from the environment or a `.env` file (see `.env.example`):
/// DATABASE_URL (default sqlite://data/sqe-registry.db), SQE_BIND, SQE_PUBLIC_URL,
/// SQE_CERT_VALIDITY_YEARS, SQE_DEFAULT_LANG.
#[derive(Parser)]
#[command(name = "sqe-registry", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default command).
    Serve {
        /// Fill an empty database with the demo registry first.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Fill an empty database with a generated, clearly labelled demo registry.
    Demo {
        /// Number of certificates (a few hundred for browsing, up to 1,000,000 for benchmarks).
        #[arg(long, default_value_t = demo::DEFAULT_COUNT)]
        count: u32,
        /// Seed of the generator: the same seed gives the same registry.
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
    },
}

fn main() -> anyhow::Result<()> {
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    let backend = Backend::from_url(&config.database_url);
    tracing::info!(database = %backend.describe(), "opening database");
    let pool = db::build_pool(&config.database_url, config.pool_size)?;
    let applied = db::run_migrations(&mut *pool.get()?)?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Migrate => Ok(()),
        Command::Demo { count, seed } => {
            let summary = demo::fill_empty(&mut *pool.get()?, &demo_options(count, seed))?;
            println!("{summary}");
            Ok(())
        }
        Command::Serve { demo } => {
            if demo {
                let mut conn = pool.get()?;
                if demo::is_empty(&mut conn)? {
                    let summary = demo::fill_empty(
                        &mut conn,
                        &demo_options(demo::DEFAULT_COUNT, demo::DEFAULT_SEED),
                    )?;
                    tracing::info!(%summary, "demo registry loaded");
                }
            }
            serve(pool, config)
        }
    }
}

fn demo_options(count: u32, seed: u64) -> DemoOptions {
    DemoOptions {
        count,
        seed,
        today: sqe_registry::domain::dates::beijing_today(chrono::Utc::now()),
    }
}

#[actix_web::main]
async fn serve(pool: db::DbPool, config: Config) -> anyhow::Result<()> {
    let bind = config.bind.clone();
    let state = web::Data::new(AppState::new(pool, config, Clock::system()));
    tracing::info!(%bind, "listening");
    HttpServer::new(move || build_app(state.clone()))
        .bind(&bind)?
        .run()
        .await?;
    Ok(())
}
