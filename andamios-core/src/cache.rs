//! The offline cache: one JSON file per statement, named after the SHA-256
//! of its SQL, written by the macros and read when building offline.
//!
//! Packages of one workspace share the cache. Where two of them hold the
//! same SQL but describe it differently (their schemas differ), each gets
//! an entry of its own, named after the package too, which it reads first.

use crate::describe::QueryDescription;
use crate::migrate::{hex, sha256};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Version of the file format; files of another version are rejected.
pub const FORMAT_VERSION: u32 = 1;

/// What one cache file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheEntry {
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// The packages whose checked queries hold this statement, as
    /// `andamios prepare` found them; empty in what the macros write.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
    /// The description (which holds the SQL).
    #[serde(flatten)]
    pub query: QueryDescription,
}

/// Why a cache entry could not be used.
#[derive(Debug)]
pub enum CacheError {
    /// No entry for this SQL.
    Missing(PathBuf),
    /// The file could not be read or parsed.
    Unreadable(PathBuf, String),
    /// The file holds another statement (a hash collision or a hand edit).
    Mismatch(PathBuf),
    /// The file was written by another version of Andamios.
    Version(PathBuf, u32),
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheError::Missing(p) => write!(
                f,
                "no offline cache entry for this query ({} is missing from the offline cache); run `andamios prepare` with a schema source (a migrations folder or DATABASE_URL) and commit .andamios-cache/",
                p.file_name().map_or(p.as_path(), std::path::Path::new).display()
            ),
            CacheError::Unreadable(p, e) => {
                write!(f, "the offline cache entry {} cannot be read ({e}); run `andamios prepare` again", p.display())
            }
            CacheError::Mismatch(p) => write!(
                f,
                "the offline cache entry {} holds a different SQL text; run `andamios prepare` again",
                p.display()
            ),
            CacheError::Version(p, v) => write!(
                f,
                "the offline cache entry {} has format version {v}, this Andamios reads version {FORMAT_VERSION}; run `andamios prepare` again",
                p.display()
            ),
        }
    }
}

impl std::error::Error for CacheError {}

/// The file name of `sql`'s entry.
pub fn file_name(sql: &str) -> String {
    format!("query-{}.json", hex(&sha256(sql.as_bytes())))
}

/// The file name of `sql`'s entry for `package` alone, which it reads before
/// the shared one.
pub fn package_file_name(sql: &str, package: &str) -> String {
    format!("query-{}-{package}.json", hex(&sha256(sql.as_bytes())))
}

/// The text of an entry file.
pub fn entry_text(entry: &CacheEntry) -> std::io::Result<String> {
    let mut json = serde_json::to_string_pretty(entry).map_err(std::io::Error::other)?;
    json.push('\n');
    Ok(json)
}

/// Writes `query`'s entry into `dir` atomically (a temporary file renamed
/// into place), so a reader never sees half a file.
pub fn write(dir: &Path, query: &QueryDescription) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(file_name(&query.sql));
    let entry = CacheEntry { format_version: FORMAT_VERSION, packages: Vec::new(), query: query.clone() };
    let json = entry_text(&entry)?;
    if std::fs::read_to_string(&path).is_ok_and(|existing| existing == json) {
        return Ok(path);
    }
    write_entry_file(dir, &file_name(&query.sql), &json)?;
    Ok(path)
}

