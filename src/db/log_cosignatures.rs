//! Witnesses' cosignatures of the log's checkpoints, as received (and verified) by
//! `witness::submitter`: stored once per witness and size, read back to append to the current
//! checkpoint and to tell on `/log/` who cosigned what.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::log_cosignatures;
use super::DbConnection;
use crate::domain::tlog::merkle::Hash;

/// One witness's cosignature of one checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = log_cosignatures)]
pub struct Cosignature {
    /// The witness's verifier key.
    pub witness: String,
    pub size: i64,
    pub root: Vec<u8>,
    /// The signature line, without its newline.
    pub line: String,
    pub cosigned_at: NaiveDateTime,
}

/// What storing a cosignature came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    /// The witness's cosignature of this checkpoint was stored already (by another instance).
    Already,
    /// The witness cosigned another root of the same size before: the log forked.
    OtherRoot,
}

/// Stores a cosignature unless the witness's cosignature of that size is stored already.
/// A new one bumps the registry revision, so every instance shows it.
pub fn store(conn: &mut DbConnection, cosignature: &Cosignature) -> QueryResult<Stored> {
    super::write::write_transaction(conn, |conn| {
        let root: Option<Vec<u8>> = log_cosignatures::table
            .find((&cosignature.witness, cosignature.size))
            .select(log_cosignatures::root)
            .first(conn)
            .optional()?;
        match root {
            Some(root) if root == cosignature.root => return Ok(Stored::Already),
            Some(_) => return Ok(Stored::OtherRoot),
            None => {}
        }
        diesel::insert_into(log_cosignatures::table)
            .values(cosignature)
            .execute(conn)?;
        super::write::bump_revision(conn)?;
        Ok(Stored::New)
    })
}

/// The signed head with the cosignatures stored for it.
#[derive(Debug, Clone)]
pub struct CosignedHead {
    pub head: super::log::Head,
    /// Witness key and signature line, by witness key.
    pub cosignatures: Vec<(String, String)>,
}

impl CosignedHead {
    /// The checkpoint as served: the log's note with the cosignature lines appended (a signed
    /// note may carry any number of signatures; verifiers ignore keys they do not know).
    pub fn note(&self) -> String {
        let mut note = self.head.checkpoint.clone();
        for (_, line) in &self.cosignatures {
            note.push_str(line);
            note.push('\n');
        }
        note
    }

    /// Whether the witness of this verifier key cosigned the head.
    pub fn cosigned_by(&self, vkey: &str) -> bool {
        self.cosignatures.iter().any(|(w, _)| w == vkey)
    }
}

/// The current head and its cosignatures, if the log has begun.
pub fn cosigned_head(conn: &mut DbConnection) -> QueryResult<Option<CosignedHead>> {
    let Some(head) = super::log::head(conn)? else {
        return Ok(None);
    };
    let cosignatures = of_checkpoint(conn, head.size, &head.root)?;
    Ok(Some(CosignedHead { head, cosignatures }))
}

/// The cosignature lines of the checkpoint of `size` with `root`, by witness key.
pub fn of_checkpoint(
    conn: &mut DbConnection,
    size: u64,
    root: &Hash,
) -> QueryResult<Vec<(String, String)>> {
    log_cosignatures::table
        .filter(log_cosignatures::size.eq(size as i64))
        .filter(log_cosignatures::root.eq(root.to_vec()))
        .order(log_cosignatures::witness)
        .select((log_cosignatures::witness, log_cosignatures::line))
        .load(conn)
}

/// Each witness's latest cosignature: witness key, size and time.
pub fn latest(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64, NaiveDateTime)>> {
    let sizes: Vec<(String, Option<i64>)> = log_cosignatures::table
        .group_by(log_cosignatures::witness)
        .select((
            log_cosignatures::witness,
            diesel::dsl::max(log_cosignatures::size),
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(sizes.len());
    for (witness, size) in sizes {
        let Some(size) = size else { continue };
        let at: NaiveDateTime = log_cosignatures::table
            .find((&witness, size))
            .select(log_cosignatures::cosigned_at)
            .first(conn)?;
        out.push((witness, size, at));
    }
    Ok(out)
}
