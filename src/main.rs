//! The `sqe-registry` binary: configuration → logging → database → command.

use std::path::PathBuf;

use actix_web::{web, HttpServer};
use clap::{Parser, Subcommand};

use sqe_registry::app::accounts::{AccountRefusal, NewAccount};
use sqe_registry::app::sightings::{Confirmation, SightingRef};
use sqe_registry::app::{self, Actor};
use sqe_registry::config::{log_key, Config};
use sqe_registry::db::{self, Backend};
use sqe_registry::demo::{self, DemoOptions};
use sqe_registry::domain::account::{self, Role};
use sqe_registry::domain::hostname::Hostname;
use sqe_registry::transfer;
use sqe_registry::web::sightings::FLUSH_EVERY;
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
    /// Back-office accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Sightings of marks on hosts they are not bound to, and confirming misuse.
    #[command(subcommand)]
    Sightings(SightingsCommand),
    /// Certification bodies and scheme versions.
    #[command(subcommand)]
    Reference(ReferenceCommand),
    /// Fill an empty database with a generated, clearly labelled demo registry.
    Demo {
        /// Number of certificates (a few hundred for browsing, up to 1,000,000 for benchmarks).
        #[arg(long, default_value_t = demo::DEFAULT_COUNT)]
        count: u32,
        /// Seed of the generator: the same seed gives the same registry.
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// Import certificates from a CSV file (docs/IMPORT.md): every line is checked first, and
    /// the file is written in one transaction only when no line has an error.
    Import {
        /// The CSV file (UTF-8, a header line naming the columns).
        file: PathBuf,
        /// Check the file against the registry and report, without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export the whole registry as CSV, in the import's columns.
    Export {
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Copy the SQLite database to a new file while the server runs (PostgreSQL: use pg_dump).
    Backup {
        /// The backup file; it must not exist.
        #[arg(long)]
        output: PathBuf,
    },
    /// Replace the SQLite database with a backup, after checking it. Stop the server first.
    Restore {
        /// The backup file.
        #[arg(long)]
        input: PathBuf,
    },
    /// The transparency log's signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// The transparency log.
    #[command(subcommand)]
    Log(LogCommand),
    /// Check a certificate's signed credential as a third party would: its proof against the
    /// issuer's published keys, its validity, its status lists and (with --log-proof) the log
    /// entry it reflects. Prints a verdict; exits 1 on any failure.
    Verify {
        /// The credential: a file or its URL (…/certificates/{number}/credential.json), or a
        /// baked badge (a PNG carrying it, …/baked-badge.png).
        source: String,
        /// The issuer's keys in a file: the DID document (/.well-known/did.json) or the
        /// log's verifier keys (/log/keys). Without it they are fetched from the registry.
        #[arg(long)]
        key: Option<PathBuf>,
        /// A saved status list credential (repeatable); lists not given are fetched.
        #[arg(long = "status-list")]
        status_list: Vec<PathBuf>,
        /// Fetch nothing: with --key, and --status-list for the status.
        #[arg(long)]
        offline: bool,
        /// The registry's public URL, when not the one the credential's id names.
        #[arg(long)]
        registry: Option<String>,
        /// Also check the C2SP tlog-proof of the log entry the credential reflects.
        #[arg(long)]
        log_proof: bool,
    },
    /// Run a witness of registries' transparency logs (C2SP tlog-witness).
    #[command(subcommand)]
    Witness(WitnessCommand),
}

#[derive(Subcommand)]
enum WitnessCommand {
    /// Serve `POST /add-checkpoint` (and `GET /<origin hash>/checkpoint`): cosign the
    /// checkpoints of the trusted logs that are consistent with the last one cosigned.
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:7380")]
        listen: String,
        /// The witness's cosigning key (sqe-registry keys generate --witness), owner-readable.
        #[arg(long)]
        key: PathBuf,
        /// The file that keeps the last checkpoint cosigned for each log.
        #[arg(long)]
        state: PathBuf,
        /// A log's verifier key (its /log/keys; the key name is the log's origin); repeatable.
        #[arg(long = "log", required = true)]
        logs: Vec<String>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Write a new Ed25519 signing key, readable by its owner only, and print its public
    /// verifier key. Point SQE_SIGNING_KEY_FILE at it.
    Generate {
        /// The key file; it must not exist.
        #[arg(long)]
        output: PathBuf,
        /// The key's name, which is the log's origin (default: SQE_PUBLIC_URL's host and path
        /// followed by /log); for a witness key, the witness's name (required).
        #[arg(long)]
        name: Option<String>,
        /// A witness's cosigning key (C2SP tlog-cosignature, type 0x04) instead of a log key.
        #[arg(long)]
        witness: bool,
    },
    /// Print the log's published verifier keys with their periods, as /log/keys serves them:
    /// SQE_LOG_KEYS_FILE's, or the key of SQE_SIGNING_KEY_FILE (or the demo key).
    Show,
}

#[derive(Subcommand)]
enum LogCommand {
    /// Begin the log if it has not begun: append the recorded history and sign the first
    /// checkpoint (the server does this before it serves).
    Start,
    /// Check a registry's log from outside: the checkpoint's signature against pinned keys,
    /// every entry and each certificate's chain, the root, every tile, each certificate's
    /// public history (the history download) against its entries and back, and (with --state)
    /// that the log only grew since the last run. Prints a one-line verdict; exits 1 on any
    /// failure.
    Verify {
        /// The registry's public URL.
        #[arg(long)]
        url: String,
        /// A verifier key to trust (name+hash+key, from the registry's /log/keys); repeatable,
        /// and one value may hold several lines as /log/keys serves them (# lines skipped).
        /// Needed on the first run; later runs use the keys kept in --state.
        #[arg(long)]
        key: Vec<String>,
        /// A file that keeps the keys and the last verified checkpoint between runs.
        #[arg(long)]
        state: Option<PathBuf>,
        /// Do not compare the certificates' public histories with the log (the log alone).
        #[arg(long)]
        skip_histories: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is asked twice on a terminal, or read from the first
    /// line of standard input when that is not a terminal; never taken from the command line.
    Add {
        /// 3–32 of a-z 0-9 . - _, starting with a letter.
        #[arg(long)]
        username: String,
        /// admin, evaluator or viewer.
        #[arg(long)]
        role: String,
    },
    /// Give an account a new password (asked or read as for `add`); every session of the
    /// account ends.
    Passwd {
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum ReferenceCommand {
    /// Load certification bodies and scheme versions (with their indicator trees) from a JSON
    /// file (samples/reference.json, docs/IMPORT.md): every entry is checked first, with the
    /// back office's checks, and nothing is written unless all pass; existing ones are kept.
    Import {
        /// The JSON file.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum SightingsCommand {
    /// List sightings, most recent first.
    List {
        /// Only those of this certificate number.
        #[arg(long)]
        certificate: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Confirm that a host misuses a certificate's mark: it is then listed on /misuse.
    Confirm {
        /// The certificate number.
        #[arg(long)]
        certificate: String,
        /// The host, as listed by `sightings list`.
        #[arg(long)]
        host: String,
        /// A short public note (what was found).
        #[arg(long)]
        note: Option<String>,
    },
}

/// Runs the command; a failure prints its message (and its causes), never a stack trace, and
/// exits with status 1.
fn main() -> std::process::ExitCode {
    let _ = dotenvy::dotenv();
    sqe_registry::logging::init();
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sqe-registry: {}", message(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// An error and its causes on one line, each cause once (many messages name their cause).
fn message(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !out.ends_with(&cause) {
            out.push_str(": ");
            out.push_str(&cause);
        }
    }
    out
}

fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Checking another registry's log needs no configuration or database of our own.
    if let Some(Command::Log(LogCommand::Verify {
        url,
        key,
        state,
        skip_histories,
    })) = &cli.command
    {
        return sqe_registry::log_client::verify_command(
            url,
            key,
            state.as_deref(),
            !skip_histories,
        );
    }
    if let Some(Command::Verify {
        source,
        key,
        status_list,
        offline,
        registry,
        log_proof,
    }) = &cli.command
    {
        return sqe_registry::credential_client::verify_command(
            &sqe_registry::credential_client::VerifyRequest {
                source: source.clone(),
                key: key.clone(),
                status_lists: status_list.clone(),
                offline: *offline,
                registry: registry.clone(),
                log_proof: *log_proof,
            },
        );
    }
    if let Some(Command::Witness(WitnessCommand::Serve {
        listen,
        key,
        state,
        logs,
    })) = &cli.command
    {
        return sqe_registry::witness::serve_command(listen, key, state, logs);
    }
    let config = Config::from_env()?;
    // Backups and restores work on the database file itself: no pool, no migrations.
    match &cli.command {
        Some(Command::Backup { output }) => {
            println!(
                "{}",
                transfer::backup::backup_command(&config.database_url, output)?
            );
            return Ok(());
        }
        Some(Command::Restore { input }) => {
            println!(
                "{}",
                transfer::backup::restore_command(&config.database_url, input)?
            );
            return Ok(());
        }
        _ => {}
    }
    if let Some(Command::Keys(KeysCommand::Generate {
        output,
        name,
        witness,
    })) = &cli.command
    {
        use sqe_registry::domain::tlog::note::{TYPE_COSIGNATURE, TYPE_ED25519};
        let name = match (name, witness) {
            (Some(name), _) => name.clone(),
            (None, false) => log_key::origin_for(&config.public_url)?,
            (None, true) => {
                anyhow::bail!("a witness key needs --name (for example witness.example.org/w1)")
            }
        };
        let key_type = if *witness {
            TYPE_COSIGNATURE
        } else {
            TYPE_ED25519
        };
        let signer = log_key::generate(&name, key_type, output)?;
        println!("{}", signer.verifier().vkey());
        return Ok(());
    }
    let mut config = config;
    let backend = Backend::from_url(&config.database_url);
    tracing::info!(database = %backend.describe(), "opening database");
    let pool = db::build_pool(&config.database_url, config.pool_size)?;
    let applied = db::run_migrations(&mut *pool.get()?)?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    demo_key_unless_own(&mut config, &pool)?;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Migrate => Ok(()),
        Command::Backup { .. } | Command::Restore { .. } => Ok(()), // done above
        Command::Import { file, dry_run } => {
            let actor = cli_actor(&config);
            let summary = app::import::import_command(&mut *pool.get()?, &actor, &file, dry_run)?;
            println!("{summary}");
            Ok(())
        }
        Command::Export { output } => {
            let count = transfer::export::export_command(&mut *pool.get()?, output.as_deref())?;
            tracing::info!(count, "certificates exported");
            Ok(())
        }
        Command::Sightings(command) => sightings_command(&pool, &cli_actor(&config), command),
        Command::Reference(ReferenceCommand::Import { file }) => {
            reference_import(&pool, &cli_actor(&config), &file)
        }
        Command::User(UserCommand::Add { username, role }) => {
            add_user(&pool, &cli_actor(&config), &username, &role)
        }
        Command::User(UserCommand::Passwd { username }) => {
            set_password(&pool, &cli_actor(&config), &username)
        }
        Command::Keys(KeysCommand::Generate { .. }) => Ok(()), // done above
        Command::Keys(KeysCommand::Show) => {
            if config.log_signer.is_none() {
                config.log_signer = Some(std::sync::Arc::new(log_key::demo_signer()));
            }
            let today = sqe_registry::domain::dates::beijing_today(chrono::Utc::now());
            let keys = sqe_registry::domain::tlog::keyring::to_text(
                &config.published_keys(),
                today,
                config.signs_with_demo_key(),
            );
            print!("{keys}");
            Ok(())
        }
        Command::Log(LogCommand::Start) => start_log_and_credentials(&pool, &config),
        Command::Log(LogCommand::Verify { .. }) => Ok(()), // done above
        Command::Witness(_) => Ok(()),                     // done above
        Command::Verify { .. } => Ok(()),                  // done above
        Command::Demo { count, seed } => {
            let summary = demo::fill_empty(&mut *pool.get()?, &demo_options(count, seed))?;
            println!("{summary}");
            demo_key_unless_own(&mut config, &pool)?;
            start_log_and_credentials(&pool, &config)
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
            demo_key_unless_own(&mut config, &pool)?;
            let refolded = db::refold::refold_if_needed(&mut *pool.get()?)?;
            if refolded > 0 {
                tracing::info!(
                    refolded,
                    "certificates re-indexed for the search's new folding"
                );
            }
            start_log_and_credentials(&pool, &config)?;
            serve(pool, config)
        }
    }
}

/// A demo registry without a key of its own signs with the published demo key (after the
/// migrations, and again once a demo registry has been loaded).
fn demo_key_unless_own(config: &mut Config, pool: &db::DbPool) -> anyhow::Result<()> {
    if config.log_signer.is_none() && db::stats::is_demo(&mut *pool.get()?)? {
        config.log_signer = Some(std::sync::Arc::new(log_key::demo_signer()));
    }
    Ok(())
}

/// Begins the transparency log if it has not begun (backfilling the recorded history), with a
/// progress bar on a terminal, then issues the missing credentials; refuses to go on without a
/// signing key.
fn start_log_and_credentials(pool: &db::DbPool, config: &Config) -> anyhow::Result<()> {
    let Some(signer) = config.log_signer.as_deref() else {
        anyhow::bail!(
            "the transparency log needs a signing key: run `sqe-registry keys generate --output FILE` \
             and set SQE_SIGNING_KEY_FILE=FILE (a demo registry uses the published demo key)"
        );
    };
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(4));
    let outcome = app::transparency::start(&mut *pool.get()?, signer, |n| {
        bar.set_message(format!(
            "transparency log: {n} entries of earlier history appended"
        ));
        bar.tick();
    });
    bar.finish_and_clear();
    match outcome? {
        app::transparency::Started::Already(head) => {
            tracing::info!(origin = %head.origin, size = head.size, "transparency log");
        }
        app::transparency::Started::Began { backfilled, head } => {
            tracing::info!(
                origin = %head.origin,
                backfilled,
                seconds = started.elapsed().as_secs_f64(),
                "transparency log begun"
            );
        }
    }
    let started = std::time::Instant::now();
    let credentials = app::credentials::start(&mut *pool.get()?)?;
    if credentials.issued > 0 || credentials.indexed > 0 {
        tracing::info!(
            issued = credentials.issued,
            indexed = credentials.indexed,
            seconds = started.elapsed().as_secs_f64(),
            "credentials issued to the certificates without one"
        );
    }
    Ok(())
}

/// The command line acting now, as the operating-system user running it (`cli:<user>` in the
/// audit log).
fn cli_actor(config: &Config) -> Actor {
    let now = chrono::Utc::now();
    Actor::cli(
        &os_user(),
        sqe_registry::domain::dates::beijing_today(now),
        now.naive_utc(),
        config.cert_validity_years,
        config.log_signer.clone(),
    )
}

/// The operating-system user running the command: as the login environment names it (`USER`,
/// `LOGNAME`), else the name of this process's user id in `/etc/passwd`, else `uid<N>`.
fn os_user() -> String {
    use std::os::unix::fs::MetadataExt;
    let named = ["USER", "LOGNAME"]
        .iter()
        .filter_map(|key| std::env::var(key).ok())
        .map(|name| name.trim().to_owned())
        .find(|name| !name.is_empty());
    if let Some(name) = named {
        return name;
    }
    let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return "unknown".to_owned();
    };
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.get(2) == Some(&uid.to_string().as_str()))
        .and_then(|fields| fields.first().map(|name| (*name).to_owned()))
        .unwrap_or_else(|| format!("uid{uid}"))
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
    let shutdown_secs = config.operations.shutdown.as_secs();
    if let Some(witnessing) = &config.witnessing {
        sqe_registry::witness::submitter::Submitter::new(
            pool.clone(),
            witnessing.policy.clone(),
            witnessing.allow_loopback,
        )
        .spawn()?;
    }
    sqe_registry::webhook_sender::Sender::new(
        pool.clone(),
        &config.public_url,
        config.log_signer.clone(),
        config.webhook_allow_loopback,
    )
    .spawn()?;
    let state = web::Data::new(AppState::new(pool, config, Clock::system()));
    // The statistics' figures are the one page that takes long to compute: ready before the
    // first reader comes.
    sqe_registry::web::pages::statistics::prewarm(&state).await;
    // So is the set of site keys of the look-alike check (3 s at 1,000,000 on PostgreSQL).
    sqe_registry::web::lookalikes::prewarm(&state).await;
    // Download and sitemap files of an earlier run may belong to another database (a restore): not kept.
    sqe_registry::transfer::published::clear(&sqe_registry::web::pages::downloads::directory(
        &state,
    ));
    sqe_registry::web::sitemap::clear(&state);
    // On PostgreSQL a change made by any instance reaches this one's caches at once.
    let _listener = AppState::listen_for_changes(&state)?;
    tracing::info!(%bind, "listening");
    let app_state = state.clone();
    let server = HttpServer::new(move || build_app(app_state.clone()))
        // A response written in several parts (a compressed stream's last chunk) must not wait
        // for the client's delayed acknowledgement: 40 ms per response on a kept-alive
        // connection (bench/depth.py).
        .on_connect(|connection, _| {
            if let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
                if let Err(e) = tcp.set_nodelay(true) {
                    tracing::debug!(error = %e, "could not set TCP_NODELAY");
                }
            }
        })
        .bind(&bind)?
        // On SIGTERM (a rolling restart) the instance stops accepting and lets requests in
        // flight finish for this long; then the sightings are written below.
        .shutdown_timeout(shutdown_secs)
        .run();
    // Sightings are counted in memory and written every few seconds, and once more at shutdown;
    // rate limits forget the networks whose budget is full again as often.
    let flusher = state.clone();
    let flushing = actix_web::rt::spawn(async move {
        let mut every = actix_web::rt::time::interval(FLUSH_EVERY);
        loop {
            every.tick().await;
            if let Err(e) = flusher.flush_sightings().await {
                tracing::warn!(error = %e, "could not write sightings; will retry");
            }
            flusher.limits.sweep();
            if let Err(e) = sqe_registry::web::admin::login_guard::flush_refused(&flusher).await {
                tracing::warn!(error = %e, "could not count refused logins; will retry");
            }
        }
    });
    // Reporters' contacts are erased once their case has been closed long enough.
    let eraser = state.clone();
    let erasing = actix_web::rt::spawn(async move {
        let mut every = actix_web::rt::time::interval(sqe_registry::web::reports::erasure::EVERY);
        loop {
            every.tick().await;
            if let Err(e) = sqe_registry::web::reports::erasure::erase_due_contacts(&eraser).await {
                tracing::warn!(error = %e, "could not erase reporters' contacts; will retry");
            }
        }
    });
    // The database's health: probed every second, and twice a second while it does not answer,
    // so an outage is noticed without a request waiting for it and ends soon after it does.
    let prober = state.clone();
    // `/metrics` on an address of its own, never the public one.
    let metrics = match &state.config.operations.metrics_bind {
        Some(address) => {
            let metrics_state = state.clone();
            let server =
                HttpServer::new(move || sqe_registry::web::metrics::app(metrics_state.clone()))
                    .workers(1)
                    .shutdown_timeout(1)
                    .disable_signals()
                    .bind(address)?
                    .run();
            tracing::info!(%address, "metrics listening");
            let handle = server.handle();
            actix_web::rt::spawn(server);
            Some(handle)
        }
        None => None,
    };
    let probing = actix_web::rt::spawn(async move {
        loop {
            let answered = prober.probe_database().await;
            let pause = if answered { 1000 } else { 500 };
            actix_web::rt::time::sleep(std::time::Duration::from_millis(pause)).await;
        }
    });
    server.await?;
    if let Some(metrics) = metrics {
        metrics.stop(false).await;
    }
    probing.abort();
    flushing.abort();
    erasing.abort();
    match state.flush_sightings().await {
        Ok(written) => tracing::info!(written, "stopped; sightings written"),
        Err(e) => tracing::error!(error = %e, "sightings lost at shutdown"),
    }
    let _ = sqe_registry::web::admin::login_guard::flush_refused(&state).await;
    Ok(())
}

fn add_user(pool: &db::DbPool, actor: &Actor, username: &str, role: &str) -> anyhow::Result<()> {
    account::validate_username(username)?;
    let role = Role::parse(role).ok_or_else(|| account::AccountError::UnknownRole(role.into()))?;
    let password = read_password()?;
    let input = NewAccount {
        username: username.to_owned(),
        role,
        password,
    };
    match app::accounts::create(&mut *pool.get()?, actor, &input) {
        Ok(_) => {
            println!("account {username} created ({})", role.as_str());
            Ok(())
        }
        Err(AccountRefusal::Exists) => anyhow::bail!("an account named {username} already exists"),
        Err(e) => Err(e.into()),
    }
}

fn reference_import(
    pool: &db::DbPool,
    actor: &Actor,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    use app::reference_file::{check, write, ProblemText};
    use sqe_registry::web::i18n::Lang;
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let checked = match check(&text) {
        Ok(checked) => checked,
        Err(problems) => {
            for p in &problems {
                let message = match &p.message {
                    ProblemText::Key(key) => Lang::En.t(key),
                    ProblemText::Text(text) => text.clone(),
                };
                eprintln!("{}: {}: {message}", file.display(), p.at);
            }
            anyhow::bail!(
                "{} problem(s) in {}: nothing was written",
                problems.len(),
                file.display()
            );
        }
    };
    let done = write(&mut *pool.get()?, actor, checked)?;
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.join(", ")
        }
    };
    println!(
        "bodies created: {}; scheme versions created: {}; already there, left as they were: {}",
        list(&done.bodies_created),
        list(&done.schemes_created),
        list(&done.left_as_they_were)
    );
    Ok(())
}

