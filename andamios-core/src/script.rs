//! SQL read as text, without a parser: the statements of a script, the
//! word each starts with, and the string literals (quotes and comments are
//! skipped); the parts of a qualified name.

/// Whether a statement that starts with `keyword` begins or ends a transaction.
pub fn controls_transaction(keyword: &str) -> bool {
    ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT"].iter().any(|k| keyword.eq_ignore_ascii_case(k))
}

/// The statements of the script `sql`, each from its first word (past
/// whitespace and comments) to the `;` that ends it, without that `;` or the
/// whitespace before it. A statement ends at each `;` outside quotes
/// (`'...'`, `E'...'`, `"..."`, `$tag$...$tag$`) and comments; stretches
/// holding only whitespace and comments are no statements.
pub fn statements(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut statements = Vec::new();
    // Where the statement being read starts, once it has a first word.
    let mut start = None;
    let mut i = 0;
    while i < bytes.len() {
        let span = Span::at(bytes, i);
        if start.is_none() && span.kind != SpanKind::Comment && bytes[i] != b';' && !bytes[i].is_ascii_whitespace() {
            start = Some(i);
        }
        if span.kind == SpanKind::Other && bytes[i] == b';' {
            if let Some(start) = start.take() {
                statements.push(sql[start..i].trim_end());
            }
        }
        i = span.end;
    }
    if let Some(start) = start {
        statements.push(sql[start..].trim_end());
    }
    statements
}

/// The text of each plain string literal (`'...'`, with `''` for a quote)
/// in `sql`, outside comments and other quotes: the paths a statement
/// reads files from (`read_csv('data/events.csv')`), among others.
pub fn string_literals(sql: &str) -> Vec<String> {
    let bytes = sql.as_bytes();
    let mut literals = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let span = Span::at(bytes, i);
        if span.kind == SpanKind::String && span.end > i + 1 && bytes[span.end - 1] == b'\'' {
            literals.push(sql[i + 1..span.end - 1].replace("''", "'"));
        }
        i = span.end;
    }
    literals
}

/// What a stretch of SQL text is, as [`Span::at`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpanKind {
    /// `-- ...` or `/* ... */`.
    Comment,
    /// `'...'`.
    String,
    /// `E'...'`, `"..."` or `$tag$...$tag$`.
    OtherQuote,
    /// One byte of anything else.
    Other,
}

/// A stretch of SQL text that starts at a given byte and ends at `end`.
struct Span {
    kind: SpanKind,
    end: usize,
}

impl Span {
    /// The comment or quote that starts at `i` (to its end, or the end of
    /// the text if it is not closed), or else the one byte there.
    fn at(bytes: &[u8], i: usize) -> Span {
        let find = |from: usize, needle: &[u8]| {
            bytes[from.min(bytes.len())..].windows(needle.len()).position(|w| w == needle).map(|p| from + p)
        };
        let next = bytes.get(i + 1).copied();
        let (kind, end) = match bytes[i] {
            b'-' if next == Some(b'-') => (SpanKind::Comment, find(i, b"\n").map_or(bytes.len(), |end| end + 1)),
            b'/' if next == Some(b'*') => (SpanKind::Comment, block_comment_end(bytes, i)),
            quote @ (b'\'' | b'"') => {
                let backslashes = quote == b'\''
                    && i > 0
                    && bytes[i - 1].eq_ignore_ascii_case(&b'e')
                    && (i < 2 || !bytes[i - 2].is_ascii_alphanumeric() && bytes[i - 2] != b'_');
                let mut j = i + 1;
                let end = loop {
                    match bytes.get(j) {
                        None => break bytes.len(),
                        Some(b'\\') if backslashes => j += 2,
                        Some(&b) if b == quote && bytes.get(j + 1) == Some(&quote) => j += 2,
                        Some(&b) if b == quote => break j + 1,
                        Some(_) => j += 1,
                    }
                };
                let kind = if quote == b'\'' && !backslashes { SpanKind::String } else { SpanKind::OtherQuote };
                (kind, end)
            }
            // A `$` inside a name (`price$usd`) starts no quote.
            b'$' if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') => (SpanKind::Other, i + 1),
            b'$' => {
                let tag_len = bytes[i + 1..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
                match bytes.get(i + 1 + tag_len) {
                    Some(b'$') if !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                        let tag = &bytes[i..i + 2 + tag_len];
                        (SpanKind::OtherQuote, find(i + tag.len(), tag).map_or(bytes.len(), |end| end + tag.len()))
                    }
                    _ => (SpanKind::Other, i + 1),
                }
            }
            _ => (SpanKind::Other, i + 1),
        };
        Span { kind, end }
    }
}

