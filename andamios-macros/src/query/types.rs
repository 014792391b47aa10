//! DuckDB types to Rust types (results) and to argument markers (parameters).
//! The optional mappings follow the features `andamios` enables here.

use super::expand::{alias_for, field_ident};
use andamios_core::DuckType;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::HashSet;
use syn::ext::IdentExt;

/// The Rust types of one macro call's columns, with a struct defined for
/// each STRUCT they hold (see [`RustTypes::definitions`]).
#[derive(Default)]
pub(crate) struct RustTypes {
    structs: Vec<TokenStream>,
    names: HashSet<String>,
}

impl RustTypes {
    /// The structs defined for the STRUCT values met so far, to emit beside
    /// the row type: each derives `andamios::Type`, `Debug`, `Clone` and
    /// `PartialEq`, with a field per STRUCT field, an `Option` unless the
    /// plan shows it is never NULL (DuckDB has no NOT NULL inside a STRUCT
    /// column of a table).
    pub(crate) fn definitions(&self) -> TokenStream {
        let structs = &self.structs;
        quote!(#(#structs)*)
    }

    /// The Rust type a value of `ty` decodes into, or why there is none;
    /// `name` (the column's field) names the structs defined for it.
    pub(crate) fn rust_type(&mut self, ty: &DuckType, name: &str) -> Result<TokenStream, String> {
        self.column_rust_type(ty, true, true, name)
    }

    /// The Rust type of a result column of `ty`: [`rust_type`](Self::rust_type),
    /// but with the values inside a LIST, ARRAY or MAP, and the fields of a
    /// STRUCT, not wrapped in `Option` when the plan shows that none can be
    /// NULL (`list(x)` of a NOT NULL `x`, `histogram(x)`, `{'a': x}`), nor
    /// the values inside those when `nested_nullable` is false
    /// (`list({'a': x})`).
    pub(crate) fn column_rust_type(
        &mut self,
        ty: &DuckType,
        elements_nullable: bool,
        nested_nullable: bool,
        name: &str,
    ) -> Result<TokenStream, String> {
        use DuckType as T;
        Ok(match ty {
            T::Boolean => quote!(bool),
            T::TinyInt => quote!(i8),
            T::SmallInt => quote!(i16),
            T::Integer => quote!(i32),
            T::BigInt => quote!(i64),
            T::HugeInt => quote!(i128),
            T::UTinyInt => quote!(u8),
            T::USmallInt => quote!(u16),
            T::UInteger => quote!(u32),
            T::UBigInt => quote!(u64),
            T::UHugeInt => quote!(u128),
            T::Float => quote!(f32),
            T::Double => quote!(f64),
            T::Decimal { .. } if cfg!(feature = "rust_decimal") => quote!(::rust_decimal::Decimal),
            T::Decimal { .. } => quote!(::andamios::types::Decimal),
            T::Varchar | T::Enum { .. } => quote!(::std::string::String),
            T::Json if cfg!(feature = "json") => quote!(::serde_json::Value),
            T::Json => quote!(::std::string::String),
            // A GEOMETRY reads as its WKB.
            T::Blob | T::Geometry => quote!(::std::vec::Vec<u8>),
            T::Date if cfg!(feature = "chrono") => quote!(::chrono::NaiveDate),
            T::Date if cfg!(feature = "time") => quote!(::time::Date),
            T::Date => quote!(::andamios::types::Date),
            T::Time | T::TimeNs if cfg!(feature = "chrono") => quote!(::chrono::NaiveTime),
            T::Time | T::TimeNs if cfg!(feature = "time") => quote!(::time::Time),
            T::Time | T::TimeNs => quote!(::andamios::types::Time),
            T::TimeTz => quote!(::andamios::types::TimeTz),
            T::Bit => quote!(::andamios::types::BitString),
            T::BigNum => quote!(::andamios::types::BigNum),
            T::Timestamp | T::TimestampS | T::TimestampMs | T::TimestampNs if cfg!(feature = "chrono") => {
                quote!(::chrono::NaiveDateTime)
            }
            T::Timestamp | T::TimestampS | T::TimestampMs | T::TimestampNs if cfg!(feature = "time") => {
                quote!(::time::PrimitiveDateTime)
            }
            T::Timestamp | T::TimestampS | T::TimestampMs | T::TimestampNs => quote!(::andamios::types::Timestamp),
            T::TimestampTz | T::TimestampTzNs if cfg!(feature = "chrono") => {
                quote!(::chrono::DateTime<::chrono::Utc>)
            }
            T::TimestampTz | T::TimestampTzNs if cfg!(feature = "time") => quote!(::time::OffsetDateTime),
            T::TimestampTz | T::TimestampTzNs => quote!(::andamios::types::TimestampTz),
            T::Interval => quote!(::andamios::types::Interval),
            T::Variant => quote!(::andamios::types::Value),
            T::Uuid if cfg!(feature = "uuid") => quote!(::uuid::Uuid),
            T::Uuid => {
                return Err("UUID columns need the `uuid` feature of andamios (or cast the column: `col::VARCHAR`)".into())
            }
            T::List { element } | T::Array { element, .. } => {
                let inner = self.column_rust_type(element, nested_nullable, true, name)?;
                let inner = optional(inner, elements_nullable);
                quote!(::std::vec::Vec<#inner>)
            }
            T::Map { key, value } => self.map_type(key, value, elements_nullable, nested_nullable, name)?,
            T::Struct { fields } => self.struct_type(fields, elements_nullable, nested_nullable, name)?,
            T::Union { .. } => {
                return Err(format!(
                    "a {ty} column needs a Rust enum: derive `andamios::Type` on one whose variants each hold a member's value, and name it in the alias, `AS \"col: MyEnum\"`"
                ))
            }
            T::Null => return Err("the column is always NULL and has no type; cast it (`NULL::INTEGER`)".into()),
            other => {
                let casts = other.readable_casts().unwrap_or("`col::VARCHAR`");
                return Err(format!("Andamios reads no Rust type from DuckDB {other} columns; cast the column: {casts}"));
            }
        })
    }

    /// The Rust type of a MAP: a `HashMap`, or (for keys that cannot be
    /// hashed) its entries in order; its values `Option`s when
    /// `values_nullable`, and theirs when `nested_nullable`.
    fn map_type(
        &mut self,
        key: &DuckType,
        value: &DuckType,
        values_nullable: bool,
        nested_nullable: bool,
        name: &str,
    ) -> Result<TokenStream, String> {
        let k = self.rust_type(key, &format!("{name}_key"))?;
        let v = optional(self.column_rust_type(value, nested_nullable, true, name)?, values_nullable);
        Ok(if hashable(key) {
            quote!(::std::collections::HashMap<#k, #v>)
        } else {
            // No HashMap of float keys: the entries, in the MAP's order.
            quote!(::std::vec::Vec<(#k, #v)>)
        })
    }

    /// Defines a struct for values of a STRUCT of `fields`, named after the
    /// column (`Record_address`), and returns its name; its fields are
    /// `Option`s when `fields_nullable`, and the values inside them when
    /// `nested_nullable`.
    fn struct_type(
        &mut self,
        fields: &[(String, DuckType)],
        fields_nullable: bool,
        nested_nullable: bool,
        name: &str,
    ) -> Result<TokenStream, String> {
        let mut type_name = format!("Record_{name}");
        for n in 2.. {
            if self.names.insert(type_name.clone()) {
                break;
            }
            type_name = format!("Record_{name}{n}");
        }
        let type_ident = Ident::new(&type_name, Span::call_site());
        let (mut idents, mut types) = (Vec::new(), Vec::new());
        for (field, field_ty) in fields {
            let Some(ident) = field_ident(field, Span::call_site()) else {
                return Err(format!(
                    "its STRUCT field `{field}` is not a valid Rust field name: rename it in the SQL (to `{}`, \
                     say), or derive `andamios::Type` on a struct of yours, with \
                     `#[andamios(rename = \"{field}\")]` on that field, and name it in the alias, \
                     `AS \"col: MyStruct\"`",
                    alias_for(field)
                ));
            };
            let field_type =
                self.column_rust_type(field_ty, nested_nullable, true, &format!("{name}_{}", ident.unraw()))?;
            types.push(optional(field_type, fields_nullable));
            idents.push(ident);
        }
        let names = fields.iter().map(|(field, _)| field);
        self.structs.push(quote! {
            #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq, ::andamios::Type)]
            #[allow(non_camel_case_types, dead_code)]
            pub struct #type_ident {
                #(#[andamios(rename = #names)] pub #idents: #types,)*
            }
        });
        Ok(quote!(#type_ident))
    }
}

/// `ty`, or an `Option` of it when `nullable`.
fn optional(ty: TokenStream, nullable: bool) -> TokenStream {
    if nullable {
        quote!(::core::option::Option<#ty>)
    } else {
        ty
    }
}

/// Whether the Rust type of `ty` (see [`RustTypes::rust_type`]) implements
/// `Hash` and `Eq`, as a `HashMap` key must.
fn hashable(ty: &DuckType) -> bool {
    match ty {
        DuckType::Float | DuckType::Double | DuckType::Struct { .. } => false,
        DuckType::Json => !cfg!(feature = "json"),
        DuckType::List { element } | DuckType::Array { element, .. } => hashable(element),
        DuckType::Map { .. } => false,
        _ => true,
    }
}

/// The marker of a parameter of type `ty`, or `None` when any value is accepted.
pub(crate) fn param_marker(ty: &DuckType) -> Option<TokenStream> {
    use DuckType as T;
    let name = match ty {
        T::Boolean => quote!(Boolean),
        T::TinyInt => quote!(TinyInt),
        T::SmallInt => quote!(SmallInt),
        T::Integer => quote!(Integer),
        T::BigInt => quote!(BigInt),
        T::HugeInt => quote!(HugeInt),
        T::UTinyInt => quote!(UTinyInt),
        T::USmallInt => quote!(USmallInt),
        T::UInteger => quote!(UInteger),
        T::UBigInt => quote!(UBigInt),
        T::UHugeInt => quote!(UHugeInt),
        T::Float => quote!(Float),
        T::Double => quote!(Double),
        T::Decimal { .. } => quote!(Decimal),
        T::Varchar => quote!(Varchar),
        T::Json => quote!(Json),
        T::Blob | T::Geometry => quote!(Blob),
        T::Date => quote!(Date),
        T::Time => quote!(Time),
        T::Timestamp | T::TimestampS | T::TimestampMs | T::TimestampNs => quote!(Timestamp),
        T::TimestampTz | T::TimestampTzNs => quote!(TimestampTz),
        T::Interval => quote!(Interval),
        T::Uuid => quote!(Uuid),
        T::TimeTz => quote!(TimeTz),
        T::Bit => quote!(Bit),
        T::BigNum => quote!(BigNum),
        T::Enum { .. } => quote!(Enum),
        T::Struct { .. } => quote!(Struct),
        T::Map { .. } => quote!(Map),
        T::List { element } | T::Array { element, .. } => {
            let inner = param_marker(element)?;
            return Some(quote!(::andamios::__private::sql::List<#inner>));
        }
        _ => return None,
    };
    Some(quote!(::andamios::__private::sql::#name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A type's tokens without the spaces, which differ as they are joined.
    fn flat(tokens: TokenStream) -> String {
        tokens.to_string().replace(' ', "")
    }

    fn rust_type(ty: &DuckType) -> Result<TokenStream, String> {
        RustTypes::default().rust_type(ty, "c")
    }

    fn column_rust_type(ty: &DuckType, elements_nullable: bool) -> Result<TokenStream, String> {
        RustTypes::default().column_rust_type(ty, elements_nullable, true, "c")
    }

    #[test]
    fn maps_nested_types() {
        let ty = DuckType::list(DuckType::Integer);
        assert_eq!(flat(rust_type(&ty).unwrap()), flat(quote!(::std::vec::Vec<::core::option::Option<i32>>)));
        let union = DuckType::Union { members: vec![("n".into(), DuckType::Integer)] };
        assert!(rust_type(&union).unwrap_err().contains("a UNION(n INTEGER) column needs a Rust enum"));
        assert!(rust_type(&DuckType::Null).unwrap_err().contains("cast"));
        // A VARIANT holds any value: the dynamic one.
        assert_eq!(flat(rust_type(&DuckType::Variant).unwrap()), flat(quote!(::andamios::types::Value)));
        let marker = param_marker(&ty).unwrap().to_string();
        assert!(marker.contains("List") && marker.contains("Integer"), "{marker}");
        assert!(param_marker(&DuckType::Null).is_none());
        assert!(param_marker(&DuckType::Bit).unwrap().to_string().contains("Bit"));
    }

    #[test]
    fn a_column_whose_list_holds_no_null_has_plain_values_one_level_deep() {
        let nested = DuckType::list(DuckType::list(DuckType::Integer));
        assert_eq!(
            flat(column_rust_type(&nested, false).unwrap()),
            flat(quote!(::std::vec::Vec<::std::vec::Vec<::core::option::Option<i32>>>))
        );
        assert_eq!(column_rust_type(&nested, true).unwrap().to_string(), rust_type(&nested).unwrap().to_string());
        let counts = DuckType::Map { key: Box::new(DuckType::Varchar), value: Box::new(DuckType::UBigInt) };
        assert_eq!(
            flat(column_rust_type(&counts, false).unwrap()),
            flat(quote!(::std::collections::HashMap<::std::string::String, u64>))
        );
        assert_eq!(
            column_rust_type(&DuckType::Varchar, false).unwrap().to_string(),
            rust_type(&DuckType::Varchar).unwrap().to_string()
        );
    }

    #[test]
    fn maps_with_float_keys_are_vecs_of_pairs() {
        let map = |key: DuckType| DuckType::Map { key: Box::new(key), value: Box::new(DuckType::Integer) };
        let by_varchar = rust_type(&map(DuckType::Varchar)).unwrap().to_string();
        assert!(by_varchar.starts_with(&quote!(::std::collections::HashMap).to_string()), "{by_varchar}");
        for key in [DuckType::Double, DuckType::list(DuckType::Float)] {
            let pairs = rust_type(&map(key)).unwrap().to_string();
            assert!(pairs.starts_with(":: std :: vec :: Vec < ("), "{pairs}");
        }
    }

    #[test]
    fn a_struct_gets_a_struct_of_its_own_named_after_its_column() {
        let address = DuckType::Struct {
            fields: vec![
                ("street".into(), DuckType::Varchar),
                ("type".into(), DuckType::Integer),
                ("geo".into(), DuckType::Struct { fields: vec![("lat".into(), DuckType::Double)] }),
            ],
        };
        let mut types = RustTypes::default();
        let list = types.rust_type(&DuckType::list(address.clone()), "addresses").unwrap();
        assert_eq!(flat(list), flat(quote!(::std::vec::Vec<::core::option::Option<Record_addresses>>)));
        // Another column of the same name (in another query) gets another name.
        assert_eq!(types.rust_type(&address, "addresses").unwrap().to_string(), "Record_addresses2");
        let defined = types.definitions().to_string();
        for part in [
            "pub struct Record_addresses_geo { # [andamios (rename = \"lat\")] pub lat : :: core :: option :: Option < f64 > , }",
            "# [andamios (rename = \"type\")] pub r#type : :: core :: option :: Option < i32 >",
            "pub geo : :: core :: option :: Option < Record_addresses_geo >",
            "pub struct Record_addresses2",
        ] {
            assert!(defined.contains(part), "{part} in {defined}");
        }
        let odd = DuckType::Struct { fields: vec![("my field".into(), DuckType::Integer)] };
        let err = rust_type(&odd).unwrap_err();
        assert!(err.contains("field `my field` is not a valid Rust field name"), "{err}");
        assert!(err.contains("#[andamios(rename = \"my field\")]"), "{err}");
        assert!(err.contains("rename it in the SQL (to `my_field`, say)"), "{err}");
        // A MAP keyed by a STRUCT is its entries: the struct is not `Hash`.
        let keyed = DuckType::Map { key: Box::new(odd_free()), value: Box::new(DuckType::Integer) };
        assert!(rust_type(&keyed).unwrap().to_string().starts_with(":: std :: vec :: Vec < ("));
    }

    #[test]
    fn a_struct_whose_fields_hold_no_null_has_plain_fields() {
        let mut types = RustTypes::default();
        assert_eq!(types.column_rust_type(&odd_free(), false, true, "s").unwrap().to_string(), "Record_s");
        let defined = types.definitions().to_string();
        assert!(defined.contains("pub a : i32 ,"), "{defined}");
        // One level further in: the fields of the STRUCTs in a LIST, the
        // elements of the LISTs in a LIST.
        let mut types = RustTypes::default();
        let rows = types.column_rust_type(&DuckType::list(odd_free()), false, false, "rows").unwrap();
        assert_eq!(flat(rows), flat(quote!(::std::vec::Vec<Record_rows>)));
        assert!(types.definitions().to_string().contains("pub a : i32 ,"));
        let nested = DuckType::list(DuckType::list(DuckType::Integer));
        let plain = RustTypes::default().column_rust_type(&nested, false, false, "n").unwrap();
        assert_eq!(flat(plain), flat(quote!(::std::vec::Vec<::std::vec::Vec<i32>>)));
    }

    fn odd_free() -> DuckType {
        DuckType::Struct { fields: vec![("a".into(), DuckType::Integer)] }
    }
}
