//! `/downloads`: the whole registry as CSV and as JSON Lines, streamed a page of certificates at
//! a time (memory stays flat whatever the size), and the page that documents every column, the
//! time of the last change and the licence of the data.
//!
//! The CSV has the import's columns (`domain::record::Column`, so a download can be imported
//! elsewhere) followed by the derived ones (`DERIVED_COLUMNS`: grade, effective status, the
//! verification page), which an import ignores.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Map, Value};

use super::shared;
use crate::db::records;
use crate::domain::dates::beijing_offset;
use crate::domain::record::{
    derived, split_app_names, split_domains, Column, RawRecord, DERIVED_COLUMNS,
};
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::paths;
use crate::web::AppState;

/// Certificates read per query while streaming.
pub const PAGE: i64 = 1000;

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

/// One record's published fields, in file order: the stored columns, then the derived ones.
struct Published {
    raw: RawRecord,
    grade: Option<u8>,
    status: Option<&'static str>,
    url: String,
}

fn publish(raw: RawRecord, today: NaiveDate, base: &str) -> Published {
    let (grade, status) = derived(&raw, today);
    let url = format!(
        "{base}/certificates/{}",
        paths::encode_segment(raw.get(Column::Number))
    );
    Published {
        grade,
        status: status.map(|s| s.as_str()),
        url,
        raw,
    }
}

fn csv_lines(rows: &[Published], header: bool) -> Result<Bytes, AppError> {
    let mut out = csv::WriterBuilder::new().from_writer(Vec::with_capacity(rows.len() * 400));
    let fail = |e: csv::Error| AppError::Internal(e.to_string());
    if header {
        let names = Column::ALL.iter().map(|c| c.name()).chain(DERIVED_COLUMNS);
        out.write_record(names).map_err(fail)?;
    }
    for p in rows {
        let grade = p.grade.map(|g| g.to_string()).unwrap_or_default();
        let derived = [grade.as_str(), p.status.unwrap_or(""), p.url.as_str()];
        out.write_record(p.raw.values().chain(derived))
            .map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(e.into_error().to_string()))?;
    Ok(Bytes::from(bytes))
}

/// One record as a JSON object: numbers as numbers, lists as arrays, empty optional text as null.
fn json_object(p: &Published) -> Value {
    let mut map = Map::new();
    for c in Column::ALL {
        let text = p.raw.get(c);
        let value = match c {
            Column::Score => text.parse::<f64>().map_or(Value::Null, Value::from),
            Column::Domains => split_domains(text).collect::<Vec<_>>().into(),
            Column::AppNames => split_app_names(text).collect::<Vec<_>>().into(),
            _ if c.optional() && text.is_empty() => Value::Null,
            _ => text.into(),
        };
        map.insert(c.name().to_owned(), value);
    }
    map.insert("grade".to_owned(), p.grade.map_or(Value::Null, Value::from));
    map.insert(
        "effective_status".to_owned(),
        p.status.map_or(Value::Null, Value::from),
    );
    map.insert("verification_url".to_owned(), p.url.clone().into());
    Value::Object(map)
}

fn json_lines(rows: &[Published]) -> Result<Bytes, AppError> {
    let mut out = Vec::with_capacity(rows.len() * 600);
    for p in rows {
        serde_json::to_writer(&mut out, &json_object(p))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        out.push(b'\n');
    }
    Ok(Bytes::from(out))
}

/// Streams every certificate in id order, a page per query, each page encoded by `encode`
/// (told whether it is the first).
fn stream_pages(
    state: web::Data<AppState>,
    encode: fn(&[Published], bool) -> Result<Bytes, AppError>,
) -> impl futures_util::Stream<Item = Result<Bytes, AppError>> {
    let today = state.today();
    let base = state.config.public_url.clone();
    stream::try_unfold(Some(0), move |after| {
        let state = state.clone();
        let base = base.clone();
        async move {
            let Some(after) = after else {
                return Ok(None);
            };
            let page = state
                .db(move |conn| Ok(records::page_after(conn, after, PAGE)?))
                .await?;
            let next = match page.last() {
                Some((id, _)) if page.len() as i64 == PAGE => Some(*id),
                _ => None,
            };
            let rows: Vec<Published> = page
                .into_iter()
                .map(|(_, raw)| publish(raw, today, &base))
                .collect();
            Ok(Some((encode(&rows, after == 0)?, next)))
        }
    })
    // An empty registry still gets the CSV header.
    .try_filter(|bytes| futures_util::future::ready(!bytes.is_empty()))
}

fn download(
    state: web::Data<AppState>,
    content_type: &str,
    filename: &str,
    encode: fn(&[Published], bool) -> Result<Bytes, AppError>,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(filename.to_owned())],
        })
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::LINK, format!("<{LICENCE_URL}>; rel=\"license\"")))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .streaming(stream_pages(state, encode).map(|r| r.map_err(actix_web::Error::from)))
}

pub async fn csv(state: web::Data<AppState>) -> HttpResponse {
    download(
        state,
        "text/csv; charset=utf-8",
        "sqe-registry.csv",
        csv_lines,
    )
}

pub async fn jsonl(state: web::Data<AppState>) -> HttpResponse {
    download(
        state,
        "application/x-ndjson; charset=utf-8",
        "sqe-registry.jsonl",
        |rows, _| json_lines(rows),
    )
}
