//! Turns one platform and one simulated history into the rows of a demo certificate: number,
//! scope, search text and tokens, evaluations with their indicator scores, and events.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::evaluation::History;
use super::goals::certificate_history;
use super::history::Context;
use super::holders::{Holders, PlatformDraft};
use super::reference::{BodyRef, Reference};
use super::rows::{
    Batch, CertificateRow, CompanyRow, DomainRow, EvaluationRow, EventRow, NameKeyRow, PinyinRow,
    PlatformRow, ScoreRow, TokenRow,
};
use crate::db::write;
use crate::domain::best_match::NameKeys;
use crate::domain::lookalike::site_key_of_host;
use crate::domain::numbering::format_number;
use crate::domain::search_text;
use crate::domain::surveillance::AssessmentKind;

/// Pattern of demo certificate numbers: the default one.
pub const NUMBER_PATTERN: &str = crate::domain::numbering::DEFAULT_PATTERN;

/// Makes the rows of one certificate after the other; ids start at 1.
pub struct Generator<'a> {
    seed: u64,
    reference: &'a Reference,
    ctx: Context<'a>,
    /// Whether every evaluation keeps its indicator scores (else only the latest one).
    detail: bool,
    holders: Holders,
    rng: ChaCha8Rng,
    serials: HashMap<(i32, i32), u64>,
    now: NaiveDateTime,
    domain_id: i32,
    evaluation_id: i32,
    score_id: i32,
    event_id: i32,
}

