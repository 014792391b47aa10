//! Parsing the arguments of the query macros.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, LitStr, Result, Token, Type};

/// What the macro returns rows as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// An anonymous record struct (`query!`).
    Record,
    /// The caller's struct (`query_as!`).
    As,
    /// The single column (`query_scalar!`).
    Scalar,
}

/// A parsed macro call.
#[derive(Debug)]
pub(crate) struct QueryInput {
    pub(crate) output: Output,
    /// The struct of `query_as!`.
    pub(crate) record: Option<Type>,
    /// The SQL text, or the path of the SQL file for `query_file*!`.
    pub(crate) text: String,
    pub(crate) text_span: Span,
    pub(crate) args: Vec<Expr>,
}

/// One or more string literals joined with `+` (`"SELECT a " + "FROM t"`).
fn parse_sql(input: ParseStream<'_>) -> Result<(String, Span)> {
    let first: LitStr = input.parse().map_err(|e| {
        syn::Error::new(e.span(), "expected the SQL as a string literal (use `query_file!` to read it from a file; for SQL built at run time, `andamios::query(sql)` or `QueryBuilder`, checked when it runs)")
    })?;
    let span = first.span();
    let mut text = first.value();
    while input.peek(Token![+]) {
        input.parse::<Token![+]>()?;
        let next: LitStr = input.parse()?;
        text.push_str(&next.value());
    }
    Ok((text, span))
}

impl QueryInput {
    pub(crate) fn parse(input: ParseStream<'_>, output: Output) -> Result<Self> {
        let record = if output == Output::As {
            let ty: Type = input.parse()?;
            input.parse::<Token![,]>()?;
            Some(ty)
        } else {
            None
        };
        let (text, text_span) = parse_sql(input)?;
        let args = if input.is_empty() {
            Vec::new()
        } else {
            input.parse::<Token![,]>()?;
            Punctuated::<Expr, Token![,]>::parse_terminated(input)?.into_iter().collect()
        };
        Ok(QueryInput { output, record, text, text_span, args })
    }
}

/// Parser adaptors for `syn::parse::Parser`.
#[derive(Debug)]
pub(crate) struct Record(pub(crate) QueryInput);
#[derive(Debug)]
pub(crate) struct As(pub(crate) QueryInput);
#[derive(Debug)]
pub(crate) struct Scalar(pub(crate) QueryInput);

impl Parse for Record {
    fn parse(input: ParseStream<'_>) -> Result<Self> {
        QueryInput::parse(input, Output::Record).map(Record)
    }
}

impl Parse for As {
    fn parse(input: ParseStream<'_>) -> Result<Self> {
        QueryInput::parse(input, Output::As).map(As)
    }
}

impl Parse for Scalar {
    fn parse(input: ParseStream<'_>) -> Result<Self> {
        QueryInput::parse(input, Output::Scalar).map(Scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_concatenated_sql_and_arguments() {
        let Record(q) = syn::parse_str("\"SELECT a \" + \"FROM t WHERE x = $1\", x + 1, &name,").unwrap();
        assert_eq!(q.text, "SELECT a FROM t WHERE x = $1");
        assert_eq!(q.args.len(), 2);
        let As(q) = syn::parse_str("User, r#\"SELECT 1\"#").unwrap();
        assert!(q.record.is_some());
        assert_eq!(q.text, "SELECT 1");
        let err = syn::parse_str::<Record>("sql_variable, 1").unwrap_err();
        assert!(err.to_string().contains("string literal"));
    }
}
