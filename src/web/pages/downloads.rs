//! `/downloads`: the whole registry as CSV and as JSON Lines, and the page that documents every
//! column, the time of the last change and the licence of the data. The files are written once
//! per registry revision and day, gzip-compressed, into the data directory
//! (`transfer::published`), by one writer per instance however many ask (single flight), while
//! readers keep getting the previous file; they are served as stored, with `ETag`,
//! `Last-Modified` and `Range` (actix-files), or decompressed for a client that takes no gzip.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use actix_files::NamedFile;
use actix_web::http::header::{
    self, ContentDisposition, ContentEncoding, DispositionParam, DispositionType,
};
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;

use super::shared;
use crate::db::records;
use crate::domain::dates::beijing_offset;
use crate::domain::record::{Column, DERIVED_COLUMNS};
use crate::error::AppError;
use crate::transfer::published::{self, Edition, Format};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::paths;
use crate::web::state::FeatureState;
use crate::web::AppState;

pub use crate::transfer::published::PAGE;

/// The licence of the data, named on the page and in every download's headers.
pub const LICENCE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";

#[derive(Template)]
#[template(path = "downloads.html")]
pub struct DownloadsPage {
    pub layout: Layout,
    pub certificates: i64,
    /// The last change, in Beijing time.
    pub last_change: Option<String>,
    pub columns: Vec<ColumnDoc>,
    pub licence_url: &'static str,
}

/// A documented column: its name, the kind of value (a message key suffix), whether derived.
pub struct ColumnDoc {
    pub name: &'static str,
    pub kind: &'static str,
    pub derived: bool,
}

fn kind_of(c: Column) -> &'static str {
    match c {
        Column::Score => "number",
        Column::Domains | Column::AppNames => "list",
        Column::FirstIssuedOn | Column::IssuedOn | Column::ExpiresOn | Column::LastAssessedOn => {
            "date"
        }
        _ => "text",
    }
}

fn beijing(t: NaiveDateTime) -> String {
    let local = t.and_utc().with_timezone(&beijing_offset());
    local.format("%Y-%m-%d %H:%M").to_string()
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
) -> Result<HttpResponse, AppError> {
    shared::serve(&req, &state, "downloads", lang, || read(&req, &state, lang)).await
}

async fn read(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    lang: Lang,
) -> Result<DownloadsPage, AppError> {
    let (certificates, last_change) = state
        .db(|conn| Ok((records::count(conn)?, records::last_change(conn)?)))
        .await?;
    let derived_kinds = ["number", "text", "url"];
    let columns = Column::ALL
        .iter()
        .map(|&c| ColumnDoc {
            name: c.name(),
            kind: kind_of(c),
            derived: false,
        })
        .chain(
            DERIVED_COLUMNS
                .iter()
                .zip(derived_kinds)
                .map(|(&name, kind)| ColumnDoc {
                    name,
                    kind,
                    derived: true,
                }),
        )
        .collect();
    Ok(DownloadsPage {
        layout: Layout::new(req, state, lang).await,
        certificates,
        last_change: last_change.map(beijing),
        columns,
        licence_url: LICENCE_URL,
    })
}

/// The download files of this instance: at most one being written per format, shared by every
/// reader that asks meanwhile (single flight).
#[derive(Default)]
pub struct PublishedFiles {
    writing: Mutex<HashMap<Format, (Edition, Arc<Writing>)>>,
}

type Writing = tokio::sync::OnceCell<Result<PathBuf, AppError>>;

impl FeatureState for PublishedFiles {}

/// Where the download files are kept.
pub fn directory(state: &AppState) -> PathBuf {
    state.config.data_dir.join("downloads")
}

