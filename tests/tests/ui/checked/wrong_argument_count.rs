fn main() {
    let _ = andamios::query!("SELECT name FROM users WHERE id = $1 AND name = $2", 1i64);
    let _ = andamios::query!("SELECT name FROM users WHERE id = $1", 1i64, "extra");
}
