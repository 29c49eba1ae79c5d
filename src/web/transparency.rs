//! The transparency log served as C2SP tlog-tiles prescribes: `/log/checkpoint` (cached for
//! seconds), `/log/tile/<L>/<N>[.p/<W>]` and `/log/tile/entries/<N>[.p/<W>]` (full tiles
//! immutable, kept in memory once read), a C2SP tlog-proof of one entry at
//! `/log/proof/<index>`, one entry's JSON at `/log/entries/<index>`, and the verifier keys at
//! `/log/keys`. Like the marks, these go
//! through no middleware: no cookies, no per-request log line.

use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use quick_cache::sync::Cache;

use crate::db::{log, log_cosignatures};
use crate::domain::tlog::merkle;
use crate::domain::tlog::tile::{self, TileRef};
use crate::error::AppError;
use crate::web::compression::{label_coding, Compressed};
use crate::web::state::{AppState, FeatureState};

/// Full tiles and bundles kept per instance (a hash tile is 8 KiB, a bundle about 80 KiB with
/// its compressed forms).
const KEPT_TILES: usize = 2_048;

/// The log's files under `/log/`: one prefix test for every other URL. The guard lets every
/// other path under `/log` fall through to the page scope (`/log/` itself, or a 404 page).
pub fn scope() -> actix_web::Scope {
    use super::page;
    const FILES: [&str; 6] = [
        "checkpoint",
        "keys",
        "policy",
        "proof/",
        "entries/",
        "tile/",
    ];
    web::scope("/log")
        .guard(actix_web::guard::fn_guard(|ctx| {
            let path = ctx.head().uri.path();
            path.strip_prefix("/log/")
                .is_some_and(|rest| FILES.iter().any(|f| rest.starts_with(f)))
        }))
        .service(page("/checkpoint", checkpoint))
        .service(page("/keys", keys))
        .service(page("/policy", policy))
        .service(page("/proof/{index}", proof))
        .service(page("/entries/{index}", entry))
        .service(page("/tile/{path:.*}", tile))
}

/// What this instance keeps of the log: the tiles it has read (they never change) and the
/// current checkpoint with its witnesses' cosignatures (until the registry revision moves —
/// every append and every stored cosignature moves it — and for a second at most, so that a
/// cosignature stored by another instance shows soon on this one too).
pub struct KeptLog {
    tiles: Cache<String, Compressed>,
    /// The cosigned checkpoint, the registry revision it was read at, and when.
    checkpoint: std::sync::RwLock<Option<(i64, std::time::Instant, String)>>,
}

/// How long a kept checkpoint is served without looking for new cosignatures.
const CHECKPOINT_KEPT: std::time::Duration = std::time::Duration::from_secs(1);

impl Default for KeptLog {
    fn default() -> Self {
        KeptLog {
            tiles: Cache::new(KEPT_TILES),
            checkpoint: std::sync::RwLock::new(None),
        }
    }
}

impl FeatureState for KeptLog {
    fn registry_changed(&self) {
        if let Ok(mut kept) = self.checkpoint.write() {
            *kept = None;
        }
    }
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn plain_text(body: String, cache: CacheControl) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(cache)
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(body)
}

fn not_found(what: &str) -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .insert_header(CacheControl(vec![CacheDirective::MaxAge(5)]))
        .body(format!("{what}\n"))
}

/// `/log/checkpoint`: the signed head.
pub async fn checkpoint(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state.sync_revision().await;
    let kept = state.feature::<KeptLog>();
    // Read before the database: a change meanwhile leaves the kept copy at an older revision.
    let revision = state.revision.current();
    let now = std::time::Instant::now();
    let cached = kept
        .checkpoint
        .read()
        .ok()
        .and_then(|k| k.clone())
        .filter(|(at, read, _)| *at == revision && now.duration_since(*read) < CHECKPOINT_KEPT);
    let checkpoint = match cached {
        Some((_, _, checkpoint)) => Some(checkpoint),
        None => {
            let head = state
                .db(|conn| Ok(log_cosignatures::cosigned_head(conn)?))
                .await?;
            let checkpoint = head.map(|h| h.note());
            if let (Some(c), Ok(mut slot)) = (&checkpoint, kept.checkpoint.write()) {
                *slot = Some((revision, now, c.clone()));
            }
            checkpoint
        }
    };
    Ok(match checkpoint {
        Some(checkpoint) => plain_text(
            checkpoint,
            CacheControl(vec![CacheDirective::Public, CacheDirective::MaxAge(5)]),
        ),
        None => not_found("the log has not begun"),
    })
}

