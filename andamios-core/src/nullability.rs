//! Which result columns can be NULL, read off DuckDB's bound logical plan
//! (`json_serialize_plan`, from the bundled json extension).
//!
//! DuckDB does not report nullability, and `DESCRIBE` gets outer joins
//! wrong, so the plan is walked bottom-up: every operator maps its output
//! column bindings `(table_index, column_index)` to "may be NULL". Base
//! columns follow their table's NOT NULL constraints; outer joins, set
//! operations and unknown operators make columns nullable; expressions are
//! non-null only when they provably are. Being wrong towards "nullable" is
//! safe (the caller gets an `Option`); being wrong the other way is a bug, so
//! anything not understood is nullable.
//!
//! The values inside a LIST, ARRAY or MAP, and the fields of a STRUCT, are
//! walked the same way, two levels deep: `list(x)` of a NOT NULL `x`,
//! `[a, b]` and `{'a': a, 'b': b}` of non-null values, `string_split(...)`
//! and `histogram(x)` hold no NULL, a list or STRUCT column of a table may.
//!
//! A column also carries some facts about its rows, for two rewrites:
//! the side of an outer join that is padded with NULLs where it found no
//! match (so that `p.id IS NOT NULL` shows `p.title` is not NULL either),
//! and the CTE column whose values it holds, some or all, row by row.
//! DuckDB turns a correlated subquery into a join of each distinct row of
//! outer values (a CTE) with its result; when that join is on those values
//! and the other side holds every such row, no row is padded, and a count
//! stays a count.

use crate::ffi::Connection;
use crate::{DuckType, Value as DuckValue};
use serde_json::Value;
use std::collections::HashMap;

/// Whether a column may be NULL, and whether a value inside it may be (an
/// element of a LIST or ARRAY, a value of a MAP, a field of a STRUCT;
/// `true`, unknown, for other types).
///
/// While the plan is walked, a column also carries where its rows come
/// from, which lets a condition on one column tell about others (see
/// [`Padding`], [`CteColumn`]). Operators that do not keep such a fact
/// drop it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Nulls {
    /// The column's value may be NULL.
    pub(crate) value: bool,
    /// An element of the column's LIST or ARRAY, a value of its MAP, or a
    /// field of its STRUCT may be NULL.
    pub(crate) inside: bool,
    /// The same, one level further in: a field of a STRUCT that is an
    /// element of the column's LIST (`list({'id': id})`), or an element of
    /// a LIST in it.
    pub(crate) deeper: bool,
    /// The outer join whose unmatched rows pad the column's side with NULLs:
    /// where any column of that side is not NULL, the join matched.
    padded_by: Option<Padding>,
    /// An outer join whose condition compares this column (from the side it
    /// keeps): where that join matched, this column is not NULL.
    implied_by: Option<u32>,
    /// A materialised CTE's column that holds every value this one holds
    /// (and, with the columns of the same `rows`, every row's values).
    among: Option<CteColumn>,
    /// A materialised CTE's column whose every value (NULL too) this one
    /// holds (and, with the columns of the same `rows`, every row's values).
    holds_all: Option<CteColumn>,
}

/// A column on the padded side of an outer join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Padding {
    /// The join, numbered as the walk meets it.
    join: u32,
    /// Whether the column may be NULL where the join matched.
    nullable_if_matched: bool,
}

/// A column of a materialised CTE, as one reference to it reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CteColumn {
    /// The CTE's `table_index`.
    cte: u64,
    /// The column's position in it.
    column: usize,
    /// The reference's rows: columns of the same number hold the values of
    /// the same rows of the CTE, side by side.
    rows: u32,
}

impl Nulls {
    const UNKNOWN: Nulls = Nulls::new(true, true);

    /// A column of which only whether it (and a value inside it) may be NULL is known.
    const fn new(value: bool, inside: bool) -> Nulls {
        Nulls::nested(value, inside, true)
    }

    /// A column of which only whether it, a value inside it, and a value
    /// inside that may be NULL is known.
    const fn nested(value: bool, inside: bool, deeper: bool) -> Nulls {
        Nulls { value, inside, deeper, padded_by: None, implied_by: None, among: None, holds_all: None }
    }

    /// The same column, without what it carries about its rows.
    fn values_only(self) -> Nulls {
        Nulls::nested(self.value, self.inside, self.deeper)
    }

    /// A value that may or may not be NULL, of unknown elements.
    fn value(value: bool) -> Nulls {
        Nulls::new(value, true)
    }

    /// What either of two columns may hold.
    fn either(self, other: Nulls) -> Nulls {
        Nulls::nested(self.value || other.value, self.inside || other.inside, self.deeper || other.deeper)
    }

    /// What any of `columns` may hold (unknown, of none).
    fn any(columns: impl IntoIterator<Item = Nulls>) -> Nulls {
        columns.into_iter().reduce(Nulls::either).unwrap_or(Nulls::UNKNOWN)
    }
}

/// Infers, for each of the `column_count` result columns of `sql`, whether
/// it (and a value inside it) may be NULL. Unknown answers are `true`.
pub(crate) fn infer(conn: &Connection, sql: &str, column_count: usize, tables: &mut TableCache) -> Vec<Nulls> {
    let unknown = vec![Nulls::UNKNOWN; column_count];
    let Some(plan) = serialized_plan(conn, sql) else { return unknown };
    let mut walker = Walker { conn, tables: &mut tables.0, ctes: HashMap::new(), outer_joins: 0, cte_refs: 0 };
    let Some(root) = plan.get("plans").and_then(|s| s.get(0)) else { return unknown };
    match walker.operator(root) {
        Some(columns) if columns.len() == column_count => columns,
        _ => unknown,
    }
}

fn serialized_plan(conn: &Connection, sql: &str) -> Option<Value> {
    let mut stmt = conn.prepare("SELECT json_serialize_plan($1::VARCHAR)").ok()?;
    stmt.bind(0, &DuckValue::Varchar(sql.to_owned())).ok()?;
    let mut result = stmt.execute(false).ok()?;
    let chunk = result.next_chunk().ok()??;
    let ty = DuckType::Varchar;
    let column = chunk.column(0, &ty)?;
    let text = column.text(0)?.ok()?;
    let plan: Value = serde_json::from_str(text).ok()?;
    if plan.get("error").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    Some(plan)
}

fn index(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(Value::as_u64)
}

fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn list<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key).map_or(&[], list_of)
}

