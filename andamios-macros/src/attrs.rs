//! `#[andamios(...)]` attributes shared by the derives.

use syn::{Attribute, LitStr, Result};

/// How field or variant names map to column or member names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenameAll {
    Lower,
    Upper,
    Snake,
    ScreamingSnake,
    Kebab,
    Camel,
    Pascal,
}

impl RenameAll {
    fn parse(lit: &LitStr) -> Result<Self> {
        Ok(match lit.value().as_str() {
            "lowercase" => RenameAll::Lower,
            "UPPERCASE" => RenameAll::Upper,
            "snake_case" => RenameAll::Snake,
            "SCREAMING_SNAKE_CASE" => RenameAll::ScreamingSnake,
            "kebab-case" => RenameAll::Kebab,
            "camelCase" => RenameAll::Camel,
            "PascalCase" => RenameAll::Pascal,
            other => {
                return Err(syn::Error::new_spanned(
                    lit,
                    format!("unknown rename_all style `{other}`; use one of lowercase, UPPERCASE, snake_case, SCREAMING_SNAKE_CASE, kebab-case, camelCase, PascalCase"),
                ))
            }
        })
    }

    /// Applies the style to a Rust identifier (snake_case fields or PascalCase variants).
    pub(crate) fn apply(self, ident: &str) -> String {
        let words = split_words(ident);
        match self {
            RenameAll::Lower => ident.to_lowercase(),
            RenameAll::Upper => ident.to_uppercase(),
            RenameAll::Snake => words.join("_"),
            RenameAll::ScreamingSnake => words.join("_").to_uppercase(),
            RenameAll::Kebab => words.join("-"),
            RenameAll::Camel | RenameAll::Pascal => {
                let mut out = String::new();
                for (i, w) in words.iter().enumerate() {
                    let mut chars = w.chars();
                    if let Some(first) = chars.next() {
                        if i == 0 && self == RenameAll::Camel {
                            out.push(first);
                        } else {
                            out.extend(first.to_uppercase());
                        }
                        out.push_str(chars.as_str());
                    }
                }
                out
            }
        }
    }
}

/// Lower-case words of a snake_case or PascalCase identifier.
fn split_words(ident: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in ident.trim_start_matches("r#").chars() {
        if c == '_' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        } else if c.is_uppercase() && !current.is_empty() {
            words.push(std::mem::take(&mut current));
            current.extend(c.to_lowercase());
        } else {
            current.extend(c.to_lowercase());
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Container attributes.
#[derive(Debug, Default)]
pub(crate) struct ContainerAttrs {
    pub(crate) rename_all: Option<RenameAll>,
}

pub(crate) fn container(attrs: &[Attribute]) -> Result<ContainerAttrs> {
    let mut out = ContainerAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("andamios")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                out.rename_all = Some(RenameAll::parse(&meta.value()?.parse()?)?);
                Ok(())
            } else {
                Err(meta.error("unknown attribute; expected `rename_all = \"...\"`"))
            }
        })?;
    }
    Ok(out)
}

/// Field (or variant) attributes.
#[derive(Debug, Default)]
pub(crate) struct FieldAttrs {
    pub(crate) rename: Option<String>,
    pub(crate) default: bool,
    pub(crate) flatten: bool,
    pub(crate) skip: bool,
    pub(crate) try_from: Option<syn::Type>,
    /// Read (and append) the column as JSON of the field's type.
    pub(crate) json: bool,
}

pub(crate) fn field(attrs: &[Attribute]) -> Result<FieldAttrs> {
    let mut out = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("andamios")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                out.rename = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if meta.path.is_ident("default") {
                out.default = true;
            } else if meta.path.is_ident("flatten") {
                out.flatten = true;
            } else if meta.path.is_ident("skip") {
                out.skip = true;
            } else if meta.path.is_ident("try_from") {
                out.try_from = Some(meta.value()?.parse::<LitStr>()?.parse()?);
            } else if meta.path.is_ident("json") {
                out.json = true;
            } else {
                return Err(meta.error(
                    "unknown attribute; expected one of `rename = \"...\"`, `default`, `flatten`, `skip`, `try_from = \"Type\"`, `json`",
                ));
            }
            if out.json && (out.try_from.is_some() || out.flatten) {
                return Err(meta.error("`json` reads the column as JSON of the field's type: it cannot be combined with `try_from` or `flatten`"));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// The SQL name of a field or variant.
pub(crate) fn sql_name(ident: &syn::Ident, field: &FieldAttrs, container: &ContainerAttrs) -> String {
    if let Some(name) = &field.rename {
        return name.clone();
    }
    let raw = ident.to_string();
    let raw = raw.trim_start_matches("r#");
    match container.rename_all {
        Some(style) => style.apply(raw),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_in_every_style() {
        assert_eq!(RenameAll::Snake.apply("OrderStatus"), "order_status");
        assert_eq!(RenameAll::ScreamingSnake.apply("order_status"), "ORDER_STATUS");
        assert_eq!(RenameAll::Camel.apply("order_status"), "orderStatus");
        assert_eq!(RenameAll::Pascal.apply("order_status"), "OrderStatus");
        assert_eq!(RenameAll::Kebab.apply("OrderStatus"), "order-status");
        assert_eq!(RenameAll::Lower.apply("Shipped"), "shipped");
        assert_eq!(RenameAll::Upper.apply("Shipped"), "SHIPPED");
    }

    #[test]
    fn json_combines_with_neither_try_from_nor_flatten() {
        let ok: Vec<Attribute> = vec![syn::parse_quote!(#[andamios(json, rename = "doc")])];
        assert!(field(&ok).unwrap().json);
        for bad in
            [syn::parse_quote!(#[andamios(json, try_from = "String")]), syn::parse_quote!(#[andamios(flatten, json)])]
        {
            let attrs: Vec<Attribute> = vec![bad];
            assert!(field(&attrs).unwrap_err().to_string().contains("cannot be combined"));
        }
    }

    #[test]
    fn rejects_unknown_attributes() {
        let attrs: Vec<Attribute> = vec![syn::parse_quote!(#[andamios(rename_everything = "x")])];
        let err = container(&attrs).unwrap_err();
        assert!(err.to_string().contains("rename_all"));
        let attrs: Vec<Attribute> = vec![syn::parse_quote!(#[andamios(rename_all = "Title Case")])];
        assert!(container(&attrs).unwrap_err().to_string().contains("unknown rename_all style"));
    }
}
