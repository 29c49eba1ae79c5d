//! Findability: `/robots.txt` and the sitemaps (sitemaps.org protocol 0.9).
//!
//! `/sitemap.xml` is always a sitemap index: `/sitemaps/pages.xml` (the site's own pages), then
//! `/sitemaps/certificates-{n}.xml` and `/sitemaps/companies-{n}.xml`, each a range of ids of at
//! most [`MAX_URLS_PER_FILE`] rows (`db::sitemap`), so a million certificates are read one file
//! at a time and a file's URLs do not move as the registry grows. The index, the pages list and
//! each range file are written once per registry revision into the data directory,
//! gzip-compressed (`sitemaps/certificates-3-r42.xml.gz`), and served as stored, the previous
//! revision's while a new one is written (`web::stored_files`; a range file of 50,000 URLs took
//! 30 ms of database and 1 s of compression per request at 1,000,000 certificates).

use std::io;
use std::path::PathBuf;

use actix_web::http::header::{self, CacheControl, CacheDirective, TryIntoHeaderValue};
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use crate::db;
use crate::db::sitemap::SitemapRange;
use crate::error::AppError;
use crate::transfer::stored::Kind;
use crate::web::paths;
use crate::web::seo::absolute;
use crate::web::state::FeatureState;
use crate::web::stored_files::{send, FileFlights};
use crate::web::AppState;

/// The protocol's limit of URLs in one sitemap file (and of files in one index): the default
/// of the configuration's `sitemap_urls_per_file`.
pub use crate::config::MAX_SITEMAP_URLS_PER_FILE as MAX_URLS_PER_FILE;
/// The site's own pages listed in `/sitemaps/pages.xml`.
pub const SITE_PAGES: [&str; 4] = ["/", "/search", "/about", "/misuse"];
/// How long crawlers and proxies may reuse a sitemap or robots.txt, in seconds.
const MAX_AGE: u32 = 3600;

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// The sitemap documents, each a kind of stored file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SitemapKey {
    Index,
    Pages,
    /// `/sitemaps/certificates-{n}.xml`.
    Certificates(i64),
    /// `/sitemaps/companies-{n}.xml`.
    Companies(i64),
}

impl SitemapKey {
    /// Its files: `index-r{revision}.xml.gz`, `certificates-{n}-r{revision}.xml.gz`, ….
    fn kind(self) -> Kind {
        let name = match self {
            SitemapKey::Index => "index".to_owned(),
            SitemapKey::Pages => "pages".to_owned(),
            SitemapKey::Certificates(n) => format!("certificates-{n}"),
            SitemapKey::Companies(n) => format!("companies-{n}"),
        };
        Kind::new(format!("{name}-r"), ".xml.gz")
    }
}

/// The sitemap files of this instance: at most one being written per document.
#[derive(Default)]
pub struct SitemapFiles(FileFlights<SitemapKey>);

impl FeatureState for SitemapFiles {}

/// Where the sitemap files are kept.
pub fn directory(state: &AppState) -> PathBuf {
    state.config.data_dir.join("sitemaps")
}

/// Removes every sitemap file (at start, like the downloads: a restored database may reuse a
/// revision number).
pub fn clear(state: &AppState) {
    crate::transfer::stored::clear(&directory(state), "");
}

/// `/robots.txt`: the public pages may be crawled; the back office, the mark images other
/// sites embed (but the PNG badge, the pages' preview image), the embed and print copies of a
/// verification page and search result lists are not worth crawling.
pub async fn robots(state: web::Data<AppState>) -> HttpResponse {
    let body = format!(
        "# SQE certificate registry\n\
         User-agent: *\n\
         Allow: /\n\
         Disallow: /admin\n\
         Disallow: /qr/\n\
         Disallow: /badge/\n\
         Allow: /badge/*.png\n\
         Disallow: /certificates/*/embed\n\
         Disallow: /certificates/*/print\n\
         Disallow: /search?\n\
         Disallow: /healthz\n\
         Disallow: /readyz\n\
         \n\
         Sitemap: {}\n",
        absolute(&state.config, "/sitemap.xml")
    );
    respond("text/plain; charset=utf-8", Bytes::from(body))
}

/// `/sitemap.xml`: the index of every sitemap file.
pub async fn index(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    stored(&req, &state, SitemapKey::Index).await
}

/// `/sitemaps/pages.xml`: the home page, the search, about and misuse pages.
pub async fn pages(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    stored(&req, &state, SitemapKey::Pages).await
}

/// `/sitemaps/certificates-{n}.xml`: the verification pages of one range of certificates.
pub async fn certificates(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let n = file_number(&path)?;
    stored(&req, &state, SitemapKey::Certificates(n)).await
}

/// `/sitemaps/companies-{n}.xml`: the pages of one range of companies.
pub async fn companies(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let n = file_number(&path)?;
    stored(&req, &state, SitemapKey::Companies(n)).await
}

/// Serves this revision's file of `key`, written on first request (a missing range is a 404
/// and writes nothing).
async fn stored(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    key: SitemapKey,
) -> Result<HttpResponse, AppError> {
    let revision = crate::web::stored_files::revision(state).await?;
    let dir = directory(state);
    let kind = key.kind();
    let path = dir.join(kind.file_name(&revision.to_string()));
    let writer = (state.clone(), path.clone());
    let path = state
        .feature::<SitemapFiles>()
        .0
        .current(
            key,
            path,
            || kind.latest(&dir),
            move || write(writer.0.clone(), key, writer.1.clone()),
        )
        .await?;
    let mut res = send(req, &path, "application/xml; charset=utf-8").await?;
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(MAX_AGE),
        ])
        .try_into_value()
        .map_err(|_| AppError::Internal("cache-control".into()))?,
    );
    Ok(res)
}