/// `v` as a JSON array (empty when it is not one).
fn list_of(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// The last part of a function's qualified name (`system.main.count_star` -> `count_star`).
fn function_name(e: &Value) -> &str {
    e.get("qname")
        .and_then(|q| q.get("path"))
        .and_then(Value::as_array)
        .and_then(|p| p.last())
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Functions whose result is NULL only when an argument is. (`/` divides
/// into a DOUBLE, which is an infinity or NaN for 0, or an INTERVAL, which
/// fails for 0; `//` and `%` are NULL for 0 where `error_on_division_by_zero`
/// is off.)
const NULL_IN_NULL_OUT: &[&str] = &[
    "+",
    "-",
    "*",
    "/",
    "add",
    "subtract",
    "multiply",
    "abs",
    "negate",
    "lower",
    "upper",
    "lcase",
    "ucase",
    "length",
    "strlen",
    "trim",
    "ltrim",
    "rtrim",
    "||",
    "reverse",
    "left",
    "right",
    "substring",
    "substr",
    "round",
    "floor",
    "ceil",
    "ceiling",
    "sign",
    "date_trunc",
    "datetrunc",
    "hash",
    "md5",
    "sha256",
    "~~",
    "!~~",
    "~~~",
    "~~*",
    "!~~*",
    "like_escape",
    "not_like_escape",
    "ilike_escape",
    "not_ilike_escape",
    "bit_count",
    "prefix",
    "suffix",
    "contains",
    "starts_with",
    "ends_with",
    "to_json",
    "array_length",
    "len",
    "list_concat",
    "not",
    "replace",
    "regexp_replace",
    "format",
    "printf",
    "repeat",
    "lpad",
    "rpad",
    "split_part",
    "string_split",
    "str_split",
    "instr",
    "strpos",
    "position",
    "strftime",
    "ascii",
    "bit_length",
    "octet_length",
    "list_sort",
    "list_reverse_sort",
    "array_sort",
    "regexp_extract",
    "regexp_matches",
    "regexp_full_match",
    "strip_accents",
    "strptime",
    "make_date",
    "make_timestamp",
    "date_add",
    "trunc",
    "isnan",
    "isinf",
    "isfinite",
    // NaN or an infinity, not NULL, where undefined.
    "sqrt",
    "cbrt",
    "ln",
    "log",
    "log2",
    "log10",
    "exp",
    "power",
    "pow",
    "cardinality",
    "list_contains",
    "array_contains",
    "list_has",
    "array_has",
    "string_to_array",
    "chr",
    "to_base64",
    "base64",
    "to_hex",
    "hex",
    "to_binary",
    "bin",
    "format_bytes",
    "bar",
    "levenshtein",
    "editdist3",
    "damerau_levenshtein",
    "hamming",
    "jaccard",
    "jaro_similarity",
    "jaro_winkler_similarity",
    "<<",
    ">>",
    "&",
    "|",
    "~",
    "xor",
    "time_bucket",
    "map",
    "map_keys",
    "map_values",
    "grade_up",
    "list_grade_up",
    "array_grade_up",
    "to_days",
    "to_hours",
    "to_minutes",
    "to_seconds",
    "make_time",
    "gcd",
    "lcm",
    "even",
    "sin",
    "cos",
    "degrees",
    "radians",
    "translate",
    "url_encode",
    "sha1",
    "unicode",
    "ord",
];

/// Date parts and differences, NULL for a NULL argument and also for an
/// infinite DATE or TIMESTAMP (`year('infinity'::DATE)`).
const NULL_FOR_INFINITE_TIME: &[&str] = &[
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "date_part",
    "datepart",
    "epoch",
    "epoch_ms",
    "date_diff",
    "datediff",
    "date_sub",
    "datesub",
    "dayname",
    "monthname",
    "last_day",
    "age",
    "epoch_us",
    "epoch_ns",
    "isodow",
    "dayofweek",
    "weekday",
    "dayofyear",
    "week",
    "weekofyear",
    "quarter",
    "yearweek",
    "isoyear",
];

/// Functions and aggregates that never return NULL.
const NEVER_NULL: &[&str] = &[
    "concat",
    "count_star",
    "count",
    "list_value",
    "struct_pack",
    "row",
    // The session's functions, each with no arguments (`current_timestamp`
    // binds as `get_current_timestamp`).
    "now",
    "get_current_timestamp",
    "transaction_timestamp",
    "current_date",
    "current_database",
    "current_schema",
    "current_query",
    "current_connection_id",
    "current_query_id",
    "current_transaction_id",
    "txid_current",
    "version",
    "pi",
    "gen_random_uuid",
    "uuid",
    "uuidv4",
    "uuidv7",
    "random",
    "nextval",
    "typeof",
    // Aggregates that are 0 over no rows.
    "approx_count_distinct",
    "entropy",
];

/// Aggregates that, over a group of at least one row, are NULL only when
/// an argument is: `sum(x)`, `max(x)` of a NOT NULL column per group.
/// (Not `stddev` and `var_samp`, NULL for a single row, nor `corr`.)
const NULL_ONLY_FROM_INPUT_IN_GROUPS: &[&str] = &[
    "min",
    "max",
    "sum",
    "sum_no_overflow",
    "fsum",
    "kahan_sum",
    "avg",
    "mean",
    "favg",
    "product",
    "median",
    "mode",
    "quantile",
    "quantile_cont",
    "quantile_disc",
    "first",
    "last",
    "any_value",
    "arbitrary",
    "arg_min",
    "arg_max",
    "min_by",
    "max_by",
    "string_agg",
    "group_concat",
    "listagg",
    "bool_and",
    "bool_or",
    "bit_and",
    "bit_or",
    "bit_xor",
    "histogram",
    "count_if",
    "countif",
    "approx_quantile",
];

/// Aggregates never NULL over a group of at least one row, whatever their
/// input: a list holds the NULLs. (Not `histogram`, NULL when it counts
/// only NULLs.)
const NEVER_NULL_IN_GROUPS: &[&str] = &["list", "array_agg"];

/// Table functions none of whose columns holds a NULL: `range(3)` and
/// `generate_series(...)` count (with NULL bounds they give no rows).
const NEVER_NULL_TABLE_FUNCTIONS: &[&str] = &["range", "generate_series"];

/// Window functions that never return NULL.
const NEVER_NULL_WINDOWS: &[&str] =
    &["WINDOW_ROW_NUMBER", "WINDOW_RANK", "WINDOW_RANK_DENSE", "WINDOW_PERCENT_RANK", "WINDOW_CUME_DIST"];

/// DuckDB's column id of the row id (`COLUMN_IDENTIFIER_ROW_ID`).
const ROW_ID: u64 = u64::MAX;

/// Whether each column of a table may be NULL, by (catalog, schema, table).
#[derive(Debug, Default)]
pub struct TableCache(HashMap<(String, String, String), Option<Vec<bool>>>);

struct Walker<'c> {
    conn: &'c Connection,
    tables: &'c mut HashMap<(String, String, String), Option<Vec<bool>>>,
    /// Output nullability of CTEs, by index, and whether each is materialised
    /// (a reference reads all its rows) rather than recursive.
    ctes: HashMap<u64, (Vec<Nulls>, bool)>,
    /// How many outer joins the walk has met.
    outer_joins: u32,
    /// How many references to a CTE it has met (see [`CteColumn::rows`]).
    cte_refs: u32,
}

impl Walker<'_> {
    fn table_nullability(&mut self, catalog: &str, schema: &str, table: &str) -> Option<Vec<bool>> {
        let key = (catalog.to_owned(), schema.to_owned(), table.to_owned());
        if let Some(known) = self.tables.get(&key) {
            return known.clone();
        }
        let found = self.query_table(catalog, schema, table);
        self.tables.insert(key, found.clone());
        found
    }

    fn query_table(&self, catalog: &str, schema: &str, table: &str) -> Option<Vec<bool>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT is_nullable FROM duckdb_columns() WHERE database_name = $1 AND schema_name = $2 AND table_name = $3 ORDER BY column_index",
            )
            .ok()?;
        for (i, v) in [catalog, schema, table].into_iter().enumerate() {
            stmt.bind(i, &DuckValue::Varchar(v.to_owned())).ok()?;
        }
        let mut result = stmt.execute(false).ok()?;
        let mut flags = Vec::new();
        let ty = DuckType::Boolean;
        while let Some(chunk) = result.next_chunk().ok()? {
            let column = chunk.column(0, &ty)?;
            for row in 0..chunk.len() {
                flags.push(!column.is_valid(row) || column.get::<u8>(row)? != 0);
            }
        }
        (!flags.is_empty()).then_some(flags)
    }

    /// The outputs of every child, concatenated (what BOUND_REF indexes).
    fn inputs(&mut self, op: &Value) -> Option<Vec<Nulls>> {
        let mut all = Vec::new();
        for child in list(op, "children") {
            all.extend(self.operator(child)?);
        }
        Some(all)
    }

    fn only_child(&mut self, op: &Value) -> Option<Vec<Nulls>> {
        self.operator(list(op, "children").first()?)
    }

    /// Whether each output column of `op` may be NULL; `None` when `op` is
    /// not understood (then every column of the result is nullable).
    fn operator(&mut self, op: &Value) -> Option<Vec<Nulls>> {
        let kind = text(op, "type");
        Some(match kind {
            "LOGICAL_PROJECTION" => {
                let input = self.inputs(op)?;
                list(op, "expressions").iter().map(|e| nulls(e, &input)).collect()
            }
            "LOGICAL_FILTER" => {
                let mut columns = self.only_child(op)?;
                for e in list(op, "expressions") {
                    mark_non_null(&mut columns, non_null_when_true(e));
                }
                columns.iter_mut().for_each(|c| c.holds_all = None);
                project(columns, list(op, "projection_map"))?
            }
            "LOGICAL_GET" => self.get(op)?,
            "LOGICAL_COMPARISON_JOIN"
            | "LOGICAL_ANY_JOIN"
            | "LOGICAL_DELIM_JOIN"
            | "LOGICAL_ASOF_JOIN"
            | "LOGICAL_CROSS_PRODUCT"
            | "LOGICAL_POSITIONAL_JOIN" => {
                let children = list(op, "children");
                let join = match kind {
                    "LOGICAL_CROSS_PRODUCT" => "INNER",
                    "LOGICAL_POSITIONAL_JOIN" => "OUTER",
                    _ => text(op, "join_type"),
                };
                // A side whose columns a join drops need not be understood:
                // `WHERE id IN (SELECT unnest($1))` keeps the outer columns as they are.
                // Some of its rows, which keep what they hold.
                let mut filtered_side = |i: usize, map: &str| {
                    let mut columns = project(self.operator(children.get(i)?)?, list(op, map))?;
                    columns.iter_mut().for_each(|c| c.holds_all = None);
                    Some(columns)
                };
                match join {
                    "SEMI" | "ANTI" => return filtered_side(0, "left_projection_map"),
                    "RIGHT_SEMI" | "RIGHT_ANTI" => return filtered_side(1, "right_projection_map"),
                    // The left side's columns, then the mark: whether a row
                    // of the right side matched (`EXISTS`, `x IN (...)`). It
                    // is NULL only where a condition compares a NULL.
                    "MARK" => {
                        let left = self.operator(children.first()?)?;
                        // Only to read the conditions: the right side may stay unknown.
                        let right = children.get(1).and_then(|c| self.operator(c)).unwrap_or_default();
                        let conditions = list(op, "conditions");
                        let mark_nullable = kind == "LOGICAL_ANY_JOIN"
                            || conditions.is_empty()
                            || conditions.iter().any(|c| {
                                !matches!(text(c, "comparison"), "COMPARE_NOT_DISTINCT_FROM" | "COMPARE_DISTINCT_FROM")
                                    && (c.get("left").is_none_or(|e| nullable(e, &left))
                                        || c.get("right").is_none_or(|e| nullable(e, &right)))
                            });
                        let mut columns = project(left, list(op, "left_projection_map"))?;
                        columns.push(Nulls::value(mark_nullable));
                        return Some(columns);
                    }
                    _ => {}
                }
                let left = self.operator(children.first()?)?;
                let right = self.operator(children.get(1)?)?;
                let right_always_matches =
                    matches!(join, "LEFT" | "SINGLE") && every_row_matches(op, &left, &right, children.get(1)?);
                let mut left = project(left, list(op, "left_projection_map"))?;
                let mut right = project(right, list(op, "right_projection_map"))?;
                let (left_nullable, right_nullable) = match join {
                    "INNER" => (false, false),
                    "LEFT" | "SINGLE" => (false, !right_always_matches),
                    "RIGHT" => (true, false),
                    _ => (true, true),
                };
                // Only the left side of a LEFT join keeps all its rows.
                if !matches!(join, "LEFT" | "SINGLE") {
                    left.iter_mut().for_each(|c| c.holds_all = None);
                }
                right.iter_mut().for_each(|c| c.holds_all = None);
                let left_join = left_nullable.then(|| self.unmatched(&mut left));
                let right_join = right_nullable.then(|| self.unmatched(&mut right));
                // Of a LEFT (or RIGHT) join, the padded side holds a row only
                // where the condition held: the columns it compares are then
                // not NULL, on either side. (Of a FULL join, either side may
                // hold a row that matched nothing.)
                let padded = match (left_join, right_join) {
                    (None, Some(join)) => Some((join, "right")),
                    (Some(join), None) => Some((join, "left")),
                    _ => None,
                };
                if let Some((join, padded_side)) = padded {
                    for (columns, side) in [(&mut left, "left"), (&mut right, "right")] {
                        for i in compared_columns(op, side) {
                            let Some(c) = columns.get_mut(i) else { continue };
                            if side == padded_side {
                                if let Some(padding) = c.padded_by.as_mut().filter(|p| p.join == join) {
                                    padding.nullable_if_matched = false;
                                }
                            } else {
                                c.implied_by.get_or_insert(join);
                            }
                        }
                    }
                }
                left.extend(right);
                left
            }
            "LOGICAL_AGGREGATE_AND_GROUP_BY" => {
                let input = self.inputs(op)?;
                // ROLLUP, CUBE and GROUPING SETS put NULL in the groups they roll up.
                let several_sets = list(op, "grouping_sets").len() > 1;
                let mut out: Vec<Nulls> = list(op, "groups")
                    .iter()
                    .map(|e| {
                        let mut group = nulls(e, &input);
                        group.value |= several_sets;
                        // Grouping keeps every value, once; not which rows were matched.
                        group.padded_by = None;
                        group.implied_by = None;
                        if several_sets {
                            group.among = None;
                        }
                        group
                    })
                    .collect();
                // With GROUP BY every group has a row; with no GROUP BY (or a
                // grand total of ROLLUP) the one group may have none.
                let sets = list(op, "grouping_sets");
                let groups_have_rows = !sets.is_empty() && sets.iter().all(|set| !list_of(set).is_empty());
                out.extend(list(op, "expressions").iter().map(|e| {
                    let (inside, deeper) = aggregate_inside_nullable(e, &input);
                    Nulls::nested(aggregate_nullable(e, &input, groups_have_rows), inside, deeper)
                }));
                out.extend(list(op, "grouping_functions").iter().map(|_| Nulls::value(false)));
                out
            }
            // The input's columns, then one per unnested list: an element of
            // it. A NULL or empty list gives no row, but of several lists
            // unnested side by side, the shorter ones are padded with NULLs.
            "LOGICAL_UNNEST" => {
                let mut columns = self.only_child(op)?;
                // A row whose list is empty or NULL is gone.
                columns.iter_mut().for_each(|c| c.holds_all = None);
                let unnested = list(op, "expressions");
                let values: Vec<Nulls> = match unnested {
                    [one] => vec![unnested_nulls(one, &columns)],
                    _ => unnested.iter().map(|_| Nulls::UNKNOWN).collect(),
                };
                columns.extend(values);
                columns
            }
            "LOGICAL_WINDOW" => {
                let mut columns = self.only_child(op)?;
                let input = columns.clone();
                columns.extend(list(op, "expressions").iter().map(|e| {
                    let (inside, deeper) = match text(e, "type") {
                        "WINDOW_AGGREGATE" => aggregate_inside_nullable(e, &input),
                        _ => (true, true),
                    };
                    Nulls::nested(nullable(e, &input), inside, deeper)
                }));
                columns
            }
            "LOGICAL_UNION" | "LOGICAL_EXCEPT" | "LOGICAL_INTERSECT" => {
                let children = list(op, "children");
                let outputs = children.iter().map(|c| self.operator(c)).collect::<Option<Vec<_>>>()?;
                let count = outputs.first()?.len();
                // UNION: NULL if any branch can be; EXCEPT/INTERSECT keep rows of the left side.
                let branches = if kind == "LOGICAL_UNION" { &outputs[..] } else { &outputs[..1] };
                (0..count)
                    .map(|i| Nulls::any(branches.iter().map(|b| b.get(i).copied().unwrap_or(Nulls::UNKNOWN))))
                    .collect()
            }
            "LOGICAL_ORDER_BY" => self.only_child(op)?,
            // Some of the rows (DISTINCT ON keeps one per key).
            "LOGICAL_DISTINCT" | "LOGICAL_LIMIT" | "LOGICAL_TOP_N" | "LOGICAL_SAMPLE" => {
                let mut columns = self.only_child(op)?;
                columns.iter_mut().for_each(|c| c.holds_all = None);
                columns
            }
            "LOGICAL_MATERIALIZED_CTE" => {
                let children = list(op, "children");
                let definition = self.operator(children.first()?)?;
                self.ctes.insert(index(op, "table_index")?, (definition, true));
                self.operator(children.get(1)?)?
            }
            // Every reference to a materialised CTE reads all its rows; of a
            // recursive one, some. Which join matched is the CTE's own affair.
            // Each reference reads rows of its own, which a join may put
            // beside another's.
            "LOGICAL_CTE_REF" => {
                let cte = index(op, "cte_index")?;
                let (definition, materialised) = self.ctes.get(&cte)?.clone();
                let mut renumbered: HashMap<u32, u32> = HashMap::new();
                let mut rows = |old: u32| {
                    *renumbered.entry(old).or_insert_with(|| {
                        self.cte_refs += 1;
                        self.cte_refs
                    })
                };
                let own_rows = rows(0);
                definition
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let this = Some(CteColumn { cte, column: i, rows: own_rows }).filter(|_| materialised);
                        let mut read =
                            |fact: Option<CteColumn>| fact.map(|f| CteColumn { rows: rows(f.rows), ..f }).or(this);
                        Nulls {
                            padded_by: None,
                            implied_by: None,
                            among: read(c.among),
                            holds_all: read(c.holds_all),
                            ..*c
                        }
                    })
                    .collect()
            }
            // The anchor's rows, then the recursive part's, which reads the
            // CTE itself: evaluate it until no more columns (or values in
            // them) turn nullable (each pass that changes anything turns at
            // least one).
            "LOGICAL_RECURSIVE_CTE" => {
                let children = list(op, "children");
                let cte = index(op, "table_index")?;
                let mut columns: Vec<Nulls> =
                    self.operator(children.first()?)?.into_iter().map(Nulls::values_only).collect();
                for _ in 0..=3 * columns.len() {
                    self.ctes.insert(cte, (columns.clone(), false));
                    let recursive = self.operator(children.get(1)?)?;
                    let merged: Vec<Nulls> = columns
                        .iter()
                        .enumerate()
                        .map(|(i, &c)| c.either(recursive.get(i).copied().unwrap_or(Nulls::UNKNOWN)))
                        .collect();
                    if merged == columns {
                        break;
                    }
                    columns = merged;
                }
                columns
            }
            "LOGICAL_EXPRESSION_GET" => {
                let rows = list(op, "expressions");
                let count = rows.first()?.as_array()?.len();
                let cell = |row: &Value, i: usize| {
                    row.as_array().and_then(|r| r.get(i)).map_or(Nulls::UNKNOWN, |e| nulls(e, &[]))
                };
                (0..count).map(|i| Nulls::any(rows.iter().map(|row| cell(row, i)))).collect()
            }
            // One row of one placeholder column, which operators that pass
            // their input on (an UNNEST) keep in front of their own.
            "LOGICAL_DUMMY_SCAN" => vec![Nulls::UNKNOWN],
            // No rows, so no NULLs; an outer join above it adds them.
            "LOGICAL_EMPTY_RESULT" => {
                list(op, "return_types").iter().map(|_| Nulls::nested(false, false, false)).collect()
            }
            // An upsert (ON CONFLICT DO UPDATE) is a MERGE INTO.
            "LOGICAL_INSERT" | "LOGICAL_UPDATE" | "LOGICAL_DELETE" | "LOGICAL_MERGE_INTO" => {
                // With RETURNING, these output the table's stored columns:
                // not its generated ones, which a projection above computes
                // from them. Taking every column would give each stored
                // column after a generated one its neighbour's NOT NULL.
                let table = op.get("table_info")?;
                let path = table.get("qualified_name")?.get("path")?.as_array()?;
                let part = |i: usize| path.get(i).and_then(Value::as_str).unwrap_or("");
                let columns = list(table.get("columns")?, "columns");
                let flags = self.table_nullability(part(0), part(1), part(2))?;
                if columns.len() != flags.len() {
                    return None;
                }
                let stored = columns.iter().map(|column| text(column, "category") != "GENERATED");
                flags
                    .into_iter()
                    .zip(stored)
                    .filter(|&(_, stored)| stored)
                    .map(|(flag, _)| Nulls::value(flag))
                    .collect()
            }
            _ => return None,
        })
    }

    /// Makes `side` the side of an outer join that is NULL where the join
    /// found no match: its columns may be NULL, and remember what they
    /// were where it matched. Its values are no longer all of a CTE's.
    fn unmatched(&mut self, side: &mut [Nulls]) -> u32 {
        self.outer_joins += 1;
        for c in side {
            c.padded_by = Some(Padding { join: self.outer_joins, nullable_if_matched: c.value });
            c.implied_by = None;
            c.value = true;
            c.among = None;
            c.holds_all = None;
        }
        self.outer_joins
    }

    fn get(&mut self, op: &Value) -> Option<Vec<Nulls>> {
        let function = function_name(op);
        let table_flags = if function == "seq_scan" {
            let data = op.get("function_data")?;
            self.table_nullability(text(data, "catalog"), text(data, "schema"), text(data, "table"))
        } else {
            None
        };
        let columns: Vec<Nulls> = list(op, "column_indexes")
            .iter()
            .map(|c| {
                if NEVER_NULL_TABLE_FUNCTIONS.contains(&function) {
                    return Nulls::value(false);
                }
                let id = index(c, "index").unwrap_or(ROW_ID - 1);
                Nulls::value(if id == ROW_ID && table_flags.is_some() {
                    false
                } else {
                    table_flags.as_ref().and_then(|f| f.get(id as usize).copied()).unwrap_or(true)
                })
            })
            .collect();
        project(columns, list(op, "projection_ids"))
    }
}

