//! `#[andamios::test]`: a tokio test with a fresh in-memory database that has
//! the crate's migrations and the named fixtures applied, and the schemas of
//! the databases `ANDAMIOS_ATTACH` names.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::path::{Path, PathBuf};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{ItemFn, Lit, LitStr, Result, Token};

/// What the test's database starts with.
struct TestArgs {
    fixtures: Vec<LitStr>,
    /// `migrations = "path"` (relative to the crate), `migrations = false`,
    /// or, when not given, the crate's `migrations/` if it has one.
    migrations: Option<Migrations>,
}

enum Migrations {
    From(LitStr),
    None,
}

/// `fixtures("a", "b")`, `migrations = "path"` or `migrations = false`, or nothing.
fn parse_args(args: TokenStream) -> Result<TestArgs> {
    let mut parsed = TestArgs { fixtures: Vec::new(), migrations: None };
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("fixtures") {
            let content;
            syn::parenthesized!(content in meta.input);
            parsed.fixtures.extend(Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?);
            Ok(())
        } else if meta.path.is_ident("migrations") {
            parsed.migrations = Some(match meta.value()?.parse::<Lit>()? {
                Lit::Str(path) => Migrations::From(path),
                Lit::Bool(flag) if !flag.value => Migrations::None,
                other => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "expected `migrations = \"path/to/folder\"` or `migrations = false`",
                    ))
                }
            });
            Ok(())
        } else {
            Err(meta.error(
                "unknown argument; expected `fixtures(\"name\", ...)`, `migrations = \"path\"` or `migrations = false`",
            ))
        }
    });
    parser.parse2(args)?;
    Ok(parsed)
}

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> Result<TokenStream> {
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    expand_in(&base, args, item)
}

/// [`expand`] for the crate in the folder `base`.
fn expand_in(base: &Path, args: TokenStream, item: TokenStream) -> Result<TokenStream> {
    let TestArgs { fixtures, migrations } = parse_args(args)?;
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
    // Absolute: a relative path is the compiler's, from the workspace's
    // root, where a test runs in its crate's folder.
    let settings = andamios_core::schema::SourceSettings::from_env(base.to_path_buf());
    let attachments = settings.attachments().map_err(|e| syn::Error::new(Span::call_site(), e))?;
    let here = std::env::current_dir().unwrap_or_default();
    let attach_items = attachments.iter().map(|a| {
        let (name, path) = (&a.name, here.join(&a.path).display().to_string());
        quote!((#name, #path))
    });
    let migrations = match migrations {
        // `migrate!` reads the folder and says what is wrong with it.
        Some(Migrations::From(path)) => quote!(::core::option::Option::Some(::andamios::migrate!(#path))),
        Some(Migrations::None) => quote!(::core::option::Option::None),
        None if base.join("migrations").is_dir() => quote!(::core::option::Option::Some(::andamios::migrate!())),
        None => quote!(::core::option::Option::None),
    };
    let name = function.sig.ident.clone();
    let attrs = std::mem::take(&mut function.attrs);
    function.sig.ident = syn::Ident::new("__andamios_test_body", name.span());
    Ok(quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        fn #name() {
            #function
            ::andamios::__private::run_test(#migrations, &[#(#attach_items),*], &[#(#fixture_items),*], __andamios_test_body);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_fn() -> TokenStream {
        quote!(
            async fn t(pool: andamios::Pool) {}
        )
    }

    #[test]
    fn migrations_come_from_a_folder_or_none() {
        let out = expand(quote!(migrations = "db/migrations", fixtures("users")), test_fn()).unwrap_err();
        // The fixture is looked for first; without it the expansion names the folder.
        assert!(out.to_string().contains("fixture `users` not found"), "{out}");
        let out = expand(quote!(migrations = "db/migrations"), test_fn()).unwrap().to_string();
        assert!(out.contains(r#":: andamios :: migrate ! ("db/migrations")"#), "{out}");
        let out = expand(quote!(migrations = false), test_fn()).unwrap().to_string();
        assert!(out.contains(":: core :: option :: Option :: None") && !out.contains("migrate !"), "{out}");
    }

    #[test]
    fn the_databases_andamios_attach_names_are_passed_with_absolute_paths() {
        let base = std::env::temp_dir().join(format!("andamios-test-attr-attach-{}", std::process::id()));
        std::fs::create_dir_all(&base).unwrap();
        std::fs::write(base.join(".env"), "ANDAMIOS_ATTACH=lookup=data/lookup.duckdb\n").unwrap();
        let out = expand_in(&base, quote!(migrations = false), test_fn()).unwrap().to_string();
        let path = std::env::current_dir().unwrap().join("data/lookup.duckdb").display().to_string();
        assert!(out.contains(&format!("& [(\"lookup\" , {path:?})]")), "{out}");
        std::fs::write(base.join(".env"), "ANDAMIOS_ATTACH=lookup\n").unwrap();
        let err = expand_in(&base, quote!(migrations = false), test_fn()).unwrap_err().to_string();
        assert!(err.contains("`lookup` is not `name=path`"), "{err}");
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn other_arguments_are_refused_with_the_ones_that_exist() {
        for args in [quote!(migrations = true), quote!(migrations = 3), quote!(database = "x")] {
            let err = expand(args, test_fn()).unwrap_err().to_string();
            assert!(err.contains("migrations = false"), "{err}");
        }
    }
}
