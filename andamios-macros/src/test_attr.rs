//! `#[andamios::test]`: a tokio test with a fresh in-memory database that has
//! the crate's migrations and the named fixtures applied.

use proc_macro2::TokenStream;
use quote::quote;
use std::path::PathBuf;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{ItemFn, LitStr, Result, Token};

/// `fixtures("a", "b")` (or nothing).
fn parse_fixtures(args: TokenStream) -> Result<Vec<LitStr>> {
    let mut fixtures = Vec::new();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("fixtures") {
            let content;
            syn::parenthesized!(content in meta.input);
            fixtures.extend(Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?);
            Ok(())
        } else {
            Err(meta.error("unknown argument; expected `fixtures(\"name\", ...)`"))
        }
    });
    parser.parse2(args)?;
    Ok(fixtures)
}

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> Result<TokenStream> {
    let fixtures = parse_fixtures(args)?;
    let mut function: ItemFn = syn::parse2(item)?;
    if function.sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(function.sig.fn_token, "#[andamios::test] needs an `async fn`"));
    }
    if function.sig.inputs.len() != 1 {
        return Err(syn::Error::new_spanned(
            &function.sig.inputs,
            "#[andamios::test] functions take one argument, the pool: `async fn my_test(pool: andamios::Pool)`",
        ));
    }
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let mut fixture_items = Vec::new();
    for name in &fixtures {
        let path = base.join("fixtures").join(format!("{}.sql", name.value()));
        if !path.is_file() {
            return Err(syn::Error::new(
                name.span(),
                format!("fixture `{}` not found: expected the file {}", name.value(), path.display()),
            ));
        }
        let shown = format!("fixtures/{}.sql", name.value());
        let full = path.display().to_string();
        fixture_items.push(quote!((#shown, ::core::include_str!(#full))));
    }
    let migrations = if base.join("migrations").is_dir() {
        quote!(::core::option::Option::Some(::andamios::migrate!()))
    } else {
        quote!(::core::option::Option::None)
    };
    let name = function.sig.ident.clone();
    let attrs = std::mem::take(&mut function.attrs);
    function.sig.ident = syn::Ident::new("__andamios_test_body", name.span());
    Ok(quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        fn #name() {
            #function
            ::andamios::__private::run_test(#migrations, &[#(#fixture_items),*], __andamios_test_body);
        }
    })
}
