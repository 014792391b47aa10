//! Code generation of the query macros.

use super::input::{Output, QueryInput};
use super::overrides::{self, Forced};
use super::source;
use super::types::{self, RustTypes};
use andamios_core::describe::QueryDescription;
use andamios_core::named_params::{listed, order_by_name, NamedValueError};
use andamios_core::{script, DuckType, StatementKind};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr, Result};

/// Whether the macro checks argument and result types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checking {
    Checked,
    Unchecked,
}

/// Where the SQL comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqlFrom {
    Literal,
    File,
}

/// Expands one query macro call.
pub(crate) fn expand(input: QueryInput, from: SqlFrom, checking: Checking) -> Result<TokenStream> {
    let sql = match from {
        SqlFrom::Literal => input.text.clone(),
        SqlFrom::File => read_sql_file(&input.text).map_err(|e| syn::Error::new(input.text_span, e))?,
    };
    let described = source::describe(&sql).map_err(|e| syn::Error::new(input.text_span, e))?;
    generate(&input, &sql, &described.query, &described.tracked, checking)
}

fn read_sql_file(path: &str) -> std::result::Result<String, String> {
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let full = base.join(path);
    std::fs::read_to_string(&full).map_err(|e| {
        format!("cannot read SQL file {} ({e}); paths are relative to the crate's Cargo.toml folder", full.display())
    })
}

/// The environment variables that choose the schema source.
const SOURCE_VARIABLES: &[&str] =
    &["ANDAMIOS_OFFLINE", "ANDAMIOS_OFFLINE_DIR", "ANDAMIOS_MIGRATIONS", "ANDAMIOS_CACHE_DIR", "DATABASE_URL"];

/// Emitted once per compiler run: the compiler records the migration files
/// and the source variables as inputs of the crate, so cargo expands the
/// macros again when a migration changes or a variable is set or changed.
fn tracking(files: &[PathBuf]) -> TokenStream {
    static EMITTED: AtomicBool = AtomicBool::new(false);
    if EMITTED.swap(true, Ordering::Relaxed) {
        return TokenStream::new();
    }
    let paths = files.iter().filter_map(|p| p.canonicalize().ok()).map(|p| p.display().to_string());
    let variables = SOURCE_VARIABLES;
    quote! {
        #(const _: &[u8] = ::core::include_bytes!(#paths);)*
        #(const _: ::core::option::Option<&str> = ::core::option_env!(#variables);)*
    }
}

/// The largest file read by a statement that the build tracks. A larger
/// one (a Parquet data set) would cost the compiler its size in memory at
/// every build.
const TRACKED_FILE_BYTES: u64 = 8 << 20;

/// The files that a statement's string literals name (as DuckDB reads
/// them: from where the compiler runs), up to [`TRACKED_FILE_BYTES`]: the
/// compiler records them as inputs of the crate, so cargo checks the
/// statement again when one changes (a CSV file's header, say). Each file
/// once per compiler run: one that many statements read is read by the
/// compiler once, not once per statement. Not the file a `COPY ... TO`
/// writes: each run of the program would change it, and cargo would then
/// compile the crate again at every build.
fn data_files(sql: &str) -> TokenStream {
    static EMITTED: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());
    let mut emitted = EMITTED.lock().unwrap_or_else(|e| e.into_inner());
    let output = script::copy_target(sql);
    let inputs = script::string_literals(sql).into_iter().filter(|literal| Some(literal) != output.as_ref());
    let paths = inputs.filter_map(|literal| {
        let path = std::path::Path::new(&literal).canonicalize().ok()?;
        let metadata = path.metadata().ok()?;
        let tracked = metadata.is_file() && metadata.len() <= TRACKED_FILE_BYTES;
        (tracked && emitted.insert(path.clone())).then(|| path.display().to_string())
    });
    let paths: Vec<String> = paths.collect();
    quote!(#(const _: &[u8] = ::core::include_bytes!(#paths);)*)
}

