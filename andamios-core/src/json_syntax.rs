//! Whether text is JSON as DuckDB reads it, for the values an appender
//! writes into a JSON column: DuckDB's appender stores any text there,
//! while an INSERT refuses what its JSON reader refuses, and every JSON
//! function fails on the table afterwards.
//!
//! DuckDB's reader takes RFC 8259 JSON, any value at the top, plus
//! `NaN`, `Inf` and `Infinity` in any case (with an optional `-`) and a
//! trailing comma in an array or object.

/// Why `text` is not JSON that DuckDB reads, with the byte offset where
/// reading stopped; `None` for valid JSON.
pub fn json_syntax_problem(text: &str) -> Option<String> {
    let mut reader = Reader { bytes: text.as_bytes(), at: 0 };
    reader.document().err().map(|(at, why)| format!("{why} at byte {at}"))
}

type Step = Result<(), (usize, &'static str)>;

/// An open array or object.
struct Open {
    /// The byte that closes it: `]` or `}`.
    close: u8,
    /// Until its first value or member.
    first: bool,
}

struct Reader<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn fail(&self, why: &'static str) -> Step {
        Err((self.at, why))
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// One value and nothing after it but whitespace. Iterative, with the
    /// open containers on a stack: any depth reads without recursion.
    fn document(&mut self) -> Step {
        let mut open: Vec<Open> = Vec::new();
        self.skip_whitespace();
        if self.peek().is_none() {
            return self.fail("empty text");
        }
        loop {
            // A value is due here.
            self.skip_whitespace();
            match self.peek() {
                Some(b'[') => {
                    self.at += 1;
                    open.push(Open { close: b']', first: true });
                }
                Some(b'{') => {
                    self.at += 1;
                    open.push(Open { close: b'}', first: true });
                }
                _ => self.scalar()?,
            }
            // Close what the value completes, up to a place where another
            // value is due.
            loop {
                self.skip_whitespace();
                let Some(top) = open.last_mut() else {
                    return match self.peek() {
                        None => Ok(()),
                        Some(_) => self.fail("text after the end of the JSON value"),
                    };
                };
                let first = std::mem::replace(&mut top.first, false);
                let (close, object) = (top.close, top.close == b'}');
                match self.peek() {
                    Some(c) if c == close => {
                        self.at += 1;
                        open.pop();
                    }
                    Some(b',') if !first => {
                        self.at += 1;
                        self.skip_whitespace();
                        // A trailing comma.
                        if self.peek() == Some(close) {
                            self.at += 1;
                            open.pop();
                            continue;
                        }
                        if object {
                            self.member_name()?;
                        }
                        break;
                    }
                    _ if first => {
                        if object {
                            self.member_name()?;
                        }
                        break;
                    }
                    _ if object => return self.fail("expected `,` or `}` in an object"),
                    _ => return self.fail("expected `,` or `]` in an array"),
                }
            }
        }
    }

    /// A member's name and its colon.
    fn member_name(&mut self) -> Step {
        if self.peek() != Some(b'"') {
            return self.fail("expected a member name (a string in double quotes)");
        }
        self.string()?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return self.fail("expected `:` after a member name");
        }
        self.at += 1;
        Ok(())
    }

    fn scalar(&mut self) -> Step {
        match self.peek() {
            Some(b'"') => self.string(),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') if self.bytes[self.at..].starts_with(b"null") => self.literal("null"),
            Some(b'n' | b'N' | b'i' | b'I') => self.infinity_or_nan(),
            None => self.fail("the text ends where a value is due"),
            Some(_) => self.fail("expected a value"),
        }
    }

    fn literal(&mut self, word: &'static str) -> Step {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(())
        } else {
            self.fail("not a JSON literal (true, false or null)")
        }
    }

    /// `Inf`, `Infinity` or `NaN` in any case, after an optional `-`.
    fn infinity_or_nan(&mut self) -> Step {
        let rest = &self.bytes[self.at..];
        let starts = |word: &[u8]| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word);
        let len = if starts(b"infinity") {
            8
        } else if starts(b"inf") || starts(b"nan") {
            3
        } else {
            return self.fail("expected a value");
        };
        self.at += len;
        Ok(())
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Step {
        if self.peek() == Some(b'-') {
            self.at += 1;
            if matches!(self.peek(), Some(b'n' | b'N' | b'i' | b'I')) {
                return self.infinity_or_nan();
            }
        }
        match self.peek() {
            Some(b'0') => {
                self.at += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return self.fail("a number with a leading zero");
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.fail("expected a digit"),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return self.fail("expected a digit after the decimal point");
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return self.fail("expected a digit in the exponent");
            }
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, (usize, &'static str)> {
        let hex = self.bytes.get(self.at..self.at + 4).ok_or((self.at, "a \\u escape needs four hex digits"))?;
        let text = std::str::from_utf8(hex).map_err(|_| (self.at, "a \\u escape needs four hex digits"))?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err((self.at, "a \\u escape needs four hex digits"));
        }
        let unit = u16::from_str_radix(text, 16).map_err(|_| (self.at, "a \\u escape needs four hex digits"))?;
        self.at += 4;
        Ok(unit)
    }

    fn string(&mut self) -> Step {
        self.at += 1; // the opening quote
        loop {
            match self.peek() {
                None => return self.fail("a string without its closing quote"),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.at += 1,
                        Some(b'u') => {
                            self.at += 1;
                            let unit = self.hex4()?;
                            if (0xDC00..=0xDFFF).contains(&unit) {
                                return self.fail("a \\u escape of a low surrogate with no high one before it");
                            }
                            if (0xD800..=0xDBFF).contains(&unit) {
                                if !self.bytes[self.at..].starts_with(b"\\u") {
                                    return self.fail("a \\u escape of a high surrogate with no low one after it");
                                }
                                self.at += 2;
                                if !(0xDC00..=0xDFFF).contains(&self.hex4()?) {
                                    return self.fail("a \\u escape of a high surrogate with no low one after it");
                                }
                            }
                        }
                        _ => return self.fail("an unknown escape in a string"),
                    }
                }
                Some(0..=0x1F) => return self.fail("a control character in a string (escape it)"),
                Some(_) => self.at += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_as_duckdb_reads_it() {
        let valid = [
            "1",
            " -0.5e+10 ",
            "\"a\\u00e9\\ud83d\\ude00\\n\"",
            "[]",
            "{}",
            "[1, 2,]",
            "{\"a\": [1, {\"b\": null}],}",
            "[true, false, null]",
            "NaN",
            "-Infinity",
            "[inf, -nan]",
            "123456789012345678901234567890",
            "\"é\"",
        ];
        for text in valid {
            assert_eq!(json_syntax_problem(text), None, "{text}");
        }
        let invalid = [
            ("", "empty text at byte 0"),
            ("  ", "empty text at byte 2"),
            ("not json", "expected a value at byte 0"),
            ("{\"a\": 1", "expected `,` or `}` in an object at byte 7"),
            ("[1 2]", "expected `,` or `]` in an array at byte 3"),
            ("[,]", "expected a value at byte 1"),
            ("{,}", "expected a member name (a string in double quotes) at byte 1"),
            ("[1,,]", "expected a value at byte 3"),
            ("01", "a number with a leading zero at byte 1"),
            ("1.", "expected a digit after the decimal point at byte 2"),
            ("\"a", "a string without its closing quote at byte 2"),
            ("\"\\x\"", "an unknown escape in a string at byte 2"),
            ("\"\\udc00\"", "a \\u escape of a low surrogate with no high one before it at byte 7"),
            ("\"\\ud800x\"", "a \\u escape of a high surrogate with no low one after it at byte 7"),
            ("\"a\tb\"", "a control character in a string (escape it) at byte 2"),
            ("1 2", "text after the end of the JSON value at byte 2"),
            ("nul", "expected a value at byte 0"),
            ("{\"a\" 1}", "expected `:` after a member name at byte 5"),
            ("// c\n1", "expected a value at byte 0"),
        ];
        for (text, why) in invalid {
            assert_eq!(json_syntax_problem(text).as_deref(), Some(why), "{text}");
        }
        // Any depth, without recursion.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(json_syntax_problem(&deep), None);
        assert!(json_syntax_problem(&"[".repeat(100_000)).is_some());
    }

    /// The reader takes what DuckDB's cast to JSON takes, and nothing else.
    #[test]
    fn agrees_with_duckdbs_json_reader() {
        let conn = crate::ffi::Database::open(":memory:", &Default::default()).unwrap().connect().unwrap();
        let corpus = [
            "1",
            "-0",
            "+1",
            "1e",
            "1E+2",
            "1.0e-2",
            "-",
            "-inf",
            "-Infinity",
            "INF",
            "Nan",
            "-NaN",
            "infinityx",
            "nan1",
            "[1,]",
            "{\"a\":1,}",
            "[1,,]",
            "[,]",
            "{,}",
            "\"\\u12\"",
            "\"\\u0041\"",
            "[1]x",
            "\"\u{7f}\"",
            "\"\\/\"",
            "\"\\uD834\\uDD1E\"",
            "\"\\uDD1E\"",
            "\"\\uD834\"",
            "\t[\n]\r",
            "true false",
            "[-]",
            "0x10",
            "1_000",
            "\u{a0}1",
            "\u{feff}1",
            "True",
            "nul",
            "null",
            "[null,true,false]",
            "\"a\u{0}b\"",
            "{\"a\" : {\"b\": [ ]}}",
            "{\"a\"}",
            "{1: 2}",
            "'a'",
            "\"\\a\"",
            ".5",
            "5.",
            "00",
            "-01",
            "1.5e",
            "[1 2]",
            "  ",
            "",
            "\"é😀\"",
            "12345678901234567890123456789012345678901234567890",
            "1e999",
            "[[[]]]",
            "[[[]]",
            "{\"a\":[1,{\"b\":null},],}",
            "\"\\u00e9\"",
            "\"\\U00e9\"",
            "1 ",
            " 1",
            "[1,\n]",
        ];
        for text in corpus {
            let mut stmt = conn.prepare("SELECT $1::JSON").unwrap();
            stmt.bind(0, &crate::Value::Varchar(text.to_owned())).unwrap();
            let duckdb_reads = stmt.execute(false).is_ok();
            assert_eq!(json_syntax_problem(text).is_none(), duckdb_reads, "{text:?}: {:?}", json_syntax_problem(text));
        }
    }
}