/// Whether every row of the left side of join `op` matches a row of its
/// `right_op` side, so that a LEFT join never pads it with NULLs: DuckDB's
/// rewrite of a correlated subquery joins the distinct outer values (the
/// rows of a CTE) to what the subquery gives for each of them, and it gives
/// something for each; and a join without conditions to an aggregate
/// without groups, which always has one row, matches every row.
fn every_row_matches(op: &Value, left: &[Nulls], right: &[Nulls], right_op: &Value) -> bool {
    if text(op, "type") != "LOGICAL_COMPARISON_JOIN" {
        return false;
    }
    let conditions = list(op, "conditions");
    if conditions.is_empty() {
        return always_one_row(right_op);
    }
    // Keys that, side by side, are on the left the values of some rows of a
    // CTE and on the right those of all its rows: NOT DISTINCT FROM matches
    // a NULL too, = only values.
    let mut keys = conditions.iter().map(|condition| {
        let column = |side: &str, columns: &'_ [Nulls]| {
            condition.get(side).and_then(position_of_column).and_then(|i| columns.get(i).copied())
        };
        let (key, keys) = (column("left", left)?, column("right", right)?);
        let compares = match text(condition, "comparison") {
            "COMPARE_NOT_DISTINCT_FROM" => true,
            "COMPARE_EQUAL" => !key.value,
            _ => false,
        };
        let (among, holds_all) = (key.among?, keys.holds_all?);
        (compares && (among.cte, among.column) == (holds_all.cte, holds_all.column))
            .then_some((among.rows, holds_all.rows))
    });
    let Some(Some(first)) = keys.next() else { return false };
    keys.all(|rows| rows == Some(first))
}