/// Writes `text` as the entry file `name` of `dir` atomically (a temporary
/// file, synced, then renamed into place): a reader, or a build that stops
/// half-way, never sees half an entry.
pub fn write_entry_file(dir: &Path, name: &str, text: &str) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, dir.join(name))
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Reads `sql`'s entry from `dir`, checking the stored SQL: `package`'s
/// own where it has one, else the shared one. Also gives the file read.
pub fn read(dir: &Path, sql: &str, package: Option<&str>) -> Result<(QueryDescription, PathBuf), CacheError> {
    let own = package.map(|package| dir.join(package_file_name(sql, package)));
    let shared = dir.join(file_name(sql));
    let (path, text) = match own.and_then(|path| std::fs::read_to_string(&path).ok().map(|text| (path, text))) {
        Some(found) => found,
        None => match std::fs::read_to_string(&shared) {
            Ok(text) => (shared, text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(CacheError::Missing(shared)),
            Err(e) => return Err(CacheError::Unreadable(shared, e.to_string())),
        },
    };
    let entry = read_entry(&path, &text)?;
    if entry.query.sql != sql {
        return Err(CacheError::Mismatch(path));
    }
    Ok((entry.query, path))
}

/// The cache to commit, as [`combine`] makes it.
#[derive(Debug, Default)]
pub struct Combined {
    /// File name -> text.
    pub entries: BTreeMap<String, String>,
    /// The statements that packages describe differently (their schemas
    /// differ), each with those packages, which get entries of their own.
    pub described_apart: BTreeMap<String, Vec<String>>,
}

/// The entries of the cache to commit, from those the macros of each
/// package wrote (package name -> file name -> text; the package `""` for
/// entries written outside any package). An entry names the packages that
/// hold its statement; where they describe it differently, each package
/// gets an entry of its own.
pub fn combine(written: &BTreeMap<String, BTreeMap<String, String>>) -> Result<Combined, CacheError> {
    let mut by_name: BTreeMap<&str, Vec<(&str, CacheEntry)>> = BTreeMap::new();
    for (package, entries) in written {
        for (name, text) in entries {
            let entry = read_entry(Path::new(name), text)?;
            by_name.entry(name).or_default().push((package, entry));
        }
    }
    let unreadable = |name: &str, e: std::io::Error| CacheError::Unreadable(PathBuf::from(name), e.to_string());
    let mut out = Combined::default();
    for (name, holders) in by_name {
        let (_, first) = &holders[0];
        if holders.iter().all(|(_, entry)| entry.query == first.query) {
            let packages = holders.iter().map(|(p, _)| p.to_string()).filter(|p| !p.is_empty()).collect();
            let entry = CacheEntry { packages, ..first.clone() };
            out.entries.insert(name.to_owned(), entry_text(&entry).map_err(|e| unreadable(name, e))?);
        } else {
            let packages = holders.iter().map(|(p, _)| p.to_string()).filter(|p| !p.is_empty()).collect();
            out.described_apart.insert(first.query.sql.clone(), packages);
            for (package, entry) in holders {
                // Code outside any package reads the shared entry.
                let (own, packages) = match package {
                    "" => (name.to_owned(), Vec::new()),
                    _ => (package_file_name(&entry.query.sql, package), vec![package.to_owned()]),
                };
                let entry = CacheEntry { packages, ..entry };
                out.entries.insert(own, entry_text(&entry).map_err(|e| unreadable(name, e))?);
            }
        }
    }
    Ok(out)
}

/// The entries in `dir` (file name -> text), in name order; empty when the
/// folder does not exist.
pub fn entries(dir: &Path) -> std::io::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let read = match std::fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in read {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.starts_with("query-") && name.ends_with(".json") {
            let text = std::fs::read_to_string(dir.join(&name))?;
            out.insert(name, text);
        }
    }
    Ok(out)
}

