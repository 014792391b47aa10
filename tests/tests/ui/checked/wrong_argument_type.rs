fn main() {
    let id = "seven";
    let _ = andamios::query!("SELECT name FROM users WHERE id = $1", id);
}
