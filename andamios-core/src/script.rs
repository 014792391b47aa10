//! SQL scripts read as text: where each statement starts, and with which
//! word, without a parser (quotes and comments are skipped).

/// Whether a statement that starts with `keyword` begins or ends a transaction.
pub fn controls_transaction(keyword: &str) -> bool {
    ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT"].iter().any(|k| keyword.eq_ignore_ascii_case(k))
}

/// The first word of each statement of the script `sql`, which ends at each
/// `;` outside quotes (`'...'`, `E'...'`, `"..."`, `$tag$...$tag$`) and
/// comments, read past whitespace and comments.
pub fn leading_keywords(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let find = |from: usize, needle: &[u8]| {
        bytes[from.min(bytes.len())..].windows(needle.len()).position(|w| w == needle).map(|p| from + p)
    };
    let mut keywords = Vec::new();
    let (mut i, mut statement_start) = (0, true);
    while i < bytes.len() {
        let next = bytes.get(i + 1).copied();
        i = match bytes[i] {
            b'-' if next == Some(b'-') => find(i, b"\n").map_or(bytes.len(), |end| end + 1),
            b'/' if next == Some(b'*') => find(i + 2, b"*/").map_or(bytes.len(), |end| end + 2),
            quote @ (b'\'' | b'"') => {
                let backslashes = quote == b'\''
                    && i > 0
                    && bytes[i - 1].eq_ignore_ascii_case(&b'e')
                    && (i < 2 || !bytes[i - 2].is_ascii_alphanumeric() && bytes[i - 2] != b'_');
                let mut j = i + 1;
                loop {
                    match bytes.get(j) {
                        None => break bytes.len(),
                        Some(b'\\') if backslashes => j += 2,
                        Some(&b) if b == quote && bytes.get(j + 1) == Some(&quote) => j += 2,
                        Some(&b) if b == quote => break j + 1,
                        Some(_) => j += 1,
                    }
                }
            }
            b'$' => {
                let tag_len = bytes[i + 1..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
                match bytes.get(i + 1 + tag_len) {
                    Some(b'$') if !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                        let tag = &bytes[i..i + 2 + tag_len];
                        find(i + tag.len(), tag).map_or(bytes.len(), |end| end + tag.len())
                    }
                    _ => i + 1,
                }
            }
            b';' => {
                statement_start = true;
                i + 1
            }
            b if b.is_ascii_whitespace() => i + 1,
            b => {
                if std::mem::take(&mut statement_start) && b.is_ascii_alphabetic() {
                    let len = bytes[i..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
                    keywords.push(&sql[i..i + len]);
                }
                i + 1
            }
        };
    }
    keywords
}

/// The first statement of `sql` that begins or ends a transaction, by its
/// first word (`COMMIT`, `BEGIN`...).
pub fn transaction_control(sql: &str) -> Option<&str> {
    leading_keywords(sql).into_iter().find(|keyword| controls_transaction(keyword))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_statements_first_word_is_found_outside_quotes_and_comments() {
        let script =
            "BEGIN; insert into t values ('a;COMMIT', \"x;END\", E'it\\'s;ROLLBACK', $$;ABORT$$, $q$;START$q$, $1);\n\
                      -- COMMIT;\n/* ROLLBACK; */ Commit ; ;select 1;END";
        assert_eq!(leading_keywords(script), ["BEGIN", "insert", "Commit", "select", "END"]);
        assert_eq!(leading_keywords("SELECT 'unterminated; COMMIT"), ["SELECT"]);
        assert!(leading_keywords("  -- only a comment").is_empty());
        assert!(leading_keywords("SELECT 1; START TRANSACTION").into_iter().any(controls_transaction));
        assert!(!leading_keywords("CREATE TABLE t (s VARCHAR DEFAULT 'COMMIT'); SELECT 'END'")
            .into_iter()
            .any(controls_transaction));
    }
}
