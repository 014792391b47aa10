//! `#[derive(FromRow)]`.

use crate::attrs;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, Result};

pub(crate) fn expand(input: DeriveInput) -> Result<TokenStream> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(&input.ident, "FromRow can be derived for structs only"));
    };
    let container = attrs::container(&input.attrs)?;
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();

    let body = match &data.fields {
        Fields::Named(fields) => {
            let mut position = 0usize;
            let mut inits = Vec::new();
            for field in &fields.named {
                let name = field.ident.as_ref().expect("named field");
                let ty = &field.ty;
                let attrs = attrs::field(&field.attrs)?;
                let column = attrs::sql_name(name, &attrs, &container);
                let value = if attrs.skip {
                    quote!(::core::default::Default::default())
                } else if attrs.flatten {
                    quote!(<#ty as ::andamios::FromRow>::from_row(row)?)
                } else {
                    let hint = position;
                    position += 1;
                    let read = match &attrs.try_from {
                        Some(source) => quote! {{
                            let raw: #source = row.try_get_hinted(#column, #hint)?;
                            <#ty as ::core::convert::TryFrom<#source>>::try_from(raw)
                                .map_err(|e| ::andamios::__private::try_from_failed::<#ty, _>(#column, e))?
                        }},
                        None => quote!(row.try_get_hinted::<#ty>(#column, #hint)?),
                    };
                    if attrs.default {
                        quote!(if row.has_column(#column) { #read } else { ::core::default::Default::default() })
                    } else {
                        read
                    }
                };
                inits.push(quote!(#name: #value));
            }
            quote!(Self { #(#inits),* })
        }
        Fields::Unnamed(fields) => {
            let reads = (0..fields.unnamed.len()).map(|i| quote!(row.try_get(#i)?));
            quote!(Self(#(#reads),*))
        }
        Fields::Unit => quote!(Self),
    };

    Ok(quote! {
        impl #impl_generics ::andamios::FromRow for #ident #ty_generics #where_clause {
            #[inline]
            fn from_row(row: &::andamios::Row) -> ::andamios::Result<Self> {
                ::core::result::Result::Ok(#body)
            }
        }
    })
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
