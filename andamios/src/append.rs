//! Bulk loading through DuckDB's appender, a whole data chunk at a time.

use crate::connection::{Connection, WorkerState};
use crate::error::{Error, Result};
use crate::pool::Pool;
use crate::types::{Encode, EncodeError};
use andamios_core::ffi::{Appender, ChunkWriter};
use andamios_core::script::name_parts;
use andamios_core::{DuckDbError, DuckErrorType, DuckType};

/// A row that can be appended to a table: a tuple (one value per column,
/// in the table's order), or a struct with `#[derive(AppendRow)]`, whose
/// fields go to the columns of their names (`#[andamios(rename = "...")]`,
/// `#[andamios(rename_all = "...")]`), in any order, the table's other
/// columns taking their defaults.
pub trait AppendRow: Send + 'static {
    /// Number of values in a row.
    fn column_count() -> usize;

    /// The columns the values go to, in order, for a row that names them
    /// (a derived struct with named fields); `None` for one whose values go
    /// to the table's columns in order (a tuple, a tuple struct).
    fn column_names() -> Option<&'static [&'static str]> {
        None
    }

    /// Writes this row's values into the chunk's current row.
    fn write_row(&self, chunk: &mut ChunkWriter) -> Result<(), AppendError>;

    /// The DuckDB types of the values, in order, where known: what a
    /// VARIANT column's part of a chunk holds.
    #[doc(hidden)]
    fn value_types() -> Vec<andamios_core::DuckType> {
        Vec::new()
    }

    /// The DuckDB type of this row's value in `column`, where only the
    /// value knows it (see [`Encode::variant_part_type`]).
    #[doc(hidden)]
    fn variant_part_type(&self, column: usize) -> Option<Result<andamios_core::DuckType, String>> {
        let _ = column;
        None
    }
}

/// A value that did not fit its column.
#[doc(hidden)]
#[derive(Debug)]
pub struct AppendError {
    /// 0-based column.
    pub column: usize,
    /// What went wrong.
    pub error: EncodeError,
}

/// Writes `value` into column `index` of the chunk's current row.
#[doc(hidden)]
#[inline]
pub fn write_column<T: Encode>(chunk: &mut ChunkWriter, index: usize, value: &T) -> Result<(), AppendError> {
    match chunk.column(index) {
        Some(mut column) => value.write(&mut column).map_err(|error| AppendError { column: index, error }),
        None => Err(AppendError { column: index, error: EncodeError("no such column".into()) }),
    }
}

macro_rules! tuple_append_row {
    ($count:expr; $($name:ident : $index:tt),+) => {
        impl<$($name: Encode + Send + 'static),+> AppendRow for ($($name,)+) {
            fn column_count() -> usize {
                $count
            }

            #[inline]
            fn write_row(&self, chunk: &mut ChunkWriter) -> Result<(), AppendError> {
                $(write_column(chunk, $index, &self.$index)?;)+
                Ok(())
            }

            fn value_types() -> Vec<andamios_core::DuckType> {
                vec![$(<$name as Encode>::duck_type()),+]
            }

            fn variant_part_type(&self, column: usize) -> Option<Result<andamios_core::DuckType, String>> {
                match column {
                    $($index => self.$index.variant_part_type(),)+
                    _ => None,
                }
            }
        }
    };
}
tuple_append_row!(1; A: 0);
tuple_append_row!(2; A: 0, B: 1);
tuple_append_row!(3; A: 0, B: 1, C: 2);
tuple_append_row!(4; A: 0, B: 1, C: 2, D: 3);
tuple_append_row!(5; A: 0, B: 1, C: 2, D: 3, E: 4);
tuple_append_row!(6; A: 0, B: 1, C: 2, D: 3, E: 4, F: 5);
tuple_append_row!(7; A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6);
tuple_append_row!(8; A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7);
tuple_append_row!(9; A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7, I: 8);
tuple_append_row!(10; A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7, I: 8, J: 9);
tuple_append_row!(11; A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7, I: 8, J: 9, K: 10);
tuple_append_row!(12; A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7, I: 8, J: 9, K: 10, L: 11);

