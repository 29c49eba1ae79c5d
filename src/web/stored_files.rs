//! Serving the files written once per registry revision (`transfer::stored`): the downloads and
//! the sitemaps. One writer per kind of file per instance, however many ask (single flight),
//! written to the end even if every reader leaves; while it writes, readers get the previous
//! edition (a rebuild blocks nobody); only the first edition ever is waited for. A file is sent
//! as stored — gzip, with `ETag`, `Last-Modified` and `Range` (actix-files) — or decompressed
//! as it is sent to a client that takes no gzip.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use actix_files::NamedFile;
use actix_web::http::header::{self, ContentEncoding};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};

use crate::error::AppError;
use crate::web::AppState;

type Writing = tokio::sync::OnceCell<Result<PathBuf, AppError>>;

/// The file being written for each kind `K`, with the path it is written to.
pub struct FileFlights<K> {
    writing: Mutex<HashMap<K, (PathBuf, Arc<Writing>)>>,
}

impl<K> Default for FileFlights<K> {
    fn default() -> Self {
        FileFlights {
            writing: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone> FileFlights<K> {
    /// The file to serve for `kind`: `path` when it exists; else, while `write` writes it, the
    /// file `previous` names; with none, `path` once written. `write` returns the path it
    /// wrote; a failed write is not kept (the next request tries again).
    pub async fn current<W, Fut>(
        &self,
        kind: K,
        path: PathBuf,
        previous: impl FnOnce() -> Option<PathBuf>,
        write: W,
    ) -> Result<PathBuf, AppError>
    where
        W: Fn() -> Fut + Clone + 'static,
        Fut: Future<Output = Result<PathBuf, AppError>> + 'static,
    {
        if path.is_file() {
            return Ok(path);
        }
        let (writing, started) = {
            let mut map = self
                .writing
                .lock()
                .map_err(|_| AppError::Internal("stored files lock".into()))?;
            match map.get(&kind) {
                Some((p, w)) if *p == path && !matches!(w.get(), Some(Err(_))) => {
                    (w.clone(), false)
                }
                _ => {
                    let w = Arc::new(Writing::new());
                    map.insert(kind.clone(), (path.clone(), w.clone()));
                    (w, true)
                }
            }
        };
        if started {
            let (writing, write) = (writing.clone(), write.clone());
            actix_web::rt::spawn(async move {
                writing.get_or_init(write).await;
            });
        }
        if let Some(previous) = previous().filter(|p| *p != path) {
            if !writing.initialized() {
                return Ok(previous);
            }
        }
        let written = writing.get_or_init(write).await.clone();
        if written.is_err() {
            if let Ok(mut map) = self.writing.lock() {
                if map
                    .get(&kind)
                    .is_some_and(|(_, w)| Arc::ptr_eq(w, &writing))
                {
                    map.remove(&kind);
                }
            }
        }
        written
    }
}

/// The registry revision this instance serves (read from the database before its first one).
pub async fn revision(state: &AppState) -> Result<i64, AppError> {
    state.sync_revision().await;
    let revision = state.revision.current();
    if revision >= 0 {
        return Ok(revision);
    }
    state.db(|conn| Ok(crate::db::stats::revision(conn)?)).await
}

/// Sends a stored gzip file as `content_type`: as stored to a client that accepts gzip, else
/// decompressed. The response varies by `Accept-Encoding`.
pub async fn send(
    req: &HttpRequest,
    path: &Path,
    content_type: &str,
) -> Result<HttpResponse, AppError> {
    let unavailable =
        |e: std::io::Error| AppError::Unavailable(format!("opening {}: {e}", path.display()));
    let mut res = if crate::web::compression::accepts_gzip(req) {
        let file = NamedFile::open_async(path).await.map_err(unavailable)?;
        let mime: mime_guess::mime::Mime = content_type
            .parse()
            .map_err(|_| AppError::Internal(format!("content type {content_type}")))?;
        file.set_content_type(mime)
            .set_content_encoding(ContentEncoding::Gzip)
            .disable_content_disposition()
            .into_response(req)
    } else {
        let file = std::fs::File::open(path).map_err(unavailable)?;
        HttpResponse::Ok()
            .content_type(content_type.to_owned())
            .streaming(decompressed(file))
    };
    res.headers_mut().insert(
        header::VARY,
        header::HeaderValue::from_static("Accept-Encoding"),
    );
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
