fn main() {
    let _ = andamios::query!("SELECT id, nickname FROM users");
}