/// Why an append whose future was dropped stopped. Its rows run outside
/// DuckDB, which would not see the interrupt, and would otherwise land
/// after the caller gave up on them (a caller retrying after a timeout
/// would then load them twice). The error ends the append's transaction,
/// or aborts the caller's, as any failed append does.
const APPEND_CANCELLED: &str = "the append was cancelled (its future was dropped): none of its rows were kept";

impl WorkerState {
    /// The appender of `table` (`name`, `schema.name` or
    /// `catalog.schema.name`, any part in double quotes), to all its
    /// columns or to `columns`.
    fn appender(&mut self, table: &str, columns: Option<&[String]>) -> Result<Appender> {
        let failed = |message: String, hint: &str| {
            Error::from_duckdb(
                DuckDbError::new(DuckErrorType::Catalog, format!("cannot append to `{table}`: {message}{hint}")),
                None,
            )
        };
        let parts = name_parts(table).map_err(|e| {
            failed(e, "\n  name a table as `table`, `schema.table` or `catalog.schema.table`, in double quotes where a part holds a dot")
        })?;
        let opened = match parts.as_slice() {
            [name] => self.conn.appender(None, None, name),
            // As DuckDB's SQL reads `a.t`: table t of schema a, else of
            // the attached database a.
            [schema, name] => self.conn.appender(None, Some(schema), name).or_else(|e| {
                if e.kind() == DuckErrorType::Catalog {
                    self.conn.appender(Some(schema), None, name).map_err(|_| e)
                } else {
                    Err(e)
                }
            }),
            [catalog, schema, name] => self.conn.appender(Some(catalog), Some(schema), name),
            _ => {
                return Err(failed(
                    "too many name parts".into(),
                    "\n  name a table as `table`, `schema.table` or `catalog.schema.table`",
                ))
            }
        };
        let mut appender = opened.map_err(|e| {
            let hint = if e.message().contains("is not an table") {
                "\n  append writes into a table, and this is a view or another kind of entry"
            } else if e.kind() == DuckErrorType::Catalog {
                "\n  append writes into an existing table: create it first, or name its schema as `schema.table` (in double quotes, a name part that holds a dot)"
            } else {
                ""
            };
            let e = DuckDbError::new(e.kind(), format!("cannot append to `{table}`: {}{hint}", e.message()));
            Error::from_duckdb(e, None)
        })?;
        if let Some(columns) = columns {
            let names: Vec<&str> = columns.iter().map(String::as_str).collect();
            appender.set_columns(&names).map_err(|e| {
                let e = DuckDbError::new(
                    e.kind(),
                    format!(
                        "cannot append to columns {names:?} of `{table}`: {}\n  name each column of the table once; \
                         a `#[derive(AppendRow)]` struct names one per field (`#[andamios(rename = \"...\")]` \
                         gives a field another column)",
                        e.message()
                    ),
                );
                Error::from_duckdb(e, None)
            })?;
        }
        Ok(appender)
    }

    #[cfg(feature = "arrow")]
    fn append_batches(&mut self, table: &str, batches: impl Iterator<Item = crate::arrow::RecordBatch>) -> Result<u64> {
        let mut appender = self.appender(table, None)?;
        let mut table_columns = None;
        let mut count = 0u64;
        for batch in batches {
            let columns = table_columns.get_or_insert_with(|| self.table_column_names(table)).as_deref();
            let batch = in_table_order(&batch, columns).unwrap_or(batch);
            // DuckDB's messages name the column and the types; constraint
            // violations keep their kind.
            self.job.stop_if_cancelled(APPEND_CANCELLED)?;
            appender.append_arrow(&batch).map_err(|e| Error::from_duckdb(e, None))?;
            count += batch.num_rows() as u64;
        }
        self.job.stop_if_cancelled(APPEND_CANCELLED)?;
        appender.flush().map_err(|e| Error::from_duckdb(e, None))?;
        Ok(count)
    }

