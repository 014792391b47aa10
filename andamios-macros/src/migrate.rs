//! `migrate!()`: a migrations folder embedded at compile time.

use andamios_core::migrate::read_dir;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::path::PathBuf;
use syn::{LitStr, Result};

pub(crate) fn expand(input: TokenStream) -> Result<TokenStream> {
    let (relative, span) = if input.is_empty() {
        ("migrations".to_owned(), Span::call_site())
    } else {
        let lit: LitStr = syn::parse2(input)?;
        (lit.value(), lit.span())
    };
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let dir = base.join(&relative);
    let migrations = read_dir(&dir).map_err(|e| syn::Error::new(span, e.0))?;
    let items = migrations.iter().map(|m| {
        let version = m.version;
        let description = &m.description;
        let up = m.path.canonicalize().unwrap_or_else(|_| m.path.clone()).display().to_string();
        let down = match &m.down_path {
            Some(p) => {
                let p = p.canonicalize().unwrap_or_else(|_| p.clone()).display().to_string();
                quote!(::core::option::Option::Some(::core::include_str!(#p)))
            }
            None => quote!(::core::option::Option::None),
        };
        quote!((#version, #description, ::core::include_str!(#up), #down))
    });
    Ok(quote!(::andamios::migrate::Migrator::from_static(&[#(#items),*])))
}
