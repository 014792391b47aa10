fn main() {
    let _ = andamios::query!("SELECT id FROM customers");
}