    fn append_rows<R, I>(&mut self, table: &str, columns: Option<&[String]>, rows: I) -> Result<u64>
    where
        R: AppendRow,
        I: Iterator<Item = R>,
    {
        let mut appender = self.appender(table, columns)?;
        let types = appender.column_types().to_vec();
        if types.len() != R::column_count() {
            let message = match columns {
                None => format!(
                    "the table has {} column(s){} but each row has {} value(s); append rows with one value per column, \
                     in table order, or name the columns the rows hold with `append_columns` (the others take their defaults)",
                    types.len(),
                    match self.table_column_names(table).map_or(0, |names| names.len().saturating_sub(types.len())) {
                        0 => String::new(),
                        generated => format!(" to fill (and {generated} generated column(s), which DuckDB computes)"),
                    },
                    R::column_count()
                ),
                Some(columns) => format!(
                    "{} column(s) were named but each row has {} value(s); give one value per named column, in that order",
                    columns.len(),
                    R::column_count()
                ),
            };
            return Err(Error::Encode { what: format!("rows for table {table}"), message, sql: None });
        }
        let new_chunk = |appender: &Appender, value_types: &[DuckType]| {
            appender.new_chunk_for(value_types).map_err(|e| {
                let e = DuckDbError::new(e.kind(), format!("cannot append to `{table}`: {}", e.message()));
                Error::from_duckdb(e, None)
            })
        };
        let mut value_types = R::value_types();
        value_types.resize(types.len(), DuckType::Unknown);
        // VARIANT columns that take `Value`s: each row's value has a type
        // of its own, and a chunk's column holds one type. A chunk then
        // ends where a value's type differs from the one before (NULLs fit
        // any), and DuckDB casts each chunk's values as it appends them.
        let typed_by_row: Vec<usize> = (0..types.len())
            .filter(|&i| {
                types[i] == DuckType::Variant
                    && matches!(value_types[i], DuckType::Unknown | DuckType::Variant | DuckType::Null)
            })
            .collect();
        for &i in &typed_by_row {
            // Until a row gives a type: any holds NULLs.
            value_types[i] = DuckType::Varchar;
        }
        let mut chunk = new_chunk(&appender, &value_types)?;
        let mut count = 0u64;
        for row in rows {
            let mut retyped = false;
            for &column in &typed_by_row {
                match row.variant_part_type(column) {
                    Some(Ok(DuckType::Null | DuckType::Unknown)) => {}
                    Some(Ok(ty)) => {
                        if ty != value_types[column] {
                            value_types[column] = ty;
                            retyped = true;
                        }
                    }
                    Some(Err(message)) => return Err(self.row_error(table, columns, &types, count, column, message)),
                    None => {
                        value_types[column] = DuckType::Unknown;
                        retyped = true;
                    }
                }
            }
            if retyped {
                if !chunk.is_empty() {
                    appender.append(&mut chunk).map_err(|e| Error::from_duckdb(e, None))?;
                }
                chunk = new_chunk(&appender, &value_types)?;
            }
            if let Err(e) = row.write_row(&mut chunk) {
                return Err(self.row_error(table, columns, &types, count, e.column, e.error.0));
            }
            chunk.commit_row();
            count += 1;
            if chunk.is_full() {
                self.job.stop_if_cancelled(APPEND_CANCELLED)?;
                appender.append(&mut chunk).map_err(|e| Error::from_duckdb(e, None))?;
            }
        }
        self.job.stop_if_cancelled(APPEND_CANCELLED)?;
        if !chunk.is_empty() {
            appender.append(&mut chunk).map_err(|e| Error::from_duckdb(e, None))?;
        }
        appender.flush().map_err(|e| Error::from_duckdb(e, None))?;
        Ok(count)
    }

    /// The error of a value that does not fit its column: which row, which
    /// column (by name where known) of which type.
    fn row_error(
        &mut self,
        table: &str,
        columns: Option<&[String]>,
        types: &[DuckType],
        row: u64,
        column: usize,
        message: String,
    ) -> Error {
        let name = match columns {
            Some(names) => names.get(column).cloned(),
            None => self.table_column_names(table).and_then(|names| names.into_iter().nth(column)),
        };
        let name = name.map_or_else(|| format!("{}", column + 1), |name| format!("`{name}`"));
        Error::Encode {
            what: format!("the row at index {row}, column {name} ({}) of table {table}", types[column]),
            message,
            sql: None,
        }
    }