/// Where the block comment that opens at `start` ends: past its `*/`, with
/// comments nested inside it, as DuckDB's parser reads them (`/* a /* b */
/// still a */`); the end of the text if it is not closed.
fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let (mut depth, mut i) = (0usize, start);
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The first word of each statement of the script `sql` (see
/// [`statements`]), for those that start with one.
pub fn leading_keywords(sql: &str) -> Vec<&str> {
    statements(sql)
        .into_iter()
        .filter_map(|statement| {
            let len = statement.bytes().take_while(u8::is_ascii_alphabetic).count();
            (len > 0).then(|| &statement[..len])
        })
        .collect()
}

/// The first statement of `sql` that begins or ends a transaction, by its
/// first word (`COMMIT`, `BEGIN`...).
pub fn transaction_control(sql: &str) -> Option<&str> {
    leading_keywords(sql).into_iter().find(|keyword| controls_transaction(keyword))
}

/// `statement`, an ATTACH of a database file, with the `READ_ONLY` option
/// added: how the macros attach files while a crate compiles, so that a
/// build never creates or changes one. `None` for any other statement,
/// an in-memory database, and an ATTACH that sets `READ_ONLY` itself.
pub fn attach_read_only(statement: &str) -> Option<String> {
    // `ATTACH [DATABASE] [IF NOT EXISTS] path`: the path quoted in any way
    // DuckDB takes ('...', "...", E'...', $$...$$) or not at all.
    let tokens = leading_tokens(statement, 6);
    let is = |at: usize, word: &str| tokens.get(at).is_some_and(|t| t.eq_ignore_ascii_case(word));
    if !is(0, "ATTACH") {
        return None;
    }
    let mut at = 1 + usize::from(is(1, "DATABASE"));
    if is(at, "IF") && is(at + 1, "NOT") && is(at + 2, "EXISTS") {
        at += 3;
    }
    let path = tokens.get(at)?;
    let unquoted = path.trim_start_matches(['E', 'e']).trim_matches(['\'', '"', '$']);
    if unquoted.is_empty() || unquoted.contains(":memory:") {
        return None;
    }
    // Outside quotes and comments: the options' parenthesis, whether they
    // name READ_ONLY, and where the SQL ends before a trailing comment.
    let bytes = statement.as_bytes();
    let (mut options, mut code_end, mut i) = (None, 0, 0);
    while i < bytes.len() {
        let span = Span::at(bytes, i);
        if span.kind != SpanKind::Comment && !bytes[i].is_ascii_whitespace() {
            code_end = span.end;
        }
        if span.kind == SpanKind::Other {
            if bytes[i] == b'(' && options.is_none() {
                options = Some(i);
            }
            let word_end = (i + "READ_ONLY".len()).min(bytes.len());
            let whole_word = !bytes.get(word_end).is_some_and(is_word_byte);
            if options.is_some() && whole_word && bytes[i..word_end].eq_ignore_ascii_case(b"READ_ONLY") {
                return read_only_value(statement, word_end);
            }
        }
        i = span.end;
    }
    Some(match options {
        Some(open) => format!("{}READ_ONLY, {}", &statement[..=open], &statement[open + 1..]),
        None => format!("{} (READ_ONLY){}", &statement[..code_end], &statement[code_end..]),
    })
}

/// Where the first byte at or after `i` that is neither whitespace nor in
/// a comment is (the end of the text if there is none).
fn past_blanks(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        let span = Span::at(bytes, i);
        if span.kind != SpanKind::Comment && !bytes[i].is_ascii_whitespace() {
            break;
        }
        i = span.end;
    }
    i
}

