//! `#[derive(AppendRow)]`.

use crate::attrs;
use quote::quote;
use syn::{Data, DeriveInput, Fields, Result};

pub(crate) fn expand(input: DeriveInput) -> Result<proc_macro2::TokenStream> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(&input.ident, "AppendRow can be derived for structs only"));
    };
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    // Each field's value, as the table's column takes it: a `json` field as JSON.
    let values = match &data.fields {
        Fields::Named(fields) => fields
            .named
            .iter()
            .map(|f| {
                let name = f.ident.as_ref().expect("named field");
                Ok((quote!(self.#name), attrs::field(&f.attrs)?.json))
            })
            .collect::<Result<Vec<_>>>()?,
        Fields::Unnamed(fields) => fields
            .unnamed
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let index = syn::Index::from(i);
                Ok((quote!(self.#index), attrs::field(&f.attrs)?.json))
            })
            .collect::<Result<Vec<_>>>()?,
        Fields::Unit => return Err(syn::Error::new_spanned(ident, "AppendRow needs at least one field")),
    };
    let count = values.len();
    let writes = values.iter().enumerate().map(|(i, (value, json))| {
        let value = if *json { quote!(::andamios::types::Json(&#value)) } else { value.clone() };
        quote!(::andamios::__private::write_column(chunk, #i, &#value)?;)
    });
    Ok(quote! {
        impl #impl_generics ::andamios::AppendRow for #ident #ty_generics #where_clause {
            fn column_count() -> usize {
                #count
            }

            #[inline]
            fn write_row(&self, chunk: &mut ::andamios::__private::ChunkWriter)
                -> ::core::result::Result<(), ::andamios::__private::AppendError> {
                #(#writes)*
                ::core::result::Result::Ok(())
            }
        }
    })
}