/// Whether `expr` is `None` as it is, with no type (`None::<i32>` has one).
fn is_bare_none(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(p) if p.qself.is_none() && p.path.is_ident("None"))
}

/// Strips `expr as _` (which skips the argument's type check).
fn unchecked_cast(expr: &Expr) -> Option<&Expr> {
    match expr {
        Expr::Cast(cast) if matches!(*cast.ty, syn::Type::Infer(_)) => Some(&cast.expr),
        _ => None,
    }
}

pub(crate) fn generate(
    input: &QueryInput,
    sql: &str,
    query: &QueryDescription,
    tracked: &[PathBuf],
    checking: Checking,
) -> Result<TokenStream> {
    let span = input.text_span;
    let args = arguments(input, query)?;
    // DuckDB prepares such a statement with one placeholder column of no
    // type, and binds it again when it runs: the unchecked macros run it.
    if checking == Checking::Checked
        && !query.params.is_empty()
        && query.columns.iter().any(|c| c.ty == DuckType::Unknown)
    {
        if let Some(hint) = andamios_core::describe::null_test_hint(sql, &query.params, &query.param_names) {
            return Err(syn::Error::new(
                span,
                format!("DuckDB cannot tell the statement's result columns before it runs: {hint}"),
            ));
        }
        return Err(syn::Error::new(
            span,
            "DuckDB cannot tell the statement's result columns before it runs: a parameter's type inside an \
             expression (such as `$1 + 1`) is unknown, or a parameter's value decides them (a file read by \
             `read_csv($1)`). Cast such a parameter (`$1::BIGINT + 1`); write a file's path in the SQL; or use \
             `query_unchecked!`, whose rows are typed at run time",
        ));
    }
    // Its columns are named after values in the data, which the schema
    // database does not hold (it has no rows), and which may change
    // between builds and runs anyway.
    if checking == Checking::Checked && query.kind == StatementKind::Multi {
        return Err(syn::Error::new(
            span,
            "DuckDB runs this statement as several: a PIVOT without an `IN` list first reads from the data the \
             values its columns are named after, so the statement cannot be checked before it runs. List the \
             values (`PIVOT sales ON region IN ('north', 'south') USING sum(amount)`), or use \
             `query_unchecked!`, whose rows are typed at run time",
        ));
    }

    let mut bindings = Vec::new();
    let mut binds = Vec::new();
    for (i, (arg, param)) in args.iter().zip(&query.params).enumerate() {
        let name = format_ident!("arg{}", i);
        let (expr, skip) = match unchecked_cast(arg) {
            Some(inner) => (quote!(#inner), true),
            // A NULL fits any parameter, and a bare `None` names no type for
            // the compiler to infer (SQLx asks for `None::<i32>`).
            None if is_bare_none(arg) => {
                (quote_spanned!(arg.span()=> ::core::option::Option::<::andamios::types::Value>::None), true)
            }
            None => (quote!(#arg), false),
        };
        bindings.push(quote_spanned!(arg.span()=> let #name = &(#expr);));
        if checking == Checking::Checked && !skip {
            if let Some(marker) = types::param_marker(param) {
                bindings.push(quote_spanned!(arg.span()=> ::andamios::__private::check_arg::<#marker, _>(&#name);));
            }
        }
        binds.push(quote!(.bind(#name)));
    }

    let sql_lit = LitStr::new(sql, span);
    let returns_rows = !query.columns.is_empty();
    let build = match (input.output, checking) {
        (Output::Record, _) if !returns_rows => quote!(::andamios::query(#sql_lit)),
        (Output::Record, Checking::Unchecked) => quote!(::andamios::query(#sql_lit)),
        (Output::As, Checking::Unchecked) => {
            let ty = input.record.as_ref().expect("query_as! has a type");
            quote!(::andamios::query_as::<#ty>(#sql_lit))
        }
        (Output::Scalar, Checking::Unchecked) => quote!(::andamios::query_scalar(#sql_lit)),
        (_, Checking::Checked) if !returns_rows => {
            return Err(syn::Error::new(
                span,
                "this statement returns no rows; use `query!` and `.execute(...)`, or add a RETURNING clause",
            ))
        }
        (Output::Record, Checking::Checked) => record(query, span)?,
        (Output::As, Checking::Checked) => {
            as_struct(query, input.record.as_ref().expect("query_as! has a type"), span)?
        }
        (Output::Scalar, Checking::Checked) => scalar(query, span)?,
    };
    let track = tracking(tracked);
    let data = data_files(sql);
    Ok(quote! {{
        #track
        #data
        #(#bindings)*
        #build #(#binds)*
    }})
}

/// The name of a `name = value` argument, and the value.
fn named_argument(arg: &Expr) -> Option<(&Ident, &Expr)> {
    let Expr::Assign(assign) = arg else { return None };
    match &*assign.left {
        Expr::Path(path) if path.qself.is_none() => Some((path.path.get_ident()?, &assign.right)),
        _ => None,
    }
}

/// The value for each of the statement's parameters, in its order: the
/// arguments as given (for named parameters, `$id`, in the order the
/// names first appear, as DuckDB binds them); or, for named parameters,
/// the arguments `id = value` in any order, or, when there are no
/// arguments at all, the variables of those names.
fn arguments(input: &QueryInput, query: &QueryDescription) -> Result<Vec<Expr>> {
    let span = input.text_span;
    if input.args.is_empty() && !query.param_names.is_empty() {
        return query.param_names.iter().map(|name| variable(name, span)).collect();
    }
    let Some(first_named) = input.args.iter().find(|a| named_argument(a).is_some()) else {
        if input.args.len() != query.params.len() {
            let message = format!(
                "the SQL has {} parameter(s) but {} argument(s) were given",
                query.params.len(),
                input.args.len()
            );
            let at = input.args.get(query.params.len()).map_or(span, |a| a.span());
            return Err(syn::Error::new(at, message));
        }
        return Ok(input.args.clone());
    };
    if query.param_names.is_empty() {
        return Err(syn::Error::new(
            first_named.span(),
            "the statement numbers its parameters ($1, $2, ...): pass the values in that order, without names \
             (or name the parameters in the SQL: `$id`)",
        ));
    }
    let listed = listed(&query.param_names);
    let mut named = Vec::new();
    for arg in &input.args {
        let Some((name, value)) = named_argument(arg) else {
            return Err(syn::Error::new(
                arg.span(),
                format!("name every value or none: this one has no name (the statement's parameters: {listed})"),
            ));
        };
        named.push((name.unraw().to_string(), name, value));
    }
    let ordered = order_by_name(&query.param_names, named.iter().map(|(text, _, value)| (text.as_str(), *value)));
    let ordered = ordered.map_err(|e| match e {
        NamedValueError::Unknown(given) => {
            let (text, name, _) = &named[given];
            syn::Error::new(name.span(), format!("the statement has no parameter `${text}`; it has {listed}"))
        }
        NamedValueError::Twice(given, param) => {
            let (text, name, _) = &named[given];
            let case = if *text == param { "" } else { " (DuckDB's parameter names ignore case)" };
            syn::Error::new(name.span(), format!("`${param}` is given twice{case}"))
        }
        NamedValueError::Missing(param) => {
            syn::Error::new(span, format!("no value for parameter `${param}`: add `{param} = ...`"))
        }
    })?;
    Ok(ordered.into_iter().cloned().collect())
}

/// The variable that fills the named parameter `$name`, spanned at the
/// SQL: `name`, or `r#name` for a keyword (`$type`).
fn variable(name: &str, span: Span) -> Result<Expr> {
    let ident = if syn::parse_str::<Ident>(name).is_ok() {
        Ident::new(name, span)
    } else if syn::parse_str::<Ident>(&format!("r#{name}")).is_ok() {
        Ident::new_raw(name, span)
    } else {
        return Err(syn::Error::new(
            span,
            format!(
                "parameter `${name}` is no Rust name, so no variable can fill it; rename it in the SQL, or pass the \
                 values as arguments"
            ),
        ));
    };
    Ok(syn::parse_quote_spanned!(span=> #ident))
}

/// A column's field name, Rust type and position, with overrides applied.
struct Field {
    ident: Ident,
    ty: Option<TokenStream>,
    index: usize,
    overridden: bool,
    /// The type written in the alias (`AS "col: Type"`).
    declared: Option<TokenStream>,
    /// Read as an `Option`.
    nullable: bool,
    /// A nullable column read as its field's type (`ty` is `None`), which
    /// must then be an `Option`.
    must_be_option: bool,
    /// For a list column of `query_as!`, whether its values can be NULL:
    /// the field then takes the list value by value (`FromList`), so that
    /// `Vec<UserId>` fits a `BIGINT[]`.
    list: Option<ListValues>,
}

/// Whether the values of a list column can be NULL.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ListValues {
    Plain,
    Nullable,
}

/// The field for column `name`: the name itself, or for a keyword (`type`,
/// `match`) its raw form, as SQLx does (`row.r#type`); `None` when the
/// name cannot be a field (`count_star()`, `self`).
pub(crate) fn field_ident(name: &str, span: Span) -> Option<Ident> {
    if let Ok(ident) = syn::parse_str::<Ident>(name) {
        return Some(ident);
    }
    // A raw identifier parses only where the keyword may be one.
    syn::parse_str::<Ident>(&format!("r#{name}")).ok().map(|_| Ident::new_raw(name, span))
}

/// A field name to suggest for a column named `name` that is none:
/// `first name` -> `first_name`, `count_star()` -> `count_star`, `2` ->
/// `column_2`, `self` -> `self_` (a keyword that cannot be a raw field).
pub(crate) fn alias_for(name: &str) -> String {
    let mut alias = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            alias.extend(c.to_lowercase());
        } else if !alias.is_empty() && !alias.ends_with('_') {
            alias.push('_');
        }
    }
    let alias = alias.trim_end_matches('_');
    let alias = match alias.chars().next() {
        Some(c) if !c.is_numeric() => alias.to_owned(),
        Some(_) => format!("column_{alias}"),
        None => "my_column".to_owned(),
    };
    if field_ident(&alias, Span::call_site()).is_some() {
        alias
    } else if field_ident(&format!("{alias}_"), Span::call_site()).is_some() {
        format!("{alias}_")
    } else {
        "my_column".to_owned()
    }
}

/// The fields of `output` for the statement's columns; `types` defines the
/// structs of STRUCT columns for `query!` and `query_scalar!` (`query_as!`
/// reads STRUCT and UNION columns as its fields' types).
fn fields(query: &QueryDescription, span: Span, output: Output, types: &mut RustTypes) -> Result<Vec<Field>> {
    let named = output != Output::Scalar;
    let fields = column_fields(query, span, output, types)?;
    if named {
        refuse_duplicate_names(&fields, span)?;
    }
    Ok(fields)
}

/// Two columns of one name (`SELECT c.id, e.id`) would be two fields of
/// one name, which rustc reports inside the macro's expansion.
fn refuse_duplicate_names(fields: &[Field], span: Span) -> Result<()> {
    let mut seen = std::collections::HashMap::new();
    let duplicates = fields.iter().filter_map(|field| {
        let name = field.ident.unraw().to_string();
        let first = seen.insert(name.clone(), field.index)?;
        Some(Err(syn::Error::new(
            span,
            format!(
                "columns {} and {} are both named `{name}`; give one of them an alias, e.g. `AS {name}_{}`",
                first + 1,
                field.index + 1,
                field.index + 1,
            ),
        )))
    });
    duplicates.fold(Ok(Vec::<()>::new()), every_error).map(drop)
}

fn column_fields(query: &QueryDescription, span: Span, output: Output, types: &mut RustTypes) -> Result<Vec<Field>> {
    let named = output != Output::Scalar;
    query
        .columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let o = overrides::parse(&column.name).map_err(|e| syn::Error::new(span, e))?;
            let ident = match field_ident(&o.name, span) {
                Some(ident) => ident,
                // query_scalar! does not name its one column.
                None if !named => Ident::new("value", span),
                None => {
                    return Err(syn::Error::new(
                        span,
                        format!(
                            "column `{}` is not a valid Rust field name; give it an alias, e.g. `AS {}`",
                            o.name,
                            alias_for(&o.name)
                        ),
                    ))
                }
            };
            let nullable = match o.nullability {
                Some(Forced::NonNull) => false,
                Some(Forced::Nullable) => true,
                None => column.nullable,
            };
            let overridden = o.ty.is_some();
            // `query_as!` fits what it reads to the caller's fields.
            let to_fields = !overridden && output == Output::As;
            let by_field = to_fields && holds_callers_type(&column.ty);
            let declared = o.ty.clone().flatten().map(|ty| quote!(#ty));
            let base = match o.ty {
                Some(Some(ty)) => Some(quote!(#ty)),
                Some(None) => None,
                // A struct or enum of the caller's, as its field's type says.
                None if by_field => None,
                None => Some(
                    types
                        .column_rust_type(
                            &column.ty,
                            column.elements_nullable,
                            column.nested_nullable,
                            &ident.unraw().to_string(),
                        )
                        .map_err(|e| syn::Error::new(span, format!("column `{}`: {e}", o.name)))?,
                ),
            };
            let ty = base.map(|b| if nullable { quote!(::core::option::Option<#b>) } else { b });
            let list = match &column.ty {
                DuckType::List { .. } | DuckType::Array { .. } if to_fields && !by_field => {
                    Some(if column.elements_nullable { ListValues::Nullable } else { ListValues::Plain })
                }
                _ => None,
            };
            Ok(Field { ident, ty, index, overridden, declared, nullable, must_be_option: by_field && nullable, list })
        })
        .fold(Ok(Vec::new()), every_error)
}

/// The compile errors of a query macro, which stands where an expression
/// does: several `compile_error!`s side by side are none, so each but the
/// last is a statement of a block, whose value the last is.
pub(crate) fn compile_errors(errors: syn::Error) -> TokenStream {
    let mut errors: Vec<TokenStream> = errors.into_iter().map(|e| e.to_compile_error()).collect();
    let last = errors.pop();
    if errors.is_empty() {
        return last.unwrap_or_default();
    }
    quote!({ #(#errors;)* (#last) })
}

/// Folds results into all the values, or every error: a statement with
/// several columns that name no field reports each in one build.
fn every_error<T>(all: Result<Vec<T>>, next: Result<T>) -> Result<Vec<T>> {
    match (all, next) {
        (Ok(mut values), Ok(value)) => {
            values.push(value);
            Ok(values)
        }
        (Ok(_), Err(e)) | (Err(e), Ok(_)) => Err(e),
        (Err(mut errors), Err(e)) => {
            errors.combine(e);
            Err(errors)
        }
    }
}

/// Whether values of `ty` are or hold a STRUCT or a UNION, which
/// `query_as!` reads into the struct or enum its field names.
fn holds_callers_type(ty: &DuckType) -> bool {
    match ty {
        DuckType::Struct { .. } | DuckType::Union { .. } => true,
        DuckType::List { element } | DuckType::Array { element, .. } => holds_callers_type(element),
        DuckType::Map { key, value } => holds_callers_type(key) || holds_callers_type(value),
        _ => false,
    }
}

/// Compile-time checks that a Rust enum named in an alias (`AS "col: Mood"`)
/// has a variant for every member of the column's DuckDB ENUM (or LIST of
/// ENUM): one `const` per member, evaluated by `cargo check`. Types that
/// mirror no ENUM (`String`) pass every check.
fn enum_checks(query: &QueryDescription, fields: &[Field], span: Span) -> TokenStream {
    let mut checks = TokenStream::new();
    for field in fields {
        let Some(declared) = &field.declared else { continue };
        let mut ty = &query.columns[field.index].ty;
        while let DuckType::List { element } | DuckType::Array { element, .. } = ty {
            ty = element;
        }
        let DuckType::Enum { members } = ty else { continue };
        for member in members {
            let message = format!(
                "column `{}` can hold the DuckDB ENUM value '{member}', which `{}` cannot decode; add a \
                 variant for it (with #[andamios(rename = \"{member}\")] if its name differs), or read \
                 the column as a String",
                field.ident,
                declared.to_string().replace(' ', ""),
            );
            checks.extend(quote_spanned! {span=>
                const _: () = if !::andamios::__private::enum_has_member(
                    <#declared as ::andamios::types::Decode>::ENUM_MEMBERS,
                    #member,
                ) {
                    ::core::panic!(#message)
                };
            });
        }
    }
    checks
}

fn read(field: &Field) -> TokenStream {
    let index = field.index;
    match &field.ty {
        Some(ty) => quote!(row.try_get::<#ty, usize>(#index)?),
        None => quote!(row.try_get::<_, usize>(#index)?),
    }
}

/// `read`, the value of `field`'s column, passed through `IntoField` (or
/// `IntoNullableField`), which takes it into a field of the same type or of
/// a newtype of it, and whose message names the column when the struct's
/// field has another type; a list passes through `FromList` (or
/// `IntoNullableList`), which does the same value by value. A column of
/// type `_` takes the field's type: no check.
fn into_field(field: &Field, read: TokenStream) -> TokenStream {
    let ident = &field.ident;
    if field.must_be_option {
        return quote!(::andamios::__private::option_field::<__andamios_column::#ident, _>(#read));
    }
    if field.ty.is_none() {
        return read;
    }
    if let Some(values) = field.list {
        let values = match values {
            ListValues::Plain => quote!(::andamios::__private::PlainElements),
            ListValues::Nullable => quote!(::andamios::__private::NullableElements),
        };
        return if field.nullable {
            quote!(::andamios::__private::nullable_list_field::<__andamios_column::#ident, #values, _, _>(#read))
        } else {
            quote!(::andamios::__private::list_field::<__andamios_column::#ident, #values, _, _>(#read))
        };
    }
    if field.nullable {
        quote!(::andamios::__private::into_nullable_field::<__andamios_column::#ident, _, _>(#read))
    } else {
        quote!(::andamios::__private::into_field::<__andamios_column::#ident, _, _>(#read))
    }
}

/// `FromRow::from_rows` for a struct built from the statement's columns in
/// order: each column is type-checked once per batch, then read per row.
fn from_rows(fields: &[Field], build: impl Fn(TokenStream) -> TokenStream) -> TokenStream {
    from_rows_with(fields, build, |_, read| read)
}

/// [`from_rows`], with each value read passed through `wrap`.
fn from_rows_with(
    fields: &[Field],
    build: impl Fn(TokenStream) -> TokenStream,
    wrap: impl Fn(&Field, TokenStream) -> TokenStream,
) -> TokenStream {
    let vars: Vec<_> = (0..fields.len()).map(|i| format_ident!("__andamios_column_{}", i)).collect();
    let setup = fields.iter().zip(&vars).map(|(field, var)| {
        let index = field.index;
        match &field.ty {
            Some(ty) => quote!(let #var = rows.column::<#ty>(#index)?;),
            None => quote!(let #var = rows.column::<_>(#index)?;),
        }
    });
    let idents = fields.iter().map(|f| &f.ident);
    let values = fields.iter().zip(&vars).map(|(field, var)| wrap(field, quote!(#var.get(i)?)));
    crate::derive_from_row::from_rows_fn(setup, build(quote!({ #(#idents: #values,)* })))
}

fn record(query: &QueryDescription, span: Span) -> Result<TokenStream> {
    let mut types = RustTypes::default();
    let fields = fields(query, span, Output::Record, &mut types)?;
    let structs = types.definitions();
    if let Some(f) = fields.iter().find(|f| f.ty.is_none()) {
        return Err(syn::Error::new(
            span,
            format!("column `{}`: `_` lets query_as! or query_scalar! pick the type; query! needs a type", f.ident),
        ));
    }
    let derive_debug = if fields.iter().any(|f| f.overridden) { quote!() } else { quote!(#[derive(Debug)]) };
    let idents: Vec<_> = fields.iter().map(|f| &f.ident).collect();
    let tys: Vec<_> = fields.iter().map(|f| f.ty.as_ref().expect("checked above")).collect();
    let reads: Vec<_> = fields.iter().map(read).collect();
    let batch = from_rows(&fields, |init| quote!(Record #init));
    let lit = LitStr::new(&query.sql, span);
    let checks = enum_checks(query, &fields, span);
    Ok(quote! {{
        #checks
        #structs
        #derive_debug
        #[allow(non_snake_case, dead_code)]
        struct Record {
            #(pub #idents: #tys,)*
        }
        impl ::andamios::FromRow for Record {
            #[inline]
            fn from_row(row: &::andamios::Row) -> ::andamios::Result<Self> {
                ::core::result::Result::Ok(Record { #(#idents: #reads,)* })
            }

            #batch
        }
        ::andamios::query_as::<Record>(#lit)
    }})
}

fn as_struct(query: &QueryDescription, ty: &syn::Type, span: Span) -> Result<TokenStream> {
    let fields = fields(query, span, Output::As, &mut RustTypes::default())?;
    let idents: Vec<_> = fields.iter().map(|f| &f.ident).collect();
    let reads: Vec<_> = fields.iter().map(|f| into_field(f, read(f))).collect();
    let batch = from_rows_with(&fields, |init| quote!(__AndamiosRow(#ty #init)), into_field);
    let lit = LitStr::new(&query.sql, span);
    let checks = enum_checks(query, &fields, span);
    // One type per checked column, named after it, for the message of a
    // field whose type is not the column's (`IntoField`).
    let markers = fields.iter().filter(|f| f.ty.is_some() || f.must_be_option).map(|f| {
        let ident = &f.ident;
        quote!(pub struct #ident;)
    });
    Ok(quote! {{
        #checks
        #[allow(non_camel_case_types, dead_code)]
        mod __andamios_column {
            #(#markers)*
        }
        struct __AndamiosRow(#ty);
        impl ::andamios::FromRow for __AndamiosRow {
            #[inline]
            fn from_row(row: &::andamios::Row) -> ::andamios::Result<Self> {
                ::core::result::Result::Ok(__AndamiosRow(#ty { #(#idents: #reads,)* }))
            }

            #batch
        }
        impl ::core::convert::From<__AndamiosRow> for #ty {
            #[inline]
            fn from(row: __AndamiosRow) -> Self {
                row.0
            }
        }
        ::andamios::__private::query_as_via::<#ty, __AndamiosRow>(#lit)
    }})
}

fn scalar(query: &QueryDescription, span: Span) -> Result<TokenStream> {
    if query.columns.len() != 1 {
        return Err(syn::Error::new(
            span,
            format!("query_scalar! needs exactly one result column, this statement returns {}", query.columns.len()),
        ));
    }
    let mut types = RustTypes::default();
    let fields = fields(query, span, Output::Scalar, &mut types)?;
    let structs = types.definitions();
    let checks = enum_checks(query, &fields, span);
    let lit = LitStr::new(&query.sql, span);
    Ok(match &fields[0].ty {
        Some(ty) => quote!({ #checks #structs ::andamios::query_scalar::<#ty>(#lit) }),
        None => quote!(::andamios::query_scalar(#lit)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_that_names_no_field_gets_an_alias_that_does() {
        for (name, alias) in [
            ("first name", "first_name"),
            ("count_star()", "count_star"),
            ("(id + 1)", "id_1"),
            ("2", "column_2"),
            ("Total Price (EUR)", "total_price_eur"),
            ("?", "my_column"),
            ("self", "self_"),
            ("Self", "self_"),
            ("crate", "crate_"),
            ("super", "super_"),
            ("_", "my_column"),
            ("año fiscal", "año_fiscal"),
        ] {
            assert_eq!(alias_for(name), alias, "{name}");
            assert!(field_ident(&alias_for(name), Span::call_site()).is_some(), "{name}");
        }
    }

    #[test]
    fn the_files_a_statement_reads_are_tracked_unless_large() {
        let dir = std::env::temp_dir().join(format!("andamios-data-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (small, large) = (dir.join("small.csv"), dir.join("large.csv"));
        std::fs::write(&small, "a\n1\n").unwrap();
        std::fs::File::create(&large).unwrap().set_len(TRACKED_FILE_BYTES + 1).unwrap();
        let sql = format!(
            "SELECT * FROM read_csv('{}') JOIN read_csv('{}') USING (a) JOIN read_csv('{}/*.csv') USING (a) -- '{}'",
            small.display(),
            large.display(),
            dir.display(),
            dir.display()
        );
        let tracked = data_files(&sql).to_string();
        // Once per compiler run.
        assert!(data_files(&sql).is_empty());
        // What a COPY writes is no input.
        let (input, output) = (dir.join("in.csv"), dir.join("out.csv"));
        std::fs::write(&input, "a\n1\n").unwrap();
        std::fs::write(&output, "a\n1\n").unwrap();
        let copy = format!("COPY (SELECT * FROM read_csv('{}')) TO '{}'", input.display(), output.display());
        let copy_tracked = data_files(&copy).to_string();
        assert_eq!(copy_tracked.matches("include_bytes").count(), 1, "{copy_tracked}");
        assert!(copy_tracked.contains("in.csv"), "{copy_tracked}");
        let small = small.canonicalize().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(tracked.matches("include_bytes").count(), 1, "{tracked}");
        assert!(tracked.contains(&format!("{:?}", small.display().to_string())), "{tracked}");
    }

    #[test]
    fn query_as_takes_list_columns_value_by_value() {
        use andamios_core::describe::DescribedColumn;
        let column = |name: &str, ty: DuckType, elements_nullable: bool| DescribedColumn {
            name: name.into(),
            ty,
            nullable: false,
            elements_nullable,
            nested_nullable: true,
        };
        let list = |element: DuckType| DuckType::List { element: Box::new(element) };
        let query = QueryDescription {
            sql: String::new(),
            kind: StatementKind::Select,
            params: vec![],
            param_names: vec![],
            columns: vec![
                column("ids", list(DuckType::BigInt), false),
                column("tags", list(DuckType::Varchar), true),
                column("overridden: Vec<i64>", list(DuckType::BigInt), false),
                column("data", DuckType::Blob, true),
                column("id", DuckType::BigInt, true),
            ],
        };
        let lists = |output| {
            let fields = fields(&query, Span::call_site(), output, &mut RustTypes::default()).unwrap();
            fields.iter().map(|f| f.list).collect::<Vec<_>>()
        };
        assert_eq!(lists(Output::As), [Some(ListValues::Plain), Some(ListValues::Nullable), None, None, None]);
        // `query!` defines the fields' types itself.
        assert_eq!(lists(Output::Record), [None; 5]);
        let fields = fields(&query, Span::call_site(), Output::As, &mut RustTypes::default()).unwrap();
        let read = into_field(&fields[0], quote!(value)).to_string();
        assert!(
            read.contains("list_field :: < __andamios_column :: ids , :: andamios :: __private :: PlainElements"),
            "{read}"
        );
    }

    #[test]
    fn columns_become_fields_and_keywords_raw_ones() {
        let field = |name: &str| field_ident(name, Span::call_site()).map(|i| i.to_string());
        assert_eq!(field("total").as_deref(), Some("total"));
        assert_eq!(field("type").as_deref(), Some("r#type"));
        assert_eq!(field("match").as_deref(), Some("r#match"));
        for name in ["count_star()", "a b", "1st", "self", "Self", "super", "crate", "_", ""] {
            assert_eq!(field(name), None, "{name}");
        }
    }
}