/// The output positions of the columns of join `op`'s `side` ("left" or
/// "right") that a condition compares in a way that fails for NULL.
fn compared_columns(op: &Value, side: &str) -> Vec<usize> {
    let map = list(op, &format!("{side}_projection_map"));
    list(op, "conditions")
        .iter()
        .filter(|c| !matches!(text(c, "comparison"), "COMPARE_DISTINCT_FROM" | "COMPARE_NOT_DISTINCT_FROM"))
        .filter_map(|c| c.get(side).and_then(position_of))
        .filter_map(|i| if map.is_empty() { Some(i) } else { map.iter().position(|m| m.as_u64() == Some(i as u64)) })
        .collect()
}

/// Whether operator `op` always gives exactly one row: an aggregate without
/// groups (`SELECT count(*) FROM ...`), maybe projected.
fn always_one_row(op: &Value) -> bool {
    match text(op, "type") {
        "LOGICAL_AGGREGATE_AND_GROUP_BY" => {
            list(op, "groups").is_empty() && list(op, "grouping_sets").iter().all(|set| list_of(set).is_empty())
        }
        "LOGICAL_PROJECTION" => list(op, "children").first().is_some_and(always_one_row),
        _ => false,
    }
}

/// The columns picked by a projection map (all of them when it is empty).
fn project(columns: Vec<Nulls>, map: &[Value]) -> Option<Vec<Nulls>> {
    if map.is_empty() {
        return Some(columns);
    }
    map.iter().map(|i| i.as_u64().and_then(|i| columns.get(i as usize).copied())).collect()
}

