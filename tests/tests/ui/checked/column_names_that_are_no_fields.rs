fn main() {
    // Both columns would be a field `id`.
    let _ = andamios::query!("SELECT u.id, p.id FROM users u JOIN posts p ON p.user_id = u.id");
    // A name that cannot be a field.
    let _ = andamios::query!("SELECT count(*) FROM users");
    // A keyword that cannot be a raw field either.
    let _ = andamios::query!(r#"SELECT id AS "self" FROM users"#);
    // Each of several is reported in one build.
    let _ = andamios::query!(r#"SELECT count(*), max(id) AS "my max" FROM users"#);
    let _ = andamios::query!("SELECT u.id, p.id, u.name, p.title AS name FROM users u JOIN posts p ON p.user_id = u.id");
}
