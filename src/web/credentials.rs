//! The registry's credential documents (issue 17): `/.well-known/did.json`, the `did:web`
//! document of the issuer's keys — the transparency log's published keys, retired ones kept
//! (`domain::credentials::did`); each certificate's signed credential (`/credentials/{id}`, the
//! current one at `/certificates/{number}/credential.json`), the status lists
//! (`/status/{purpose}/{list}`) and the small signed `status.json` embedders poll. Every
//! document is signed on request with the log's key (Ed25519 is deterministic: the same facts
//! give the same bytes on every instance, so ETags agree) and may be cached for 300 s.

use std::collections::HashMap;

use quick_cache::sync::Cache;

use actix_web::http::header::{self, CacheControl, CacheDirective, EntityTag};
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDateTime, NaiveTime};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::db::credentials::{self as stored, StoredCredential};
use crate::db::log;
use crate::domain::credentials::badge::{self, Registry};
use crate::domain::credentials::data_integrity::{self, ProofOptions};
use crate::domain::credentials::did;
use crate::domain::credentials::status_list::{self, StatusPurpose};
use crate::domain::status::{effective_status, CertificateStatus};
use crate::error::AppError;
use crate::web::conditional;
use crate::web::state::FeatureState;
use crate::web::AppState;

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
    let tag = EntityTag::new_strong(conditional::hex12(&Sha256::digest(&body)));
    let mut res = conditional::respond(req, tag, cache_control(), content_type, body);
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::HeaderValue::from_static("*"),
    );
    res
}

/// Signed credentials this instance has served: a credential's facts never change once its log
/// index is known, nor does this process's key, so its bytes are kept as long as room allows.
pub struct KeptCredentials {
    documents: Cache<(i64, Option<u64>), Bytes>,
}

/// Credentials kept per instance (about 3 KB each).
const KEPT_CREDENTIALS: usize = 20_000;

impl Default for KeptCredentials {
    fn default() -> Self {
        KeptCredentials {
            documents: Cache::new(KEPT_CREDENTIALS),
        }
    }
}

impl FeatureState for KeptCredentials {}

fn signed_credential(state: &AppState, credential: &StoredCredential) -> Result<Bytes, AppError> {
    let key = (credential.facts.id, credential.facts.log_index);
    let kept = state.feature::<KeptCredentials>();
    if let Some(body) = kept.documents.get(&key) {
        return Ok(body);
    }
    let signer = Signer::of(state)?;
    let registry = Registry {
        public_url: &state.config.public_url,
        did: &signer.did,
    };
    let unsigned = badge::credential(&credential.facts, &registry);
    let body = Bytes::from(signer.sign(&unsigned, credential.facts.issued_at)?);
    kept.documents.insert(key, body.clone());
    Ok(body)
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

/// `/certificates/{number}/credential.json`: the certificate's current credential.
pub async fn current(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let credential = state
        .db(move |conn| Ok(stored::current_of(conn, &number)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let body = signed_credential(&state, &credential)?;
    let mut res = document(&req, VC_MEDIA_TYPE, body);
    let name = format!(
        "attachment; filename=\"sqe-credential-{}.json\"",
        credential
            .facts
            .certificate_number
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
    );
    if let Ok(value) = header::HeaderValue::from_str(&name) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(res)
}

/// The time a status document speaks for: the last signed change of the registry, or the
/// start of today in Beijing when later (an expiry takes effect at midnight without an
/// event). The same on every instance, so the same bytes.
async fn as_of(state: &AppState) -> Result<NaiveDateTime, AppError> {
    let head = state.db(|conn| Ok(log::head(conn)?)).await?;
    let midnight = state.today().and_time(NaiveTime::MIN) - chrono::Duration::hours(8);
    Ok(head.map_or(midnight, |h| h.signed_at.max(midnight)))
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
    if let Some(body) = kept.get(purpose, list, revision) {
        return Ok(document(&req, VC_MEDIA_TYPE, body));
    }
    let as_of = as_of(&state).await?;
    let entries = state
        .db(move |conn| {
            if list > stored::last_id(conn)? / status_list::LIST_SIZE {
                return Ok(None);
            }
            Ok(Some(stored::set_entries(
                conn,
                purpose,
                list,
                status_list::LIST_SIZE,
            )?))
        })
        .await?
        .ok_or(AppError::NotFound)?;
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
    kept.put(purpose, list, revision, body.clone());
    Ok(document(&req, VC_MEDIA_TYPE, body))
}

/// The status lists this instance has signed, each at the registry revision it was read at: a
/// list of a million credentials takes a fifth of a second to build, and every verifier asks.
#[derive(Default)]
pub struct KeptLists {
    lists: std::sync::RwLock<HashMap<(StatusPurpose, i64), (i64, Bytes)>>,
}

impl KeptLists {
    fn get(&self, purpose: StatusPurpose, list: i64, revision: i64) -> Option<Bytes> {
        let lists = self.lists.read().ok()?;
        let (at, body) = lists.get(&(purpose, list))?;
        (*at == revision).then(|| body.clone())
    }

    fn put(&self, purpose: StatusPurpose, list: i64, revision: i64, body: Bytes) {
        if let Ok(mut lists) = self.lists.write() {
            lists.insert((purpose, list), (revision, body));
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
    let as_of = as_of(&state).await?;
    let facts = state
        .db(move |conn| Ok(stored::status_facts(conn, &number)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let stored_status = CertificateStatus::parse(&facts.status)
        .ok_or_else(|| AppError::Internal(format!("unknown status {:?}", facts.status)))?;
    let status = effective_status(stored_status, facts.expires_on, state.today());
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