/// `statement`, whose ATTACH options name `READ_ONLY` up to byte `at`,
/// with the value after it made `true`: `(READ_ONLY false)` would leave
/// the file writable. `None` where it has no value (`(READ_ONLY)`,
/// `(READ_ONLY, TYPE duckdb)`) or `true` already.
fn read_only_value(statement: &str, at: usize) -> Option<String> {
    let bytes = statement.as_bytes();
    let start = past_blanks(bytes, at);
    if start >= bytes.len() || matches!(bytes[start], b',' | b')') {
        return None;
    }
    let span = Span::at(bytes, start);
    let end = if span.kind == SpanKind::Other { start + word_len(bytes, start).max(1) } else { span.end };
    let value = statement[start..end].trim_matches(['\'', '"']);
    if value.eq_ignore_ascii_case("true") || value == "1" {
        return None;
    }
    Some(format!("{}true{}", &statement[..start], &statement[end..]))
}

/// The first `n` tokens of `statement`, past whitespace and comments: a
/// quoted string or name (with an `E` before it) whole, else a run of
/// bytes up to whitespace, a comment, a quote, `(`, `)` or `;`.
fn leading_tokens(statement: &str, n: usize) -> Vec<&str> {
    let bytes = statement.as_bytes();
    let (mut tokens, mut i) = (Vec::new(), 0);
    while tokens.len() < n {
        i = past_blanks(bytes, i);
        if i >= bytes.len() {
            break;
        }
        let span = Span::at(bytes, i);
        let escaped = bytes[i].eq_ignore_ascii_case(&b'e') && bytes.get(i + 1) == Some(&b'\'');
        let end = if escaped {
            Span::at(bytes, i + 1).end
        } else if span.kind != SpanKind::Other || matches!(bytes[i], b'(' | b')' | b';') {
            span.end
        } else {
            let mut end = i;
            while end < bytes.len() {
                let next = Span::at(bytes, end);
                if next.kind != SpanKind::Other || bytes[end].is_ascii_whitespace() || b"();".contains(&bytes[end]) {
                    break;
                }
                end = next.end;
            }
            end
        };
        tokens.push(&statement[i..end]);
        i = end;
    }
    tokens
}

/// Whether `statement` only writes rows out to files: `COPY ... TO` (a
/// table's or a query's rows) and `EXPORT DATABASE`. The macros check such
/// a statement of a migration without running it: while a crate compiles,
/// it would overwrite a real export with the rows of an empty schema.
pub fn exports_rows(statement: &str) -> bool {
    exports_database(statement) || copy_to(statement).is_some()
}

/// Whether `statement` is an `EXPORT DATABASE`, which DuckDB cannot bind
/// without creating the folder it exports to.
pub fn exports_database(statement: &str) -> bool {
    leading_keywords(statement).first().is_some_and(|k| k.eq_ignore_ascii_case("EXPORT"))
}

/// The file a `COPY ... TO` writes, as written: an output of the
/// statement, where its other string literals may name inputs
/// (`COPY (SELECT * FROM read_csv('in.csv')) TO 'out.csv'`).
pub fn copy_target(statement: &str) -> Option<String> {
    string_literals(&statement[copy_to(statement)?..]).into_iter().next()
}