    /// The names of `table`'s columns, in order, for an error message;
    /// `None` when DuckDB does not read `table` as SQL.
    fn table_column_names(&mut self, table: &str) -> Option<Vec<String>> {
        let stmt = self.conn.prepare(&format!("SELECT * FROM {table}")).ok()?;
        Some(stmt.describe().columns.into_iter().map(|c| c.name).collect())
    }

    /// Appends all rows or none: in a transaction of its own unless one is open.
    fn append_all(
        &mut self,
        table: &str,
        own_transaction: bool,
        append: impl FnOnce(&mut Self) -> Result<u64>,
    ) -> Result<u64> {
        let span = tracing::debug_span!("andamios.append", table = table, rows = tracing::field::Empty);
        let _entered = span.enter();
        if own_transaction {
            self.control("BEGIN TRANSACTION")?;
        }
        // The rows come from the caller's iterator, which may panic: the
        // transaction must then be ended as for any other failure.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| append(self)))
            .unwrap_or_else(|panic| Err(Error::panicked(panic)));
        self.failed_since_begin |= result.is_err();
        match (&result, own_transaction) {
            (Ok(_), true) => self.control("COMMIT")?,
            (Err(_), true) => {
                let _ = self.control("ROLLBACK");
            }
            (Err(_), false) => {
                // The chunks appended before the bad row are in the caller's
                // transaction. Abort it, as DuckDB aborts one in which a
                // statement failed (this one fails by design), so that
                // those rows cannot be committed.
                let _ = self.conn.execute_batch("SELECT error('an append in this transaction failed part-way')");
            }
            (Ok(_), false) => {}
        }
        if let Ok(n) = &result {
            span.record("rows", n);
        }
        result
    }
}

/// `batch` with its columns in the table's order, when they are the
/// table's columns (by name, in any case) in another order; `None` when
/// they already are in order, or are not named after the table's, and go
/// by position. A batch with its columns in another order would otherwise
/// fill each column with another's values, without an error where their
/// types agree.
#[cfg(feature = "arrow")]
fn in_table_order(batch: &crate::arrow::RecordBatch, columns: Option<&[String]>) -> Option<crate::arrow::RecordBatch> {
    let columns = columns?;
    let schema = batch.schema();
    let fields = schema.fields();
    if fields.len() != columns.len() {
        return None;
    }
    let order = columns
        .iter()
        .map(|column| fields.iter().position(|f| f.name().eq_ignore_ascii_case(column)))
        .collect::<Option<Vec<usize>>>()?;
    let is_permutation = {
        let mut sorted = order.clone();
        sorted.sort_unstable();
        sorted.iter().enumerate().all(|(i, &p)| i == p)
    };
    if !is_permutation || order.iter().enumerate().all(|(i, &p)| i == p) {
        return None;
    }
    batch.project(&order).ok()
}

impl Connection {
    /// Appends `rows` to `table`, named as in SQL (`name`, `schema.name`,
    /// `catalog.schema.name`, a part in double quotes where it holds a
    /// dot), whole data chunks at a time; returns the number of rows. All rows land or none:
    /// a bad row (wrong arity, wrong type, constraint violation) is an error
    /// and the table keeps none of the batch. Inside a transaction
    /// (`tx.append(..)`) the rows are part of it: roll it back to discard
    /// them. A failed append aborts the transaction, as a failed statement
    /// does, so the rows it wrote before the bad one cannot be committed.
    pub async fn append<R, I>(&mut self, table: &str, rows: I) -> Result<u64>
    where
        R: AppendRow,
        I: IntoIterator<Item = R>,
        I::IntoIter: Send + 'static,
    {
        let rows = rows.into_iter();
        let columns: Option<Vec<String>> = R::column_names().map(|names| names.iter().map(|&c| c.to_owned()).collect());
        self.append_with(table, move |s, table| s.append_rows(table, columns.as_deref(), rows)).await
    }

