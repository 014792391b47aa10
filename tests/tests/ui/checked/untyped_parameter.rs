fn main() {
    let _ = andamios::query!("SELECT $1 AS anything", 1i32);
    // An optional filter that tests the parameter before it compares it.
    let _ = andamios::query!("SELECT id FROM users WHERE ($1 IS NULL OR name = $1)", Some("ana"));
    // Operators that DuckDB defines for several types.
    let _ = andamios::query!("SELECT id FROM users WHERE name LIKE $1 || '%'", "a");
    let _ = andamios::query!("UPDATE posts SET score = score + $1 WHERE id = $2", 1.5, 1i64);
}
