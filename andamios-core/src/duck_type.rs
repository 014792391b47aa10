use serde::{Deserialize, Serialize};
use std::fmt;

/// A DuckDB logical type, fully described: decimal width and scale, list and
/// array elements, struct fields, map keys and values, enum members, and the
/// JSON alias.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DuckType {
    /// `BOOLEAN`
    Boolean,
    /// `TINYINT`
    TinyInt,
    /// `SMALLINT`
    SmallInt,
    /// `INTEGER`
    Integer,
    /// `BIGINT`
    BigInt,
    /// `HUGEINT`
    HugeInt,
    /// `UTINYINT`
    UTinyInt,
    /// `USMALLINT`
    USmallInt,
    /// `UINTEGER`
    UInteger,
    /// `UBIGINT`
    UBigInt,
    /// `UHUGEINT`
    UHugeInt,
    /// `FLOAT`
    Float,
    /// `DOUBLE`
    Double,
    /// `DECIMAL(width, scale)`
    Decimal {
        /// Total number of digits.
        width: u8,
        /// Digits after the decimal point.
        scale: u8,
    },
    /// `VARCHAR`
    Varchar,
    /// `JSON` (a VARCHAR with the JSON alias)
    Json,
    /// `BLOB`
    Blob,
    /// `BIT`
    Bit,
    /// `BIGNUM` (arbitrary precision integer)
    BigNum,
    /// `DATE`
    Date,
    /// `TIME` (microseconds)
    Time,
    /// `TIME_NS`
    TimeNs,
    /// `TIME WITH TIME ZONE`
    TimeTz,
    /// `TIMESTAMP` (microseconds)
    Timestamp,
    /// `TIMESTAMP_S`
    TimestampS,
    /// `TIMESTAMP_MS`
    TimestampMs,
    /// `TIMESTAMP_NS`
    TimestampNs,
    /// `TIMESTAMP WITH TIME ZONE` (microseconds, UTC)
    TimestampTz,
    /// `TIMESTAMPTZ_NS` (nanoseconds, UTC)
    TimestampTzNs,
    /// `INTERVAL`
    Interval,
    /// `UUID`
    Uuid,
    /// `ENUM(...)` with its members in order.
    Enum {
        /// The members, in declaration order.
        members: Vec<String>,
    },
    /// `T[]`
    List {
        /// Element type.
        element: Box<DuckType>,
    },
    /// `T[n]`
    Array {
        /// Element type.
        element: Box<DuckType>,
        /// Fixed length.
        size: usize,
    },
    /// `STRUCT(name T, ...)`
    Struct {
        /// Fields in order.
        fields: Vec<(String, DuckType)>,
    },
    /// `MAP(K, V)`
    Map {
        /// Key type.
        key: Box<DuckType>,
        /// Value type.
        value: Box<DuckType>,
    },
    /// `UNION(tag T, ...)`
    Union {
        /// Members in order.
        members: Vec<(String, DuckType)>,
    },
    /// `GEOMETRY` (stored as WKB).
    Geometry,
    /// `VARIANT` (read it through a cast in SQL).
    Variant,
    /// The type of a bare `NULL`.
    Null,
    /// A type DuckDB could not determine, e.g. an untyped parameter (`SELECT $1`).
    Unknown,
    /// A type this version of Andamios does not model, by DuckDB's type id.
    Other {
        /// DuckDB's `duckdb_type` id.
        id: u32,
    },
}

impl DuckType {
    /// Shorthand for a list of `element`.
    pub fn list(element: DuckType) -> Self {
        DuckType::List { element: Box::new(element) }
    }

