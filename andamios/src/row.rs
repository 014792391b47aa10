//! Rows of a result and the [`FromRow`] trait.

use crate::error::{Error, Result};
use crate::types::{Decode, DecodeError, DuckType};
use andamios_core::ffi::{ChunkView, ColumnDescription, ColumnRef};
use std::marker::PhantomData;
use std::sync::Arc;

/// One row of a result, read in place from DuckDB's data chunk.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> andamios::Result<()> {
/// let pool = andamios::Pool::connect("duckdb::memory:").await?;
/// let row = andamios::query("SELECT 42 AS answer, 'hi' AS greeting").fetch_one(&pool).await?;
/// let answer: i32 = row.try_get("answer")?;
/// let greeting: String = row.try_get(1)?;
/// assert_eq!((answer, greeting.as_str()), (42, "hi"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Row {
    chunk: Arc<ChunkView>,
    index: usize,
}

/// The row's values by column name: `Row { id: BigInt(1), name: Varchar("ana") }`.
impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut row = f.debug_struct("Row");
        for (i, column) in self.columns().iter().enumerate() {
            match self.try_get::<crate::types::Value, _>(i) {
                Ok(value) => row.field(&column.name, &value),
                Err(_) => row.field(&column.name, &format_args!("<{}>", column.ty)),
            };
        }
        row.finish()
    }
}

/// Something that picks a column: its 0-based position or its name (the
/// exact name first, then one differing in case only, as in DuckDB's SQL).
pub trait ColumnIndex: std::fmt::Debug {
    /// The column's position in `row`.
    fn index(&self, row: &Row) -> Result<usize>;
}

impl ColumnIndex for usize {
    fn index(&self, row: &Row) -> Result<usize> {
        column_at(row.columns(), *self)
    }
}

impl ColumnIndex for &str {
    fn index(&self, row: &Row) -> Result<usize> {
        column_named(row.columns(), self, None)
    }
}

/// The position of the column called `name`. DuckDB's names are
/// case-insensitive (`SELECT Name` reads column `name`), as duckdb-rs' and
/// rusqlite's lookups are: the exact name first, then one that differs in
/// case only.
fn position_named(columns: &[ColumnDescription], name: &str) -> Option<usize> {
    let exact = columns.iter().position(|c| c.name == name);
    exact.or_else(|| columns.iter().position(|c| c.name.eq_ignore_ascii_case(name)))
}

/// `index` if `columns` has that many, else the error saying how many it has.
fn column_at(columns: &[ColumnDescription], index: usize) -> Result<usize> {
    if index < columns.len() {
        return Ok(index);
    }
    Err(Error::ColumnIndexOutOfBounds { index, len: columns.len(), sql: None })
}

/// The position of the column called `name`, looked for at `hint` first
/// (a derived struct's field position), else the error listing the columns.
fn column_named(columns: &[ColumnDescription], name: &str, hint: Option<usize>) -> Result<usize> {
    if let Some(i) = hint.filter(|&i| columns.get(i).is_some_and(|c| c.name == name)) {
        return Ok(i);
    }
    position_named(columns, name).ok_or_else(|| Error::ColumnNotFound {
        name: name.to_owned(),
        columns: columns.iter().map(|c| c.name.clone()).collect(),
        sql: None,
    })
}

impl Row {
    pub(crate) fn new(chunk: Arc<ChunkView>, index: usize) -> Row {
        Row { chunk, index }
    }

    pub(crate) fn set_index(&mut self, index: usize) {
        self.index = index;
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.chunk.descriptions().len()
    }

    /// Whether the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The columns' names and DuckDB types.
    pub fn columns(&self) -> &[ColumnDescription] {
        self.chunk.descriptions()
    }

    /// The columns' names.
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns().iter().map(|c| c.name.as_str())
    }

    /// The value of a column, by position or name, decoded as `T`.
    #[inline]
    pub fn try_get<T: Decode, I: ColumnIndex>(&self, index: I) -> Result<T> {
        let i = index.index(self)?;
        self.decode_at(i)
    }

    /// Like [`try_get`](Self::try_get) for derived `FromRow` code: tries the
    /// column at `hint` (the field's position) before searching by name.
    #[doc(hidden)]
    #[inline]
    pub fn try_get_hinted<T: Decode>(&self, name: &str, hint: usize) -> Result<T> {
        self.decode_at(column_named(self.columns(), name, Some(hint))?)
    }

    /// Whether the row has a column named `name`.
    pub fn has_column(&self, name: &str) -> bool {
        position_named(self.columns(), name).is_some()
    }

    /// The value of a column, by position or name.
    ///
    /// # Panics
    /// When the column does not exist or does not decode as `T`; use
    /// [`try_get`](Self::try_get) to handle that as an error.
    #[track_caller]
    pub fn get<T: Decode, I: ColumnIndex>(&self, index: I) -> T {
        self.try_get(index).unwrap_or_else(|e| panic!("{e}"))
    }

    #[inline]
    fn decode_at<T: Decode>(&self, i: usize) -> Result<T> {
        let column = self.chunk.column(i).ok_or_else(|| self.decode_error::<T>(i, DecodeError::Mismatch))?;
        if !T::accepts(column.duck_type()) {
            return Err(self.decode_error::<T>(i, DecodeError::Mismatch));
        }
        T::decode(column, self.index).map_err(|e| self.decode_error::<T>(i, e))
    }

    #[cold]
    fn decode_error<T: Decode>(&self, index: usize, error: DecodeError) -> Error {
        decode_error::<T>(&self.columns()[index], error)
    }
}

