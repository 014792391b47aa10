//! `#[derive(Type)]`: Rust enums as DuckDB ENUMs (or UNIONs, where each
//! variant holds a value), Rust structs as DuckDB STRUCTs, newtypes as the
//! type they wrap.

use crate::attrs;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{parse_quote, Data, DeriveInput, Fields, Result};

pub(crate) fn expand(input: DeriveInput) -> Result<TokenStream> {
    let container = attrs::container(&input.attrs)?;
    match &input.data {
        Data::Enum(data) => {
            let mut idents = Vec::new();
            let mut names = Vec::new();
            let mut payloads = Vec::new();
            for variant in &data.variants {
                match &variant.fields {
                    Fields::Unit => {}
                    Fields::Unnamed(fields) if fields.unnamed.len() == 1 => payloads.push(&fields.unnamed[0].ty),
                    _ => {
                        return Err(syn::Error::new_spanned(
                            variant,
                            "Type can be derived for enums whose variants have no fields (a DuckDB ENUM), or one \
                             unnamed field each (a DuckDB UNION)",
                        ))
                    }
                }
                let attrs = attrs::field(&variant.attrs)?;
                idents.push(&variant.ident);
                names.push(attrs::sql_name(&variant.ident, &attrs, &container));
            }
            match payloads.len() {
                0 => Ok(enum_impl(&input, &idents, &names)),
                n if n == idents.len() => Ok(union_impl(&input, &idents, &names, &payloads)),
                _ => Err(syn::Error::new_spanned(
                    &input.ident,
                    "Type needs every variant without fields (a DuckDB ENUM), or every variant with one unnamed \
                     field (a DuckDB UNION)",
                )),
            }
        }
        Data::Struct(data) => {
            let fields = match &data.fields {
                Fields::Named(fields) => fields,
                Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                    return Ok(newtype_impl(&input, &fields.unnamed[0].ty));
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        &input.ident,
                        "Type needs named fields (a DuckDB STRUCT) or exactly one unnamed field (a newtype \
                         that binds and decodes as that field's type)",
                    ))
                }
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

/// An enum of one-field variants (`enum Reading { Number(f64), Text(String) }`)
/// is a DuckDB UNION, one member per variant, by name.
fn union_impl(input: &DeriveInput, idents: &[&syn::Ident], names: &[String], types: &[&syn::Type]) -> TokenStream {
    let ident = &input.ident;
    let tags = 0..idents.len();
    quote! {
        impl ::andamios::types::Decode for #ident {
            fn accepts(ty: &::andamios::__private::DuckType) -> bool {
                ::core::matches!(ty, ::andamios::__private::DuckType::Union { .. })
                    && <Self as ::andamios::types::Decode>::mismatch_detail(ty).is_none()
            }

            fn decode(column: &::andamios::__private::ColumnRef<'_>, row: usize)
                -> ::core::result::Result<Self, ::andamios::types::DecodeError> {
                let (member, value) = ::andamios::__private::union_value(column, row)?;
                #(
                    if member.eq_ignore_ascii_case(#names) {
                        return ::andamios::__private::decode_inside::<#types>(value, row).map(Self::#idents);
                    }
                )*
                ::core::result::Result::Err(::andamios::types::DecodeError::Mismatch)
            }

            fn mismatch_detail(ty: &::andamios::__private::DuckType) -> ::core::option::Option<::std::string::String> {
                ::andamios::__private::union_mismatch(ty, &[
                    #((#names, ::andamios::__private::field_mismatch::<#types> as ::andamios::__private::FieldMismatchFn)),*
                ])
            }
        }

        impl ::andamios::types::Encode for #ident {
            fn duck_type() -> ::andamios::__private::DuckType {
                ::andamios::__private::DuckType::Union { members: ::std::vec![
                    #((::std::string::String::from(#names), <#types as ::andamios::types::Encode>::duck_type())),*
                ] }
            }

            fn to_value(&self) -> ::andamios::__private::Value {
                let (tag, value) = match self {
                    #(Self::#idents(value) => (#tags, ::andamios::types::Encode::to_value(value)),)*
                };
                ::andamios::__private::Value::Union {
                    ty: <Self as ::andamios::types::Encode>::duck_type(),
                    tag,
                    value: ::std::boxed::Box::new(value),
                }
            }
        }
    }
}