/// Whether expression `e`, and a value inside it, may be NULL; a plain
/// column reference is the column, with what is known of its rows.
fn nulls(e: &Value, input: &[Nulls]) -> Nulls {
    if let Some(column) = position_of_column(e).and_then(|i| input.get(i)) {
        return *column;
    }
    Nulls::nested(nullable(e, input), inside_nullable(e, input), deeper_nullable(e, input))
}

/// Whether expression `e` may be NULL, given whether each input column may be.
fn nullable(e: &Value, input: &[Nulls]) -> bool {
    let class = text(e, "expression_class");
    let ty = text(e, "type");
    let children = list(e, "children");
    let any_child = || children.is_empty() || children.iter().any(|c| nullable(c, input));
    match class {
        "BOUND_REF" => index(e, "index").and_then(|i| input.get(i as usize)).is_none_or(|c| c.value),
        "BOUND_CONSTANT" => is_null_constant(e) != Some(false),
        "BOUND_FUNCTION" if ty == "OPERATOR_CAST" => {
            let try_cast = e.get("function_data").and_then(|d| d.get("try_cast")).and_then(Value::as_bool);
            try_cast != Some(false) || any_child() || children.iter().any(|c| casts_json_null(c, e))
        }
        "BOUND_FUNCTION" if ty.starts_with("COMPARE_") => match ty {
            "COMPARE_DISTINCT_FROM" | "COMPARE_NOT_DISTINCT_FROM" => false,
            _ => any_child(),
        },
        "BOUND_FUNCTION" => {
            let name = function_name(e);
            if NEVER_NULL.contains(&name) {
                false
            } else if name == "concat_ws" {
                // It skips NULL values, but not a NULL separator.
                children.first().is_none_or(|separator| nullable(separator, input))
            } else if name == "struct_extract"
                || name == "struct_extract_at"
                || (name == "array_extract" && children.first().is_some_and(|s| type_id(s) == "STRUCT"))
            {
                // A field (`s.a`, `s['a']`) of a STRUCT whose fields are
                // never NULL: `{'a': id}` of a NOT NULL `id`.
                children.first().is_none_or(|s| nullable(s, input) || inside_nullable(s, input))
            } else if matches!(name, "greatest" | "least") {
                // They skip NULLs, as COALESCE does.
                children.is_empty() || children.iter().all(|c| nullable(c, input))
            } else if NULL_IN_NULL_OUT.contains(&name) {
                any_child()
            } else if matches!(name, "%" | "//" | "mod") {
                // NULL for a 0 divisor, where `error_on_division_by_zero`
                // is off: `id % 2 = 0` is not NULL.
                !children.get(1).is_some_and(is_non_zero_integer_constant) || any_child()
            } else if NULL_FOR_INFINITE_TIME.contains(&name) {
                any_child() || children.iter().any(may_be_infinite)
            } else {
                true
            }
        }
        "BOUND_COMPARISON" => match ty {
            "COMPARE_DISTINCT_FROM" | "COMPARE_NOT_DISTINCT_FROM" => false,
            _ => ["left", "right"].iter().any(|k| e.get(*k).is_none_or(|c| nullable(c, input))),
        },
        "BOUND_CAST" => {
            e.get("try_cast").and_then(Value::as_bool) != Some(false)
                || e.get("child").is_none_or(|c| nullable(c, input) || casts_json_null(c, e))
        }
        "BOUND_BETWEEN" => ["input", "lower", "upper"].iter().any(|k| e.get(*k).is_none_or(|c| nullable(c, input))),
        "BOUND_CONJUNCTION" => any_child(),
        "BOUND_OPERATOR" => match ty {
            "OPERATOR_IS_NULL" | "OPERATOR_IS_NOT_NULL" => false,
            "OPERATOR_COALESCE" => children.iter().all(|c| nullable(c, input)),
            "OPERATOR_NOT" | "COMPARE_IN" | "COMPARE_NOT_IN" => any_child(),
            _ => true,
        },
        // Each branch knows what the conditions before it, and its own,
        // prove: `CASE WHEN x IS NULL THEN 0 ELSE x END` is not NULL. A
        // condition that always holds leaves the branches after it unused,
        // as in DuckDB's own macros (`split_part`: `CASE WHEN s IS NOT NULL
        // AND ... THEN coalesce(...) ELSE NULL END`).
        "BOUND_CASE" => {
            let mut known = input.to_vec();
            for check in list(e, "case_checks") {
                let when = check.get("when_expr");
                let mut then_known = known.clone();
                mark_non_null(&mut then_known, when.map(non_null_when_true).unwrap_or_default());
                if check.get("then_expr").is_none_or(|c| nullable(c, &then_known)) {
                    return true;
                }
                if when.is_some_and(|w| always_true(w, &known)) {
                    return false;
                }
                mark_non_null(&mut known, when.map(non_null_when_not_true).unwrap_or_default());
            }
            e.get("else_expr").is_none_or(|c| nullable(c, &known))
        }
        // `ntile(n)` is NULL only for a NULL bucket count.
        "BOUND_WINDOW" if ty == "WINDOW_NTILE" => any_child(),
        "BOUND_WINDOW" if NEVER_NULL_WINDOWS.contains(&ty) => false,
        // An aggregate over a frame that holds the current row is as one
        // over a group with rows: `sum(x) OVER (ORDER BY t)` of a NOT NULL
        // `x` is not NULL.
        "BOUND_WINDOW" if ty == "WINDOW_AGGREGATE" => aggregate_nullable(e, input, frame_holds_current_row(e)),
        "BOUND_WINDOW" if matches!(ty, "WINDOW_FIRST_VALUE" | "WINDOW_LAST_VALUE") => {
            !frame_holds_current_row(e) || any_child()
        }
        // Past the partition's edge, `lag` and `lead` give their default:
        // NULL, unless one is given.
        "BOUND_WINDOW" if matches!(ty, "WINDOW_LAG" | "WINDOW_LEAD") => children.len() < 3 || any_child(),
        "BOUND_WINDOW" => true,
        "BOUND_AGGREGATE" => !NEVER_NULL.contains(&function_name(e)),
        _ => true,
    }
}