impl<'a> Generator<'a> {
    /// A generator for `seed` and `today`; `detail` keeps the indicator scores of every
    /// evaluation (else only of each certificate's latest).
    pub fn new(
        seed: u64,
        today: chrono::NaiveDate,
        detail: bool,
        reference: &'a Reference,
    ) -> Self {
        Generator {
            seed,
            reference,
            ctx: Context {
                today,
                schemes: &reference.schemes,
            },
            detail,
            holders: Holders::new(ChaCha8Rng::seed_from_u64(seed)),
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_B0D1),
            serials: HashMap::new(),
            now: write::now_utc(),
            domain_id: 0,
            evaluation_id: 0,
            score_id: 0,
            event_id: 0,
        }
    }

    /// Companies made so far.
    pub fn companies(&self) -> i32 {
        self.holders.companies()
    }

    /// Events made so far.
    pub fn events(&self) -> i32 {
        self.event_id
    }

    fn body(&mut self) -> anyhow::Result<&'a BodyRef> {
        let bodies = &self.reference.bodies;
        let total: u32 = bodies.iter().map(|b| b.share).sum();
        let mut pick = self.rng.random_range(0..total.max(1));
        for b in bodies {
            if pick < b.share {
                return Ok(b);
            }
            pick -= b.share;
        }
        bodies
            .first()
            .ok_or_else(|| anyhow::anyhow!("no certification body"))
    }

    /// Adds the rows of the certificate with this 0-based index to `batch`.
    pub fn certificate(&mut self, index: u32, batch: &mut Batch) -> anyhow::Result<()> {
        let id = i32::try_from(index)? + 1;
        let draft = self.holders.next_platform();
        let h = certificate_history(self.seed, index, &self.ctx);
        let body = self.body()?;
        let year = h.first_issued_on.year();
        let serial = self.serials.entry((body.id, year)).or_insert(0);
        *serial += 1;
        let number = format_number(NUMBER_PATTERN, body.code, year, *serial)?;
        let text = write::searchable_text(&draft.company, &draft.platform);
        batch.tokens.extend(
            search_text::index_tokens(&text)
                .into_iter()
                .map(|token| TokenRow {
                    token,
                    certificate_id: id,
                }),
        );
        let row = self.certificate_row(id, number, body.id, &draft, &h, &text);
        let keys = NameKeys::of(&draft.platform.name, &draft.company.name_zh);
        batch
            .names
            .extend(keys.stored().into_iter().map(|name_key| NameKeyRow {
                name_key: name_key.to_owned(),
                certificate_id: id,
            }));
        batch.spellings.extend(
            keys.pinyin_spellings()
                .into_iter()
                .map(|spelling| PinyinRow {
                    spelling,
                    certificate_id: id,
                }),
        );
        batch.certificates.push(row);
        let province_code = draft.company.province_code.clone();
        self.push_holder(draft, batch);
        self.push_history(id, &province_code, h, batch);
        Ok(())
    }

    fn certificate_row(
        &self,
        id: i32,
        number: String,
        body_id: i32,
        d: &PlatformDraft,
        h: &History,
        text: &str,
    ) -> CertificateRow {
        let (last_on, last_kind, scheme_id) = match h.last() {
            Some(a) => (a.on, a.kind, a.scheme_version_id),
            None => (h.first_issued_on, AssessmentKind::Initial, 0),
        };
        let name = &d.platform.name;
        CertificateRow {
            id,
            number,
            platform_id: d.platform_id,
            company_id: d.company_id,
            body_id,
            scheme_version_id: scheme_id,
            score: h.score,
            grade: i16::from(h.grade.stars()),
            status: h.status.as_str(),
            first_issued_on: h.first_issued_on,
            issued_on: h.issued_on,
            expires_on: h.expires_on,
            last_assessed_on: last_on,
            last_assessment_kind: last_kind.as_str(),
            scope_zh: format!("{name}（{}）的电子商务平台服务", d.shown_domains.join("、")),
            scope_en: format!(
                "E-commerce platform services of {name} ({})",
                d.shown_domains.join(", ")
            ),
            sort_name: d.company.name_zh.clone(),
            search_text: search_text::normalize(text),
            updated_at: self.now,
            province_code: d.company.province_code.clone(),
            platform_type: d.platform.platform_type,
        }
    }

    fn push_holder(&mut self, d: PlatformDraft, batch: &mut Batch) {
        for domain in d.domains {
            self.domain_id += 1;
            batch.domains.push(DomainRow {
                id: self.domain_id,
                platform_id: d.platform_id,
                site_key: site_key_of_host(&domain),
                domain,
            });
        }
        batch.platforms.push(PlatformRow {
            id: d.platform_id,
            company_id: d.company_id,
            name: d.platform.name,
            platform_type: d.platform.platform_type,
            app_names: d.platform.app_names,
        });
        if d.new_company {
            let c = d.company;
            batch.companies.push(CompanyRow {
                id: d.company_id,
                credit_code: c.credit_code,
                name_zh: c.name_zh,
                name_en: c.name_en,
                province_code: c.province_code,
                city: c.city,
                address: c.address,
            });
        }
    }

    fn push_history(
        &mut self,
        certificate_id: i32,
        province_code: &str,
        h: History,
        batch: &mut Batch,
    ) {
        let count = h.assessments.len();
        for (i, a) in h.assessments.into_iter().enumerate() {
            self.evaluation_id += 1;
            batch.evaluations.push(EvaluationRow {
                id: self.evaluation_id,
                certificate_id,
                kind: a.kind.as_str(),
                assessed_on: a.on,
                total_score: a.total,
                grade: a.grade.map(|g| i16::from(g.stars())),
            });
            if self.detail || i + 1 == count {
                for (indicator_id, earned, max_points) in a.scores {
                    self.score_id += 1;
                    batch.scores.push(ScoreRow {
                        id: self.score_id,
                        evaluation_id: self.evaluation_id,
                        indicator_id,
                        earned,
                        max_points,
                    });
                }
            }
        }
        for e in h.events {
            self.event_id += 1;
            batch.events.push(EventRow {
                id: self.event_id,
                certificate_id,
                kind: e.kind.as_str(),
                occurred_on: e.on,
                grade_before: e.before.map(|g| i16::from(g.stars())),
                grade_after: e.after.map(|g| i16::from(g.stars())),
                reason_zh: e.reason.map(|r| r.0),
                reason_en: e.reason.map(|r| r.1),
                // Published at 09:00 Beijing time (01:00 UTC) on the day.
                created_at: e.on.and_hms_opt(1, 0, 0).unwrap_or(self.now),
                province_code: province_code.to_owned(),
            });
        }
    }
}