/// Of a `COPY ... TO` (`COPY t TO`, `COPY (SELECT ...) TO`; not `COPY t
/// FROM`, nor `COPY FROM DATABASE a TO b`), where its `TO` stands.
fn copy_to(statement: &str) -> Option<usize> {
    let mut words = top_level_words(statement).into_iter();
    let (_, first) = words.next()?;
    let (at, way) = words.find(|(_, w)| w.eq_ignore_ascii_case("TO") || w.eq_ignore_ascii_case("FROM"))?;
    (first.eq_ignore_ascii_case("COPY") && way.eq_ignore_ascii_case("TO")).then_some(at)
}

/// The words of `statement` outside quotes, comments and parentheses,
/// with where each starts.
fn top_level_words(statement: &str) -> Vec<(usize, &str)> {
    let bytes = statement.as_bytes();
    let (mut words, mut depth, mut i) = (Vec::new(), 0usize, 0);
    while i < bytes.len() {
        let span = Span::at(bytes, i);
        if span.kind != SpanKind::Other {
            i = span.end;
            continue;
        }
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b if depth == 0 && b.is_ascii_alphabetic() && (i == 0 || !is_word_byte(&bytes[i - 1])) => {
                let len = word_len(bytes, i);
                words.push((i, &statement[i..i + len]));
                i += len;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    words
}

/// Whether `b` can be part of a word (a keyword, a name, a parameter's).
fn is_word_byte(b: &u8) -> bool {
    b.is_ascii_alphanumeric() || *b == b'_'
}

/// The length of the word that starts at `i` (0 if none does).
fn word_len(bytes: &[u8], i: usize) -> usize {
    bytes.get(i..).map_or(0, |rest| rest.iter().take_while(|b| is_word_byte(b)).count())
}

/// The parameters written with a `$` (`$1`, `$id`) in `sql`, outside
/// quotes and comments, with where each starts.
fn dollar_params(sql: &str) -> Vec<(usize, &str)> {
    let bytes = sql.as_bytes();
    let (mut params, mut i) = (Vec::new(), 0);
    while i < bytes.len() {
        let span = Span::at(bytes, i);
        if span.kind != SpanKind::Other || bytes[i] != b'$' || (i > 0 && is_word_byte(&bytes[i - 1])) {
            i = span.end;
            continue;
        }
        let len = 1 + word_len(bytes, i + 1);
        if len > 1 {
            params.push((i, &sql[i..i + len]));
        }
        i += len;
    }
    params
}

/// The parameters (`$1`, `$id`, as written) that `sql` tests with `IS
/// NULL` or `IS NOT NULL` as they are (`$1 IS NULL`, not `$1::VARCHAR IS
/// NULL`), outside quotes and comments, each once. DuckDB leaves the type
/// of such a parameter open when it prepares the statement, and binds the
/// statement again when it runs.
pub fn params_tested_for_null(sql: &str) -> Vec<String> {
    let bytes = sql.as_bytes();
    // The next word at or after `i`, past whitespace and comments.
    let word_after = |i: usize| -> (usize, &str) {
        let i = past_blanks(bytes, i);
        let len = word_len(bytes, i);
        (i + len, sql.get(i..i + len).unwrap_or_default())
    };
    let mut found = Vec::<String>::new();
    for (at, param) in dollar_params(sql) {
        let (after_is, is) = word_after(at + param.len());
        let (after_not, not) = word_after(after_is);
        let null = if not.eq_ignore_ascii_case("NOT") { word_after(after_not).1 } else { not };
        let tested = is.eq_ignore_ascii_case("IS") && null.eq_ignore_ascii_case("NULL");
        if tested && !found.iter().any(|f| f.eq_ignore_ascii_case(param)) {
            found.push(param.to_owned());
        }
    }
    found
}

/// The operators written right before or after the parameter `param`
/// (`$1`, `$id`) in `sql`, outside quotes and comments, each once:
/// `||` and the arithmetic ones, which DuckDB defines for several types,
/// so that a parameter beside one alone has no type it can infer.
pub fn operators_beside(sql: &str, param: &str) -> Vec<&'static str> {
    const OPERATORS: [&str; 6] = ["||", "+", "-", "*", "/", "%"];
    let mut found = Vec::new();
    for (at, _) in dollar_params(sql).into_iter().filter(|(_, p)| p.eq_ignore_ascii_case(param)) {
        // Before: the last byte that is not blank (comments aside, which
        // rarely sit there); after: past blanks and comments.
        let before = sql[..at].trim_end();
        let after = &sql[past_blanks(sql.as_bytes(), at + param.len())..];
        for op in OPERATORS {
            let beside = (before.ends_with(op) && !(op == "/" && before.ends_with("*/"))) || after.starts_with(op);
            if beside && !found.contains(&op) {
                found.push(op);
            }
        }
    }
    found
}

/// The parts of a possibly qualified name (`table`, `schema.table`,
/// `catalog.schema.table`), each unquoted if written in double quotes
/// (`"My Table"`, `"a.b"`, with `""` for a quote inside).
pub fn name_parts(name: &str) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut chars = name.chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push('"');
                    }
                    Some('"') => break,
                    Some(c) => part.push(c),
                    None => return Err(format!("`{name}` has a quote that does not close")),
                }
            }
        } else {
            // Unquoted, a part ends at a dot only: `My "Big" Table` is one.
            while let Some(c) = chars.next_if(|&c| c != '.') {
                part.push(c);
            }
        }
        if part.is_empty() {
            return Err(format!("`{name}` has an empty name part"));
        }
        parts.push(part);
        match chars.next() {
            None => return Ok(parts),
            Some('.') => {}
            Some(_) => return Err(format!("`{name}` has a quoted part not followed by `.`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_operators_beside_a_parameter() {
        assert_eq!(operators_beside("WHERE name LIKE $1 || '%'", "$1"), ["||"]);
        assert_eq!(operators_beside("SET score = score + $1 WHERE id = $2", "$1"), ["+"]);
        assert_eq!(operators_beside("SELECT $2*2, 3 - $2, $2 % 7", "$2"), ["*", "-", "%"]);
        assert!(operators_beside("WHERE id = $1 AND x = $10 + 1", "$1").is_empty());
        assert!(operators_beside("WHERE x = '$1 + 1' AND y = $1 /* + */", "$1").is_empty());
        assert_eq!(operators_beside("WHERE $id || 'x'", "$ID"), ["||"]);
    }

    #[test]
    fn finds_the_parameters_tested_for_null_as_they_are() {
        let found = |sql: &str| params_tested_for_null(sql);
        assert_eq!(found("SELECT id FROM u WHERE country = $1 OR $1 IS NULL"), ["$1"]);
        assert_eq!(
            found("WHERE ($2 is not null AND x = $2) OR $id  IS\n NULL OR $1 IS NULL OR $2 IS NULL"),
            ["$2", "$id", "$1"]
        );
        assert_eq!(found("WHERE $1 /* c */ IS -- d\n NULL"), ["$1"]);
        assert!(found("WHERE $1::VARCHAR IS NULL OR CAST($2 AS INT) IS NULL").is_empty());
        assert!(found("WHERE x = '$1 IS NULL' AND y$1 IS NULL AND $$ $1 IS NULL $$ = z").is_empty());
        assert!(found("WHERE $1 IS DISTINCT FROM x OR $2 IS TRUE OR $ IS NULL").is_empty());
        assert!(found("SELECT $1 IS").is_empty());
    }

    #[test]
    fn statements_that_only_export_rows_are_told_apart() {
        let exporting = [
            "COPY users TO 'users.csv'",
            "copy main.users to 'u.parquet' (FORMAT parquet)",
            "COPY (SELECT * FROM users WHERE name = 'from') TO 'u.csv'",
            "COPY \"from\" TO 'u.csv'",
            "EXPORT DATABASE 'backup' (FORMAT parquet)",
        ];
        for statement in exporting {
            assert!(exports_rows(statement), "{statement}");
        }
        let others = [
            "COPY users FROM 'users.csv'",
            "COPY FROM DATABASE old TO memory",
            "COPY users FROM 'to.csv'",
            "CREATE TABLE copy_to (x INTEGER)",
            "INSERT INTO t SELECT 'COPY t TO x'",
            "-- COPY t TO 'x'\nSELECT 1",
        ];
        for statement in others {
            assert!(!exports_rows(statement), "{statement}");
        }
        let targets = [
            ("COPY (SELECT * FROM read_csv('in.csv')) TO 'out.csv' (HEADER)", Some("out.csv")),
            ("COPY t TO 'it''s.csv'", Some("it's.csv")),
            ("COPY t FROM 'in.csv'", None),
            ("EXPORT DATABASE 'dir'", None),
            ("SELECT * FROM read_csv('in.csv')", None),
        ];
        for (statement, target) in targets {
            assert_eq!(copy_target(statement).as_deref(), target, "{statement}");
        }
    }

    #[test]
    fn attached_files_are_attached_read_only() {
        let cases = [
            ("ATTACH 'side.duckdb' AS side", Some("ATTACH 'side.duckdb' AS side (READ_ONLY)")),
            ("attach if not exists 'a(1).duckdb'", Some("attach if not exists 'a(1).duckdb' (READ_ONLY)")),
            ("ATTACH DATABASE 's.db' AS s (TYPE duckdb)", Some("ATTACH DATABASE 's.db' AS s (READ_ONLY, TYPE duckdb)")),
            ("ATTACH 's.db' AS s (READ_WRITE)", Some("ATTACH 's.db' AS s (READ_ONLY, READ_WRITE)")),
            ("ATTACH 's.db' AS s -- (READ_ONLY)", Some("ATTACH 's.db' AS s (READ_ONLY) -- (READ_ONLY)")),
            ("ATTACH 's.db' AS s (read_only)", None),
            ("ATTACH 's.db' AS s (READ_ONLY true)", None),
            ("ATTACH 's.db' AS s (READ_ONLY false)", Some("ATTACH 's.db' AS s (READ_ONLY true)")),
            ("ATTACH 's.db' AS s (TYPE duckdb, read_only 0)", Some("ATTACH 's.db' AS s (TYPE duckdb, read_only true)")),
            (
                "ATTACH 's.db' AS s (READ_ONLY 'false', TYPE duckdb)",
                Some("ATTACH 's.db' AS s (READ_ONLY true, TYPE duckdb)"),
            ),
            ("ATTACH 's.db' AS s (READ_ONLY /* no */ false)", Some("ATTACH 's.db' AS s (READ_ONLY /* no */ true)")),
            ("ATTACH 's.db' AS s (READ_ONLY_CACHE 1)", Some("ATTACH 's.db' AS s (READ_ONLY, READ_ONLY_CACHE 1)")),
            ("ATTACH 'read_only.db' AS s", Some("ATTACH 'read_only.db' AS s (READ_ONLY)")),
            ("ATTACH ':memory:' AS m", None),
            ("ATTACH '' AS m", None),
            ("ATTACH unquoted.duckdb AS u", Some("ATTACH unquoted.duckdb AS u (READ_ONLY)")),
            (
                "ATTACH DATABASE IF NOT EXISTS \"dq.duckdb\"",
                Some("ATTACH DATABASE IF NOT EXISTS \"dq.duckdb\" (READ_ONLY)"),
            ),
            ("ATTACH $$a (b).duckdb$$ AS d", Some("ATTACH $$a (b).duckdb$$ AS d (READ_ONLY)")),
            ("ATTACH E'e\\'s.duckdb' AS e", Some("ATTACH E'e\\'s.duckdb' AS e (READ_ONLY)")),
            ("ATTACH /* a comment */ 'c.duckdb'", Some("ATTACH /* a comment */ 'c.duckdb' (READ_ONLY)")),
            ("ATTACH \":memory:\" AS m", None),
            ("ATTACH $$:memory:$$ AS m", None),
            ("ATTACH", None),
            ("CREATE TABLE t (s VARCHAR DEFAULT 'x.db')", None),
            ("SELECT 'ATTACH ''x.db'' AS y'", None),
        ];
        for (statement, read_only) in cases {
            assert_eq!(attach_read_only(statement).as_deref(), read_only, "{statement}");
        }
    }

    #[test]
    fn each_statements_first_word_is_found_outside_quotes_and_comments() {
        let script =
            "BEGIN; insert into t values ('a;COMMIT', \"x;END\", E'it\\'s;ROLLBACK', $$;ABORT$$, $q$;START$q$, $1);\n\
                      -- COMMIT;\n/* ROLLBACK; */ Commit ; ;select 1;END";
        assert_eq!(leading_keywords(script), ["BEGIN", "insert", "Commit", "select", "END"]);
        assert_eq!(
            statements(script),
            [
                "BEGIN",
                "insert into t values ('a;COMMIT', \"x;END\", E'it\\'s;ROLLBACK', $$;ABORT$$, $q$;START$q$, $1)",
                "Commit",
                "select 1",
                "END"
            ]
        );
        assert_eq!(statements("(SELECT 1) ; -- a comment\n"), ["(SELECT 1)"]);
        // Block comments nest; a `$` inside a name quotes nothing.
        assert_eq!(statements("/* a /* b */ ; c */ SELECT 1; SELECT 2 /* x */"), ["SELECT 1", "SELECT 2 /* x */"]);
        assert_eq!(statements("SELECT 1 AS a$b; SELECT 2 AS c$"), ["SELECT 1 AS a$b", "SELECT 2 AS c$"]);
        assert_eq!(leading_keywords("SELECT 'unterminated; COMMIT"), ["SELECT"]);
        assert!(leading_keywords("  -- only a comment").is_empty());
        assert!(leading_keywords("SELECT 1; START TRANSACTION").into_iter().any(controls_transaction));
        assert!(!leading_keywords("CREATE TABLE t (s VARCHAR DEFAULT 'COMMIT'); SELECT 'END'")
            .into_iter()
            .any(controls_transaction));
    }

    #[test]
    fn string_literals_are_read_outside_comments_and_other_quotes() {
        let sql = "SELECT * FROM read_csv('data/a.csv') -- 'not/this.csv'\n\
                   JOIN read_parquet('it''s.parquet') /* 'nor/this' */ ON \"'x'\" = E'\\'y' || $$'z'$$ || '' || 'open";
        assert_eq!(string_literals(sql), ["data/a.csv", "it's.parquet", ""]);
        assert!(string_literals("SELECT 1").is_empty());
    }

    #[test]
    fn qualified_names_split_at_dots_outside_quotes() {
        let parts = |name: &str| name_parts(name);
        assert_eq!(parts("t").unwrap(), ["t"]);
        assert_eq!(parts("My Table").unwrap(), ["My Table"]);
        assert_eq!(parts("s.t").unwrap(), ["s", "t"]);
        assert_eq!(parts("db.main.t").unwrap(), ["db", "main", "t"]);
        assert_eq!(parts("\"x.y\"").unwrap(), ["x.y"]);
        assert_eq!(parts("\"My \"\"Quoted\"\" Table\"").unwrap(), ["My \"Quoted\" Table"]);
        assert_eq!(parts("s.\"t.u\"").unwrap(), ["s", "t.u"]);
        assert_eq!(parts("My \"Big\" Table").unwrap(), ["My \"Big\" Table"]);
        assert_eq!(parts("\"a").unwrap_err(), "`\"a` has a quote that does not close");
        assert_eq!(parts("a..b").unwrap_err(), "`a..b` has an empty name part");
        assert_eq!(parts("").unwrap_err(), "`` has an empty name part");
        assert_eq!(parts("\"a\"b").unwrap_err(), "`\"a\"b` has a quoted part not followed by `.`");
    }
}