/// Whether condition `e` holds for every row: `x IS NOT NULL` of values
/// that are never NULL, a TRUE constant, and AND of such.
fn always_true(e: &Value, input: &[Nulls]) -> bool {
    let children = list(e, "children");
    match (text(e, "expression_class"), text(e, "type")) {
        ("BOUND_OPERATOR", "OPERATOR_IS_NOT_NULL") => children.iter().all(|c| !nullable(c, input)),
        ("BOUND_CONJUNCTION", "CONJUNCTION_AND") => children.iter().all(|c| always_true(c, input)),
        ("BOUND_CONSTANT", _) => e.get("value").and_then(|v| v.get("value")).and_then(Value::as_bool) == Some(true),
        _ => false,
    }
}

/// Whether every row's window frame of `e` holds that row, so that it is
/// never empty: bounded on each side by UNBOUNDED, CURRENT ROW or a
/// constant offset of ROWS, GROUPS or RANGE (the default frames, running
/// totals, moving averages over `6 PRECEDING`, rolling sums over
/// `INTERVAL 7 DAY PRECEDING`; DuckDB refuses a negative or NULL one),
/// without EXCLUDE or FILTER.
fn frame_holds_current_row(e: &Value) -> bool {
    let bound = |side: &str, direction: &str| {
        let offset = || e.get(format!("{side}_expr"));
        match text(e, side) {
            "CURRENT_ROW_RANGE" | "CURRENT_ROW_ROWS" | "CURRENT_ROW_GROUPS" => true,
            b if b == format!("UNBOUNDED_{direction}") => true,
            b if b == format!("EXPR_{direction}_ROWS") || b == format!("EXPR_{direction}_GROUPS") => {
                offset().is_some_and(is_row_count)
            }
            // Bound as the ORDER BY value plus or minus the offset.
            b if b == format!("EXPR_{direction}_RANGE") => offset().is_some_and(|bound| {
                matches!(function_name(bound), "+" | "-") && list(bound, "children").get(1).and_then(constant).is_some()
            }),
            _ => false,
        }
    };
    bound("start", "PRECEDING")
        && bound("end", "FOLLOWING")
        && text(e, "exclude_clause") == "NO_OTHER"
        && e.get("filters").is_none_or(Value::is_null)
}