fn set_password(pool: &db::DbPool, actor: &Actor, username: &str) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let Some(account) = db::accounts::find_account(&mut conn, username)? else {
        anyhow::bail!("there is no account named {username}");
    };
    drop(conn);
    let password = app::accounts::NewPassword::hash(&read_password()?)?;
    app::accounts::set_password(&mut *pool.get()?, actor, account.id, &password)?;
    println!("new password set for {username}; its sessions have ended");
    Ok(())
}

/// The new password: asked twice on a terminal, else the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn sightings_command(
    pool: &db::DbPool,
    actor: &Actor,
    command: SightingsCommand,
) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    match command {
        SightingsCommand::List { certificate, limit } => {
            let rows = db::marks::sightings(&mut conn, certificate.as_deref(), limit)?;
            if rows.is_empty() {
                println!("no sightings");
            }
            for s in rows {
                println!(
                    "{}\t{}\thits={}\tfirst={}\tlast={}\t{}",
                    s.number,
                    s.host,
                    s.hits,
                    s.first_seen.format("%Y-%m-%d %H:%M:%S"),
                    s.last_seen.format("%Y-%m-%d %H:%M:%S"),
                    match s.confirmed_at {
                        Some(at) => format!("confirmed {}", at.format("%Y-%m-%d")),
                        None => "unconfirmed".to_owned(),
                    }
                );
            }
            Ok(())
        }
        SightingsCommand::Confirm {
            certificate,
            host,
            note,
        } => {
            let host = Hostname::parse(&host)
                .map_err(|e| anyhow::anyhow!("not a host name: {host:?} ({e})"))?;
            let which = SightingRef::Host {
                number: certificate.clone(),
                host: host.as_str().to_owned(),
            };
            let outcome = app::sightings::confirm(&mut conn, actor, &which, note.as_deref())?;
            match outcome {
                Confirmation::Confirmed => {
                    println!("confirmed: {host} misuses the mark of {certificate}; listed on /misuse");
                    Ok(())
                }
                Confirmation::AlreadyConfirmed => {
                    println!("already confirmed: {host} for {certificate}");
                    Ok(())
                }
                Confirmation::NoSuchSighting => anyhow::bail!(
                    "no sighting of {host} for certificate {certificate}; see `sqe-registry sightings list`"
                ),
            }
        }
    }
}
