//! DuckDB's BIGNUM (formerly VARINT): an integer of any size.

use crate::value::ParseValueError;
use std::fmt;

/// An integer of any size, as DuckDB's BIGNUM holds it.
///
/// ```
/// use andamios_core::BigNum;
/// let n: BigNum = "-123456789012345678901234567890123456789012".parse().unwrap();
/// assert_eq!(n.to_string(), "-123456789012345678901234567890123456789012");
/// assert_eq!(i128::try_from(&n), Err(n.clone()));
/// assert_eq!(i64::try_from(&BigNum::from(-42i64)), Ok(-42));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct BigNum {
    negative: bool,
    /// The absolute value, big-endian, without leading zero bytes (empty for 0).
    magnitude: Vec<u8>,
}

/// The first byte of a BIGNUM's 3-byte header has this bit set when the number is not negative.
const NON_NEGATIVE_BIT: u32 = 1 << 23;

impl BigNum {
    /// A number from its sign and its absolute value in big-endian bytes.
    pub fn from_sign_and_magnitude(negative: bool, magnitude: &[u8]) -> BigNum {
        let first = magnitude.iter().position(|&b| b != 0).unwrap_or(magnitude.len());
        let magnitude = magnitude[first..].to_vec();
        BigNum { negative: negative && !magnitude.is_empty(), magnitude }
    }

    /// Whether the number is below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The absolute value, big-endian, without leading zero bytes (empty for 0).
    pub fn magnitude(&self) -> &[u8] {
        &self.magnitude
    }

    /// Reads DuckDB's storage format: a 3-byte header (the sign bit, then
    /// the number of data bytes), then the absolute value big-endian; a
    /// negative number has every byte inverted. `None` when `bytes` is not
    /// in that format.
    #[doc(hidden)]
    pub fn from_storage(bytes: &[u8]) -> Option<BigNum> {
        let (header, data) = (bytes.get(..3)?, bytes.get(3..)?);
        let negative = header[0] & 0x80 == 0;
        let flip = |b: u8| if negative { !b } else { b };
        let header = header.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(flip(b)));
        if header & NON_NEGATIVE_BIT == 0 || (header & !NON_NEGATIVE_BIT) as usize != data.len() {
            return None;
        }
        let magnitude: Vec<u8> = data.iter().map(|&b| flip(b)).collect();
        Some(BigNum::from_sign_and_magnitude(negative, &magnitude))
    }

    /// Writes DuckDB's storage format (see [`BigNum::from_storage`]).
    #[doc(hidden)]
    pub fn to_storage(&self) -> Vec<u8> {
        let data: &[u8] = if self.magnitude.is_empty() { &[0] } else { &self.magnitude };
        let header = NON_NEGATIVE_BIT | data.len() as u32;
        let mut out = Vec::with_capacity(3 + data.len());
        out.extend_from_slice(&header.to_be_bytes()[1..]);
        out.extend_from_slice(data);
        if self.negative {
            out.iter_mut().for_each(|b| *b = !*b);
        }
        out
    }

    /// Divides the magnitude by `divisor` in place; returns the remainder.
    fn divide(magnitude: &mut Vec<u8>, divisor: u32) -> u32 {
        let mut remainder = 0u64;
        for byte in magnitude.iter_mut() {
            let current = remainder << 8 | u64::from(*byte);
            *byte = (current / u64::from(divisor)) as u8;
            remainder = current % u64::from(divisor);
        }
        let first = magnitude.iter().position(|&b| b != 0).unwrap_or(magnitude.len());
        magnitude.drain(..first);
        remainder as u32
    }

    /// Multiplies the magnitude by `factor` and adds `addend`, in place.
    fn multiply_add(magnitude: &mut Vec<u8>, factor: u32, addend: u32) {
        let mut carry = u64::from(addend);
        for byte in magnitude.iter_mut().rev() {
            let current = u64::from(*byte) * u64::from(factor) + carry;
            *byte = current as u8;
            carry = current >> 8;
        }
        while carry > 0 {
            magnitude.insert(0, carry as u8);
            carry >>= 8;
        }
    }
}

macro_rules! from_signed {
    ($($t:ty),*) => {$(
        impl From<$t> for BigNum {
            fn from(v: $t) -> BigNum {
                BigNum::from_sign_and_magnitude(v < 0, &v.unsigned_abs().to_be_bytes())
            }
        }
    )*};
}
from_signed!(i8, i16, i32, i64, i128);

macro_rules! from_unsigned {
    ($($t:ty),*) => {$(
        impl From<$t> for BigNum {
            fn from(v: $t) -> BigNum {
                BigNum::from_sign_and_magnitude(false, &v.to_be_bytes())
            }
        }
    )*};
}
from_unsigned!(u8, u16, u32, u64, u128);

