//! `#[derive(AppendRow)]`.

use crate::attrs;
use quote::quote;
use syn::{Data, DeriveInput, Fields, Result};

pub(crate) fn expand(input: DeriveInput) -> Result<proc_macro2::TokenStream> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(&input.ident, "AppendRow can be derived for structs only"));
    };
    let ident = &input.ident;
    let container = attrs::container(&input.attrs)?;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    // Each field's value, as the table's column takes it: a `json` field as
    // JSON; and for named fields, the column of each, matched by name so
    // that reordered fields of one type cannot land in each other's columns.
    let mut columns = Vec::new();
    let values = match &data.fields {
        Fields::Named(fields) => fields
            .named
            .iter()
            .map(|f| {
                let name = f.ident.as_ref().expect("named field");
                let field = attrs::field(&f.attrs)?;
                columns.push(attrs::sql_name(name, &field, &container));
                Ok((quote!(self.#name), &f.ty, field.json))
            })
            .collect::<Result<Vec<_>>>()?,
        Fields::Unnamed(fields) => fields
            .unnamed
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let index = syn::Index::from(i);
                Ok((quote!(self.#index), &f.ty, attrs::field(&f.attrs)?.json))
            })
            .collect::<Result<Vec<_>>>()?,
        Fields::Unit => return Err(syn::Error::new_spanned(ident, "AppendRow needs at least one field")),
    };
    let count = values.len();
    let column_names = (!columns.is_empty()).then(|| {
        quote! {
            fn column_names() -> ::core::option::Option<&'static [&'static str]> {
                ::core::option::Option::Some(&[#(#columns),*])
            }
        }
    });
    let writes = values.iter().enumerate().map(|(i, (value, _, json))| {
        let value = if *json { quote!(::andamios::types::Json(&#value)) } else { value.clone() };
        quote!(::andamios::__private::write_column(chunk, #i, &#value)?;)
    });
    let value_types = values.iter().map(|(_, ty, json)| {
        let ty = if *json { quote!(::andamios::types::Json<&#ty>) } else { quote!(#ty) };
        quote!(<#ty as ::andamios::types::Encode>::duck_type())
    });
    let variant_part_types = values.iter().enumerate().map(|(i, (value, _, json))| {
        if *json {
            quote!(#i => ::core::option::Option::None,)
        } else {
            quote!(#i => ::andamios::types::Encode::variant_part_type(&#value),)
        }
    });
    Ok(quote! {
        impl #impl_generics ::andamios::AppendRow for #ident #ty_generics #where_clause {
            fn column_count() -> usize {
                #count
            }

            #column_names

            #[inline]
            fn write_row(&self, chunk: &mut ::andamios::__private::ChunkWriter)
                -> ::core::result::Result<(), ::andamios::__private::AppendError> {
                #(#writes)*
                ::core::result::Result::Ok(())
            }

            fn value_types() -> ::std::vec::Vec<::andamios::__private::DuckType> {
                ::std::vec![#(#value_types),*]
            }

            fn variant_part_type(&self, column: usize)
                -> ::core::option::Option<::core::result::Result<::andamios::__private::DuckType, ::std::string::String>> {
                match column {
                    #(#variant_part_types)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_fields_name_their_columns_and_tuple_fields_go_in_order() {
        let named: DeriveInput = syn::parse_quote!(
            #[andamios(rename_all = "camelCase")]
            struct Transfer {
                to_account: i64,
                #[andamios(rename = "amount_cents")]
                cents: i64,
                r#type: String,
            }
        );
        let out = expand(named).unwrap().to_string();
        assert!(out.contains(r#"Some (& ["toAccount" , "amount_cents" , "type"])"#), "{out}");
        let tuple: DeriveInput = syn::parse_quote!(
            struct Pair(i64, String);
        );
        let out = expand(tuple).unwrap().to_string();
        assert!(!out.contains("column_names"), "a tuple struct keeps the table's order: {out}");
    }
}
