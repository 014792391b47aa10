fn main() {
    // With no schema source at all, a statement without tables checks
    // against an empty database...
    let _ = andamios::query!("SELECT 1 AS one, * FROM (VALUES ('a')) t(letter)");
    // ...and one that names a table says what to give.
    let _ = andamios::query!("SELECT id FROM users");
}
