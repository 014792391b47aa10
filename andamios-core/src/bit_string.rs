//! DuckDB's BIT: a string of bits.

use crate::value::ParseValueError;
use std::fmt;

/// A string of bits, as DuckDB's BIT (BITSTRING) holds it.
///
/// ```
/// use andamios_core::BitString;
/// let bits: BitString = "10110".parse().unwrap();
/// assert_eq!(bits.len(), 5);
/// assert_eq!(bits.get(2), Some(true));
/// assert_eq!(bits.to_string(), "10110");
/// assert_eq!(BitString::from_bits([true, false]).to_string(), "10");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BitString {
    /// DuckDB's storage: the number of padding bits, then the bits, first
    /// bit most significant, with the padding (set to 1) in front.
    stored: Vec<u8>,
}

impl BitString {
    /// The bits in order.
    pub fn from_bits(bits: impl IntoIterator<Item = bool>) -> BitString {
        let bits: Vec<bool> = bits.into_iter().collect();
        let padding = (8 - bits.len() % 8) % 8;
        let mut stored = vec![0u8; 1 + (padding + bits.len()).div_ceil(8)];
        stored[0] = padding as u8;
        let padded = std::iter::repeat_n(true, padding).chain(bits);
        for (i, bit) in padded.enumerate() {
            if bit {
                stored[1 + i / 8] |= 0x80 >> (i % 8);
            }
        }
        BitString { stored }
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        (self.stored.len() - 1) * 8 - usize::from(self.stored[0])
    }

    /// Whether there are no bits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bit `index` (0 is the first, leftmost bit).
    pub fn get(&self, index: usize) -> Option<bool> {
        if index >= self.len() {
            return None;
        }
        let position = usize::from(self.stored[0]) + index;
        Some(self.stored[1 + position / 8] & (0x80 >> (position % 8)) != 0)
    }

    /// The bits in order.
    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Reads DuckDB's storage format; `None` when `bytes` is not in it.
    #[doc(hidden)]
    pub fn from_storage(bytes: &[u8]) -> Option<BitString> {
        let (&padding, data) = bytes.split_first()?;
        // An empty bit string is the padding byte alone, 0.
        if padding >= 8 || (data.is_empty() && padding != 0) {
            return None;
        }
        Some(BitString { stored: bytes.to_vec() })
    }

    /// DuckDB's storage format (see [`BitString::from_storage`]).
    #[doc(hidden)]
    pub fn storage(&self) -> &[u8] {
        &self.stored
    }
}

crate::debug_as_display!(BitString);

impl fmt::Display for BitString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: String = self.iter().map(|bit| if bit { '1' } else { '0' }).collect();
        f.pad(&text)
    }
}

impl std::str::FromStr for BitString {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !s.bytes().all(|b| b == b'0' || b == b'1') {
            return Err(ParseValueError::new(s, "a bit string (0s and 1s)"));
        }
        Ok(BitString::from_bits(s.bytes().map(|b| b == b'1')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_bits_as_duckdb_does() {
        // Bytes as DuckDB stores these bit strings.
        let cases: [(&str, &[u8]); 4] =
            [("0101", &[4, 0xF5]), ("1", &[7, 0xFF]), ("10000000", &[0, 0x80]), ("100000001", &[7, 0xFF, 0x01])];
        for (text, stored) in cases {
            let bits: BitString = text.parse().unwrap();
            assert_eq!(bits.storage(), stored, "{text}");
            assert_eq!(BitString::from_storage(stored).unwrap().to_string(), text);
            assert_eq!(bits.len(), text.len());
        }
        assert_eq!(BitString::from_storage(&[8, 0]), None);
        assert_eq!(BitString::from_storage(&[3]), None);
        assert_eq!(BitString::from_storage(&[0]), Some(BitString::from_bits([])));
        assert!(BitString::from_bits([]).is_empty());
        assert_eq!("".parse::<BitString>(), Ok(BitString::from_bits([])));
        assert!("012".parse::<BitString>().is_err());
    }
}