/// Renders `key` and writes it to `path`, removing the older files of its kind.
async fn write(
    state: web::Data<AppState>,
    key: SitemapKey,
    path: PathBuf,
) -> Result<PathBuf, AppError> {
    let dir = directory(&state);
    let body = match render(&state, key).await {
        Ok(body) => body,
        Err(AppError::NotFound) => {
            // A range emptied since its last file: that file must not be served again.
            key.kind().remove_others(&dir, &path);
            return Err(AppError::NotFound);
        }
        Err(e) => return Err(e),
    };
    state
        .cpu(move || {
            crate::transfer::stored::write_gzip(&path, |out| Ok(out.write_all(&body)?))
                .map_err(|e| AppError::Unavailable(format!("writing a sitemap: {e:#}")))?;
            key.kind().remove_others(&dir, &path);
            Ok(path)
        })
        .await
}

/// The XML document of `key`, from the database.
async fn render(state: &AppState, key: SitemapKey) -> Result<Bytes, AppError> {
    let config = &state.config;
    let size = i64::from(config.sitemap_urls_per_file.max(1));
    match key {
        SitemapKey::Index => {
            let (certificates, companies) = state
                .db(move |conn| {
                    Ok((
                        db::sitemap::certificate_ranges(conn, size)?,
                        db::sitemap::company_ranges(conn, size)?,
                    ))
                })
                .await?;
            let mut files: Vec<(String, Option<NaiveDateTime>)> = vec![("pages".to_owned(), None)];
            let named = |kind: &str, r: &SitemapRange| (format!("{kind}-{}", r.n), r.lastmod);
            files.extend(certificates.iter().map(|r| named("certificates", r)));
            files.extend(companies.iter().map(|r| named("companies", r)));
            xml(|w| {
                w.create_element("sitemapindex")
                    .with_attribute(("xmlns", SITEMAP_NS))
                    .write_inner_content(|w| {
                        for (name, lastmod) in &files {
                            let loc = absolute(config, &paths::sitemap_file(name));
                            entry(w, "sitemap", &loc, *lastmod)?;
                        }
                        Ok(())
                    })?;
                Ok(())
            })
        }
        SitemapKey::Pages => urlset(SITE_PAGES.iter().map(|p| (absolute(config, p), None))),
        SitemapKey::Certificates(n) => {
            let rows = state
                .db(move |conn| Ok(db::sitemap::certificates_in(conn, n, size)?))
                .await?;
            if rows.is_empty() {
                return Err(AppError::NotFound);
            }
            urlset(
                rows.iter()
                    .map(|(number, at)| (absolute(config, &paths::certificate(number)), Some(*at))),
            )
        }
        SitemapKey::Companies(n) => {
            let codes = state
                .db(move |conn| Ok(db::sitemap::companies_in(conn, n, size)?))
                .await?;
            if codes.is_empty() {
                return Err(AppError::NotFound);
            }
            urlset(
                codes
                    .iter()
                    .map(|code| (absolute(config, &paths::company(code)), None)),
            )
        }
    }
}

/// A file number as written in the index: 1, 2, … (no sign, no leading zero).
fn file_number(raw: &str) -> Result<i64, AppError> {
    match raw.parse::<u32>() {
        Ok(n) if n >= 1 && n.to_string() == raw => Ok(i64::from(n)),
        _ => Err(AppError::NotFound),
    }
}

/// A `<urlset>` of absolute URLs with their last change.
fn urlset(urls: impl Iterator<Item = (String, Option<NaiveDateTime>)>) -> Result<Bytes, AppError> {
    xml(|w| {
        w.create_element("urlset")
            .with_attribute(("xmlns", SITEMAP_NS))
            .write_inner_content(|w| {
                for (loc, lastmod) in urls {
                    entry(w, "url", &loc, lastmod)?;
                }
                Ok(())
            })?;
        Ok(())
    })
}

/// `<url>` or `<sitemap>`: `loc` and, when known, `lastmod` (a W3C date).
fn entry(
    w: &mut Writer<Vec<u8>>,
    element: &str,
    loc: &str,
    lastmod: Option<NaiveDateTime>,
) -> io::Result<()> {
    w.create_element(element).write_inner_content(|w| {
        w.create_element("loc")
            .write_text_content(BytesText::new(loc))?;
        if let Some(at) = lastmod {
            let date = at.date().to_string();
            w.create_element("lastmod")
                .write_text_content(BytesText::new(&date))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// An XML document written by `body` after the declaration.
fn xml(body: impl FnOnce(&mut Writer<Vec<u8>>) -> io::Result<()>) -> Result<Bytes, AppError> {
    let mut w = Writer::new(Vec::new());
    let written = w
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| body(&mut w));
    written.map_err(|e| AppError::Internal(format!("sitemap: {e}")))?;
    Ok(Bytes::from(w.into_inner()))
}

fn respond(content_type: &'static str, body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(MAX_AGE),
        ]))
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_numbers_have_one_spelling() {
        assert_eq!(file_number("1").ok(), Some(1));
        assert_eq!(file_number("20").ok(), Some(20));
        for bad in ["0", "01", "+1", "-1", "x", "", "99999999999"] {
            assert!(file_number(bad).is_err(), "{bad}");
        }
    }
}