/// A newtype (`struct UserId(i64);`) binds, decodes and appends as the type
/// it wraps, and fits the checked macros' parameters that type fits.
fn newtype_impl(input: &DeriveInput, inner: &syn::Type) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let bounded = |bound: syn::TypePath| {
        let mut where_clause = input.generics.where_clause.clone().unwrap_or_else(|| parse_quote!(where));
        where_clause.predicates.push(parse_quote!(#inner: #bound));
        where_clause
    };
    let decode_where = bounded(parse_quote!(::andamios::types::Decode));
    let encode_where = bounded(parse_quote!(::andamios::types::Encode));
    let arg_where = bounded(parse_quote!(::andamios::__private::ArgFor<AndamiosMarker>));
    let mut arg_generics = input.generics.clone();
    arg_generics.params.push(parse_quote!(AndamiosMarker));
    let (arg_impl_generics, _, _) = arg_generics.split_for_impl();
    // A `query_as!` field of this type takes a column read as the wrapped
    // type, without an alias. (Not for a generic newtype: the impl would be
    // for a type parameter, which the orphan rule forbids.)
    let into_field = input.generics.params.is_empty().then(|| {
        quote! {
            impl<AndamiosColumn> ::andamios::__private::IntoField<#ident, AndamiosColumn> for #inner {
                #[inline(always)]
                fn into_field(self) -> #ident {
                    #ident(self)
                }
            }

            // And, for a newtype of a `Vec`, a list column's values.
            impl<AndamiosElement, AndamiosColumn, AndamiosNulls>
                ::andamios::__private::FromList<AndamiosElement, AndamiosColumn, AndamiosNulls> for #ident
            where
                #inner: ::andamios::__private::FromList<AndamiosElement, AndamiosColumn, AndamiosNulls>,
            {
                #[inline]
                fn from_list(values: ::std::vec::Vec<AndamiosElement>) -> Self {
                    #ident(<#inner as ::andamios::__private::FromList<
                        AndamiosElement,
                        AndamiosColumn,
                        AndamiosNulls,
                    >>::from_list(values))
                }
            }
        }
    });
    quote! {
        #into_field

        impl #impl_generics ::andamios::types::Decode for #ident #ty_generics #decode_where {
            const ENUM_MEMBERS: ::core::option::Option<&'static [&'static str]> =
                <#inner as ::andamios::types::Decode>::ENUM_MEMBERS;

            fn accepts(ty: &::andamios::__private::DuckType) -> bool {
                <#inner as ::andamios::types::Decode>::accepts(ty)
            }

            fn decode(column: &::andamios::__private::ColumnRef<'_>, row: usize)
                -> ::core::result::Result<Self, ::andamios::types::DecodeError> {
                <#inner as ::andamios::types::Decode>::decode(column, row).map(Self)
            }

            fn mismatch_detail(ty: &::andamios::__private::DuckType) -> ::core::option::Option<::std::string::String> {
                <#inner as ::andamios::types::Decode>::mismatch_detail(ty)
            }
        }

        impl #arg_impl_generics ::andamios::__private::ArgFor<AndamiosMarker> for #ident #ty_generics #arg_where {}

        impl #impl_generics ::andamios::types::Encode for #ident #ty_generics #encode_where {
            fn duck_type() -> ::andamios::__private::DuckType {
                <#inner as ::andamios::types::Encode>::duck_type()
            }

            fn to_value(&self) -> ::andamios::__private::Value {
                ::andamios::types::Encode::to_value(&self.0)
            }

            fn write(&self, column: &mut ::andamios::__private::ColumnWriter<'_>)
                -> ::core::result::Result<(), ::andamios::types::EncodeError> {
                ::andamios::types::Encode::write(&self.0, column)
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
                ::core::matches!(ty, ::andamios::__private::DuckType::Struct { .. })
                    && <Self as ::andamios::types::Decode>::mismatch_detail(ty).is_none()
            }

            fn decode(column: &::andamios::__private::ColumnRef<'_>, row: usize)
                -> ::core::result::Result<Self, ::andamios::types::DecodeError> {
                if !column.is_valid(row) {
                    return ::core::result::Result::Err(::andamios::types::DecodeError::UnexpectedNull);
                }
                ::core::result::Result::Ok(Self {
                    #(#idents: ::andamios::__private::decode_struct_field::<#types>(column, #names, row)?,)*
                })
            }

            fn mismatch_detail(ty: &::andamios::__private::DuckType) -> ::core::option::Option<::std::string::String> {
                ::andamios::__private::struct_mismatch(ty, &[
                    #((#names, ::andamios::__private::field_mismatch::<#types> as ::andamios::__private::FieldMismatchFn)),*
                ])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newtypes_delegate_to_the_wrapped_type_with_its_bounds() {
        let input: DeriveInput = syn::parse_quote!(
            struct Tagged<T: Clone>(T);
        );
        let out = expand(input).unwrap().to_string();
        assert!(out.contains("< T as :: andamios :: types :: Decode > :: decode (column , row) . map (Self)"), "{out}");
        assert!(out.contains("where T : :: andamios :: types :: Decode"), "{out}");
        assert!(out.contains("where T : :: andamios :: __private :: ArgFor < AndamiosMarker >"), "{out}");
        assert!(out.contains(":: andamios :: types :: Encode :: write (& self . 0 , column)"), "{out}");
        // A generic newtype cannot take a `query_as!` column without an alias.
        assert!(!out.contains("IntoField"), "{out}");
    }

    #[test]
    fn a_plain_newtype_fills_query_as_fields_of_its_type() {
        let input: DeriveInput = syn::parse_quote!(
            struct Email(String);
        );
        let out = expand(input).unwrap().to_string();
        assert!(
            out.contains(
                "impl < AndamiosColumn > :: andamios :: __private :: IntoField < Email , AndamiosColumn > for String"
            ),
            "{out}"
        );
        // A newtype of a `Vec` takes a list column, value by value.
        assert!(out.contains("FromList < AndamiosElement , AndamiosColumn , AndamiosNulls > for Email"), "{out}");
        assert!(out.contains("where String : :: andamios :: __private :: FromList"), "{out}");
    }

    #[test]
    fn rejects_tuple_structs_of_several_fields_and_unit_structs() {
        for input in [
            syn::parse_quote!(
                struct Pair(i64, i64);
            ),
            syn::parse_quote!(
                struct Unit;
            ),
        ] {
            let err = expand(input).unwrap_err().to_string();
            assert!(err.contains("exactly one unnamed field"), "{err}");
        }
    }
}
