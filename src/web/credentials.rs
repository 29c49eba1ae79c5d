//! The registry's credential documents (issue 17): `/.well-known/did.json`, the `did:web`
//! document of the issuer's keys — the transparency log's published keys, retired ones kept
//! (`domain::credentials::did`); each certificate's signed credential (`/credentials/{id}`, the
//! current one at `/certificates/{number}/credential.json`), the status lists
//! (`/status/{purpose}/{list}`) and the small signed `status.json` embedders poll. Every
//! document is signed on request with the log's key (Ed25519 is deterministic: the same facts
//! give the same bytes on every instance, so ETags agree) and may be cached for 300 s.

use std::collections::HashMap;

use actix_web::http::header::{self, CacheControl, CacheDirective, EntityTag};
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::db::credentials::{self as stored, StoredCredential};
use crate::db::log::{self, Head};
use crate::domain::credentials::badge::{self, Registry};
use crate::domain::credentials::baking;
use crate::domain::credentials::data_integrity::{self, ProofOptions};
use crate::domain::credentials::did;
use crate::domain::credentials::status_list::{self, StatusPurpose};
use crate::domain::status::effective_status;
use crate::error::AppError;
use crate::web::state::FeatureState;
use crate::web::AppState;
use crate::web::{conditional, paths};

/// The media type of a credential with an embedded proof (VC Data Model 2.0, §6.3).
const VC_MEDIA_TYPE: &str = "application/vc";
/// How long any of these documents may be kept (the bound; the status lists' `ttl`).
const MAX_AGE: u32 = 300;

/// `/.well-known/did.json`; 404 when the public URL gives no did:web (it has no host).
pub async fn did_document(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let id = did::did_web(&state.config.public_url).ok_or(AppError::NotFound)?;
    let body = did::document(&id, &state.config.published_keys());
    Ok(HttpResponse::Ok()
        .content_type("application/did+json")
        .insert_header(cache_control())
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(body))
}

fn cache_control() -> CacheControl {
    CacheControl(vec![
        CacheDirective::Public,
        CacheDirective::MaxAge(MAX_AGE),
    ])
}

/// Who signs: the registry's DID, the verification method of the log's signing key, the key.
struct Signer {
    did: String,
    method: String,
    key: std::sync::Arc<crate::domain::tlog::note::NoteSigner>,
}

impl Signer {
    /// The registry's signer; 404 without a did:web or a signing key (nothing can be issued).
    fn of(state: &AppState) -> Result<Signer, AppError> {
        let did = did::did_web(&state.config.public_url).ok_or(AppError::NotFound)?;
        let key = state.config.log_signer.clone().ok_or(AppError::NotFound)?;
        let method = did::method_id_of(&did, &key.verifier().id);
        Ok(Signer { did, method, key })
    }

    fn sign(&self, document: &Value, created: NaiveDateTime) -> Result<Vec<u8>, AppError> {
        let options = ProofOptions {
            created: badge::utc(created),
            verification_method: self.method.clone(),
            proof_purpose: "assertionMethod".into(),
        };
        let signed = data_integrity::sign(document, &options, self.key.signing_key())
            .map_err(|e| AppError::Internal(e.to_string()))?;
        serde_json_canonicalizer::to_vec(&signed).map_err(|e| AppError::Internal(e.to_string()))
    }
}

/// A signed document with a strong ETag of its bytes, CORS open, cacheable for 300 s.
fn document(req: &HttpRequest, content_type: &str, body: impl Into<Bytes>) -> HttpResponse {
    let body: Bytes = body.into();
    let tag = strong_tag(&body);
    tagged_document(req, content_type, body, tag)
}

fn strong_tag(body: &[u8]) -> EntityTag {
    EntityTag::new_strong(conditional::hex12(&Sha256::digest(body)))
}