    /// Appends `rows` to the named `columns` of `table`, each row holding
    /// one value per named column, in that order (for a derived struct,
    /// instead of its fields' names); the table's other columns take their
    /// defaults (a sequence's next value, `now()`, or NULL). Otherwise as
    /// [`append`](Self::append).
    pub async fn append_columns<R, I>(&mut self, table: &str, columns: &[&str], rows: I) -> Result<u64>
    where
        R: AppendRow,
        I: IntoIterator<Item = R>,
        I::IntoIter: Send + 'static,
    {
        let rows = rows.into_iter();
        let columns: Vec<String> = columns.iter().map(|&c| c.to_owned()).collect();
        self.append_with(table, move |s, table| s.append_rows(table, Some(&columns), rows)).await
    }

    /// Appends Arrow record batches (feature `arrow`) whose columns are the
    /// table's: in its order, or named after its columns in any order
    /// (matched by name, in any case); returns the number of rows. DuckDB
    /// converts them and casts a column whose type differs from the
    /// table's; as with [`append`](Self::append), all rows land or none.
    #[cfg(feature = "arrow")]
    pub async fn append_arrow<I>(&mut self, table: &str, batches: I) -> Result<u64>
    where
        I: IntoIterator<Item = crate::arrow::RecordBatch>,
        I::IntoIter: Send + 'static,
    {
        let batches = batches.into_iter();
        self.append_with(table, move |s, table| s.append_batches(table, batches)).await
    }

    /// Runs `append` on the connection's thread, all rows or none: in a
    /// transaction of its own unless one is open.
    async fn append_with<F>(&mut self, table: &str, append: F) -> Result<u64>
    where
        F: FnOnce(&mut WorkerState, &str) -> Result<u64> + Send + 'static,
    {
        let table = table.to_owned();
        let own_transaction = !self.worker.in_transaction;
        self.worker.run(move |s| s.append_all(&table, own_transaction, |s| append(s, &table))).await?
    }
}

impl Pool {
    /// Appends `rows` to `table` on a pooled connection; see
    /// [`Connection::append`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> andamios::Result<()> {
    /// let pool = andamios::Pool::connect("duckdb::memory:").await?;
    /// pool.execute_batch("CREATE TABLE points (x INTEGER, label VARCHAR)").await?;
    /// let n = pool.append("points", (0..1000).map(|i| (i, format!("p{i}")))).await?;
    /// assert_eq!(n, 1000);
    /// # Ok(()) }
    /// ```
    pub async fn append<R, I>(&self, table: &str, rows: I) -> Result<u64>
    where
        R: AppendRow,
        I: IntoIterator<Item = R>,
        I::IntoIter: Send + 'static,
    {
        self.acquire().await?.append(table, rows).await
    }

    /// Appends `rows` to the named `columns` of `table` on a pooled
    /// connection, the others taking their defaults; see
    /// [`Connection::append_columns`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> andamios::Result<()> {
    /// let pool = andamios::Pool::connect("duckdb::memory:").await?;
    /// pool.execute_batch(
    ///     "CREATE SEQUENCE ids; CREATE TABLE users (id BIGINT DEFAULT nextval('ids'), name VARCHAR, active BOOLEAN DEFAULT true)",
    /// )
    /// .await?;
    /// pool.append_columns("users", &["name"], ["ana", "bo"].map(|n| (n.to_owned(),))).await?;
    /// let last: (i64, String, bool) = andamios::query_as("SELECT * FROM users ORDER BY id DESC").fetch_one(&pool).await?;
    /// assert_eq!(last, (2, "bo".to_owned(), true));
    /// # Ok(()) }
    /// ```
    pub async fn append_columns<R, I>(&self, table: &str, columns: &[&str], rows: I) -> Result<u64>
    where
        R: AppendRow,
        I: IntoIterator<Item = R>,
        I::IntoIter: Send + 'static,
    {
        self.acquire().await?.append_columns(table, columns, rows).await
    }

    /// Appends Arrow record batches to `table` on a pooled connection; see
    /// [`Connection::append_arrow`].
    #[cfg(feature = "arrow")]
    pub async fn append_arrow<I>(&self, table: &str, batches: I) -> Result<u64>
    where
        I: IntoIterator<Item = crate::arrow::RecordBatch>,
        I::IntoIter: Send + 'static,
    {
        self.acquire().await?.append_arrow(table, batches).await
    }
}
