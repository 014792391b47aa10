fn main() {
    let _ = andamios::query!("SELECT $1 AS anything", 1i32);
    // An optional filter that tests the parameter before it compares it.
    let _ = andamios::query!("SELECT id FROM users WHERE ($1 IS NULL OR name = $1)", Some("ana"));
}