macro_rules! try_into_primitive {
    ($($t:ty),*) => {$(
        impl TryFrom<&BigNum> for $t {
            /// The number itself, which does not fit.
            type Error = BigNum;

            fn try_from(n: &BigNum) -> Result<$t, BigNum> {
                if n.magnitude.len() > 16 {
                    return Err(n.clone());
                }
                let mut bytes = [0u8; 16];
                bytes[16 - n.magnitude.len()..].copy_from_slice(&n.magnitude);
                let magnitude = u128::from_be_bytes(bytes);
                let value = if n.negative {
                    // -2^127 is the one magnitude that does not fit i128 positive.
                    0i128.checked_sub_unsigned(magnitude).and_then(|v| <$t>::try_from(v).ok())
                } else {
                    <$t>::try_from(magnitude).ok()
                };
                value.ok_or_else(|| n.clone())
            }
        }
    )*};
}
try_into_primitive!(i8, i16, i32, i64, i128, u8, u16, u32, u64, u128);

crate::debug_as_display!(BigNum);

impl fmt::Display for BigNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.magnitude.is_empty() {
            return f.write_str("0");
        }
        // Nine decimal digits at a time, least significant first.
        const CHUNK: u32 = 1_000_000_000;
        let mut rest = self.magnitude.clone();
        let mut chunks = Vec::new();
        while !rest.is_empty() {
            chunks.push(BigNum::divide(&mut rest, CHUNK));
        }
        let mut text = String::with_capacity(chunks.len() * 9 + 1);
        if self.negative {
            text.push('-');
        }
        let mut chunks = chunks.iter().rev();
        if let Some(first) = chunks.next() {
            text.push_str(&first.to_string());
        }
        for chunk in chunks {
            text.push_str(&format!("{chunk:09}"));
        }
        f.pad(&text)
    }
}

impl std::str::FromStr for BigNum {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseValueError::new(s, "an integer (decimal digits with an optional sign)"));
        }
        let mut magnitude = Vec::new();
        for chunk in digits.as_bytes().chunks(9) {
            let value = chunk.iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
            BigNum::multiply_add(&mut magnitude, 10u32.pow(chunk.len() as u32), value);
        }
        Ok(BigNum::from_sign_and_magnitude(negative, &magnitude))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_and_parses_every_digit() {
        for text in
            ["0", "1", "-1", "255", "-256", "1000000000", "-999999999", "123456789012345678901234567890123456789012"]
        {
            let n: BigNum = text.parse().unwrap();
            assert_eq!(n.to_string(), text);
        }
        assert_eq!("+007".parse::<BigNum>().unwrap().to_string(), "7");
        assert_eq!("-0".parse::<BigNum>().unwrap(), BigNum::default());
        for bad in ["", "-", "1.5", "12a", " 1"] {
            assert!(bad.parse::<BigNum>().is_err(), "{bad}");
        }
    }

    #[test]
    fn converts_to_and_from_primitives_exactly() {
        for v in [0i128, 1, -1, 255, -256, i128::from(i64::MIN), i128::MAX, i128::MIN] {
            let n = BigNum::from(v);
            assert_eq!(n.to_string(), v.to_string());
            assert_eq!(i128::try_from(&n), Ok(v));
        }
        assert_eq!(BigNum::from(u128::MAX).to_string(), u128::MAX.to_string());
        assert!(i64::try_from(&BigNum::from(i128::from(i64::MAX) + 1)).is_err());
        assert!(u8::try_from(&BigNum::from(-1)).is_err());
        assert!(i128::try_from(&BigNum::from(u128::MAX)).is_err());
    }

    #[test]
    fn reads_and_writes_duckdb_storage() {
        // Bytes as DuckDB stores these numbers.
        let cases: [(i64, &[u8]); 6] = [
            (0, &[128, 0, 1, 0]),
            (1, &[128, 0, 1, 1]),
            (-1, &[127, 255, 254, 254]),
            (256, &[128, 0, 2, 1, 0]),
            (-256, &[127, 255, 253, 254, 255]),
            (-255, &[127, 255, 254, 0]),
        ];
        for (value, stored) in cases {
            assert_eq!(BigNum::from_storage(stored), Some(BigNum::from(value)), "{value}");
            assert_eq!(BigNum::from(value).to_storage(), stored, "{value}");
        }
        assert_eq!(BigNum::from_storage(&[128, 0, 2, 1]), None, "a length that does not match");
        assert_eq!(BigNum::from_storage(&[128, 0]), None);
    }
}
