//! The domain's enumerations as they are stored: text columns read into and written from the
//! Rust enums on both backends. An unknown stored value is a read error that names the value,
//! never a silent fallback.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;

use super::Db;
use crate::domain::account::Role;
use crate::domain::event::EventKind;
use crate::domain::platform_type::PlatformType;
use crate::domain::report::ReportKind;
use crate::domain::report_case::CaseStatus;
use crate::domain::status::CertificateStatus;
use crate::domain::surveillance::AssessmentKind;

/// Implements `FromSql<Text>` and `ToSql<Text>` for an enumeration with `parse` and `as_str`,
/// on SQLite, PostgreSQL and the multi-backend connection.
macro_rules! stored_as_text {
    ($type:ty, $what:literal) => {
        stored_as_text!(@backend $type, $what, Sqlite);
        stored_as_text!(@backend $type, $what, Pg);
        stored_as_text!(@backend $type, $what, Db);
    };
    (@backend $type:ty, $what:literal, $backend:ty) => {
        impl FromSql<Text, $backend> for $type {
            fn from_sql(bytes: <$backend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, $backend>>::from_sql(bytes)?;
                <$type>::parse(&text)
                    .ok_or_else(|| format!("unknown {} {:?} in the database", $what, text).into())
            }
        }

        impl ToSql<Text, $backend> for $type {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, $backend>) -> serialize::Result {
                <str as ToSql<Text, $backend>>::to_sql(self.as_str(), out)
            }
        }
    };
}

stored_as_text!(CertificateStatus, "certificate status");
stored_as_text!(EventKind, "event kind");
stored_as_text!(PlatformType, "platform type");
stored_as_text!(AssessmentKind, "assessment kind");
stored_as_text!(Role, "role");
stored_as_text!(ReportKind, "report kind");
stored_as_text!(CaseStatus, "case status");
