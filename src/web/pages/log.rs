//! `/log/`: what the transparency log is and how to check it, in both languages, with the
//! current signed checkpoint, the verifier keys, and which witnesses cosigned which size.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::db::log_cosignatures;
use crate::error::AppError;
use crate::web::i18n::Lang;
use crate::web::layout::Layout;
use crate::web::pages::shared;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "log.html")]
pub struct LogPage {
    pub layout: Layout,
    /// The signed checkpoint, verbatim (empty before the log begins).
    pub checkpoint: String,
    pub size: i64,
    /// The verifier keys (C2SP signed-note), newest first, with their periods.
    pub keys: Vec<KeyRow>,
    /// The key is the demo registry's published one.
    pub demo_key: bool,
    /// The public URL of the log (for the commands shown).
    pub base: String,
    /// The witnesses of the policy, with what each cosigned last (empty without witnessing).
    pub witnesses: Vec<WitnessRow>,
    /// Whether the current checkpoint has the cosignatures the policy's quorum asks for.
    pub quorum_met: bool,
}

/// One published key on the page.
pub struct KeyRow {
    pub vkey: String,
    /// The first and last day it signed (`None`: since the log began / still).
    pub from: Option<String>,
    pub until: Option<String>,
    pub retired: bool,
}

/// One witness on the page.
pub struct WitnessRow {
    /// Its name in the policy.
    pub name: String,
    /// Its key's name (usually its address).
    pub key_name: String,
    /// The size of the latest checkpoint it cosigned, and when (UTC), if any.
    pub latest: Option<(i64, String)>,
    /// It cosigned the current checkpoint.
    pub current: bool,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: Lang,
) -> Result<HttpResponse, AppError> {
    shared::serve(&req, &state, "log", lang, || async {
        let (head, latest) = state
            .db(|conn| {
                Ok((
                    log_cosignatures::cosigned_head(conn)?,
                    log_cosignatures::latest(conn)?,
                ))
            })
            .await?;
        let policy = state.config.witnessing.as_ref().map(|w| &w.policy);
        let has_cosigned = |vkey: &str| head.as_ref().is_some_and(|h| h.cosigned_by(vkey));
        let witnesses = policy
            .map(|p| {
                p.witnesses
                    .iter()
                    .map(|w| {
                        let vkey = w.key.vkey();
                        WitnessRow {
                            name: w.name.clone(),
                            key_name: w.key.name.clone(),
                            latest: latest.iter().find(|(k, _, _)| *k == vkey).map(
                                |(_, size, at)| {
                                    (*size, at.format("%Y-%m-%d %H:%M UTC").to_string())
                                },
                            ),
                            current: has_cosigned(&vkey),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let quorum_met =
            policy.is_some_and(|p| p.satisfied(&|i| has_cosigned(&p.witnesses[i].key.vkey())));
        Ok(LogPage {
            layout: Layout::new(&req, &state, lang).await,
            size: head
                .as_ref()
                .map_or(0, |h| i64::try_from(h.head.size).unwrap_or(i64::MAX)),
            // As /log/checkpoint serves it: with the cosignatures stored for it.
            checkpoint: head.as_ref().map(|h| h.note()).unwrap_or_default(),
            keys: state
                .config
                .published_keys()
                .iter()
                .map(|k| KeyRow {
                    vkey: k.vkey(),
                    from: k.from.map(|d| d.to_string()),
                    until: k.until.map(|d| d.to_string()),
                    retired: k.retired(state.today()),
                })
                .collect(),
            demo_key: state.config.signs_with_demo_key(),
            base: state.config.public_url.trim_end_matches('/').to_owned(),
            witnesses,
            quorum_met,
        })
    })
    .await
}
