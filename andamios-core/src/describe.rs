//! Describing a statement: what the macros check and the offline cache stores.

use crate::ffi::Connection;
use crate::{nullability, DuckDbError, DuckType, StatementKind};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Everything the checked macros need to know about one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryDescription {
    /// The SQL text, exactly as written in the macro.
    pub sql: String,
    /// What kind of statement it is.
    pub kind: StatementKind,
    /// Parameter types, in order.
    pub params: Vec<DuckType>,
    /// Parameter names, in the order of `params`, for a statement whose
    /// parameters are named (`$id`); empty for numbered ones (`$1`, `?`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub param_names: Vec<String>,
    /// Result columns; empty for statements that return no rows.
    pub columns: Vec<DescribedColumn>,
}

/// A result column: name, type, and whether it can be NULL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribedColumn {
    /// Column name.
    pub name: String,
    /// DuckDB type.
    #[serde(rename = "type")]
    pub ty: DuckType,
    /// Whether the column can be NULL (inferred from the plan; `true` when unsure).
    pub nullable: bool,
    /// Whether a value inside the column (an element of a LIST or ARRAY,
    /// a value of a MAP, a field of a STRUCT) can be NULL (inferred from
    /// the plan: `false` for `list(x)` of a NOT NULL `x`; `true` when
    /// unsure, and for other types). Absent from a cache entry when `true`.
    #[serde(default = "unsure", skip_serializing_if = "is_unsure")]
    pub elements_nullable: bool,
    /// The same one level further in: whether a value inside a value
    /// inside the column can be NULL (a field of a STRUCT in a LIST,
    /// `list({'id': id})`; an element of a LIST in a LIST). Absent from a
    /// cache entry when `true`.
    #[serde(default = "unsure", skip_serializing_if = "is_unsure")]
    pub nested_nullable: bool,
}

fn unsure() -> bool {
    true
}

fn is_unsure(nullable: &bool) -> bool {
    *nullable
}

/// Whether values of `ty` hold other values: the elements of a LIST or
/// ARRAY, the values of a MAP, the fields of a STRUCT.
fn holds_values(ty: &DuckType) -> bool {
    matches!(ty, DuckType::List { .. } | DuckType::Array { .. } | DuckType::Map { .. } | DuckType::Struct { .. })
}

/// Whether values of `ty` hold values that hold values.
fn holds_nested_values(ty: &DuckType) -> bool {
    match ty {
        DuckType::List { element } | DuckType::Array { element, .. } => holds_values(element),
        DuckType::Map { value, .. } => holds_values(value),
        DuckType::Struct { fields } => fields.iter().any(|(_, field)| holds_values(field)),
        _ => false,
    }
}

/// Why a statement could not be described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DescribeError {
    /// DuckDB rejected it (syntax, unknown table or column, ...).
    Database(DuckDbError),
    /// The text holds no statement.
    Empty,
    /// The text holds several statements.
    MultipleStatements(usize),
    /// DuckDB could not infer a parameter's type.
    UntypedParameter {
        /// 1-based position.
        position: usize,
        /// The parameter's name as written (`1`, `name`, ...).
        name: String,
    },
}

impl fmt::Display for DescribeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DescribeError::Database(e) => f.write_str(e.message()),
            DescribeError::Empty => f.write_str("the SQL holds no statement"),
            DescribeError::MultipleStatements(n) => write!(
                f,
                "the SQL holds {n} statements but a query macro takes exactly one; split it into one macro call per statement (or run a script with execute_batch)"
            ),
            DescribeError::UntypedParameter { position, name } => {
                let written = format!("${name}");
                write!(
                    f,
                    "DuckDB cannot infer the type of parameter {position} ({written}); add a cast such as `{written}::INTEGER` or `CAST({written} AS VARCHAR)` (for a list of values, `= ANY({written}::BIGINT[])`)"
                )
            }
        }
    }
}

impl std::error::Error for DescribeError {}

/// Describes `sql` on `conn`: exactly one statement, typed parameters,
/// result columns with their full types and inferred nullability.
pub fn describe(conn: &Connection, sql: &str) -> Result<QueryDescription, DescribeError> {
    describe_cached(conn, sql, &mut TableCache::default())
}

/// What a schema's tables declare, remembered across [`describe_cached`]
/// calls on one unchanging schema (the macros describe many statements).
pub type TableCache = nullability::TableCache;

/// [`describe`], reusing what `cache` knows of the schema's tables.
pub fn describe_cached(
    conn: &Connection,
    sql: &str,
    cache: &mut TableCache,
) -> Result<QueryDescription, DescribeError> {
    // Binding an EXPORT DATABASE creates its folder, which checking a
    // statement must not: it is parsed only (it takes no parameters and
    // returns no rows).
    if crate::script::exports_database(sql) {
        return match conn.count_statements(sql) {
            Ok(1) => Ok(QueryDescription {
                sql: sql.to_owned(),
                kind: StatementKind::Other,
                params: Vec::new(),
                param_names: Vec::new(),
                columns: Vec::new(),
            }),
            Ok(n) => Err(DescribeError::MultipleStatements(n)),
            Err(e) => Err(DescribeError::Database(e)),
        };
    }
    let stmt = match conn.prepare(sql) {
        Ok(stmt) => stmt,
        // Count statements only when preparing fails: it costs a parse.
        Err(e) => {
            return Err(match conn.count_statements(sql) {
                Ok(0) => DescribeError::Empty,
                Ok(n) if n > 1 => DescribeError::MultipleStatements(n),
                _ => DescribeError::Database(e),
            })
        }
    };
    let described = stmt.describe();
    drop(stmt);
    if let Some(position) = described.params.iter().position(|t| *t == DuckType::Unknown) {
        return Err(DescribeError::UntypedParameter {
            position: position + 1,
            name: described.param_names.get(position).cloned().unwrap_or_else(|| (position + 1).to_string()),
        });
    }
    let names: Vec<&str> = described.columns.iter().map(|c| c.name.as_str()).collect();
    let columns = if described.kind.returns_rows(&names) {
        let nullable = nullability::infer(conn, sql, described.columns.len(), cache);
        described
            .columns
            .into_iter()
            .zip(nullable)
            .map(|(c, nulls)| DescribedColumn {
                elements_nullable: nulls.inside || !holds_values(&c.ty),
                nested_nullable: nulls.deeper || !holds_nested_values(&c.ty),
                name: c.name,
                ty: c.ty,
                nullable: nulls.value,
            })
            .collect()
    } else {
        Vec::new()
    };
    let numbered = described.param_names.iter().all(|name| name.bytes().all(|b| b.is_ascii_digit()));
    let param_names = if numbered { Vec::new() } else { described.param_names };
    Ok(QueryDescription { sql: sql.to_owned(), kind: described.kind, params: described.params, param_names, columns })
}