/// The constant that `e` is, under any casts, unless it is NULL: its
/// value as the plan writes it (`{"is_null", "type", "value"}`).
fn constant(e: &Value) -> Option<&Value> {
    match text(e, "expression_class") {
        "BOUND_CONSTANT" => e.get("value").filter(|_| is_null_constant(e) == Some(false)),
        "BOUND_FUNCTION" if text(e, "type") == "OPERATOR_CAST" => list(e, "children").first().and_then(constant),
        "BOUND_CAST" => e.get("child").and_then(constant),
        _ => None,
    }
}

/// Whether `e` is a constant count of rows (`6` in `6 PRECEDING`), maybe cast.
fn is_row_count(e: &Value) -> bool {
    constant(e).and_then(|c| c.get("value")).and_then(Value::as_i64).is_some_and(|n| n >= 0)
}

/// Whether constant `e` is NULL; `None` when the plan does not say.
fn is_null_constant(e: &Value) -> Option<bool> {
    e.get("value").and_then(|v| v.get("is_null")).and_then(Value::as_bool)
}

/// Whether `e` is an integer constant other than 0, or one cast to another
/// type: a whole number that is not 0 is not 0 in any numeric type (a cast
/// that cannot hold it fails).
fn is_non_zero_integer_constant(e: &Value) -> bool {
    let Some(value) = constant(e) else { return false };
    let integer_type = matches!(
        value.get("type").map(|t| text(t, "id")),
        Some("TINYINT" | "SMALLINT" | "INTEGER" | "BIGINT" | "UTINYINT" | "USMALLINT" | "UINTEGER" | "UBIGINT")
    );
    integer_type && value.get("value").and_then(Value::as_i64).is_some_and(|v| v != 0)
}

/// List functions whose elements are never NULL: they split text, count,
/// give positions or a MAP's keys, or (`list_distinct`) drop the NULLs.
const NO_NULL_ELEMENTS: &[&str] = &[
    "string_split",
    "str_split",
    "string_to_array",
    "string_split_regex",
    "str_split_regex",
    "regexp_split_to_array",
    "range",
    "generate_series",
    "list_distinct",
    "array_distinct",
    "grade_up",
    "list_grade_up",
    "array_grade_up",
    "map_keys",
];

/// List functions whose elements are those of their first argument,
/// reordered or cut (or a MAP's values).
const ELEMENTS_OF_FIRST_ARGUMENT: &[&str] = &[
    "list_sort",
    "array_sort",
    "list_reverse_sort",
    "array_reverse_sort",
    "list_reverse",
    "array_reverse",
    "list_slice",
    "array_slice",
    "map_values",
];

/// List functions whose elements are those of their arguments.
const ELEMENTS_OF_ARGUMENTS: &[&str] = &["list_concat", "list_cat", "array_concat", "array_cat", "||"];

/// Whether a value inside the LIST or ARRAY (an element), the MAP (a
/// value, by a key) or the STRUCT (a field) that expression `e` gives may
/// be NULL (`true` when unsure, and for any other type).
fn inside_nullable(e: &Value, input: &[Nulls]) -> bool {
    nullable_within(e, input, Level::Inside)
}

/// Whether a value inside a value inside what expression `e` gives may be
/// NULL (see [`Nulls::deeper`]; `true` when unsure).
fn deeper_nullable(e: &Value, input: &[Nulls]) -> bool {
    nullable_within(e, input, Level::Deeper)
}

/// How far inside a value [`nullable_within`] looks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// At the values inside it (see [`Nulls::inside`]).
    Inside,
    /// At the values inside those (see [`Nulls::deeper`]).
    Deeper,
}

/// Whether a value at `level` inside what expression `e` gives may be NULL.
fn nullable_within(e: &Value, input: &[Nulls], level: Level) -> bool {
    let children = list(e, "children");
    let within = |c: &Value| nullable_within(c, input, level);
    // The values inside a value built of `c`s, at this level, are the `c`s
    // (or the values inside them) themselves.
    let as_built_of = |c: &Value| match level {
        Level::Inside => nullable(c, input),
        Level::Deeper => inside_nullable(c, input),
    };
    let any_within = || children.is_empty() || children.iter().any(within);
    match text(e, "expression_class") {
        "BOUND_REF" => index(e, "index").and_then(|i| input.get(i as usize)).is_none_or(|c| match level {
            Level::Inside => c.inside,
            Level::Deeper => c.deeper,
        }),
        // A NULL holds nothing.
        "BOUND_CONSTANT" => is_null_constant(e) != Some(true),
        "BOUND_FUNCTION" => {
            let name = function_name(e);
            if text(e, "type") == "OPERATOR_CAST" {
                // A cast may turn values into NULLs (JSON's `null`, with
                // TRY_CAST anything), or text into a list; not numbers into
                // numbers (`[]` or `[1]` into a BIGINT[], as the binder
                // does), which fit or fail.
                let try_cast = e.get("function_data").and_then(|d| d.get("try_cast")).and_then(Value::as_bool);
                level == Level::Deeper
                    || try_cast != Some(false)
                    || !children.first().is_some_and(|c| numbers_into_numbers(c, e) && !inside_nullable(c, input))
            } else if matches!(name, "list_value" | "array_value" | "struct_pack" | "row") {
                // `[a, b]` and `{'a': a, 'b': b}`: its elements or fields
                // are the arguments (none for `[]`).
                children.iter().any(as_built_of)
            } else if name == "map" {
                // `MAP {k: v}` and `map(keys, values)`: the values' list.
                children.get(1).is_some_and(within)
            } else if NO_NULL_ELEMENTS.contains(&name) {
                level == Level::Deeper
            } else if ELEMENTS_OF_FIRST_ARGUMENT.contains(&name) {
                children.first().is_none_or(within)
            } else if ELEMENTS_OF_ARGUMENTS.contains(&name) {
                any_within()
            } else {
                true
            }
        }
        "BOUND_OPERATOR" if text(e, "type") == "OPERATOR_COALESCE" => any_within(),
        "BOUND_CASE" => {
            e.get("else_expr").is_some_and(within)
                || list(e, "case_checks").iter().any(|check| check.get("then_expr").is_none_or(within))
        }
        _ => true,
    }
}

/// Whether casting list `value` to the type of `cast` converts numbers (or
/// the untyped NULLs of `[]`) into numbers.
fn numbers_into_numbers(value: &Value, cast: &Value) -> bool {
    const NUMBERS: &[&str] = &[
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
        "FLOAT",
        "DOUBLE",
        "DECIMAL",
    ];
    fn element(e: &Value) -> Option<&str> {
        let ty = e.get("return_type")?;
        if !matches!(text(ty, "id"), "LIST" | "ARRAY") {
            return None;
        }
        ty.get("type_info")?.get("child_type").map(|c| text(c, "id"))
    }
    match (element(value), element(cast)) {
        (Some(from), Some(to)) => (from == "NULL" || NUMBERS.contains(&from)) && NUMBERS.contains(&to),
        _ => false,
    }
}