/// Parses the entry text of file `path`.
pub fn read_entry(path: &Path, text: &str) -> Result<CacheEntry, CacheError> {
    #[derive(Deserialize)]
    struct VersionOnly {
        format_version: u32,
    }
    let version: VersionOnly =
        serde_json::from_str(text).map_err(|e| CacheError::Unreadable(path.to_owned(), e.to_string()))?;
    if version.format_version != FORMAT_VERSION {
        return Err(CacheError::Version(path.to_owned(), version.format_version));
    }
    serde_json::from_str(text).map_err(|e| CacheError::Unreadable(path.to_owned(), e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::DescribedColumn;
    use crate::{DuckType, StatementKind};

    fn sample(sql: &str) -> QueryDescription {
        QueryDescription {
            sql: sql.into(),
            kind: StatementKind::Select,
            params: vec![DuckType::Integer],
            param_names: Vec::new(),
            columns: vec![DescribedColumn {
                name: "price".into(),
                ty: DuckType::Decimal { width: 10, scale: 2 },
                nullable: false,
                elements_nullable: true,
                nested_nullable: true,
            }],
        }
    }

    #[test]
    fn writes_reads_and_detects_problems() {
        let dir = std::env::temp_dir().join(format!("andamios-cache-test-{}", std::process::id()));
        let q = sample("SELECT price FROM p WHERE id = $1");
        let path = write(&dir, &q).unwrap();
        assert!(path.file_name().unwrap().to_str().unwrap().starts_with("query-"));
        assert_eq!(read(&dir, &q.sql, None).unwrap(), (q.clone(), path.clone()));
        assert_eq!(read(&dir, &q.sql, Some("app")).unwrap(), (q.clone(), path.clone()));
        assert!(matches!(read(&dir, "SELECT 2", None), Err(CacheError::Missing(_))));
        assert_eq!(entries(&dir).unwrap().keys().collect::<Vec<_>>(), [&file_name(&q.sql)]);
        assert!(entries(&dir.join("absent")).unwrap().is_empty());
        // A different SQL stored under this name.
        std::fs::write(&path, std::fs::read_to_string(&path).unwrap().replace("id = $1", "id = $2")).unwrap();
        assert!(matches!(read(&dir, &q.sql, None), Err(CacheError::Mismatch(_))));
        std::fs::write(&path, "{\"format_version\": 99}").unwrap();
        assert!(matches!(read(&dir, &q.sql, None), Err(CacheError::Version(_, 99))));
        std::fs::write(&path, "not json").unwrap();
        assert!(matches!(read(&dir, &q.sql, None), Err(CacheError::Unreadable(..))));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn packages_share_an_entry_where_they_agree_and_each_reads_its_own_where_they_differ() {
        let written_by = |query: &QueryDescription| {
            let entry = CacheEntry { format_version: FORMAT_VERSION, packages: Vec::new(), query: query.clone() };
            (file_name(&query.sql), entry_text(&entry).unwrap())
        };
        let shared = sample("SELECT price FROM p WHERE id = $1");
        let mut nullable = sample("SELECT price FROM p");
        let not_null = nullable.clone();
        nullable.columns[0].nullable = true;
        let written: BTreeMap<String, BTreeMap<String, String>> = [
            ("api".to_owned(), BTreeMap::from([written_by(&shared), written_by(&nullable)])),
            ("jobs".to_owned(), BTreeMap::from([written_by(&shared), written_by(&not_null)])),
        ]
        .into();
        // Code outside any package that agrees with neither reads the shared entry.
        let mut outside = written.clone();
        let mut unpackaged = not_null.clone();
        unpackaged.params.clear();
        outside.insert(String::new(), BTreeMap::from([written_by(&unpackaged)]));
        let combined = combine(&outside).unwrap().entries;
        let entry = read_entry(Path::new("shared"), &combined[&file_name(&unpackaged.sql)]).unwrap();
        assert_eq!((entry.packages.len(), entry.query), (0, unpackaged));
        assert_eq!(combined.len(), 4);
        let Combined { entries: combined, described_apart } = combine(&written).unwrap();
        assert_eq!(
            described_apart,
            BTreeMap::from([(nullable.sql.clone(), vec!["api".to_owned(), "jobs".to_owned()])])
        );
        let api_own = package_file_name(&nullable.sql, "api");
        let jobs_own = package_file_name(&nullable.sql, "jobs");
        let mut expected = vec![file_name(&shared.sql), api_own.clone(), jobs_own.clone()];
        expected.sort();
        assert_eq!(combined.keys().cloned().collect::<Vec<_>>(), expected);

        let dir = std::env::temp_dir().join(format!("andamios-cache-packages-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &combined {
            write_entry_file(&dir, name, text).unwrap();
        }
        let entry = |name: &str| read_entry(Path::new(name), &combined[name]).unwrap();
        assert_eq!(entry(&file_name(&shared.sql)).packages, ["api", "jobs"]);
        assert_eq!(entry(&api_own).packages, ["api"]);
        assert_eq!(read(&dir, &shared.sql, Some("api")).unwrap().0, shared);
        assert_eq!(read(&dir, &nullable.sql, Some("api")).unwrap(), (nullable.clone(), dir.join(&api_own)));
        assert_eq!(read(&dir, &nullable.sql, Some("jobs")).unwrap(), (not_null, dir.join(&jobs_own)));
        // Another package has neither: it is told to prepare.
        assert!(matches!(read(&dir, &nullable.sql, Some("web")), Err(CacheError::Missing(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_entry_file_is_replaced_whole_and_a_failed_write_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("andamios-cache-file-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        write_entry_file(&dir, "query-a.json", "first").unwrap();
        write_entry_file(&dir, "query-a.json", "second").unwrap();
        let names = |dir: &Path| {
            let mut names: Vec<_> =
                std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
            names.sort();
            names
        };
        assert_eq!(names(&dir), ["query-a.json"]);
        assert_eq!(std::fs::read_to_string(dir.join("query-a.json")).unwrap(), "second");
        // The rename fails (a folder is in the way): the old state stays, with no temporary file.
        std::fs::create_dir(dir.join("query-b.json")).unwrap();
        std::fs::write(dir.join("query-b.json").join("keep"), "").unwrap();
        assert!(write_entry_file(&dir, "query-b.json", "third").is_err());
        assert_eq!(names(&dir), ["query-a.json", "query-b.json"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
