//! `#[derive(AppendRow)]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, Result};

pub(crate) fn expand(input: DeriveInput) -> Result<TokenStream> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(&input.ident, "AppendRow can be derived for structs only"));
    };
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let accessors: Vec<TokenStream> = match &data.fields {
        Fields::Named(fields) => fields
            .named
            .iter()
            .map(|f| {
                let name = f.ident.as_ref().expect("named field");
                quote!(#name)
            })
            .collect(),
        Fields::Unnamed(fields) => (0..fields.unnamed.len())
            .map(|i| {
                let index = syn::Index::from(i);
                quote!(#index)
            })
            .collect(),
        Fields::Unit => return Err(syn::Error::new_spanned(ident, "AppendRow needs at least one field")),
    };
    let count = accessors.len();
    let writes =
        accessors.iter().enumerate().map(|(i, a)| quote!(::andamios::__private::write_column(chunk, #i, &self.#a)?;));
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
