fn main() {
    let _ = andamios::query!("SELEC id FROM users");
}