/// Aggregates whose result is one of their input values.
const PICKS_AN_INPUT: &[&str] = &["min", "max", "first", "last", "any_value", "arbitrary"];

/// Whether a value inside the LIST or MAP that aggregate `e` gives may be
/// NULL, and a value inside that: `list(x)` holds every `x`, NULLs too;
/// `histogram(x)` counts; `max(xs)` is one of the `xs`.
fn aggregate_inside_nullable(e: &Value, input: &[Nulls]) -> (bool, bool) {
    let name = function_name(e);
    let argument = list(e, "children").first();
    if matches!(name, "list" | "array_agg") {
        (argument.is_none_or(|c| nullable(c, input)), argument.is_none_or(|c| inside_nullable(c, input)))
    } else if name == "histogram" {
        // Counts.
        (false, true)
    } else if PICKS_AN_INPUT.contains(&name) {
        (argument.is_none_or(|c| inside_nullable(c, input)), argument.is_none_or(|c| deeper_nullable(c, input)))
    } else {
        (true, true)
    }
}

/// What the value that `unnest` (expression `e` of a LOGICAL_UNNEST) takes
/// out of its one list may hold: an element of that list.
fn unnested_nulls(e: &Value, input: &[Nulls]) -> Nulls {
    let Some(unnested) = e.get("child") else { return Nulls::UNKNOWN };
    let is_list = matches!(type_id(unnested), "LIST" | "ARRAY");
    if text(e, "expression_class") != "BOUND_UNNEST" || !is_list {
        return Nulls::UNKNOWN;
    }
    Nulls::new(inside_nullable(unnested, input), deeper_nullable(unnested, input))
}

/// The `id` of an expression's type (`DATE`, `VARCHAR`, ...).
fn type_id(e: &Value) -> &str {
    e.get("return_type").map_or("", |t| text(t, "id"))
}

/// Whether `e` is a DATE or a TIMESTAMP (of any precision or zone), which
/// may be `infinity` or `-infinity`.
fn may_be_infinite(e: &Value) -> bool {
    let id = type_id(e);
    id == "DATE" || id.starts_with("TIMESTAMP")
}

/// Whether casting `value` to the type of `cast` may give NULL for a value
/// that is not: a JSON `null` becomes NULL of every type but text.
fn casts_json_null(value: &Value, cast: &Value) -> bool {
    let alias = value.get("return_type").and_then(|t| t.get("type_info")).and_then(|i| i.get("alias"));
    alias.and_then(Value::as_str) == Some("JSON") && type_id(cast) != "VARCHAR"
}

/// Whether aggregate `e` may be NULL; `groups_have_rows` when every group
/// it is computed over has at least one row (a GROUP BY without a grand
/// total).
fn aggregate_nullable(e: &Value, input: &[Nulls], groups_have_rows: bool) -> bool {
    let name = function_name(e);
    if NEVER_NULL.contains(&name) {
        return false;
    }
    // A FILTER can leave a group's aggregate no row.
    if !groups_have_rows || e.get("filter").is_some_and(|f| !f.is_null()) {
        return true;
    }
    if NEVER_NULL_IN_GROUPS.contains(&name) {
        return false;
    }
    !NULL_ONLY_FROM_INPUT_IN_GROUPS.contains(&name) || list(e, "children").iter().any(|c| nullable(c, input))
}

/// Input positions that a filter expression, when true, proves non-NULL:
/// `x IS NOT NULL`, and both sides of a comparison (NULL never compares true).
fn non_null_when_true(e: &Value) -> Vec<usize> {
    let class = text(e, "expression_class");
    let ty = text(e, "type");
    let children = list(e, "children");
    match class {
        "BOUND_CONJUNCTION" if ty == "CONJUNCTION_AND" => children.iter().flat_map(non_null_when_true).collect(),
        "BOUND_OPERATOR" if ty == "OPERATOR_IS_NOT_NULL" => children.iter().filter_map(position_of).collect(),
        "BOUND_FUNCTION" | "BOUND_COMPARISON"
            if ty.starts_with("COMPARE_") && !matches!(ty, "COMPARE_DISTINCT_FROM" | "COMPARE_NOT_DISTINCT_FROM") =>
        {
            children.iter().chain(["left", "right"].iter().filter_map(|k| e.get(*k))).filter_map(position_of).collect()
        }
        _ => Vec::new(),
    }
}

/// Input positions that a condition proves non-NULL when it is not true
/// (false, or NULL), as for the branches after it in a CASE: `x IS NULL`
/// (never NULL itself), an OR of such conditions (none of them is true),
/// and `NOT (x IS NOT NULL)`.
fn non_null_when_not_true(e: &Value) -> Vec<usize> {
    let ty = text(e, "type");
    let children = list(e, "children");
    match text(e, "expression_class") {
        "BOUND_OPERATOR" if ty == "OPERATOR_IS_NULL" => children.iter().filter_map(position_of).collect(),
        "BOUND_CONJUNCTION" if ty == "CONJUNCTION_OR" => children.iter().flat_map(non_null_when_not_true).collect(),
        "BOUND_OPERATOR" if ty == "OPERATOR_NOT" => children
            .iter()
            .filter(|c| text(c, "type") == "OPERATOR_IS_NOT_NULL")
            .flat_map(|c| list(c, "children").iter().filter_map(position_of))
            .collect(),
        _ => Vec::new(),
    }
}

/// Marks the columns at `positions` as not NULL. One on the padded side of
/// an outer join shows that the join matched: the other columns of that
/// side are then as they were before the join, and the columns its
/// condition compares are not NULL (which may show another join matched).
fn mark_non_null(columns: &mut [Nulls], positions: Vec<usize>) {
    let mut pending = positions;
    while let Some(position) = pending.pop() {
        let Some(c) = columns.get_mut(position) else { continue };
        c.value = false;
        let Some(join) = c.padded_by.take().map(|p| p.join) else { continue };
        for (i, other) in columns.iter_mut().enumerate() {
            if let Some(padding) = other.padded_by.filter(|p| p.join == join) {
                other.value &= padding.nullable_if_matched;
                other.padded_by = None;
            }
            if other.implied_by == Some(join) {
                other.implied_by = None;
                pending.push(i);
            }
        }
    }
}

/// The input position of a plain column reference (not through casts).
fn position_of_column(e: &Value) -> Option<usize> {
    (text(e, "expression_class") == "BOUND_REF").then(|| index(e, "index")).flatten().map(|i| i as usize)
}

/// The input position of a plain column reference (through casts).
fn position_of(e: &Value) -> Option<usize> {
    match (text(e, "expression_class"), text(e, "type")) {
        ("BOUND_REF", _) => index(e, "index").map(|i| i as usize),
        ("BOUND_FUNCTION", "OPERATOR_CAST") | ("BOUND_CAST", _) => {
            list(e, "children").first().or_else(|| e.get("child")).and_then(position_of)
        }
        _ => None,
    }
}