/// The error for a value of column `d` that does not decode as `T`.
#[cold]
fn decode_error<T: Decode>(d: &ColumnDescription, error: DecodeError) -> Error {
    let (found, hint) = match error {
        DecodeError::UnexpectedNull => (
            "NULL".to_owned(),
            Some(format!("the value is NULL; use Option<{}> for a column that can be NULL", T::type_name())),
        ),
        DecodeError::NullInside => (
            format!("{} holding a NULL", d.ty),
            Some(format!(
                "a value inside it is NULL; make the Rust type of the values inside {} an Option \
                 (`Vec<Option<i32>>` for an INTEGER[] with NULLs)",
                T::type_name()
            )),
        ),
        DecodeError::Mismatch => (d.ty.to_string(), Some(crate::types::mismatch_hint::<T>(&d.ty))),
        DecodeError::OutOfRange(value) => (d.ty.to_string(), Some(format!("the value {value} does not fit"))),
        DecodeError::Infinite(infinity) => {
            let holder = match d.ty {
                DuckType::Date => "Date",
                DuckType::TimestampTz => "TimestampTz",
                _ => "Timestamp",
            };
            (
                format!("{} {infinity}", d.ty),
                Some(format!(
                    "the value is DuckDB's `{infinity}`, which {} has no value for; read it as andamios::types::{holder} \
                     (see `is_finite`), or leave it out with `isfinite(...)` in SQL",
                    T::type_name()
                )),
            )
        }
    };
    Error::Decode { column: d.name.clone(), expected: T::type_name(), found, hint, sql: None }
}

/// A type built from a result row.
///
/// Derive it with `#[derive(FromRow)]` (fields are read by column name), or
/// use a tuple (read by position). By hand, [`from_row`](Self::from_row) is
/// enough; [`from_rows`](Self::from_rows) makes large results faster by
/// finding and type-checking each column once per chunk of rows:
///
/// ```
/// use andamios::{FromRow, Result, Row, RowBatch};
///
/// struct Point { x: f64, y: f64 }
///
/// impl FromRow for Point {
///     fn from_row(row: &Row) -> Result<Self> {
///         Ok(Point { x: row.try_get("x")?, y: row.try_get("y")? })
///     }
///
///     fn from_rows(rows: &RowBatch<'_>, out: &mut Vec<Self>) -> Result<()> {
///         let (x, y) = (rows.column_named::<f64>("x", 0)?, rows.column_named::<f64>("y", 1)?);
///         rows.decode_each(out, |i| Ok(Point { x: x.get(i)?, y: y.get(i)? }))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> andamios::Result<()> {
/// let pool = andamios::Pool::connect("duckdb::memory:").await?;
/// let points: Vec<Point> = andamios::query_as("SELECT range / 2 AS x, (range * 2)::DOUBLE AS y FROM range(5000)")
///     .fetch_all(&pool)
///     .await?;
/// assert_eq!((points[4999].x, points[4999].y), (2499.5, 9998.0));
/// # Ok(()) }
/// ```
pub trait FromRow: Sized {
    /// Builds `Self` from `row`.
    fn from_row(row: &Row) -> Result<Self>;

    /// Builds `Self` from every row of `rows`, appending to `out`.
    ///
    /// The default calls [`from_row`](Self::from_row) per row. The derive,
    /// the tuples and the checked macros override it to find and type-check
    /// each column once per batch, then read values straight from DuckDB's
    /// vectors.
    fn from_rows(rows: &RowBatch<'_>, out: &mut Vec<Self>) -> Result<()> {
        let mut row = Row::new(Arc::clone(rows.chunk), 0);
        rows.decode_each(out, |i| {
            row.set_index(i);
            Self::from_row(&row)
        })
    }
}

/// Up to one data chunk of rows (2048), decoded together by
/// [`FromRow::from_rows`].
#[derive(Debug)]
pub struct RowBatch<'a> {
    chunk: &'a Arc<ChunkView>,
    len: usize,
}

