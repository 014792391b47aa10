fn main() {
    let _ = andamios::query!("SELECT name FROM users WHERE id = $2", 1i64);
}