/// [`document`] with its tag already computed.
fn tagged_document(
    req: &HttpRequest,
    content_type: &str,
    body: Bytes,
    tag: EntityTag,
) -> HttpResponse {
    let mut res = conditional::respond(req, tag, cache_control(), content_type, body);
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::HeaderValue::from_static("*"),
    );
    res
}

fn signed_credential(state: &AppState, credential: &StoredCredential) -> Result<Vec<u8>, AppError> {
    let signer = Signer::of(state)?;
    let registry = Registry {
        public_url: &state.config.public_url,
        did: &signer.did,
    };
    let unsigned = badge::credential(&credential.facts, &registry);
    signer.sign(&unsigned, credential.facts.issued_at)
}

/// `/credentials/{id}`: a credential as issued (superseded ones too: their status says so).
pub async fn by_id(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: i64 = path
        .parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)?;
    let credential = state
        .db(move |conn| Ok(stored::by_id(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let body = signed_credential(&state, &credential)?;
    Ok(document(&req, VC_MEDIA_TYPE, body))
}

/// The current credential of the certificate numbered `number` (404 when it has none).
async fn current_credential(
    state: &AppState,
    number: String,
) -> Result<StoredCredential, AppError> {
    state
        .db(move |conn| Ok(stored::current_of(conn, &number)?))
        .await?
        .ok_or(AppError::NotFound)
}

/// `res` saved by browsers as `filename` (a file-safe name).
fn attachment(mut res: HttpResponse, filename: &str) -> HttpResponse {
    if let Ok(value) =
        header::HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
    {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    res
}

/// `/certificates/{number}/credential.json`: the certificate's current credential.
pub async fn current(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let credential = current_credential(&state, number).await?;
    let body = signed_credential(&state, &credential)?;
    let res = document(&req, VC_MEDIA_TYPE, body);
    let name = format!(
        "sqe-credential-{}.json",
        paths::file_safe(&credential.facts.certificate_number)
    );
    Ok(attachment(res, &name))
}

/// `/certificates/{number}/baked-badge.png?lang=zh|en&theme=light|dark`: the print-ready PNG
/// badge with the current credential baked in (Open Badges 3.0: an `iTXt` chunk
/// `openbadgecredential`), offered by the embed kit.
pub async fn baked_badge(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let credential = current_credential(&state, number.clone()).await?;
    let signed = signed_credential(&state, &credential)?;
    let (png, lang, theme) = crate::web::marks::print_badge(&req, &state, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let text = String::from_utf8(signed).map_err(|e| AppError::Internal(e.to_string()))?;
    let baked = baking::bake(&png, &text).map_err(|e| AppError::Internal(e.to_string()))?;
    let res = document(&req, "image/png", baked);
    let name = paths::badge_file(&credential.facts.certificate_number, lang, theme);
    Ok(attachment(res, &name))
}

/// `/certificates/{number}/credential-proof`: 303 to the log proof of the entry the current
/// credential reflects (`/log/proof/{index}`); 404 while it has none.
pub async fn credential_proof(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let credential = current_credential(&state, number).await?;
    let index = credential
        .facts
        .log_index
        .and_then(|i| i64::try_from(i).ok())
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, paths::log_proof(index)))
        .insert_header(cache_control())
        .finish())
}

/// The time a status document speaks for: the last signed change of the registry (`signed_at`
/// of the log head), or the start of today in Beijing when later (an expiry takes effect at
/// midnight without an event). The same on every instance, so the same bytes.
fn as_of(head: Option<Head>, today: NaiveDate) -> NaiveDateTime {
    let midnight = today.and_time(NaiveTime::MIN) - chrono::Duration::hours(8);
    head.map_or(midnight, |h| h.signed_at.max(midnight))
}

/// `/status/{purpose}/{list}`: a signed Bitstring Status List credential.
pub async fn status_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (purpose, list) = path.into_inner();
    let purpose = StatusPurpose::parse(&purpose).ok_or(AppError::NotFound)?;
    let list: i64 = list
        .parse()
        .ok()
        .filter(|l| *l >= 0)
        .ok_or(AppError::NotFound)?;
    let signer = Signer::of(&state)?;
    // Read before the database: a change meanwhile leaves the kept copy at an older revision.
    state.sync_revision().await;
    let revision = state.revision.current();
    let kept = state.feature::<KeptLists>();
    if let Some((body, tag)) = kept.get(purpose, list, revision) {
        return Ok(tagged_document(&req, VC_MEDIA_TYPE, body, tag));
    }
    let (entries, head) = state
        .db(move |conn| {
            if list > stored::last_id(conn)? / status_list::LIST_SIZE {
                return Ok(None);
            }
            Ok(Some((
                stored::set_entries(conn, purpose, list)?,
                log::head(conn)?,
            )))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let as_of = as_of(head, state.today());
    let encoded = web::block(move || status_list::encode(entries)).await?;
    let unsigned = status_list::list_credential(
        &state.config.public_url,
        &signer.did,
        purpose,
        list,
        encoded,
        &badge::utc(as_of),
    );
    let body = Bytes::from(signer.sign(&unsigned, as_of)?);
    let tag = strong_tag(&body);
    kept.put(purpose, list, revision, body.clone(), tag.clone());
    Ok(tagged_document(&req, VC_MEDIA_TYPE, body, tag))
}

/// The status lists this instance has signed, each at the registry revision it was read at: a
/// list of a million credentials takes a fifth of a second to build, and every verifier asks.
/// Each is kept with its ETag (a SHA-256 of up to 180 KB is not redone per request).
#[derive(Default)]
pub struct KeptLists {
    lists: std::sync::RwLock<HashMap<(StatusPurpose, i64), KeptList>>,
}

struct KeptList {
    revision: i64,
    body: Bytes,
    tag: EntityTag,
}

impl KeptLists {
    fn get(&self, purpose: StatusPurpose, list: i64, revision: i64) -> Option<(Bytes, EntityTag)> {
        let lists = self.lists.read().ok()?;
        let kept = lists.get(&(purpose, list))?;
        (kept.revision == revision).then(|| (kept.body.clone(), kept.tag.clone()))
    }

    fn put(&self, purpose: StatusPurpose, list: i64, revision: i64, body: Bytes, tag: EntityTag) {
        if let Ok(mut lists) = self.lists.write() {
            lists.insert(
                (purpose, list),
                KeptList {
                    revision,
                    body,
                    tag,
                },
            );
        }
    }
}

impl FeatureState for KeptLists {
    fn registry_changed(&self) {
        if let Ok(mut lists) = self.lists.write() {
            lists.clear();
        }
    }
}

/// `/certificates/{number}/status.json`: number, effective status, stars, as-of time, the
/// current credential and the latest log entry, signed.
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let signer = Signer::of(&state)?;
    let (facts, head) = state
        .db(move |conn| {
            let Some(facts) = stored::status_facts(conn, &number)? else {
                return Ok(None);
            };
            Ok(Some((facts, log::head(conn)?)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let as_of = as_of(head, state.today());
    let status = effective_status(facts.status, facts.expires_on, state.today());
    let registry = Registry {
        public_url: &state.config.public_url,
        did: &signer.did,
    };
    let unsigned = json!({
        "type": "SqeCertificateStatus",
        "issuer": signer.did,
        "certificate": facts.number,
        "url": registry.certificate_url(&facts.number),
        "status": status.as_str(),
        "stars": facts.grade,
        "validUntil": facts.expires_on.format("%Y-%m-%d").to_string(),
        "asOf": badge::utc(as_of),
        "credential": facts.credential.map(|id| registry.credential_url(i64::from(id))),
        "logIndex": facts.log_index,
    });
    let body = signer.sign(&unsigned, as_of)?;
    Ok(document(&req, "application/json", body))
}
