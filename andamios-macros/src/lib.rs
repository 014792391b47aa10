//! Procedural macros of Andamios. Use them through the `andamios` crate,
//! which re-exports them.
#![warn(missing_docs, unreachable_pub, missing_debug_implementations)]

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

mod attrs;
mod derive_append;
mod derive_from_row;
mod derive_type;
mod migrate;
mod query;
mod test_attr;

use query::expand::{expand, Checking, SqlFrom};
use query::input::{As, Record, Scalar};

macro_rules! query_macro {
    ($(#[$doc:meta])* $name:ident, $parser:ident, $from:ident, $checking:ident) => {
        $(#[$doc])*
        #[proc_macro]
        pub fn $name(input: TokenStream) -> TokenStream {
            let $parser(parsed) = parse_macro_input!(input as $parser);
            expand(parsed, SqlFrom::$from, Checking::$checking).unwrap_or_else(query::expand::compile_errors).into()
        }
    };
}

query_macro!(
    /// A statement checked against the schema at compile time; rows are an
    /// anonymous struct with one typed field per column. The arguments fill
    /// `$1`, `$2`, ... in order; named parameters (`$id`) take `id = value`
    /// arguments, or, given none, the variables of those names. See the
    /// `andamios` crate's README.
    query, Record, Literal, Checked
);
query_macro!(
    /// Like `query!`, building rows as the named struct: `query_as!(User, "SELECT ...", args)`.
    query_as, As, Literal, Checked
);
query_macro!(
    /// Like `query!`, for a statement with one column: rows are that column's value.
    query_scalar, Scalar, Literal, Checked
);
query_macro!(
    /// `query!` with the SQL read from a file (relative to the crate's Cargo.toml).
    query_file, Record, File, Checked
);
query_macro!(
    /// `query_as!` with the SQL read from a file.
    query_file_as, As, File, Checked
);
query_macro!(
    /// `query_scalar!` with the SQL read from a file.
    query_file_scalar, Scalar, File, Checked
);
query_macro!(
    /// `query!` without type checks: DuckDB still parses and binds the SQL and
    /// the argument count is checked; rows are untyped `Row`s.
    query_unchecked, Record, Literal, Unchecked
);
query_macro!(
    /// `query_as!` without type checks: rows decode through the struct's `FromRow`.
    query_as_unchecked, As, Literal, Unchecked
);
query_macro!(
    /// `query_scalar!` without type checks: the caller names the type.
    query_scalar_unchecked, Scalar, Literal, Unchecked
);
query_macro!(
    /// `query_file!` without type checks.
    query_file_unchecked, Record, File, Unchecked
);
query_macro!(
    /// `query_file_as!` without type checks.
    query_file_as_unchecked, As, File, Unchecked
);
query_macro!(
    /// `query_file_scalar!` without type checks.
    query_file_scalar_unchecked, Scalar, File, Unchecked
);

/// Derives `FromRow`: fields are read from the columns of the same name.
///
/// Container attribute: `#[andamios(rename_all = "snake_case")]` (also
/// `lowercase`, `UPPERCASE`, `camelCase`, `PascalCase`,
/// `SCREAMING_SNAKE_CASE`, `kebab-case`). Field attributes:
/// `#[andamios(rename = "col")]`, `#[andamios(default)]` (a missing column
/// gives `Default::default()`), `#[andamios(flatten)]` (a nested `FromRow`
/// read from the same row), `#[andamios(skip)]` (always the default) and
/// `#[andamios(try_from = "i64")]` (decode as `i64`, then `TryFrom`) and
/// `#[andamios(json)]` (parse the JSON column into the field's serde type;
/// needs the `json` feature). Tuple structs read columns by position.
#[proc_macro_derive(FromRow, attributes(andamios))]
pub fn derive_from_row(input: TokenStream) -> TokenStream {
    derive_from_row::expand(parse_macro_input!(input as DeriveInput)).unwrap_or_else(|e| e.to_compile_error()).into()
}

/// Derives `Decode` and `Encode` for a Rust enum (a DuckDB ENUM, matched by
/// member name), a struct with named fields (a DuckDB STRUCT, matched by
/// field name; `rename_all` and `rename` as for `FromRow`), or a newtype
/// (`struct UserId(i64);`), which binds, decodes and appends as the type it
/// wraps and can be named in a checked query's alias (`AS "id: UserId"`).
#[proc_macro_derive(Type, attributes(andamios))]
pub fn derive_type(input: TokenStream) -> TokenStream {
    derive_type::expand(parse_macro_input!(input as DeriveInput)).unwrap_or_else(|e| e.to_compile_error()).into()
}

/// Derives `AppendRow` for a struct whose fields are a table's columns:
/// named fields go to the columns of their names (`rename`, `rename_all`),
/// in any order, the other columns taking their defaults; a tuple struct's
/// fields go to the columns in order. A `#[andamios(json)]` field is
/// appended as JSON of its serde type.
#[proc_macro_derive(AppendRow, attributes(andamios))]
pub fn derive_append_row(input: TokenStream) -> TokenStream {
    derive_append::expand(parse_macro_input!(input as DeriveInput)).unwrap_or_else(|e| e.to_compile_error()).into()
}

/// Embeds a migrations folder (default `migrations`, relative to the crate's
/// Cargo.toml) and returns an `andamios::migrate::Migrator` for it.
#[proc_macro]
pub fn migrate(input: TokenStream) -> TokenStream {
    migrate::expand(input.into()).unwrap_or_else(|e| e.to_compile_error()).into()
}

/// A test with a fresh in-memory database: the crate's `migrations/` are
/// applied, then the named `fixtures/<name>.sql` files, and the test gets
/// the pool. Checked macros work inside the body. `migrations = "path"`
/// (relative to the crate) applies another folder, `migrations = false`
/// none.
///
/// ```ignore
/// #[andamios::test(fixtures("users"))]
/// async fn finds_users(pool: andamios::Pool) {
///     let n = andamios::query_scalar!("SELECT count(*) FROM users").fetch_one(&pool).await.unwrap();
///     assert_eq!(n, 2);
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    test_attr::expand(args.into(), item.into()).unwrap_or_else(|e| e.to_compile_error()).into()
}
