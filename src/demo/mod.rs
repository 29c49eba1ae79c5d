//! The demo registry (placeholder while the generator is written).

use crate::db::DbConnection;
use chrono::NaiveDate;

pub const DEFAULT_COUNT: u32 = 300;
pub const DEFAULT_SEED: u64 = 31526;

pub struct DemoOptions {
    pub count: u32,
    pub seed: u64,
    pub today: NaiveDate,
}

pub fn is_empty(_conn: &mut DbConnection) -> anyhow::Result<bool> {
    Ok(true)
}

pub fn fill_empty(_conn: &mut DbConnection, _opts: &DemoOptions) -> anyhow::Result<String> {
    Ok(String::new())
}
