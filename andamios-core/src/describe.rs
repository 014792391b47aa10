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
        /// Which cast fits where the SQL shows it (see [`cast_hint`]).
        hint: Option<String>,
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
            DescribeError::UntypedParameter { position, name, hint } => {
                let written = format!("${name}");
                write!(
                    f,
                    "DuckDB cannot infer the type of parameter {position} ({written}); add a cast such as `{written}::INTEGER` or `CAST({written} AS VARCHAR)` (for a list of values, `= ANY({written}::BIGINT[])`)"
                )?;
                match hint {
                    Some(hint) => write!(f, ". Here {hint}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for DescribeError {}

/// Which cast lets DuckDB type the parameter `param` (`$1`, `$id`), where
/// the SQL shows why it cannot: tested for NULL as it is (see
/// [`null_test_hint`]), or beside an operator that DuckDB defines for
/// several types (`$1 || '%'`, `score + $1`).
pub fn cast_hint(sql: &str, param: &str) -> Option<String> {
    if crate::script::params_tested_for_null(sql).iter().any(|p| p.eq_ignore_ascii_case(param)) {
        return null_test_hint(sql, &[], &[]);
    }
    let operators = crate::script::operators_beside(sql, param);
    if operators.contains(&"||") {
        return Some(format!(
            "`{param}` is joined with `||`, which DuckDB defines for text, lists and BLOBs alike: cast it where it \
             stands, `{param}::VARCHAR`"
        ));
    }
    operators.first().map(|op| {
        format!(
            "`{param}` is an operand of `{op}`, which DuckDB defines for many types: cast it to the type of the other \
             operand where it stands (`{param}::DOUBLE` beside a DOUBLE)"
        )
    })
}

/// What to cast where `sql` tests a parameter for NULL as it is (`$1 IS
/// NULL`, the optional filter `WHERE $1 IS NULL OR country = $1`): DuckDB
/// leaves its type open then. `params` are the types DuckDB inferred, by
/// position (`param_names` for named ones): where it knows one, the hint
/// names it (`$1::VARCHAR IS NULL`).
pub fn null_test_hint(sql: &str, params: &[DuckType], param_names: &[String]) -> Option<String> {
    let tested = crate::script::params_tested_for_null(sql);
    let casts: Vec<String> = tested
        .iter()
        .map(|param| {
            let name = &param[1..];
            let index = match name.parse::<usize>() {
                Ok(n) => n.checked_sub(1),
                Err(_) => param_names.iter().position(|p| p.eq_ignore_ascii_case(name)),
            };
            match index.and_then(|i| params.get(i)).filter(|ty| **ty != DuckType::Unknown) {
                Some(ty) => format!("`{param}::{ty} IS NULL`"),
                None => format!("`{param}::<the type it is compared with> IS NULL` (`{param}::VARCHAR IS NULL`)"),
            }
        })
        .collect();
    let (first, rest) = tested.split_first()?;
    let tests = if rest.is_empty() { format!("`{first} IS NULL`") } else { "testing a parameter for NULL".to_owned() };
    Some(format!(
        "{tests} leaves the parameter's type open until the statement runs. Cast it there: {}, and the query is \
         checked and typed",
        casts.join(", ")
    ))
}

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
        let name = described.param_names.get(position).cloned().unwrap_or_else(|| (position + 1).to_string());
        let hint = cast_hint(sql, &format!("${name}"));
        return Err(DescribeError::UntypedParameter { position: position + 1, name, hint });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_tested_for_null_gets_the_cast_it_needs() {
        let hint = |sql: &str, params: &[DuckType], names: &[&str]| {
            let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            null_test_hint(sql, params, &names)
        };
        assert_eq!(hint("SELECT 1 WHERE $1::VARCHAR IS NULL", &[DuckType::Varchar], &[]), None);
        let one = hint("SELECT id FROM u WHERE name = $1 OR $1 IS NULL", &[DuckType::Varchar], &[]).unwrap();
        assert!(
            one.starts_with("`$1 IS NULL` leaves") && one.contains("Cast it there: `$1::VARCHAR IS NULL`"),
            "{one}"
        );
        let named = hint(
            "WHERE ($day IS NULL OR d = $day) AND ($n IS NULL OR x > $n)",
            &[DuckType::Date, DuckType::Unknown],
            &["day", "n"],
        )
        .unwrap();
        assert!(named.starts_with("testing a parameter for NULL leaves"), "{named}");
        assert!(named.contains("`$day::DATE IS NULL`, `$n::<the type it is compared with> IS NULL`"), "{named}");
    }

    #[test]
    fn an_untyped_parameter_is_told_the_cast_that_fits_where_it_stands() {
        let hint = |sql: &str| cast_hint(sql, "$1");
        assert!(hint("WHERE ($1 IS NULL OR name = $1)")
            .unwrap()
            .contains("`$1::<the type it is compared with> IS NULL`"));
        assert!(hint("WHERE name LIKE $1 || '%'").unwrap().ends_with("cast it where it stands, `$1::VARCHAR`"));
        assert!(hint("SET score = score + $1").unwrap().starts_with("`$1` is an operand of `+`"));
        assert_eq!(hint("SELECT $1 AS anything"), None);
    }
}
