//! `#[derive(FromRow)]`.

use crate::attrs;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields, Result};

pub(crate) fn expand(input: DeriveInput) -> Result<TokenStream> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(&input.ident, "FromRow can be derived for structs only"));
    };
    let container = attrs::container(&input.attrs)?;
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();

    // `from_row` reads one row; `from_rows` finds and type-checks each column
    // once per batch (`setup`), then reads every row (`batch`).
    let (body, setup, batch) = match &data.fields {
        Fields::Named(fields) => {
            let mut position = 0usize;
            let (mut inits, mut setup, mut batch) = (Vec::new(), Vec::new(), Vec::new());
            for (i, field) in fields.named.iter().enumerate() {
                let name = field.ident.as_ref().expect("named field");
                let ty = &field.ty;
                let attrs = attrs::field(&field.attrs)?;
                let column = attrs::sql_name(name, &attrs, &container);
                let var = format_ident!("__andamios_field_{}", i);
                let (value, per_row) = if attrs.skip {
                    (quote!(::core::default::Default::default()), quote!(::core::default::Default::default()))
                } else if attrs.flatten {
                    setup.push(quote! {
                        let mut #var = {
                            let mut values = ::std::vec::Vec::with_capacity(rows.len());
                            <#ty as ::andamios::FromRow>::from_rows(rows, &mut values)?;
                            values.into_iter()
                        };
                    });
                    (
                        quote!(<#ty as ::andamios::FromRow>::from_row(row)?),
                        quote!(#var.next().ok_or_else(::andamios::__private::flattened_rows_missing::<#ty>)?),
                    )
                } else {
                    let hint = position;
                    position += 1;
                    let source = match &attrs.try_from {
                        Some(source) => quote!(#source),
                        None if attrs.json => quote!(::andamios::types::Json<#ty>),
                        None => quote!(#ty),
                    };
                    let convert = |raw: TokenStream| match &attrs.try_from {
                        Some(source) => quote! {{
                            let raw: #source = #raw;
                            <#ty as ::core::convert::TryFrom<#source>>::try_from(raw)
                                .map_err(|e| ::andamios::__private::try_from_failed::<#ty, _>(#column, e))?
                        }},
                        None if attrs.json => quote!(#raw.0),
                        None => raw,
                    };
                    let read = convert(quote!(row.try_get_hinted::<#source>(#column, #hint)?));
                    let read_batch = convert(quote!(column.get(i)?));
                    if attrs.default {
                        setup.push(quote! {
                            let #var = if rows.has_column(#column) {
                                ::core::option::Option::Some(rows.column_named::<#source>(#column, #hint)?)
                            } else {
                                ::core::option::Option::None
                            };
                        });
                        (
                            quote!(if row.has_column(#column) { #read } else { ::core::default::Default::default() }),
                            quote! {
                                match &#var {
                                    ::core::option::Option::Some(column) => #read_batch,
                                    ::core::option::Option::None => ::core::default::Default::default(),
                                }
                            },
                        )
                    } else {
                        setup.push(quote!(let #var = rows.column_named::<#source>(#column, #hint)?;));
                        (read, quote!({ let column = &#var; #read_batch }))
                    }
                };
                inits.push(quote!(#name: #value));
                batch.push(quote!(#name: #per_row));
            }
            (quote!(Self { #(#inits),* }), setup, quote!(Self { #(#batch),* }))
        }
        Fields::Unnamed(fields) => {
            let reads = (0..fields.unnamed.len()).map(|i| quote!(row.try_get(#i)?));
            let vars: Vec<_> = (0..fields.unnamed.len()).map(|i| format_ident!("__andamios_field_{}", i)).collect();
            let setup = fields
                .unnamed
                .iter()
                .zip(&vars)
                .enumerate()
                .map(|(i, (field, var))| {
                    let ty = &field.ty;
                    quote!(let #var = rows.column::<#ty>(#i)?;)
                })
                .collect();
            (quote!(Self(#(#reads),*)), setup, quote!(Self(#(#vars.get(i)?),*)))
        }
        Fields::Unit => (quote!(Self), Vec::new(), quote!(Self)),
    };

    let from_rows = from_rows_fn(setup, batch);
    Ok(quote! {
        impl #impl_generics ::andamios::FromRow for #ident #ty_generics #where_clause {
            #[inline]
            fn from_row(row: &::andamios::Row) -> ::andamios::Result<Self> {
                ::core::result::Result::Ok(#body)
            }

            #from_rows
        }
    })
}

/// `FromRow::from_rows` that runs `setup` (finding and type-checking the
/// columns, once per batch) and then builds `value` for every row `i`: the
/// derive and the checked macros generate it alike.
pub(crate) fn from_rows_fn(setup: impl IntoIterator<Item = TokenStream>, value: TokenStream) -> TokenStream {
    let setup = setup.into_iter();
    quote! {
        #[allow(unused_mut, unused_variables)]
        fn from_rows(
            rows: &::andamios::RowBatch<'_>,
            out: &mut ::std::vec::Vec<Self>,
        ) -> ::andamios::Result<()> {
            #(#setup)*
            rows.decode_each(out, |i| ::core::result::Result::Ok(#value))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_renamed_fields_by_name_with_position_hints() {
        let input: DeriveInput = syn::parse_quote! {
            #[andamios(rename_all = "camelCase")]
            struct User { user_id: i64, #[andamios(rename = "full_name")] name: String, #[andamios(skip)] cache: u8 }
        };
        let out = expand(input).unwrap().to_string();
        assert!(out.contains("try_get_hinted :: < i64 > (\"userId\" , 0usize)"), "{out}");
        assert!(out.contains("(\"full_name\" , 1usize)"), "{out}");
        assert!(out.contains("cache : :: core :: default :: Default :: default ()"), "{out}");
        // The batch path finds and type-checks each column once.
        assert!(out.contains("rows . column_named :: < i64 > (\"userId\" , 0usize) ?"), "{out}");
        assert!(out.contains("rows . column_named :: < String > (\"full_name\" , 1usize) ?"), "{out}");
    }

    #[test]
    fn rejects_enums() {
        let input: DeriveInput = syn::parse_quote!(
            enum E {
                A,
            }
        );
        assert!(expand(input).unwrap_err().to_string().contains("structs only"));
    }
}
