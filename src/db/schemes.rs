//! Scheme versions with their indicator trees, for the public API.

use diesel::prelude::*;

use super::models::{Indicator, SchemeVersion};
use super::schema::{indicators, scheme_versions};
use super::DbConnection;

/// A first-level indicator and its second-level ones, in sheet order.
#[derive(Debug, Clone)]
pub struct IndicatorBranch {
    pub indicator: Indicator,
    pub children: Vec<Indicator>,
}

/// A scheme version and its indicator tree.
#[derive(Debug, Clone)]
pub struct SchemeTree {
    pub scheme: SchemeVersion,
    pub indicators: Vec<IndicatorBranch>,
}

/// Every scheme version, oldest first (then by id), each with its tree: two queries in all.
pub fn all_with_trees(conn: &mut DbConnection) -> QueryResult<Vec<SchemeTree>> {
    let versions: Vec<SchemeVersion> = scheme_versions::table
        .order_by((
            scheme_versions::effective_from.asc(),
            scheme_versions::id.asc(),
        ))
        .select(SchemeVersion::as_select())
        .load(conn)?;
    let all: Vec<Indicator> = indicators::table
        .order_by((indicators::position.asc(), indicators::id.asc()))
        .select(Indicator::as_select())
        .load(conn)?;
    Ok(versions
        .into_iter()
        .map(|scheme| {
            let own: Vec<&Indicator> = all
                .iter()
                .filter(|i| i.scheme_version_id == scheme.id)
                .collect();
            SchemeTree {
                indicators: tree(&own),
                scheme,
            }
        })
        .collect())
}

/// One scheme version by slug, with its tree.
pub fn find_with_tree(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<SchemeTree>> {
    let Some(scheme) = scheme_versions::table
        .filter(scheme_versions::slug.eq(slug))
        .select(SchemeVersion::as_select())
        .first::<SchemeVersion>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let own: Vec<Indicator> = indicators::table
        .filter(indicators::scheme_version_id.eq(scheme.id))
        .order_by((indicators::position.asc(), indicators::id.asc()))
        .select(Indicator::as_select())
        .load(conn)?;
    let refs: Vec<&Indicator> = own.iter().collect();
    Ok(Some(SchemeTree {
        indicators: tree(&refs),
        scheme,
    }))
}

/// Groups one scheme's indicators (ordered by position) under their first-level parents.
fn tree(indicators: &[&Indicator]) -> Vec<IndicatorBranch> {
    indicators
        .iter()
        .filter(|i| i.parent_id.is_none())
        .map(|parent| IndicatorBranch {
            indicator: (*parent).clone(),
            children: indicators
                .iter()
                .filter(|c| c.parent_id == Some(parent.id))
                .map(|c| (*c).clone())
                .collect(),
        })
        .collect()
}
