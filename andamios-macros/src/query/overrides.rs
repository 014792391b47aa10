//! Overrides written in column aliases: `"col!"`, `"col?"`, `"col: Type"`,
//! `"col!: Type"`, `"col?: Type"`, and `"col: _"`.

use syn::Type;

/// Nullability forced by the alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Forced {
    NonNull,
    Nullable,
}

/// A column name with its overrides taken off.
#[derive(Debug)]
pub(crate) struct ColumnOverride {
    pub(crate) name: String,
    pub(crate) nullability: Option<Forced>,
    /// `None`: infer the type; `Some(None)`: `_` (let the compiler infer); `Some(Some(t))`: `t`.
    pub(crate) ty: Option<Option<Type>>,
}

/// Parses a column name; an error message for a malformed override. The
/// name DuckDB gives an expression without an alias is its text, in which
/// a `:` is no override (`struct_pack(a := 1)`, `concat(name, ':')`).
pub(crate) fn parse(column: &str) -> Result<ColumnOverride, String> {
    let (head, ty) = match column.split_once(':') {
        Some((head, _)) if head.contains('(') => (column, None),
        Some((head, ty)) => {
            let ty = ty.trim();
            if ty.is_empty() {
                return Err(format!(
                    "column `{column}`: the type after `:` is missing; write `\"{}: Type\"`",
                    head.trim()
                ));
            }
            let parsed = if ty == "_" {
                None
            } else {
                Some(syn::parse_str::<Type>(ty).map_err(|e| {
                    format!("column `{column}`: `{ty}` is not a Rust type ({e}); write `\"{}: Type\"`", head.trim())
                })?)
            };
            (head.trim(), Some(parsed))
        }
        None => (column, None),
    };
    let (name, nullability) = if let Some(name) = head.strip_suffix('!') {
        (name, Some(Forced::NonNull))
    } else if let Some(name) = head.strip_suffix('?') {
        (name, Some(Forced::Nullable))
    } else {
        (head, None)
    };
    if name.ends_with('!') || name.ends_with('?') {
        return Err(format!("column `{column}`: use one of `!` (not NULL) or `?` (nullable), once"));
    }
    Ok(ColumnOverride { name: name.to_owned(), nullability, ty })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let o = parse("id").unwrap();
        assert_eq!((o.name.as_str(), o.nullability, o.ty.is_none()), ("id", None, true));
        assert_eq!(parse("id!").unwrap().nullability, Some(Forced::NonNull));
        assert_eq!(parse("id?").unwrap().nullability, Some(Forced::Nullable));
        let o = parse("id: UserId").unwrap();
        assert!(matches!(o.ty, Some(Some(_))));
        assert_eq!(o.name, "id");
        let o = parse("id!: crate::Id<u8>").unwrap();
        assert_eq!(o.nullability, Some(Forced::NonNull));
        assert!(matches!(parse("id: _").unwrap().ty, Some(None)));
        assert!(parse("id: ").unwrap_err().contains("missing"));
        assert!(parse("id: 3x").unwrap_err().contains("not a Rust type"));
        assert!(parse("id!?").unwrap_err().contains("once"));
        for expression in ["struct_pack(a := 1)", "concat(\"name\", ':')"] {
            let o = parse(expression).unwrap();
            assert_eq!((o.name.as_str(), o.nullability, o.ty.is_none()), (expression, None, true));
        }
    }
}