impl<'a> RowBatch<'a> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The columns' names and DuckDB types.
    pub fn columns(&self) -> &'a [ColumnDescription] {
        self.chunk.descriptions()
    }

    /// Whether the batch has a column named `name`.
    pub fn has_column(&self, name: &str) -> bool {
        position_named(self.columns(), name).is_some()
    }

    /// Pushes `decode(i)` for every row `i` of the batch onto `out`: the
    /// loop of every `from_rows`, once the columns are looked up.
    #[inline]
    pub fn decode_each<T>(&self, out: &mut Vec<T>, mut decode: impl FnMut(usize) -> Result<T>) -> Result<()> {
        out.reserve(self.len);
        for i in 0..self.len {
            out.push(decode(i)?);
        }
        Ok(())
    }

    /// Row `index` of the batch.
    pub fn row(&self, index: usize) -> Option<Row> {
        (index < self.len).then(|| Row::new(Arc::clone(self.chunk), index))
    }

    /// The column at `index`, checked once to decode as `T`.
    pub fn column<T: Decode>(&self, index: usize) -> Result<BatchColumn<'a, T>> {
        self.typed(column_at(self.columns(), index)?)
    }

    /// The column named `name`, checked once to decode as `T`; `hint` is
    /// where it is expected (a derived struct's field position), tried first.
    pub fn column_named<T: Decode>(&self, name: &str, hint: usize) -> Result<BatchColumn<'a, T>> {
        self.typed(column_named(self.columns(), name, Some(hint))?)
    }

    fn typed<T: Decode>(&self, index: usize) -> Result<BatchColumn<'a, T>> {
        let description = &self.columns()[index];
        match self.chunk.column(index) {
            Some(column) if T::accepts(column.duck_type()) => {
                Ok(BatchColumn { column, description, _type: PhantomData })
            }
            _ => Err(decode_error::<T>(description, DecodeError::Mismatch)),
        }
    }
}

/// One column of a [`RowBatch`] whose type was checked to decode as `T`.
#[derive(Debug)]
pub struct BatchColumn<'a, T> {
    column: &'a ColumnRef<'a>,
    description: &'a ColumnDescription,
    _type: PhantomData<fn() -> T>,
}

impl<T: Decode> BatchColumn<'_, T> {
    /// The value at row `index` of the batch.
    #[inline]
    pub fn get(&self, index: usize) -> Result<T> {
        T::decode(self.column, index).map_err(|e| decode_error::<T>(self.description, e))
    }
}

impl FromRow for Row {
    fn from_row(row: &Row) -> Result<Self> {
        Ok(row.clone())
    }
}

macro_rules! tuple_from_row {
    ($($name:ident : $index:tt),+) => {
        impl<$($name: Decode),+> FromRow for ($($name,)+) {
            #[inline]
            fn from_row(row: &Row) -> Result<Self> {
                Ok(($(row.decode_at::<$name>($index)?,)+))
            }

            fn from_rows(rows: &RowBatch<'_>, out: &mut Vec<Self>) -> Result<()> {
                #[allow(non_snake_case)]
                let ($($name,)+) = ($(rows.column::<$name>($index)?,)+);
                rows.decode_each(out, |i| Ok(($($name.get(i)?,)+)))
            }
        }
    };
}
tuple_from_row!(A: 0);
tuple_from_row!(A: 0, B: 1);
tuple_from_row!(A: 0, B: 1, C: 2);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7, I: 8);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7, I: 8, J: 9);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7, I: 8, J: 9, K: 10);
tuple_from_row!(A: 0, B: 1, C: 2, D: 3, E: 4, F: 5, G: 6, H: 7, I: 8, J: 9, K: 10, L: 11);

/// Decodes the first column as `T` (for `query_scalar`).
#[doc(hidden)]
#[derive(Debug)]
pub(crate) struct Scalar<T>(pub(crate) T);

impl<T: Decode> FromRow for Scalar<T> {
    #[inline]
    fn from_row(row: &Row) -> Result<Self> {
        row.decode_at::<T>(0).map(Scalar)
    }

    fn from_rows(rows: &RowBatch<'_>, out: &mut Vec<Self>) -> Result<()> {
        let column = rows.column::<T>(0)?;
        rows.decode_each(out, |i| column.get(i).map(Scalar))
    }
}

/// Decodes up to `limit` rows of `chunk` as `T`, on the thread that owns the chunk.
pub(crate) fn decode_chunk<T: FromRow>(chunk: &Arc<ChunkView>, limit: usize, out: &mut Vec<T>) -> Result<()> {
    let len = chunk.len().min(limit);
    if len == 0 {
        // Nothing to decode: like a result without rows, no column is checked.
        return Ok(());
    }
    T::from_rows(&RowBatch { chunk, len }, out)
}

/// The error for a `#[andamios(try_from = "...")]` field whose conversion failed.
#[doc(hidden)]
pub fn try_from_failed<T, E: std::fmt::Display>(column: &str, error: E) -> Error {
    Error::Decode {
        column: column.to_owned(),
        expected: std::any::type_name::<T>().to_owned(),
        found: "a value it cannot be converted from".to_owned(),
        hint: Some(error.to_string()),
        sql: None,
    }
}

/// The error for a flattened field whose `FromRow::from_rows` produced fewer
/// rows than its batch holds.
#[doc(hidden)]
#[cold]
pub fn flattened_rows_missing<T>() -> Error {
    Error::Decode {
        column: std::any::type_name::<T>().to_owned(),
        expected: "one value per row".to_owned(),
        found: "fewer values than rows".to_owned(),
        hint: Some("its `FromRow::from_rows` must push one value per row of the batch".to_owned()),
        sql: None,
    }
}