/// The file to serve for `format`: this revision's and day's when it exists; else, while it is
/// being written, the previous one (a rebuild blocks nobody); the first ever is waited for.
async fn current_file(state: &web::Data<AppState>, format: Format) -> Result<PathBuf, AppError> {
    state.sync_revision().await;
    let mut revision = state.revision.current();
    if revision < 0 {
        // Before this instance's first read of the revision (another request is reading it).
        revision = state
            .db(|conn| Ok(crate::db::stats::revision(conn)?))
            .await?;
    }
    let edition = Edition {
        format,
        revision,
        day: state.today(),
    };
    let dir = directory(state);
    let path = edition.path(&dir);
    if path.is_file() {
        return Ok(path);
    }
    let files = state.feature::<PublishedFiles>();
    let (writing, started) = {
        let mut map = files
            .writing
            .lock()
            .map_err(|_| AppError::Internal("published files lock".into()))?;
        match map.get(&format) {
            Some((e, w)) if *e == edition => (w.clone(), false),
            _ => {
                let w = Arc::new(Writing::new());
                map.insert(format, (edition, w.clone()));
                (w, true)
            }
        }
    };
    if started {
        // Written to the end even if every reader leaves meanwhile.
        let (state, writing) = (state.clone(), writing.clone());
        actix_web::rt::spawn(async move {
            writing.get_or_init(|| write_file(state, edition)).await;
        });
    }
    if let Some(previous) = published::latest(&dir, format).filter(|p| *p != path) {
        if !writing.initialized() {
            return Ok(previous);
        }
    }
    let written = writing
        .get_or_init(|| write_file(state.clone(), edition))
        .await
        .clone();
    if written.is_err() {
        // The next request tries again.
        if let Ok(mut map) = files.writing.lock() {
            map.remove(&format);
        }
    }
    written
}

async fn write_file(state: web::Data<AppState>, edition: Edition) -> Result<PathBuf, AppError> {
    let pool = state.pool.clone();
    let dir = directory(&state);
    let base = state.config.public_url.clone();
    let started = std::time::Instant::now();
    let written = state
        .cpu(move || {
            let link = move |number: &str| format!("{base}{}", paths::certificate(number));
            published::write(&pool, &dir, edition, &link)
                .map_err(|e| AppError::Unavailable(format!("writing a download: {e:#}")))
        })
        .await;
    match &written {
        Ok(path) => tracing::info!(
            file = %path.display(),
            seconds = started.elapsed().as_secs_f64(),
            "download written"
        ),
        Err(e) => tracing::warn!(error = %e, "download not written"),
    }
    written
}

/// Serves a download: the stored gzip file as it is (with `ETag`, `Last-Modified`, `Range`)
/// to a client that accepts gzip, else decompressed as it is sent.
async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let path = current_file(&state, format).await?;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(format.file_name().to_owned())],
    };
    let mut res = if crate::web::compression::accepts_gzip(&req) {
        let file = NamedFile::open_async(&path)
            .await
            .map_err(|e| AppError::Unavailable(format!("opening {}: {e}", path.display())))?;
        let mime: mime_guess::mime::Mime = format
            .content_type()
            .parse()
            .map_err(|_| AppError::Internal("content type".into()))?;
        file.set_content_type(mime)
            .set_content_encoding(ContentEncoding::Gzip)
            .set_content_disposition(disposition)
            .into_response(&req)
    } else {
        let file = std::fs::File::open(&path)
            .map_err(|e| AppError::Unavailable(format!("opening {}: {e}", path.display())))?;
        HttpResponse::Ok()
            .content_type(format.content_type())
            .insert_header(disposition)
            .streaming(decompressed(file))
    };
    let headers = res.headers_mut();
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(v) = header::HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    set(header::CACHE_CONTROL, "public, max-age=300");
    set(header::VARY, "Accept-Encoding");
    set(header::LINK, &format!("<{LICENCE_URL}>; rel=\"license\""));
    set(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    Ok(res)
}

/// The file's contents, decompressed on a blocking thread a chunk at a time.
fn decompressed(
    file: std::fs::File,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    actix_web::rt::task::spawn_blocking(move || {
        let mut decoder = flate2::read::GzDecoder::new(std::io::BufReader::new(file));
        loop {
            let mut chunk = vec![0u8; 64 * 1024];
            let item = match decoder.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    chunk.truncate(n);
                    Ok(Bytes::from(chunk))
                }
                Err(e) => Err(e),
            };
            let failed = item.is_err();
            if tx.blocking_send(item).is_err() || failed {
                break;
            }
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

pub async fn csv(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    serve(req, state, Format::Csv).await
}

pub async fn jsonl(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    serve(req, state, Format::Jsonl).await
}