    /// For a type that no Rust type reads (one this version does not
    /// model), the casts that make it readable.
    pub fn readable_casts(&self) -> Option<&'static str> {
        match self {
            DuckType::Other { .. } => Some("`col::VARCHAR`"),
            _ => None,
        }
    }

    /// Whether values of this type are text (VARCHAR or JSON).
    pub fn is_text(&self) -> bool {
        matches!(self, DuckType::Varchar | DuckType::Json)
    }

    /// Whether values of this type have a variable length (strings, blobs,
    /// lists, maps, or a struct or union holding one): the Rust values they
    /// decode into own heap memory.
    pub fn is_variable_length(&self) -> bool {
        use DuckType::*;
        match self {
            Varchar | Json | Blob | Bit | BigNum | Geometry | Variant | List { .. } | Array { .. } | Map { .. } => true,
            Struct { fields } => fields.iter().any(|(_, t)| t.is_variable_length()),
            Union { members } => members.iter().any(|(_, t)| t.is_variable_length()),
            _ => false,
        }
    }

    /// Whether values of this type are numbers.
    pub fn is_numeric(&self) -> bool {
        use DuckType::*;
        matches!(
            self,
            TinyInt
                | SmallInt
                | Integer
                | BigInt
                | HugeInt
                | UTinyInt
                | USmallInt
                | UInteger
                | UBigInt
                | UHugeInt
                | Float
                | Double
                | Decimal { .. }
        )
    }

    /// Bytes per row of this type's main vector, or `None` for types whose
    /// values live in child vectors only (STRUCT, UNION) or are unknown.
    pub fn physical_width(&self) -> Option<usize> {
        use DuckType::*;
        Some(match self {
            Boolean | TinyInt | UTinyInt => 1,
            SmallInt | USmallInt => 2,
            Integer | UInteger | Float | Date => 4,
            BigInt | UBigInt | Double | Time | TimeNs | TimeTz | Timestamp | TimestampS | TimestampMs | TimestampNs
            | TimestampTz | TimestampTzNs => 8,
            HugeInt | UHugeInt | Uuid | Interval | List { .. } | Map { .. } => 16,
            Varchar | Json | Blob | Bit | BigNum | Geometry => 16,
            Decimal { width, .. } => match width {
                0..=4 => 2,
                5..=9 => 4,
                10..=18 => 8,
                _ => 16,
            },
            Enum { members } => enum_index_width(members.len()),
            Array { .. } | Struct { .. } | Union { .. } | Variant | Null | Unknown | Other { .. } => return None,
        })
    }
}

/// Width of the integer DuckDB stores an enum member's index in.
pub(crate) fn enum_index_width(members: usize) -> usize {
    if members <= u8::MAX as usize {
        1
    } else if members <= u16::MAX as usize {
        2
    } else {
        4
    }
}

fn write_fields(f: &mut fmt::Formatter<'_>, fields: &[(String, DuckType)]) -> fmt::Result {
    for (i, (name, ty)) in fields.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{name} {ty}")?;
    }
    Ok(())
}

impl fmt::Display for DuckType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DuckType::*;
        let name = match self {
            Boolean => "BOOLEAN",
            TinyInt => "TINYINT",
            SmallInt => "SMALLINT",
            Integer => "INTEGER",
            BigInt => "BIGINT",
            HugeInt => "HUGEINT",
            UTinyInt => "UTINYINT",
            USmallInt => "USMALLINT",
            UInteger => "UINTEGER",
            UBigInt => "UBIGINT",
            UHugeInt => "UHUGEINT",
            Float => "FLOAT",
            Double => "DOUBLE",
            Varchar => "VARCHAR",
            Json => "JSON",
            Blob => "BLOB",
            Bit => "BIT",
            BigNum => "BIGNUM",
            Date => "DATE",
            Time => "TIME",
            TimeNs => "TIME_NS",
            TimeTz => "TIME WITH TIME ZONE",
            Timestamp => "TIMESTAMP",
            TimestampS => "TIMESTAMP_S",
            TimestampMs => "TIMESTAMP_MS",
            TimestampNs => "TIMESTAMP_NS",
            TimestampTzNs => "TIMESTAMPTZ_NS",
            Geometry => "GEOMETRY",
            Variant => "VARIANT",
            TimestampTz => "TIMESTAMP WITH TIME ZONE",
            Interval => "INTERVAL",
            Uuid => "UUID",
            Null => "NULL",
            Unknown => "UNKNOWN",
            Decimal { width, scale } => return write!(f, "DECIMAL({width},{scale})"),
            List { element } => return write!(f, "{element}[]"),
            Array { element, size } => return write!(f, "{element}[{size}]"),
            Map { key, value } => return write!(f, "MAP({key}, {value})"),
            Struct { fields } => {
                f.write_str("STRUCT(")?;
                write_fields(f, fields)?;
                return f.write_str(")");
            }
            Union { members } => {
                f.write_str("UNION(")?;
                write_fields(f, members)?;
                return f.write_str(")");
            }
            Enum { members } => {
                f.write_str("ENUM(")?;
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "'{}'", m.replace('\'', "''"))?;
                }
                return f.write_str(")");
            }
            Other { id } => return write!(f, "TYPE#{id}"),
        };
        f.write_str(name)
    }
}

