fn main() {
    let _ = andamios::query!(r#"SELECT name AS "name: 3d" FROM users"#);
}
