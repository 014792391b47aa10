fn main() {
    let _ = andamios::query!("SELECT 1; SELECT 2");
}