/// What kind of statement DuckDB prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum StatementKind {
    Select,
    Insert,
    Update,
    Delete,
    Merge,
    Create,
    Alter,
    Drop,
    Transaction,
    Copy,
    Explain,
    Pragma,
    Set,
    Call,
    /// A statement DuckDB runs as several: a PIVOT without an `IN` list
    /// (on its own or inside another statement) first creates an ENUM of
    /// the values its columns are named after, read from the data when the
    /// statement runs, so its result columns are unknown until then.
    Multi,
    Other,
}

impl StatementKind {
    /// Whether DuckDB's result columns for this statement are rows the user
    /// asked for (as opposed to the `Count` column DuckDB reports for DML
    /// without RETURNING).
    pub fn returns_rows(self, column_names: &[&str]) -> bool {
        match self {
            StatementKind::Insert | StatementKind::Update | StatementKind::Delete | StatementKind::Merge => {
                column_names != ["Count"]
            }
            StatementKind::Select | StatementKind::Explain | StatementKind::Pragma | StatementKind::Call => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_length_types_include_nested_ones() {
        assert!(DuckType::Varchar.is_variable_length());
        assert!(DuckType::list(DuckType::Integer).is_variable_length());
        assert!(!DuckType::Date.is_variable_length());
        assert!(!DuckType::Decimal { width: 38, scale: 2 }.is_variable_length());
        let fixed = DuckType::Struct { fields: vec![("a".into(), DuckType::Integer)] };
        assert!(!fixed.is_variable_length());
        let with_text =
            DuckType::Struct { fields: vec![("a".into(), DuckType::Integer), ("b".into(), DuckType::Blob)] };
        assert!(with_text.is_variable_length());
    }

    #[test]
    fn displays_nested_types_as_sql() {
        let ty = DuckType::Struct {
            fields: vec![
                ("a".into(), DuckType::list(DuckType::Decimal { width: 10, scale: 2 })),
                ("b".into(), DuckType::Map { key: Box::new(DuckType::Varchar), value: Box::new(DuckType::Integer) }),
                ("c".into(), DuckType::Enum { members: vec!["x".into(), "it's".into()] }),
            ],
        };
        assert_eq!(ty.to_string(), "STRUCT(a DECIMAL(10,2)[], b MAP(VARCHAR, INTEGER), c ENUM('x', 'it''s'))");
    }

    #[test]
    fn decimal_storage_follows_width() {
        assert_eq!(DuckType::Decimal { width: 4, scale: 0 }.physical_width(), Some(2));
        assert_eq!(DuckType::Decimal { width: 9, scale: 0 }.physical_width(), Some(4));
        assert_eq!(DuckType::Decimal { width: 18, scale: 0 }.physical_width(), Some(8));
        assert_eq!(DuckType::Decimal { width: 38, scale: 0 }.physical_width(), Some(16));
    }

    #[test]
    fn dml_count_column_is_not_rows() {
        assert!(!StatementKind::Insert.returns_rows(&["Count"]));
        assert!(StatementKind::Insert.returns_rows(&["id"]));
        assert!(!StatementKind::Create.returns_rows(&["Count"]));
    }
}