/// `/log/tile/…`: a hash tile or an entry bundle, exactly as wide as asked, if the current
/// tree holds that many.
pub async fn tile(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let path = format!("tile/{}", path.into_inner());
    let Some(tile) = TileRef::parse(&path) else {
        return Ok(not_found("no such tile path"));
    };
    let full = u64::from(tile.width) == tile::WIDTH;
    let kept = state.feature::<KeptLog>();
    let body = match kept.tiles.get(&path) {
        Some(body) => body,
        None => {
            let Some(bytes) = state.db(move |conn| Ok(read_tile(conn, &tile)?)).await? else {
                return Ok(not_found("the log has no such tile"));
            };
            // Bundles compress (canonical JSON); hash tiles do not.
            let body = if tile.level.is_none() {
                web::block(move || Compressed::new(bytes))
                    .await?
                    .map_err(|e| AppError::Internal(e.to_string()))?
            } else {
                Compressed::plain(bytes)
            };
            if full {
                kept.tiles.insert(path, body.clone());
            }
            body
        }
    };
    let (bytes, coding) = body.for_request(&req);
    let mut res = HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((
            header::CACHE_CONTROL,
            if full {
                IMMUTABLE
            } else {
                "public, max-age=3600"
            },
        ))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(bytes);
    label_coding(&mut res, "Accept-Encoding", coding);
    Ok(res)
}

/// The bytes of a tile if the log holds it at its width.
fn read_tile(
    conn: &mut crate::db::DbConnection,
    tile: &TileRef,
) -> Result<Option<Bytes>, diesel::result::Error> {
    let Some(head) = log::head(conn)? else {
        return Ok(None);
    };
    let width = u64::from(tile.width);
    if tile::available_width(tile, head.size) < width {
        return Ok(None);
    }
    let bytes = match tile.level {
        Some(_) => log::hash_run(conn, tile.merkle_level(), tile.first(), width)?,
        None => {
            let entries = log::entry_run(conn, tile.first(), width)?;
            tile::bundle(entries.iter().map(Vec::as_slice))
        }
    };
    Ok(Some(Bytes::from(bytes)))
}

/// `/log/proof/<index>`: a C2SP tlog-proof of one entry in the current checkpoint, with the
/// cosignatures stored for it so far.
pub async fn proof(
    state: web::Data<AppState>,
    index: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some(index) = crate::domain::tlog::canonical_decimal(&index) else {
        return Ok(not_found("an entry index is a decimal number"));
    };
    let found = state
        .db(move |conn| {
            let Some(cosigned) = log_cosignatures::cosigned_head(conn)? else {
                return Ok(None);
            };
            let (head, checkpoint) = (&cosigned.head, cosigned.note());
            if index >= head.size {
                return Ok(None);
            }
            let proof = log::with_subtrees(conn, |s| merkle::inclusion_proof(s, index, head.size))?
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(Some((checkpoint, proof)))
        })
        .await?;
    let Some((checkpoint, hashes)) = found else {
        return Ok(not_found("the log has no such entry"));
    };
    let mut body = format!("c2sp.org/tlog-proof@v1\nindex {index}\n");
    for h in hashes {
        body.push_str(&B64.encode(h));
        body.push('\n');
    }
    body.push('\n');
    body.push_str(&checkpoint);
    Ok(plain_text(
        body,
        CacheControl(vec![CacheDirective::Public, CacheDirective::MaxAge(5)]),
    ))
}

/// `/log/entries/<index>`: one entry, the canonical JSON the log hashed (the same bytes as in
/// its bundle).
pub async fn entry(
    state: web::Data<AppState>,
    index: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some(index) = crate::domain::tlog::canonical_decimal(&index) else {
        return Ok(not_found("an entry index is a decimal number"));
    };
    let body = state
        .db(move |conn| Ok(log::entry_run(conn, index, 1)?.pop()))
        .await?;
    Ok(match body {
        Some(body) => HttpResponse::Ok()
            .content_type("application/json")
            .insert_header((header::CACHE_CONTROL, IMMUTABLE))
            .insert_header(("Access-Control-Allow-Origin", "*"))
            .body(body),
        None => not_found("the log has no such entry"),
    })
}

/// `/log/keys`: the verifier keys of the log's checkpoints, one per line after comments.
pub async fn keys(state: web::Data<AppState>) -> HttpResponse {
    let body = crate::domain::tlog::keyring::to_text(
        &state.config.published_keys(),
        state.today(),
        state.config.signs_with_demo_key(),
    );
    plain_text(
        body,
        CacheControl(vec![CacheDirective::Public, CacheDirective::MaxAge(300)]),
    )
}

/// `/log/policy`: the log's C2SP tlog-policy — this log's key and the witnesses whose
/// cosignatures it asks for, with the quorum (`quorum none` when it asks none).
pub async fn policy(state: web::Data<AppState>) -> HttpResponse {
    use crate::domain::tlog::policy::PolicyLog;
    let log_url = format!("{}/log", state.config.public_url.trim_end_matches('/'));
    let logs: Vec<PolicyLog> = state
        .config
        .log_signer
        .iter()
        .map(|s| PolicyLog {
            key: s.verifier(),
            url: Some(log_url.clone()),
        })
        .collect();
    let mut policy = match &state.config.witnessing {
        Some(w) => (*w.policy).clone(),
        None => crate::domain::tlog::policy::Policy::without_witnesses(Vec::new()),
    };
    policy.logs = logs;
    let text = policy.to_text();
    plain_text(
        format!("# SQE Registry transparency log: C2SP tlog-policy\n{text}"),
        CacheControl(vec![CacheDirective::Public, CacheDirective::MaxAge(300)]),
    )
}
