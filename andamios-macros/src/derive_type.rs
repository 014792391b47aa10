//! `#[derive(Type)]`: Rust enums as DuckDB ENUMs, Rust structs as DuckDB STRUCTs.

use crate::attrs;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, Result};

pub(crate) fn expand(input: DeriveInput) -> Result<TokenStream> {
    let container = attrs::container(&input.attrs)?;
    match &input.data {
        Data::Enum(data) => {
            let mut idents = Vec::new();
            let mut names = Vec::new();
            for variant in &data.variants {
                if !matches!(variant.fields, Fields::Unit) {
                    return Err(syn::Error::new_spanned(
                        variant,
                        "Type can be derived for enums whose variants have no fields (a DuckDB ENUM)",
                    ));
                }
                let attrs = attrs::field(&variant.attrs)?;
                idents.push(&variant.ident);
                names.push(attrs::sql_name(&variant.ident, &attrs, &container));
            }
            Ok(enum_impl(&input, &idents, &names))
        }
        Data::Struct(data) => {
            let Fields::Named(fields) = &data.fields else {
                return Err(syn::Error::new_spanned(
                    &input.ident,
                    "Type needs named fields to map a struct to a DuckDB STRUCT",
                ));
            };
            let mut idents = Vec::new();
            let mut names = Vec::new();
            let mut types = Vec::new();
            for field in &fields.named {
                let attrs = attrs::field(&field.attrs)?;
                let ident = field.ident.as_ref().expect("named field");
                names.push(attrs::sql_name(ident, &attrs, &container));
                idents.push(ident);
                types.push(&field.ty);
            }
            Ok(struct_impl(&input, &idents, &names, &types))
        }
        Data::Union(_) => Err(syn::Error::new_spanned(&input.ident, "Type cannot be derived for unions")),
    }
}

fn enum_impl(input: &DeriveInput, idents: &[&syn::Ident], names: &[String]) -> TokenStream {
    let ident = &input.ident;
    let type_name = ident.to_string();
    quote! {
        impl ::andamios::types::Decode for #ident {
            const ENUM_MEMBERS: ::core::option::Option<&'static [&'static str]> =
                ::core::option::Option::Some(&[#(#names),*]);

            fn accepts(ty: &::andamios::__private::DuckType) -> bool {
                match ty {
                    ::andamios::__private::DuckType::Enum { members } => members.iter().all(|m| [#(#names),*].contains(&m.as_str())),
                    ::andamios::__private::DuckType::Varchar => true,
                    _ => false,
                }
            }

            fn decode(column: &::andamios::__private::ColumnRef<'_>, row: usize)
                -> ::core::result::Result<Self, ::andamios::types::DecodeError> {
                match ::andamios::__private::enum_text(column, row)? {
                    #(#names => ::core::result::Result::Ok(Self::#idents),)*
                    other => ::core::result::Result::Err(::andamios::types::DecodeError::OutOfRange(
                        ::std::format!("'{}' (not a variant of {})", other, #type_name))),
                }
            }
        }

        impl ::andamios::__private::ArgFor<::andamios::__private::sql::Enum> for #ident {}

        impl ::andamios::types::Encode for #ident {
            fn duck_type() -> ::andamios::__private::DuckType {
                ::andamios::__private::DuckType::Enum { members: ::std::vec![#(::std::string::String::from(#names)),*] }
            }

            fn to_value(&self) -> ::andamios::__private::Value {
                ::andamios::__private::Value::Enum(::std::string::String::from(match self { #(Self::#idents => #names,)* }))
            }
        }
    }
}

fn struct_impl(input: &DeriveInput, idents: &[&syn::Ident], names: &[String], types: &[&syn::Type]) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        impl #impl_generics ::andamios::types::Decode for #ident #ty_generics #where_clause {
            fn accepts(ty: &::andamios::__private::DuckType) -> bool {
                true #(&& ::andamios::__private::struct_has_field::<#types>(ty, #names))*
            }

            fn decode(column: &::andamios::__private::ColumnRef<'_>, row: usize)
                -> ::core::result::Result<Self, ::andamios::types::DecodeError> {
                if !column.is_valid(row) {
                    return ::core::result::Result::Err(::andamios::types::DecodeError::UnexpectedNull);
                }
                ::core::result::Result::Ok(Self {
                    #(#idents: <#types as ::andamios::types::Decode>::decode(
                        ::andamios::__private::struct_field(column, #names)?, row)?,)*
                })
            }
        }

        impl #impl_generics ::andamios::__private::ArgFor<::andamios::__private::sql::Struct> for #ident #ty_generics #where_clause {}

        impl #impl_generics ::andamios::types::Encode for #ident #ty_generics #where_clause {
            fn duck_type() -> ::andamios::__private::DuckType {
                ::andamios::__private::DuckType::Struct { fields: ::std::vec![
                    #((::std::string::String::from(#names), <#types as ::andamios::types::Encode>::duck_type())),*
                ] }
            }

            fn to_value(&self) -> ::andamios::__private::Value {
                ::andamios::__private::Value::Struct {
                    ty: <Self as ::andamios::types::Encode>::duck_type(),
                    values: ::std::vec![#(::andamios::types::Encode::to_value(&self.#idents)),*],
                }
            }
        }
    }
}
