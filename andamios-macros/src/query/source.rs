//! Getting a statement's description: from a schema database (writing the
//! offline cache when asked) or from the offline cache.

use andamios_core::cache;
use andamios_core::describe::QueryDescription;
use andamios_core::schema::{self, SchemaSource, SourceSettings};
use std::path::PathBuf;

/// A description and the files it was derived from (for the compiler to track).
#[derive(Debug)]
pub(crate) struct Described {
    pub(crate) query: QueryDescription,
    pub(crate) tracked: Vec<PathBuf>,
}

/// Describes `sql` for the crate being compiled.
pub(crate) fn describe(sql: &str) -> Result<Described, String> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or("CARGO_MANIFEST_DIR is not set: the query macros run under cargo")?;
    describe_with(&SourceSettings::from_env(manifest_dir), sql)
}

/// Describes `sql` with explicit settings.
pub(crate) fn describe_with(settings: &SourceSettings, sql: &str) -> Result<Described, String> {
    let source = settings.resolve()?;
    let described = match &source {
        SchemaSource::Offline(dir) => {
            let query = cache::read(dir, sql).map_err(|e| e.to_string())?;
            return Ok(Described { tracked: vec![dir.join(cache::file_name(sql))], query });
        }
        SchemaSource::Database { .. } | SchemaSource::Migrations(_) => {
            let db = schema::open(&source)?;
            let query = db.describe(sql).map_err(|e| e.to_string())?;
            Described { query, tracked: db.migrations.iter().map(|m| m.path.clone()).collect() }
        }
    };
    if let Some(dir) = std::env::var_os("ANDAMIOS_CACHE_DIR").filter(|d| !d.is_empty()) {
        cache::write(&PathBuf::from(dir), &described.query)
            .map_err(|e| format!("cannot write the offline cache entry for this query: {e}"))?;
    }
    Ok(described)
}
