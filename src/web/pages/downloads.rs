//! `/downloads`: the whole registry as CSV and as JSON Lines, and the page that documents every
//! column, the time of the last change and the licence of the data. The files are written once
//! per registry revision and day, gzip-compressed, into the data directory
//! (`transfer::published`), by one writer per instance however many ask, while readers keep
//! getting the previous file, and served as stored (`web::stored_files`).

use std::path::PathBuf;

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
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
use crate::web::stored_files::{self, FileFlights};
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

/// The download files of this instance: at most one being written per format.
#[derive(Default)]
pub struct PublishedFiles(FileFlights<Format>);

impl FeatureState for PublishedFiles {}

/// Where the download files are kept.
pub fn directory(state: &AppState) -> PathBuf {
    state.config.data_dir.join("downloads")
}

/// The file to serve for `format`: this revision's and day's, or the previous one while it is
/// being written (`web::stored_files`).
async fn current_file(state: &web::Data<AppState>, format: Format) -> Result<PathBuf, AppError> {
    let edition = Edition {
        format,
        revision: stored_files::revision(state).await?,
        day: state.today(),
    };
    let dir = directory(state);
    let writer = state.clone();
    state
        .feature::<PublishedFiles>()
        .0
        .current(
            format,
            edition.path(&dir),
            || published::latest(&dir, format),
            move || write_file(writer.clone(), edition),
        )
        .await
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

/// Serves a download as stored (`web::stored_files::send`), as an attachment under its name.
async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let path = current_file(&state, format).await?;
    let mut res = stored_files::send(&req, &path, format.content_type()).await?;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(format.file_name().to_owned())],
    };
    let headers = res.headers_mut();
    if let Ok(v) = header::HeaderValue::from_str(&disposition.to_string()) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(v) = header::HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    set(header::CACHE_CONTROL, "public, max-age=300");
    set(header::LINK, &format!("<{LICENCE_URL}>; rel=\"license\""));
    set(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    Ok(res)
}

pub async fn csv(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    serve(req, state, Format::Csv).await
}

pub async fn jsonl(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    serve(req, state, Format::Jsonl).await
}

/// `/downloads/sqe-registry-history.jsonl`: every certificate's public history with the log
/// index of each event (`domain::tlog::histories`), which `log verify` compares with the log.
pub async fn history(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    serve(req, state, Format::History).await
}

/// `/downloads/README.txt`: what the files are, their licence, and how to check the registry's
/// history against its transparency log — with the log's verifier keys, so a copy of the files
/// carries what is needed to check it.
pub async fn readme(state: web::Data<AppState>) -> HttpResponse {
    let base = state.config.public_url.trim_end_matches('/');
    let mut keys = String::new();
    if state.config.signs_with_demo_key() {
        keys.push_str("  (DEMO REGISTRY: this key is published with the source code; anyone can sign with it.)\n");
    }
    let today = state.today();
    for key in state.config.published_keys() {
        let retired = if key.retired(today) { ", retired" } else { "" };
        keys.push_str(&format!(
            "  {}\n    (signed {}{retired})\n",
            key.vkey(),
            key.period()
        ));
    }
    let body = format!(
        "SQE Registry — downloads / SQE 服务质量评价证书登记库 — 数据下载\n\
         \n\
         Files / 文件\n\
         \x20 {base}/downloads/sqe-registry.csv    every certificate, one per line (UTF-8 CSV) / 每行一张证书\n\
         \x20 {base}/downloads/sqe-registry.jsonl  the same as JSON Lines / 相同内容，JSON Lines 格式\n\
         \x20 {base}/downloads/sqe-registry-history.jsonl  every certificate's public history, each event\n\
         \x20   with its index in the transparency log; the first line names the log size it covers\n\
         \x20   每张证书的公开历史，每个事件附其透明日志序号；首行为其涵盖的日志大小\n\
         \x20 The columns are documented at / 各列说明见 {base}/downloads\n\
         \n\
         Licence / 许可: CC BY 4.0, {LICENCE_URL}\n\
         \n\
         Transparency log / 透明日志\n\
         \x20 Every public event of every certificate is an entry of an append-only log:\n\
         \x20 每张证书的每个公开事件都是只增日志中的一条记录：\n\
         \x20 {base}/log/ (C2SP tlog-tiles at {base}/log/checkpoint, policy at {base}/log/policy)\n\
         \x20 Verifier keys of its checkpoints (C2SP signed-note) / 检查点验证公钥:\n\
         {keys}\
         \x20 Check it from outside (the log, and each history against it) / 外部核验（日志及各证书历史）:\n\
         \x20   sqe-registry log verify --url {base} --key <verifier key> --state log-state.json\n"
    );
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(body)
}
